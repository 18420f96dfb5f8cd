"""The documents' worked numbers, reproduced by the simulator on both engines.

Seeds 002/004: orders of 1,000 yuan, 30% into the pool, points worth 70% of that:
P = 1.43, 1.68, 1.87 after orders 1-3; member 1 is forced out at 3x when P = 14.29.
Seed 004 local life: 16% into the pool; member 1 exits at 1.2x when P = 10.71 and,
selling 1,200 yuan worth, is paid 960 (240 reflows).
"""

from __future__ import annotations

import numpy as np
import pytest

from zengzhi.sim.exact import run_exact
from zengzhi.sim.examples import make_scenario
from zengzhi.sim.kernel import run_kernel
from zengzhi.sim.plan import draw_plan
from zengzhi.sim.result import RunResult


def _one_order_a_day(preset: str, per_day: int, days: int) -> tuple[RunResult, RunResult]:
    scenario = make_scenario(
        scenario={"preset": preset, "horizon_days": days, "seeds": 1},
        growth={"curve": "constant", "rate": per_day, "draw": "expected"},
        orders={"size": "fixed", "amount_yuan": "1000"},
        repeat={"share": 0},
    )
    plan = draw_plan(scenario, 0)
    return run_exact(scenario, plan), run_kernel(scenario, plan)


@pytest.mark.parametrize("preset", ["appreciating-pool", "local-life"])
def test_prices_after_the_first_three_orders(preset: str) -> None:
    exact, fast = _one_order_a_day(preset, 1, 3)
    prices = [round(p / 1e6, 2) for p in exact.day("price_micro_yuan")]
    assert prices == [1.43, 1.68, 1.87]
    assert np.array_equal(exact.daily, fast.daily)


def test_member_one_is_forced_out_at_3x_when_the_price_reaches_14_29() -> None:
    exact, fast = _one_order_a_day("appreciating-pool", 200, 150)
    first = int(np.argmax(exact.day("exits") > 0))
    assert exact.member("first_out_day")[0] == first
    assert exact.day("price_micro_yuan")[first - 1] < 14_285_715  # 3 × 1000 / 210 points
    # the exit pays 80% of 3,000 yuan (rounded down; the price overshoots by one order)
    assert 240_000 <= exact.member("received_fen")[0] <= 240_100
    assert np.array_equal(exact.members, fast.members)


def test_local_life_member_one_exits_at_1_2x_paid_960() -> None:
    exact, fast = _one_order_a_day("local-life", 20, 160)
    first = int(np.argmax(exact.day("exits") > 0))
    assert exact.member("first_out_day")[0] == first
    assert exact.day("price_micro_yuan")[first - 1] < 10_714_286  # 1.2 × 1000 / 112 points
    assert 96_000 <= exact.member("received_fen")[0] <= 96_100
    assert np.array_equal(exact.members, fast.members)
