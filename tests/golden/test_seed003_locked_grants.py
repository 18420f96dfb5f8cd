"""Seed 003 §三 (积分通证模型): grants, daily release, referral and team acceleration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from zengzhi.domain.entries import AccountKind, EntryKind, imbalance
from zengzhi.domain.grant_release import ReleaseDay, settle_locked_day
from zengzhi.domain.locked_grants import GrantBook, LockedGrantRules
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.domain.team import TeamRules, star_levels, team_owed
from zengzhi.presets import load_preset

YUAN = 100  # fen
POINT = 1_000_000  # micro-points


def _sections() -> Mapping[str, Any]:
    return load_preset("locked-grants").sections


def _rules() -> LockedGrantRules:
    return LockedGrantRules.from_sections(_sections())


def _book(rules: LockedGrantRules, members: int, orders: Sequence[tuple[int, int]]) -> GrantBook:
    """A grant book from (member index, order yuan) pairs, sorted by member, oldest first."""
    owners, bases, left = [], [], []
    for member, yuan in sorted(orders, key=lambda o: o[0]):
        grant = rules.grant_for(yuan * YUAN)
        assert grant is not None
        owners.append(member)
        bases.append(grant.base_micro)
        left.append(grant.points_micro)
    return GrantBook(tuple(owners), tuple(bases), tuple(left), members)


def _next(book: GrantBook, day: ReleaseDay) -> GrantBook:
    return dataclasses.replace(book, remaining=day.remaining)


def test_the_level_table_grants_2_5x_for_3000_where_the_seeds_example_says_3x() -> None:
    # The seed's table says 初级会员 3,000 → 2.5×; its own example then grants 9,000 (3×).
    # The preset follows the table; the daily release depends only on the order amount.
    grant = _rules().grant_for(3000 * YUAN)
    assert grant is not None
    assert grant.level.name == "初级会员"
    assert grant.points_micro == 7500 * POINT


def test_a_single_purchase_below_3000_grants_nothing_and_9000_reaches_the_middle_level() -> None:
    rules = _rules()
    assert rules.grant_for(2999 * YUAN) is None
    grant = rules.grant_for(9000 * YUAN)
    assert grant is not None
    assert (grant.level.name, grant.points_micro) == ("中级会员", 27_000 * POINT)


def test_a_members_level_comes_from_a_single_purchase_not_from_the_sum() -> None:
    rules = _rules()
    assert rules.member_level([2000 * YUAN, 2000 * YUAN]) is None  # 4,000 in two orders
    level = rules.member_level([3000 * YUAN, 9000 * YUAN, 5000 * YUAN])
    assert level is not None
    assert level.name == "中级会员"


def test_a_3000_order_releases_36_points_a_day() -> None:
    rules = _rules()
    tree = ReferralTree.from_parent_map({"A": None})
    day = settle_locked_day(rules, None, tree, _book(rules, 1, [(0, 3000)]))
    assert day.base == (36 * POINT,)


def _daily_releases(rules: LockedGrantRules, days: int, second_order_day: int) -> list[int]:
    """A's release on each day 1..days: a 3,000 order on day 1, a 9,000 order later."""
    tree = ReferralTree.from_parent_map({"A": None})
    book = _book(rules, 1, [(0, 3000)])
    daily = []
    for today in range(1, days + 1):
        if today == second_order_day:
            grant = rules.grant_for(9000 * YUAN)
            assert grant is not None
            book = GrantBook(
                (*book.owners, 0),
                (*book.bases, grant.base_micro),
                (*book.remaining, grant.points_micro),
                1,
            )
        day = settle_locked_day(rules, None, tree, book)
        daily.append(day.base[0])
        book = _next(book, day)
    return daily


def test_a_second_9000_order_makes_144_a_day_until_the_first_grant_is_exhausted() -> None:
    daily = _daily_releases(_rules(), days=212, second_order_day=11)
    assert daily[9] == 36 * POINT  # day 10
    assert daily[10] == 144 * POINT  # day 11: the 9,000 order adds 108
    # the first grant of 7,500 (2.5x) at 36 a day: 208 full days, then 12 left on day 209
    assert daily[207] == 144 * POINT
    assert daily[208] == (12 + 108) * POINT
    assert daily[209] == daily[211] == 108 * POINT


