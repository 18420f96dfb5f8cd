"""A small valid scenario, patched table by table, and hand-written plans: for tests,
examples and quick checks."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from zengzhi.presets import presets_dir
from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import Scenario, parse_scenario

BASE: dict[str, Any] = {
    "scenario": {"preset": "appreciating-pool", "horizon_days": 60, "seeds": 2},
    "growth": {"curve": "constant", "rate": 5},
    "orders": {"size": "fixed", "amount_yuan": "1000"},
    "repeat": {"share": 0.5, "mean_interval_days": 10},
    "behaviour": [{"kind": "hold", "share": 1.0}],
}


def scenario_data(**tables: Any) -> dict[str, Any]:
    """BASE with whole tables replaced (`growth={...}`) or merged (`scenario={...}`)."""
    data = copy.deepcopy(BASE)
    for name, table in tables.items():
        if name == "scenario":
            data["scenario"].update(table)
        elif table is None:
            data.pop(name, None)
        else:
            data[name] = table
    return data


def make_scenario(**tables: Any) -> Scenario:
    """A validated scenario from `scenario_data(**tables)` (presets resolve as usual)."""
    return parse_scenario(scenario_data(**tables), presets_dir())


def hand_plan(
    horizon_days: int,
    orders: list[tuple[int, int, int]],
    referrers: list[int] | None = None,
    groups: list[int] | None = None,
    bank_run: list[bool] | None = None,
) -> Plan:
    """A plan written by hand: (day, member, amount_fen) orders, for worked examples.

    Members must be numbered in the order of their first order, as drawn plans are;
    `referrers[i]` is member i's referrer (an earlier member) or −1.
    """
    rows = sorted(enumerate(orders), key=lambda r: (r[1][0], r[0]))
    days = np.asarray([o[0] for _, o in rows], dtype=np.int64)
    members = np.asarray([o[1] for _, o in rows], dtype=np.int64)
    n = int(members.max()) + 1 if len(members) else 0
    first = [int(np.flatnonzero(members == i)[0]) for i in range(n)]
    if first != sorted(first):
        raise ValueError("number members in the order of their first order")
    join = np.asarray([days[f] for f in first], dtype=np.int64)
    group = np.asarray(groups or [0] * n, dtype=np.int64)
    runs = np.asarray(bank_run or [False] * n, dtype=np.bool_)
    return Plan(
        seed=0,
        horizon_days=horizon_days,
        day_start=np.searchsorted(days, np.arange(horizon_days + 1), side="left").astype(np.int64),
        order_member=members,
        order_amount=np.asarray([o[2] for _, o in rows], dtype=np.int64),
        member_join_day=join,
        member_group=group,
        member_bank_run=runs,
        member_referrer=np.asarray(referrers or [-1] * n, dtype=np.int64),
        watch=np.flatnonzero((group != 0) | runs).astype(np.int64),
    )
