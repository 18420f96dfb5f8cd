"""A small valid scenario, patched table by table: for tests, examples and quick checks."""

from __future__ import annotations

import copy
from typing import Any

from zengzhi.presets import presets_dir
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
