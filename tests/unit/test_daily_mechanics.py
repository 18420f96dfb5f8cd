"""Edge cases of the §3-§5 computations that the worked examples do not reach."""

from __future__ import annotations

from fractions import Fraction

import pytest

from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.entries import AccountKind, EntryKind, imbalance
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.grant_release import referral_owed, settle_locked_day
from zengzhi.domain.health import (
    SharedPurchaseRules,
    TippingDisabled,
    health_after_first_purchases,
    settle_health_day,
    tip_entry,
)
from zengzhi.domain.locked_grants import (
    GrantBook,
    GrantLevel,
    LockedGrantRules,
    base_release_by_level,
    grant_entry,
)
from zengzhi.domain.quota import SHARE_SCALE, Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.domain.team import StarLevel, TeamRules, star_levels, team_owed
from zengzhi.presets import load_preset

POINT = 1_000_000


def _dividends() -> DividendRules:
    return DividendRules.from_sections(load_preset("cyclic-purchase").sections)


def _shared() -> SharedPurchaseRules:
    return SharedPurchaseRules.from_sections(load_preset("shared-purchase").sections)


def _locked() -> LockedGrantRules:
    return LockedGrantRules.from_sections(load_preset("locked-grants").sections)


def test_members_without_quota_neither_earn_nor_dilute_the_others() -> None:
    day = settle_dividends(_dividends(), 1_000_000, [10 * SHARE_SCALE] * 2, [0, 10**9])
    assert day.pro_rata_paid == (0, 300_000)


def test_a_day_with_no_eligible_shares_returns_both_pools() -> None:
    day = settle_dividends(_dividends(), 1_000_000, [10 * SHARE_SCALE], [0])
    assert day.paid_fen == 0
    assert day.returned_fen == day.pool_fen == 400_000


def test_a_day_without_sales_has_no_entries() -> None:
    day = settle_dividends(_dividends(), 0, [10 * SHARE_SCALE], [100])
    assert day.entries(["A"]) == []


def test_a_member_above_the_top_tier_of_the_preset_is_in_no_tier() -> None:
    assert _dividends().tier_of(501 * SHARE_SCALE) == -1
    assert _dividends().tier_of(500 * SHARE_SCALE + SHARE_SCALE - 1) == 2


@pytest.mark.parametrize(
    ("sales", "shares", "quota"), [(-1, [0], [0]), (0, [-1], [0]), (0, [0], [-1]), (0, [0], [])]
)
def test_negative_or_mismatched_dividend_inputs_are_refused(
    sales: int, shares: list[int], quota: list[int]
) -> None:
    with pytest.raises(InvalidAmount):
        settle_dividends(_dividends(), sales, shares, quota)


def test_dividend_entries_need_one_id_per_member() -> None:
    day = settle_dividends(_dividends(), 100, [SHARE_SCALE], [100])
    with pytest.raises(InvalidAmount):
        day.entries([])


def test_purchase_amounts_must_be_non_negative_and_paired_with_buyers() -> None:
    rules = QuotaRules()
    tree = ReferralTree.from_parent_map({"A": None})
    with pytest.raises(InvalidAmount):
        rules.quota_for(-1)
    with pytest.raises(InvalidAmount):
        accrue_purchases(rules, tree, Positions((0,), (0,)), [0], [])


def test_with_no_referral_generations_nobody_upline_is_credited() -> None:
    rules = QuotaRules(shares_per_yuan_referred=Fraction(1), generations=0)
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    after = accrue_purchases(rules, tree, Positions((0, 0), (0, 0)), [1], [100_000])
    assert after.shares_micro[0] == 0


def test_a_grant_entry_locks_points_from_the_grant_supply() -> None:
    entry = grant_entry("A", 7500 * POINT)
    assert imbalance(entry) == {}
    assert entry.kind is EntryKind.LOCKED_GRANT
    assert {p.account: p.amount for p in entry.postings} == {
        AccountKind.GRANT_SUPPLY: -7500 * POINT,
        AccountKind.MEMBER_LOCKED_POINTS: 7500 * POINT,
    }
    with pytest.raises(InvalidAmount):
        grant_entry("A", 0)


def test_a_grant_releases_one_point_two_percent_of_its_order_amount_a_day() -> None:
    rules = _locked()
    grant = rules.grant_for(300_000)
    assert grant is not None
    assert rules.daily_release(grant.base_micro) == 36 * POINT
    with pytest.raises(InvalidAmount):
        rules.grant_for(-1)