def test_with_the_seeds_own_3x_the_first_9000_points_last_250_days_then_108() -> None:
    table = _rules()
    seed_multiple = dataclasses.replace(table.levels[0], multiple=Fraction(3))
    rules = dataclasses.replace(table, levels=(seed_multiple, *table.levels[1:]))
    daily = _daily_releases(rules, days=252, second_order_day=11)
    assert daily[249] == 144 * POINT  # day 250: the first 9,000 points' last 36
    assert daily[250] == daily[251] == 108 * POINT


def test_a_referee_releasing_36_accelerates_the_referrer_by_18_from_the_first_grant() -> None:
    rules = _rules()
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    # A has two orders (3,000 then 9,000); B one of 3,000
    book = _book(rules, 2, [(0, 3000), (0, 9000), (1, 3000)])
    day = settle_locked_day(rules, None, tree, book)
    assert day.referral.owed == (18 * POINT, 0)
    assert day.referral.paid == (18 * POINT, 0)
    # the 18 comes out of A's first grant, after its own 36; the second only releases 108
    assert day.remaining == ((7500 - 36 - 18) * POINT, (27_000 - 108) * POINT, (7500 - 36) * POINT)


def test_the_second_generation_accelerates_by_30_percent() -> None:
    rules = _rules()
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B"})
    book = _book(rules, 3, [(0, 3000), (2, 3000)])
    day = settle_locked_day(rules, None, tree, book)
    # C releases 36: B (no grants) is owed 18 and forfeits it; A is owed 30% = 10.8
    assert day.referral.owed == (10_800_000, 18 * POINT, 0)
    assert day.referral.paid == (10_800_000, 0, 0)
    assert day.referral.forfeited == 18 * POINT


def test_the_differential_pays_c_1000_b_3400_and_a_600_of_a_10000_market_release() -> None:
    # The seed: A 王者 (50%), B 星耀 (44%), C 青铜 (10%); the preset's table names them
    # 七星, 六星 and 一星. D is C's downline market, releasing 10,000 points today.
    team = TeamRules.from_sections(_sections())
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B", "D": "C"})
    owed = team_owed(team, tree, released=[0, 0, 0, 10_000 * POINT], stars=[7, 6, 1, 0])
    assert owed.differential == (600 * POINT, 3400 * POINT, 1000 * POINT, 0)
    assert owed.peer == (0, 0, 0, 0)


def test_a_same_level_upline_gets_the_3_percent_peer_reward() -> None:
    # A refers B, both 青铜 (一星): B takes 10% of B's market, A the peer reward of 3%
    team = TeamRules.from_sections(_sections())
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B"})
    owed = team_owed(team, tree, released=[0, 0, 1000 * POINT], stars=[1, 1, 0])
    assert owed.differential == (0, 100 * POINT, 0)
    assert owed.peer == (30 * POINT, 0, 0)


def test_star_levels_follow_the_teams_performance_table() -> None:
    team = TeamRules.from_sections(_sections())
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B"})
    # B's team is C (50,000 yuan: 一星); A's team is B and C (250,000: 二星)
    stars = star_levels(team, tree, [0, 200_000 * YUAN, 50_000 * YUAN])
    assert stars == [2, 1, 0]


def test_team_acceleration_is_released_from_the_uplines_own_grants_and_balances() -> None:
    rules = _rules()
    team = TeamRules.from_sections(_sections())
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    book = _book(rules, 2, [(0, 3000), (1, 9000)])
    stars = star_levels(team, tree, [3000 * YUAN, 9000 * YUAN])
    assert stars == [0, 0]  # 9,000 of team performance is below 一星's 50,000
    stars = [1, 0]
    day = settle_locked_day(rules, team, tree, book, stars)
    # B releases 108: A is owed 50% referral (54) and 10% differential (10.8)
    assert day.referral.paid[0] == 54 * POINT
    assert day.team.paid[0] == 10_800_000
    entries = day.entries(["A", "B"])
    assert all(imbalance(e) == {} for e in entries)
    kinds = {(e.kind, e.member) for e in entries}
    assert (EntryKind.TEAM_ACCELERATION, "A") in kinds
    accounts = {p.account for e in entries for p in e.postings}
    assert accounts == {AccountKind.MEMBER_LOCKED_POINTS, AccountKind.MEMBER_RELEASED_POINTS}
