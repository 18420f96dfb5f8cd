"""Locked grants (§4) and shared purchase (§5) day by day, through the domain's rules.

§4: an order at or above a level's amount is granted `multiple × amount` locked points
(`LockedGrantRules.grant_for`); every day `grant_release.settle_locked_day` releases each
grant's own 1.2% of its order amount, the referrers' 50%/30% acceleration, the team
differential by star (`team.star_levels` from the downline's settled orders) and the
peer reward, all taken from the accelerated members' own locked grants, oldest first.
§5: an order is granted points per yuan at the day's halved issuance ratio
(`SharedPurchaseRules.grant_for`); a referred member's first purchase raises the
referrer's health value (`health_after_first_purchases`); every day
`settle_health_day` releases each grant at its owner's health level's speed.

The day's books are the domain's bulk inputs: the open grants as a `GrantBook` (sorted by
owner, oldest first; exhausted grants dropped), over the members who have joined so far
(members are numbered in join order and refer only earlier members, so they form a
closed referral tree).

Released points are not cash and no rule turns them into cash. The scenario states their
worth (`[points] value_yuan`, 1 yuan by default: their shop value) and the part of each
day's release members spend in the shop at once (`spend_share`); a member's released
points count at that value as "value" received, whether spent or held. Points still locked
are "promised" at the same value. The platform owes the goods for every released point not
yet spent and for every locked point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zengzhi.domain.grant_release import settle_locked_day
from zengzhi.domain.health import (
    SharedPurchaseRules,
    health_after_first_purchases,
    settle_health_day,
)
from zengzhi.domain.locked_grants import GrantBook, LockedGrantRules
from zengzhi.domain.money import MICRO_PER_POINT
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.domain.team import TeamRules, star_levels
from zengzhi.sim.daily import I64, Books, SystemResult, as_ints, run_daily
from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import Scenario

_RELEASE_COLUMNS = (
    "granted_micro",
    "released_micro",  # all releases, own and accelerated
    "shop_spent_micro",  # released points spent in the shop that day
    "locked_micro",  # end of day
    "held_micro",  # end of day: released points members still hold
)


class _Grants:
    """Open grants, kept sorted by owner then age, and every member's points."""

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        n = plan.n_members
        self.value_fen = scenario.points.value_fen
        self.spend = scenario.points.spend_share
        self.owner = np.zeros(0, dtype=np.int64)
        self.base = np.zeros(0, dtype=np.int64)
        self.left = np.zeros(0, dtype=np.int64)
        self.seq = np.zeros(0, dtype=np.int64)
        self.next_seq = 0
        self.granted = np.zeros(n, dtype=np.int64)
        self.released = np.zeros(n, dtype=np.int64)
        self.held = np.zeros(n, dtype=np.int64)
        self.granted_total = 0
        self.ids = tuple(f"m{i}" for i in range(n))
        self.parents = tuple(plan.member_referrer.tolist())

    def add(self, owners: list[int], bases: list[int], points: list[int]) -> int:
        """New grants (already in plan order, so oldest first within an owner)."""
        if not owners:
            return 0
        count = len(owners)
        owner = np.asarray(owners, dtype=np.int64)
        granted = np.asarray(points, dtype=np.int64)
        self.owner = np.concatenate((self.owner, owner))
        self.base = np.concatenate((self.base, np.asarray(bases, dtype=np.int64)))
        self.left = np.concatenate((self.left, granted))
        self.seq = np.concatenate((self.seq, np.arange(self.next_seq, self.next_seq + count)))
        self.next_seq += count
        order = np.lexsort((self.seq, self.owner))
        self.owner, self.base = self.owner[order], self.base[order]
        self.left, self.seq = self.left[order], self.seq[order]
        np.add.at(self.granted, owner, granted)
        total = int(granted.sum())
        self.granted_total += total
        return total

    def book(self, members: int) -> GrantBook:
        owners, bases, left = self.owner.tolist(), self.base.tolist(), self.left.tolist()
        return GrantBook(tuple(owners), tuple(bases), tuple(left), members)

    def after_release(self, books: Books, remaining: Any, released: I64) -> None:
        """The domain's day: every grant's rest, and what each member released."""
        self.left = as_ints(remaining)
        open_ = self.left > 0
        self.owner, self.base = self.owner[open_], self.base[open_]
        self.left, self.seq = self.left[open_], self.seq[open_]
        n = len(released)
        locked_before = self.granted[:n] - self.released[:n]
        self.released[:n] += released
        spent = released * self.spend.numerator // self.spend.denominator
        self.held[:n] += released - spent
        value_before = int(books.col("value_fen").sum())
        books.col("value_fen")[:n] = self.released[:n] * self.value_fen // MICRO_PER_POINT
        books.add("value_out_fen", int(books.col("value_fen").sum()) - value_before)
        books.add("released_micro", int(released.sum()))
        books.add("shop_spent_micro", int(spent.sum()))
        done = np.flatnonzero((locked_before > 0) & (self.granted[:n] == self.released[:n]))
        books.out(done)

    def close(self, books: Books) -> None:
        locked = self.granted - self.released
        books.col("promised_fen")[:] = locked * self.value_fen // MICRO_PER_POINT
        books.set("locked_micro", int(locked.sum()))
        books.set("held_micro", int(self.held.sum()))
        books.set("promised_fen", int(locked.sum()) * self.value_fen // MICRO_PER_POINT)
        books.set("promised_made_fen", self.granted_total * self.value_fen // MICRO_PER_POINT)

    def finish(self, books: Books) -> None:
        locked = int((self.granted - self.released).sum())
        books.total("granted_micro", self.granted_total)
        books.total("released_micro", int(self.released.sum()))
        books.total("locked_micro", locked)
        books.total("held_micro", int(self.held.sum()))
        books.total("point_value_fen", self.value_fen)


class LockedGrants(_Grants):
    """§4: grants by level, released daily with referral and team acceleration."""

    extra_columns: tuple[str, ...] = (
        *_RELEASE_COLUMNS,
        "own_release_micro",
        "referral_micro",
        "team_micro",
        "peer_micro",
        "forfeited_micro",  # acceleration owed to members with nothing left locked
    )

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        super().__init__(scenario, plan)
        sections = scenario.economy.sections
        self.rules = LockedGrantRules.from_sections(sections)
        self.team = TeamRules.from_sections(sections) if "team" in sections else None
        self.own_orders = np.zeros(plan.n_members, dtype=np.int64)
        self.tree: ReferralTree | None = None
        self.stars: list[int] = []
        self.forfeited = 0

    def settle(self, books: Books, members: I64, amounts: I64) -> None:
        owners, bases, points = [], [], []
        for i, amount in zip(members.tolist(), amounts.tolist(), strict=True):
            grant = self.rules.grant_for(amount)
            if grant is not None:
                owners.append(i)
                bases.append(grant.base_micro)
                points.append(grant.points_micro)
        books.add("granted_micro", self.add(owners, bases, points))
        np.add.at(self.own_orders, members, amounts)
        n = books.joined
        if n and (self.tree is None or len(self.tree) != n):
            self.tree = ReferralTree(self.ids[:n], self.parents[:n])
        if self.team is not None and self.tree is not None and (len(members) or not self.stars):
            self.stars = star_levels(self.team, self.tree, self.own_orders[:n].tolist())
        if len(self.owner) and self.tree is not None:
            day = settle_locked_day(self.rules, self.team, self.tree, self.book(n), self.stars)
            own = as_ints(day.base)
            referral, team, peer = (
                as_ints(day.referral.paid),
                as_ints(day.team.paid),
                as_ints(day.peer.paid),
            )
            forfeited = day.referral.forfeited + day.team.forfeited + day.peer.forfeited
            self.forfeited += forfeited
            books.add("own_release_micro", int(own.sum()))
            books.add("referral_micro", int(referral.sum()))
            books.add("team_micro", int(team.sum()))
            books.add("peer_micro", int(peer.sum()))
            books.add("forfeited_micro", forfeited)
            self.after_release(books, day.remaining, own + referral + team + peer)
        self.close(books)

    def finish(self, books: Books) -> None:
        super().finish(books)
        books.total("forfeited_micro", self.forfeited)
        if self.stars:
            books.total("members_with_a_star", sum(1 for s in self.stars if s))


class SharedPurchase(_Grants):
    """§5: grants per yuan with halving, released at the health level's speed."""

    extra_columns: tuple[str, ...] = (*_RELEASE_COLUMNS, "health_raised")

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        super().__init__(scenario, plan)
        self.rules = SharedPurchaseRules.from_sections(scenario.economy.sections)
        self.full_tree = ReferralTree(self.ids, self.parents)
        self.health = [0] * plan.n_members
        self.seen = np.zeros(plan.n_members, dtype=np.bool_)

    def settle(self, books: Books, members: I64, amounts: I64) -> None:
        first = [i for i in np.unique(members).tolist() if not self.seen[i]]
        if first:
            self.seen[first] = True
            before = sum(self.health)
            self.health = health_after_first_purchases(
                self.rules, self.full_tree, self.health, first
            )
            books.add("health_raised", sum(self.health) - before)
        owners, points = [], []
        for i, amount in zip(members.tolist(), amounts.tolist(), strict=True):
            granted = self.rules.grant_for(amount, books.day)
            if granted:
                owners.append(i)
                points.append(granted)
        books.add("granted_micro", self.add(owners, points, points))
        n = books.joined
        if len(self.owner):
            day = settle_health_day(self.rules, self.book(n), self.health[:n])
            self.after_release(books, day.remaining, as_ints(day.base))
        self.close(books)

    def finish(self, books: Books) -> None:
        super().finish(books)
        levels = [self.rules.level_for(h) for h in self.health[: books.joined]]
        books.total("members_above_first_health_level", sum(1 for level in levels if level))


def run_locked_grants(scenario: Scenario, plan: Plan) -> SystemResult:
    """One seed of a locked-grants economy (§4)."""
    return run_daily(scenario, plan, LockedGrants(scenario, plan))


def run_shared_purchase(scenario: Scenario, plan: Plan) -> SystemResult:
    """One seed of a shared-purchase economy (§5)."""
    return run_daily(scenario, plan, SharedPurchase(scenario, plan))
