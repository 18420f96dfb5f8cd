"""The documents' worked numbers, reproduced through the simulator for §2-§7.

Each case is a hand-written plan small enough to check by hand, run through the same
runner `zengzhi simulate` uses; the rules come from the domain, the numbers from the seeds
(mechanisms.md) or, where the seeds give none, from the presets' own tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zengzhi.sim.daily import SystemResult
from zengzhi.sim.exact import run_exact
from zengzhi.sim.examples import hand_plan, make_scenario
from zengzhi.sim.kernel import run_kernel
from zengzhi.sim.runners import run_system
from zengzhi.sim.scenario import Scenario

YUAN = 100
POINT = 1_000_000


def _scenario(preset: str, days: int, **tables: Any) -> Scenario:
    return make_scenario(
        scenario={"preset": preset, "horizon_days": days, "seeds": 1},
        repeat={"share": 0},
        **tables,
    )


def _released_on(result: SystemResult, day: int) -> int:
    return int(result.day("released_micro")[day])


def test_locked_grants_3000_releases_36_a_day_and_a_9000_order_adds_108() -> None:
    """Seed 003 §4: 3,000 → 36/day; a second 9,000 order adds 108/day (144 in all)."""
    scenario = _scenario("locked-grants", 3)
    plan = hand_plan(3, [(0, 0, 3000 * YUAN), (1, 0, 9000 * YUAN)])
    result = run_system(scenario, plan)
    assert [_released_on(result, d) for d in range(3)] == [36 * POINT, 144 * POINT, 144 * POINT]
    # counted at the stated 1 yuan a point: 36 + 144 + 144 yuan of value, no cash
    assert result.member("value_fen")[0] == (36 + 144 + 144) * YUAN
    assert result.member("cash_fen")[0] == 0
    # granted 2.5 × 3,000 + 3 × 9,000 points; the rest is still locked (promised)
    assert result.member("promised_fen")[0] == (7_500 + 27_000 - 324) * YUAN


def test_locked_grants_referrer_releases_half_of_the_referees_release_early() -> None:
    """Seed 003 §4: a referrer earns 50% of what their referee releases, from own grants."""
    scenario = _scenario("locked-grants", 1)
    plan = hand_plan(1, [(0, 0, 3000 * YUAN), (0, 1, 3000 * YUAN)], referrers=[-1, 0])
    result = run_system(scenario, plan)
    assert int(result.day("own_release_micro")[0]) == 72 * POINT
    assert int(result.day("referral_micro")[0]) == 18 * POINT
    assert list(result.member("value_fen")) == [54 * YUAN, 36 * YUAN]


def test_cyclic_purchase_10_of_100_shares_take_300_of_a_3000_pool() -> None:
    """Seed 003 §3: 10 of 100 shares, static pool 3,000 (30% of 10,000 of sales) → 300."""
    scenario = _scenario("cyclic-purchase", 2)
    # day 0: 10 and 90 shares; day 1: 10,000 yuan of sales bring them to 11 and 99 (10%)
    orders = [(0, 0, 10_000 * YUAN), (0, 1, 90_000 * YUAN), (1, 0, 1_000 * YUAN)]
    plan = hand_plan(2, [*orders, (1, 1, 9_000 * YUAN)])
    result = run_system(scenario, plan)
    assert int(result.day("pro_rata_pool_fen")[1]) == 3_000 * YUAN
    # member 0: 3,000 of day 0's 30,000 pool, then 300 of day 1's 3,000
    assert result.member("cash_fen")[0] == 3_300 * YUAN
    # quota: 2 × 11,000 bought, 3,300 paid out, the rest still owed
    assert result.member("promised_fen")[0] == (22_000 - 3_300) * YUAN
    # every dividend was funded by that day's sales: all of it attributed
    assert result.member("attributed_fen")[0] == 3_300 * YUAN


def test_shared_purchase_health_speeds_and_the_yearly_halving() -> None:
    """The preset's table (seed 002 gives no numbers): H0 0.1%/day, H1 0.2%; halving at 365."""
    scenario = _scenario("shared-purchase", 367)
    orders = [(0, 0, 1000 * YUAN), (1, 1, 1000 * YUAN), (365, 2, 1000 * YUAN)]
    plan = hand_plan(367, orders, referrers=[-1, 0, -1])
    result = run_system(scenario, plan)
    released = result.day("released_micro")
    assert released[0] == 1 * POINT  # member 0 alone, H0: 0.1% of 1,000 points
    # day 1: member 1's first purchase lifts member 0 to H1 (0.2%); member 1 is at H0
    assert released[1] == 2 * POINT + 1 * POINT
    # day 365: a 1,000 yuan order is granted half as many points (500)
    assert int(result.day("granted_micro")[365]) == 500 * POINT


