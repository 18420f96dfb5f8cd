"""The daily systems' books balance on any population: what was promised, paid and kept.

Random small scenarios (Hypothesis) for each daily system; every identity below is exact
integer arithmetic on the run's own tallies, so a rule applied twice, skipped or rounded
the wrong way shows up as a failed identity.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain.money import MICRO_PER_POINT
from zengzhi.sim.daily import SystemResult
from zengzhi.sim.examples import make_scenario
from zengzhi.sim.plan import draw_plan
from zengzhi.sim.populations import population
from zengzhi.sim.runners import run_system

SETTINGS = settings(max_examples=12, deadline=None)


@st.composite
def runs(draw: st.DrawFn, preset: str, system: str) -> SystemResult:
    tables: dict[str, Any] = population(system)
    tables["repeat"] = {
        "share": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "mean_interval_days": draw(st.sampled_from([3, 10])),
        "after_exit": draw(st.sampled_from(["continue", "stop"])),
    }
    tables["referral"] = {"share_referred": draw(st.sampled_from([0.0, 0.6, 1.0]))}
    if system in ("locked_grants", "shared_purchase"):
        tables["points"] = {
            "value_yuan": draw(st.sampled_from(["1", "0.37"])),
            "spend_share": draw(st.sampled_from(["1", "0.3", "0"])),
        }
    if system == "brand_membership":
        tables["brand"] = {"profit_margin": "0.13", "convert_share": 0.6}
        tables["bank_run"] = {"day": draw(st.integers(0, 69)), "share": 0.3}
    days = 70
    scenario = make_scenario(
        scenario={"preset": preset, "horizon_days": days, "seeds": 1},
        growth={"curve": "constant", "rate": draw(st.sampled_from([1, 4, 9]))},
        **tables,
    )
    return run_system(scenario, draw_plan(scenario, draw(st.integers(0, 2**16))))


def _common(result: SystemResult) -> None:
    cash = result.member("cash_fen")
    assert int(cash.sum()) == int(result.day("cash_out_fen").sum())
    attributed, later = result.member("attributed_fen"), result.member("from_later_fen")
    assert np.all((later >= 0) & (later <= attributed) & (attributed <= cash))
    even, join = result.member("breakeven_day"), result.member("join_day")
    assert np.all((even < 0) | (even >= join))
    got = cash + result.member("value_fen")
    # who has got back what they spent broke even on some day (spending more later may
    # put them below the line again, so not the converse)
    assert np.all((even >= 0) | (got < result.member("spent_fen")))
    assert int(result.member("spent_fen").sum()) == int(result.day("cash_in_fen").sum())


@SETTINGS
@given(runs("cyclic-purchase", "cyclic_purchase"))
def test_cyclic_quota_is_either_paid_or_still_owed_and_pools_are_40_percent(
    result: SystemResult,
) -> None:
    _common(result)
    t = result.totals
    paid = int(result.member("cash_fen").sum())
    assert t["quota_granted_fen"] == t["quota_left_fen"] + paid
    assert int(result.member("promised_fen").sum()) == t["quota_left_fen"]
    pools = result.day("pro_rata_pool_fen") + result.day("tier_pool_fen")
    spent = result.day("pro_rata_paid_fen") + result.day("tier_paid_fen")
    assert np.array_equal(pools, spent + result.day("returned_fen"))
    assert np.all(pools * 10 <= result.day("sales_fen") * 4)
    assert int(result.member("attributed_fen").sum()) == paid


@SETTINGS
@given(runs("locked-grants", "locked_grants"))
def test_locked_grants_every_point_is_locked_or_released(result: SystemResult) -> None:
    _check_points(result)
    day = (
        result.day("own_release_micro")
        + result.day("referral_micro")
        + result.day("team_micro")
        + result.day("peer_micro")
    )
    assert np.array_equal(day, result.day("released_micro"))


@SETTINGS
@given(runs("shared-purchase", "shared_purchase"))
def test_shared_purchase_every_point_is_locked_or_released(result: SystemResult) -> None:
    _check_points(result)


def _check_points(result: SystemResult) -> None:
    _common(result)
    t = result.totals
    assert t["granted_micro"] == t["locked_micro"] + t["released_micro"]
    assert int(result.day("locked_micro")[-1]) == t["locked_micro"]
    spent_in_shop = int(result.day("shop_spent_micro").sum())
    assert t["released_micro"] == spent_in_shop + t["held_micro"]
    assert int(result.member("cash_fen").sum()) == 0  # no rule pays cash
    value = int(result.member("value_fen").sum())
    # each member's released points at the stated value, floored per member
    worth = t["released_micro"] * t["point_value_fen"] // MICRO_PER_POINT
    assert worth - len(result.members) < value <= worth


@SETTINGS
@given(runs("brand-membership", "brand_membership"))
def test_brand_dividends_and_tokens_are_conserved(result: SystemResult) -> None:
    _common(result)
    t = result.totals
    funded = int(result.day("dividend_funded_fen").sum())
    assert funded == int(result.day("dividend_paid_fen").sum()) + t["dividend_carried_fen"]
    assert t["tokens_minted_micro"] == t["tokens_left_micro"] + t["tokens_bought_back_micro"]
    cash = int(result.member("cash_fen").sum())
    assert cash == int(result.day("dividend_paid_fen").sum() + result.day("buyback_paid_fen").sum())
    # every token bought back was paid at least the floor (800 yuan a token)
    assert int(result.day("buyback_paid_fen").sum()) * 1_000_000 >= (
        t["tokens_bought_back_micro"] * 80_000 - 1_000_000 * int(result.day("buybacks").sum())
    )
