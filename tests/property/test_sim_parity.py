"""The kernel gives the exact engine's results to the fen and the micro-point.

Randomized scenarios cover every rule the simulator models: fees from 0 to 35%, exit
multiples from 1.01 (cascades) to none, initial prices other than 1, issuance caps,
monthly burns (up to 50%, to empty the book and use the remembered price), referral
rewards, take-profit, panic, bank runs and both after-exit behaviours. Every daily and
every member column must be equal, not close.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zengzhi.sim.exact import run_exact
from zengzhi.sim.examples import make_scenario
from zengzhi.sim.kernel import _cmp, _floor3, run_kernel
from zengzhi.sim.plan import draw_plan

SLOW = os.environ.get("ZENGZHI_SLOW") == "1"
EXAMPLES = 200 if SLOW else 20

pool_rules = st.fixed_dictionaries(
    {
        "pool_share": st.sampled_from(["0.16", "0.3", "0.5", "1"]),
        "points_ratio": st.sampled_from(["0.3", "0.55", "0.7", "1"]),
        "sell_fee": st.sampled_from(["0", "0.1", "0.2", "0.35"]),
        "exit_multiple": st.sampled_from(["none", "1.01", "1.05", "1.2", "2", "3"]),
        "initial_price": st.sampled_from(["1.00", "0.5", "2.37"]),
        "monthly_burn": st.sampled_from(["0", "0.01", "0.5"]),
    },
    optional={"issuance_cap_micro": st.sampled_from([10**6, 10**9, 5 * 10**10])},
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    horizon = draw(st.integers(5, 90))
    preset = draw(st.sampled_from(["appreciating-pool", "local-life", "two-tokens"]))
    rules = draw(pool_rules)
    config: dict = {"pool": rules}
    if preset == "two-tokens":  # sales are the buyback: same fee (§2)
        config["stable"] = {"buyback_fee": rules["sell_fee"]}
    tables: dict = {
        "scenario": {"preset": preset, "horizon_days": horizon},
        "config": config,
        "growth": {"curve": "constant", "rate": draw(st.sampled_from([1, 4, 15]))},
        "orders": draw(
            st.sampled_from(
                [
                    {"size": "fixed", "amount_yuan": "1000"},
                    {"size": "fixed", "amount_yuan": "0.01"},
                    {"size": "lognormal", "median_yuan": "300", "sigma": 1.0},
                ]
            )
        ),
        "repeat": {
            "share": draw(st.floats(0, 1)),
            "mean_interval_days": draw(st.sampled_from([1, 5, 30])),
            "after_exit": draw(st.sampled_from(["stop", "continue"])),
        },
        "referral": {"share_referred": draw(st.floats(0, 1))},
        "behaviour": [
            {"kind": "hold", "share": 0.5},
            {
                "kind": "take_profit",
                "share": 0.3,
                "multiple": draw(st.sampled_from(["0.5", "1", "1.1"])),
            },
            {
                "kind": "panic",
                "share": 0.2,
                "threshold": draw(st.sampled_from(["-0.5", "0", "0.01"])),
                "window_days": draw(st.integers(1, 5)),
            },
        ],
    }
    if draw(st.booleans()):
        tables["bank_run"] = {"day": draw(st.integers(0, horizon - 1)), "share": 0.5}
    return tables


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_kernel_equals_exact_engine_on_random_scenarios(tables: dict, seed: int) -> None:
    scenario = make_scenario(**tables)
    plan = draw_plan(scenario, seed)
    exact, fast = run_exact(scenario, plan), run_kernel(scenario, plan)
    assert np.array_equal(exact.daily, fast.daily)
    assert np.array_equal(exact.members, fast.members)


def test_the_random_scenarios_do_reach_exits_cascades_and_sales() -> None:
    """Guard against a parity test that passes because nothing happens."""
    scenario = make_scenario(
        scenario={"horizon_days": 60},
        config={"pool": {"exit_multiple": "1.1", "pool_share": "0.6", "points_ratio": "0.5"}},
        growth={"curve": "exponential", "start": 2, "daily_growth": 0.08},
        behaviour=[
            {"kind": "hold", "share": 0.5},
            {"kind": "panic", "share": 0.5, "threshold": "0.01", "window_days": 3},
        ],
        bank_run={"day": 30, "share": 0.5},
    )
    plan = draw_plan(scenario, 1)
    exact, fast = run_exact(scenario, plan), run_kernel(scenario, plan)
    assert exact.day("exits").sum() > 100
    assert exact.day("sales").sum() > 50
    assert exact.day("exits").max() > 10  # many exits in one day: cascades
    assert exact.day("holders")[-1] > 1000
    assert np.array_equal(exact.daily, fast.daily)
    assert np.array_equal(exact.members, fast.members)


big = st.integers(0, 2**50)


@given(a=big, b=big, c=st.integers(0, 2**20), d=st.integers(1, 2**56 - 1))
def test_floor3_is_exact_integer_division(a: int, b: int, c: int, d: int) -> None:
    expected = a * b * c // d
    if expected < 2**62:
        assert _floor3(a, b, c, d) == expected


factor = st.integers(0, 2**62 - 1)


@given(a=st.lists(factor, min_size=4, max_size=4), b=st.lists(factor, min_size=4, max_size=4))
def test_cmp_orders_products_of_four_exactly(a: list[int], b: list[int]) -> None:
    pa, pb = a[0] * a[1] * a[2] * a[3], b[0] * b[1] * b[2] * b[3]
    assert _cmp(*a, *b) == (pa > pb) - (pa < pb)


@given(x=st.integers(1, 2**50), y=st.integers(1, 2**50), k=st.integers(1, 2**10))
def test_cmp_decides_exact_ties_by_limbs(x: int, y: int, k: int) -> None:
    assert _cmp(x, y, k, 1, x * k, y, 1, 1) == 0


@given(x=st.integers(2**14, 2**15), y=st.integers(2**14, 2**15), z=st.integers(2**14, 2**15))
def test_cmp_decides_near_ties_below_float_resolution(x: int, y: int, z: int) -> None:
    # x·y·z·z against x·y·z·z + 1 (about 2^58): far closer than float64 can tell apart
    assert _cmp(x * y, z, z, 1, x * y * z * z + 1, 1, 1, 1) == -1
    assert _cmp(x * y * z * z + 1, 1, 1, 1, x, y, z, z) == 1


@pytest.mark.slow
def test_kernel_equals_exact_engine_on_a_large_run() -> None:
    """Tens of thousands of orders (hundreds of thousands with ZENGZHI_SLOW=1), with
    repeat buyers so that stale exit-heap rows pile up and the heap is rebuilt."""
    days = 400 if SLOW else 120
    scenario = make_scenario(
        scenario={"preset": "local-life", "horizon_days": days},
        config={"pool": {"exit_multiple": "1.3", "monthly_burn": "0.01"}},
        growth={"curve": "logistic", "capacity": 25 * days, "rate": 0.05, "midpoint_day": days / 2},
        orders={"size": "lognormal", "median_yuan": "200", "sigma": 1.2},
        repeat={"share": 0.8, "mean_interval_days": 4, "after_exit": "continue"},
        referral={"share_referred": 0.7},
        behaviour=[
            {"kind": "hold", "share": 0.6},
            {"kind": "take_profit", "share": 0.3, "multiple": "1.25"},
            {"kind": "panic", "share": 0.1, "threshold": "0.001", "window_days": 7},
        ],
        bank_run={"day": days // 2, "share": 0.2},
    )
    plan = draw_plan(scenario, 11)
    assert plan.n_orders > plan.n_members + 1026  # more pushes than the heap holds
    exact, fast = run_exact(scenario, plan), run_kernel(scenario, plan)
    assert np.array_equal(exact.daily, fast.daily)
    assert np.array_equal(exact.members, fast.members)