@pytest.mark.parametrize(
    ("owners", "bases", "remaining"),
    [((0,), (1,), ()), ((0,), (-1,), (1,)), ((1, 0), (1, 1), (1, 1)), ((2,), (1,), (1,))],
)
def test_a_malformed_grant_book_is_refused(
    owners: tuple[int, ...], bases: tuple[int, ...], remaining: tuple[int, ...]
) -> None:
    with pytest.raises(InvalidAmount):
        GrantBook(owners, bases, remaining, members=2)


def test_release_levels_and_the_tree_must_cover_the_books_members() -> None:
    book = GrantBook((0,), (POINT,), (POINT,), 1)
    with pytest.raises(InvalidAmount):
        base_release_by_level(book, [Fraction(1, 10)], [])
    with pytest.raises(InvalidAmount):
        settle_locked_day(_locked(), None, ReferralTree((), ()), book)
    with pytest.raises(InvalidAmount):
        settle_health_day(_shared(), book, [])
    with pytest.raises(InvalidAmount):
        settle_locked_day(_locked(), None, ReferralTree(("A",), (-1,)), book).entries([])


def test_without_acceleration_rates_nobody_is_owed_anything() -> None:
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    assert referral_owed(tree, [0, 36 * POINT], []) == [0, 0]


def test_without_team_rules_only_own_and_referral_releases_happen() -> None:
    rules = _locked()
    team = TeamRules.from_sections(load_preset("locked-grants").sections)
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    book = GrantBook((0, 1), (3000 * POINT,) * 2, (7500 * POINT,) * 2, 2)
    assert settle_locked_day(rules, None, tree, book).team.owed == (0, 0)
    # team rules but no star levels given: nobody holds a star
    assert settle_locked_day(rules, team, tree, book).team.owed == (0, 0)


def test_the_differential_stops_after_max_depth_generations() -> None:
    team = TeamRules((StarLevel("S1", 1, Fraction(1, 10)),), max_depth=1)
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B"})
    owed = team_owed(team, tree, [0, 0, 100], [1, 0, 0])
    assert owed.differential == (0, 0, 0)


def test_without_a_peer_reward_the_walk_stops_at_the_top_star() -> None:
    team = TeamRules((StarLevel("S1", 1, Fraction(1, 10)),))
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B"})
    owed = team_owed(team, tree, [0, 0, 100], [1, 1, 0])
    assert (owed.differential, owed.peer) == ((0, 10, 0), (0, 0, 0))


@pytest.mark.parametrize(("released", "stars"), [([0], [0, 0]), ([0, 0], [0, 9])])
def test_team_inputs_must_fit_the_tree_and_the_star_table(
    released: list[int], stars: list[int]
) -> None:
    team = TeamRules.from_sections(load_preset("locked-grants").sections)
    with pytest.raises(InvalidAmount):
        team_owed(team, ReferralTree.from_parent_map({"A": None, "B": "A"}), released, stars)


def test_negative_order_totals_are_refused_for_star_levels() -> None:
    team = TeamRules.from_sections(load_preset("locked-grants").sections)
    with pytest.raises(InvalidAmount):
        star_levels(team, ReferralTree.from_parent_map({"A": None}), [-1])


def test_a_first_purchase_without_a_referrer_raises_nobodys_health() -> None:
    tree = ReferralTree.from_parent_map({"A": None})
    assert health_after_first_purchases(_shared(), tree, [0], [0]) == [0]
    with pytest.raises(InvalidAmount):
        health_after_first_purchases(_shared(), tree, [], [0])


def test_issuance_before_launch_or_for_a_negative_amount_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        _shared().ratio_on(-1)
    with pytest.raises(InvalidAmount):
        _shared().grant_for(-1, 0)


def test_tips_are_refused_when_tipping_is_off_or_empty() -> None:
    sections = dict(load_preset("shared-purchase").sections)
    sections["tipping"] = {"enabled": False}
    with pytest.raises(TippingDisabled):
        tip_entry(SharedPurchaseRules.from_sections(sections), "shop", "A", 1, 10)
    with pytest.raises(InvalidAmount):
        tip_entry(_shared(), "shop", "A", 0, 10)


def test_a_level_below_every_threshold_grants_nothing() -> None:
    rules = LockedGrantRules(Fraction(1, 100), (GrantLevel("L", 100, Fraction(2)),))
    assert rules.level_for(99) is None