def test_brand_5_of_1000_tokens_take_500_of_a_100000_dividend_pool() -> None:
    """Seed 000 §7: pool 100,000, 1,000 tokens, 5 tokens → 500; bought back at the floor."""
    scenario = _scenario(
        "brand-membership",
        30,
        brand={"profit_margin": "0.5", "convert_share": 1.0},
        bank_run={"day": 29, "share": 1.0},
    )
    # 1,000,000 yuan of sales, half of it declared profit, 20% of that into the pool
    plan = hand_plan(30, [(0, 0, 5_000 * YUAN), (0, 1, 995_000 * YUAN)], bank_run=[True, False])
    result = run_system(scenario, plan)
    assert int(result.day("dividend_funded_fen")[29]) == 100_000 * YUAN
    # 500 of dividends, then 5 tokens bought back at 80% of their 1,000 yuan cost each
    assert result.member("cash_fen")[0] == 500 * YUAN + 5 * 800 * YUAN
    assert result.member("held_value_fen")[1] == 995 * 800 * YUAN


def test_local_life_order_pays_referrers_promoter_and_each_agent_their_share() -> None:
    """Seed 004 §6: 0.3% and 0.2% to the referrers, 0.5% to the promoter, 0.1% per agent."""
    scenario = _scenario(
        "local-life",
        2,
        **{"local_life": {"stores": 1, "districts": 1, "cities": 1, "provinces": 1}},
    )
    # members 0-2 hold the province, city and district, 3 promotes the store, 4 refers 5
    first = [(0, i, 100 * YUAN) for i in range(5)]
    plan = hand_plan(2, [*first, (1, 5, 1000 * YUAN)], referrers=[-1, -1, -1, -1, 3, 4])
    exact = run_exact(scenario, plan)
    assert exact.day("agent_fen")[1] == 3 * YUAN
    assert exact.day("promoter_fen")[1] == 5 * YUAN
    assert exact.day("referral_fen")[1] == (3 + 2 + 5 + 3) * YUAN
    assert list(exact.member("fees_fen")[:3]) == [300_000 * YUAN, 100_000 * YUAN, 50_000 * YUAN]
    fast = run_kernel(scenario, plan)
    assert np.array_equal(exact.daily, fast.daily)
    assert np.array_equal(exact.members, fast.members)


def test_two_tokens_first_member_converting_gets_300_of_goods_and_the_price_holds() -> None:
    """Seeds 002/004: after order 1 (1,000 yuan, 300 to the pool), 210 points are worth 300;
    converted to stable points (no fee) they buy 300 yuan of goods, cashed out at 0.6% fee."""
    scenario = _scenario(
        "two-tokens",
        1,
        behaviour=[
            {"kind": "hold", "share": 0.5},
            {"kind": "convert", "share": 0.5, "multiple": "0"},
        ],
    )
    plan = hand_plan(1, [(0, 0, 1000 * YUAN)], groups=[1])
    result = run_exact(scenario, plan)
    assert result.member("value_fen")[0] == 300 * YUAN
    assert result.day("platform_cash_out_fen")[0] == 29_820  # 300 × (1 − 0.006)
    assert result.day("price_micro_yuan")[0] == 1_428_571  # 300 / 210: unchanged
    assert result.member("points_micro")[0] == 0
