"""One seed's population, drawn once in NumPy: who arrives when, what they buy, how they sell.

All randomness of a run lives here (numpy.random.Generator seeded explicitly); both the
exact runner and the kernel consume the same `Plan` and are deterministic over it.
Members are numbered in the order of their first order, which is the engine's join order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.growth import expected_arrivals
from zengzhi.sim.scenario import OrderSizes, Scenario

HOLD, TAKE_PROFIT, PANIC, CONVERT = 0, 1, 2, 3
_KIND_CODE = {"hold": HOLD, "take_profit": TAKE_PROFIT, "panic": PANIC, "convert": CONVERT}

I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Plan:
    """Arrays for one seed. Orders are sorted by day, then by a drawn order within the day.

    `day_start[d]:day_start[d+1]` are the orders of day d. `member_group` indexes the
    scenario's behaviours; `member_referrer` is −1 for members who came on their own.
    `watch` lists, in join order, the members checked at the end of each day.
    """

    seed: int
    horizon_days: int
    day_start: I64
    order_member: I64
    order_amount: I64
    member_join_day: I64
    member_group: I64
    member_bank_run: NDArray[np.bool_]
    member_referrer: I64
    watch: I64

    @property
    def n_members(self) -> int:
        return len(self.member_join_day)

    @property
    def n_orders(self) -> int:
        return len(self.order_amount)


def draw_plan(scenario: Scenario, seed: int) -> Plan:
    """Draw one seed's population for `scenario`."""
    rng = np.random.default_rng(seed)
    horizon = scenario.horizon_days
    expected = expected_arrivals(scenario.growth, horizon)
    if scenario.growth.draw == "poisson":
        arrivals = rng.poisson(expected)
    else:
        # deterministic: carry fractions forward so the total matches the curve
        arrivals = np.diff(np.floor(np.concatenate(([0.0], np.cumsum(expected))) + 1e-9))
    arrivals = arrivals.astype(np.int64)
    join_day = np.repeat(np.arange(horizon, dtype=np.int64), arrivals)
    n = len(join_day)

    # repeat purchases: a Poisson process from the join day to the horizon
    repeat = scenario.repeat
    repeater = rng.random(n) < repeat.share
    remaining = (horizon - join_day - 1).astype(np.float64)
    counts = np.where(repeater, rng.poisson(remaining / repeat.mean_interval_days), 0)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    later = join_day[owner] + 1 + np.floor(rng.random(len(owner)) * remaining[owner])
    days = np.concatenate((join_day, later.astype(np.int64)))
    members = np.concatenate((np.arange(n, dtype=np.int64), owner))
    amounts = _amounts(scenario.orders, len(days), rng)
    order = np.lexsort((rng.random(len(days)), days))
    days, members, amounts = days[order], members[order], amounts[order]

    # renumber members by first appearance so that index order is join order
    first_seen = np.full(n, -1, dtype=np.int64)
    _, first_pos = np.unique(members, return_index=True)
    first_seen[np.unique(members)] = first_pos
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(n, dtype=np.int64)
    members = rank[members]
    member_join = np.empty(n, dtype=np.int64)
    member_join[rank] = join_day

    groups = _groups(scenario, n, rng)
    referrer = _referrers(scenario.referral.share_referred, n, rng)
    bank_run = np.zeros(n, dtype=np.bool_)
    if scenario.bank_run is not None:
        bank_run = rng.random(n) < scenario.bank_run.share
    kinds = np.array([_KIND_CODE[b.kind] for b in scenario.behaviours], dtype=np.int64)
    watch = np.flatnonzero((kinds[groups] != HOLD) | bank_run).astype(np.int64)
    day_start = np.searchsorted(days, np.arange(horizon + 1), side="left").astype(np.int64)
    return Plan(
        seed=seed,
        horizon_days=horizon,
        day_start=day_start,
        order_member=members.astype(np.int64),
        order_amount=amounts,
        member_join_day=member_join,
        member_group=groups,
        member_bank_run=bank_run,
        member_referrer=referrer,
        watch=watch,
    )


def _amounts(sizes: OrderSizes, count: int, rng: np.random.Generator) -> I64:
    if sizes.kind == "fixed":
        return np.full(count, sizes.amount_fen, dtype=np.int64)
    if sizes.kind == "lognormal":
        raw = sizes.amount_fen * np.exp(sizes.sigma * rng.standard_normal(count))
        clipped: I64 = np.clip(np.rint(raw), sizes.min_fen, sizes.max_fen).astype(np.int64)
        return clipped
    weights = np.asarray(sizes.weights, dtype=np.float64)
    picks = rng.choice(len(sizes.table_fen), size=count, p=weights / weights.sum())
    table: I64 = np.asarray(sizes.table_fen, dtype=np.int64)
    out: I64 = table[picks]
    return out


def _groups(scenario: Scenario, n: int, rng: np.random.Generator) -> I64:
    shares = np.asarray([b.share for b in scenario.behaviours], dtype=np.float64)
    edges = np.cumsum(shares / shares.sum())
    edges[-1] = 1.0
    return np.searchsorted(edges, rng.random(n), side="right").astype(np.int64)


def _referrers(share: float, n: int, rng: np.random.Generator) -> I64:
    """Referred members pick an earlier member uniformly; the first member comes alone."""
    referred = rng.random(n) < share
    picks = np.floor(rng.random(n) * np.arange(n)).astype(np.int64)
    referred[0:1] = False
    out: I64 = np.full(n, -1, dtype=np.int64)
    out[referred] = picks[referred]
    return out
