"""Properties of locked-grant days (§4, §5): nothing is created, nothing released twice."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.grant_release import settle_locked_day
from zengzhi.domain.health import SharedPurchaseRules, settle_health_day
from zengzhi.domain.locked_grants import GrantBook, LockedGrantRules
from zengzhi.domain.referral_tree import NO_PARENT, ReferralTree
from zengzhi.domain.team import TeamRules, team_owed
from zengzhi.presets import load_preset

LOCKED = LockedGrantRules.from_sections(load_preset("locked-grants").sections)
# a fast release so that grants run out within the simulated days
FAST = dataclasses.replace(LOCKED, release_rate=Fraction(1, 4))
TEAM = TeamRules.from_sections(load_preset("locked-grants").sections)
HEALTH = SharedPurchaseRules.from_sections(load_preset("shared-purchase").sections)


@st.composite
def economies(draw: st.DrawFn) -> tuple[ReferralTree, GrantBook, list[int]]:
    n = draw(st.integers(1, 25))
    parents = tuple(
        draw(st.integers(-1, i - 1)) if i else NO_PARENT for i in range(n)
    )  # referrers joined earlier: no loops
    tree = ReferralTree(tuple(f"m{i}" for i in range(n)), parents)
    grants = sorted(
        draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(300_000, 6_000_000)), max_size=40)
        ),
        key=lambda g: g[0],
    )
    owners, bases, left = [], [], []
    for owner, amount in grants:
        grant = FAST.grant_for(amount)
        assert grant is not None
        owners.append(owner)
        bases.append(grant.base_micro)
        left.append(grant.points_micro)
    book = GrantBook(tuple(owners), tuple(bases), tuple(left), n)
    # few distinct stars, so same-level uplines (peers) and the top star are common
    stars = draw(st.lists(st.sampled_from((0, 1, 6, 7)), min_size=n, max_size=n))
    return tree, book, stars


@settings(max_examples=60)
@given(economies(), st.integers(1, 20))
def test_released_never_exceeds_granted_and_acceleration_creates_no_points(
    economy: tuple[ReferralTree, GrantBook, list[int]], days: int
) -> None:
    tree, book, stars = economy
    granted = book.locked()
    released = [0] * len(tree)
    for _ in range(days):
        day = settle_locked_day(FAST, TEAM, tree, book, stars)
        for kind in (day.referral, day.team, day.peer):
            assert all(0 <= p <= o for p, o in zip(kind.paid, kind.owed, strict=True))
        released = [r + d for r, d in zip(released, day.released(), strict=True)]
        book = dataclasses.replace(book, remaining=day.remaining)
        assert min(book.remaining, default=0) >= 0
    locked = book.locked()
    for member in range(len(tree)):
        assert released[member] <= granted[member]
        assert released[member] + locked[member] == granted[member]


@settings(max_examples=60)
@given(economies())
def test_every_release_entry_balances_and_moves_exactly_what_was_released(
    economy: tuple[ReferralTree, GrantBook, list[int]],
) -> None:
    tree, book, stars = economy
    day = settle_locked_day(FAST, TEAM, tree, book, stars)
    entries = day.entries(tree.ids)
    assert all(imbalance(e) == {} for e in entries)
    moved: dict[str | None, int] = defaultdict(int)
    for e in entries:
        for p in e.postings:
            if p.account is AccountKind.MEMBER_RELEASED_POINTS:
                moved[p.holder] += p.amount
    assert [moved[m] for m in tree.ids] == day.released()
    assert sum(book.remaining) - sum(day.remaining) == sum(day.released())


def _reference_team_owed(
    tree: ReferralTree, released: list[int], stars: list[int]
) -> tuple[list[int], list[int]]:
    """The rule read literally: walk up from every releasing member, in Fractions."""
    rates = [Fraction(0), *(s.rate for s in TEAM.stars)]
    diff = [Fraction(0)] * len(tree)
    peer = [Fraction(0)] * len(tree)
    for source, amount in enumerate(released):
        best = peered = 0
        for upline in tree.ancestors(source):
            if rates[stars[upline]] > rates[best]:
                diff[upline] += amount * (rates[stars[upline]] - rates[best])
                best = stars[upline]
            elif stars[upline] == best and best > peered:
                peer[upline] += amount * TEAM.peer_reward
                peered = best
    return [int(d) for d in diff], [int(p) for p in peer]


@given(economies(), st.lists(st.integers(0, 10**10), min_size=25, max_size=25))
def test_the_grouped_differential_walk_equals_the_literal_per_member_walk(
    economy: tuple[ReferralTree, GrantBook, list[int]], amounts: list[int]
) -> None:
    tree, _, stars = economy
    released = amounts[: len(tree)]
    owed = team_owed(TEAM, tree, released, stars)
    diff, peer = _reference_team_owed(tree, released, stars)
    assert list(owed.differential) == diff
    assert list(owed.peer) == peer
    # a differential never pays out more than the top rate of what was released
    assert sum(owed.differential) <= TEAM.stars[-1].rate * sum(released)


@settings(max_examples=60)
@given(economies(), st.lists(st.integers(0, 200), min_size=25, max_size=25), st.integers(1, 40))
def test_health_releases_never_exceed_the_grants(
    economy: tuple[ReferralTree, GrantBook, list[int]], health: list[int], days: int
) -> None:
    tree, book, _ = economy
    granted = sum(book.remaining)
    total = 0
    for _ in range(days):
        day = settle_health_day(HEALTH, book, health[: len(tree)])
        total += sum(day.released())
        book = dataclasses.replace(book, remaining=day.remaining)
        assert min(book.remaining, default=0) >= 0
    assert total + sum(book.remaining) == granted
