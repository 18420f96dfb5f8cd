"""Star levels by team performance, the differential (级差) and the peer reward (平级奖), §4.

Design and decided choices:
- Team performance is the sum of settled order amounts of a member's whole downline (all
  generations), excluding the member's own orders unless `count_own_orders` is set.
  A member's star is the highest whose `performance_fen` the team has reached (0: none).
- A member's "market release" is what their downline released from its own grants that
  day (base releases only: accelerations never accelerate further, "按爆单金额基数").
- The differential: for each releasing member, walk up from their referrer; each upline
  is owed `release × (its rate − the highest rate already owed below it on this walk)`
  when positive. The releasing member's own star does not count: nobody is paid on
  their own release. Seed: C 10% / B 44% / A 50% of 10,000 → 1,000 / 3,400 / 600.
- Peer reward: an upline whose star equals the highest star owed below it (and above
  zero) is owed `peer_reward × release`, once per star level on each walk (the nearest
  such upline). A higher star above still gets its differential.
- What is owed does not depend on anyone's balance: an upline who cannot take it (no
  locked points left) forfeits it; it is neither passed up nor carried over.
- Amounts are summed per upline as exact integers over a common denominator and floored
  once per upline per day. Walks of siblings are identical, so releases are first summed
  per referrer; a walk stops at the top rate once its peer reward is settled, or at
  `max_depth` generations (0: the whole upline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.domain import daily_sections as sec
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.rate_scale import common_scale
from zengzhi.domain.referral_tree import NO_PARENT, ReferralTree


@dataclass(frozen=True, slots=True)
class StarLevel:
    """A team that has reached `performance_fen` earns `rate` of its market's release."""

    name: str
    performance_fen: int
    rate: Fraction


@dataclass(frozen=True, slots=True)
class TeamRules:
    """The star table, the peer reward and how far up the differential walks."""

    stars: tuple[StarLevel, ...]
    peer_reward: Fraction = Fraction(0)
    max_depth: int = 0
    count_own_orders: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.peer_reward <= 1:
            raise InvalidRule("team.peer_reward must be between 0 and 1")
        if self.max_depth < 0:
            raise InvalidRule("team.max_depth must not be negative (0: the whole upline)")
        previous = StarLevel("", 0, Fraction(0))
        for star in self.stars:
            if star.performance_fen <= previous.performance_fen or star.rate <= previous.rate:
                raise InvalidRule(
                    f"star {star.name}: performance and rate must rise from one star to the next"
                )
            if star.rate > 1:
                raise InvalidRule(f"star {star.name}: rate must be at most 1")
            previous = star

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> TeamRules:
        """Read `[team]` and its `[[team.stars]]`."""
        team = sec.table(sections, "team")
        sec.only(team, {"max_depth", "peer_reward", "count_own_orders", "stars"}, "team")
        stars = []
        for row in sec.rows(team, "stars", "team"):
            sec.only(row, {"name", "performance_fen", "rate"}, "team.stars")
            name = sec.text(row, "name", "team.stars")
            where = f"team.stars ({name})"
            stars.append(
                StarLevel(
                    name, sec.whole(row, "performance_fen", where), sec.ratio(row, "rate", where)
                )
            )
        return cls(
            stars=tuple(stars),
            peer_reward=sec.ratio(team, "peer_reward", "team", Fraction(0)),
            max_depth=sec.whole(team, "max_depth", "team", default=0),
            count_own_orders=sec.flag(team, "count_own_orders", "team", default=False),
        )

    def star_for(self, performance_fen: int) -> int:
        """The star (1-based) a team performance reaches, 0 for none."""
        level = 0
        for s, star in enumerate(self.stars, start=1):
            if performance_fen >= star.performance_fen:
                level = s
        return level


def star_levels(rules: TeamRules, tree: ReferralTree, own_orders_fen: Sequence[int]) -> list[int]:
    """Every member's star from their team performance (settled order amounts)."""
    if own_orders_fen and min(own_orders_fen) < 0:
        raise InvalidAmount("order totals must not be negative")
    performance = tree.team_totals(own_orders_fen, rules.count_own_orders)
    return [rules.star_for(p) for p in performance]


@dataclass(frozen=True, slots=True)
class TeamOwed:
    """Per member: micro-points owed by the differential and by the peer reward."""

    differential: tuple[int, ...]
    peer: tuple[int, ...]


def team_owed(
    rules: TeamRules, tree: ReferralTree, released: Sequence[int], stars: Sequence[int]
) -> TeamOwed:
    """What every upline is owed for the day's releases (`released` by member index)."""
    n = len(tree)
    if len(released) != n or len(stars) != n:
        raise InvalidAmount("team rewards need one release and one star per member")
    if n and (min(stars) < 0 or max(stars) > len(rules.stars)):
        raise InvalidAmount("a star level is outside the star table")
    nums, den = common_scale([Fraction(0), *(s.rate for s in rules.stars), rules.peer_reward])
    rate, peer_num, top = nums[:-1], nums[-1], len(rules.stars)
    market = [0] * n  # releases summed per referrer: siblings share one walk
    for i, amount in enumerate(released):
        p = tree.parents[i]
        if amount and p != NO_PARENT:
            market[p] += amount
    diff = [0] * n
    peer = [0] * n
    parents = tree.parents
    for start, weight in enumerate(market):
        if not weight:
            continue
        best = 0  # highest star owed below on this walk
        peered = 0  # highest star whose peer reward this walk has paid
        u, depth = start, 0
        while u != NO_PARENT and (rules.max_depth == 0 or depth < rules.max_depth):
            star = stars[u]
            if rate[star] > rate[best]:
                diff[u] += weight * (rate[star] - rate[best])
                best = star
            elif star == best > peered:
                peer[u] += weight * peer_num
                peered = star
            if best == top and (peered == top or not peer_num):
                break
            u, depth = parents[u], depth + 1
    return TeamOwed(tuple(d // den for d in diff), tuple(p // den for p in peer))
