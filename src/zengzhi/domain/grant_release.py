"""One day's release of locked grants, with referral and team acceleration (§4; §5 reuses it).

Order of operations within a day (decided):
1. Every grant releases its own floor(rate × base), at most what it has left. Grants
   from orders settled that day exist already, so they release on their first day.
2. Referral acceleration: generation k of a member's referrers is owed
   `acceleration[k] × that member's own release of step 1` (50% and 30%).
3. Team acceleration and peer reward are owed on the same step-1 releases (team.py).
4. Each member then takes what they are owed from their own locked grants, oldest grant
   first: referral first, then team, then peer. Acceleration is early release, never new
   points: whatever exceeds what is still locked is forfeited (reported, not carried
   over, not passed to anyone else), so a member never releases more than was granted.
Each owed amount is floored once per member per kind per day, in favour of the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.locked_grants import (
    GrantBook,
    LockedGrantRules,
    base_release,
    per_member,
    take_oldest_first,
)
from zengzhi.domain.rate_scale import common_scale
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.domain.team import TeamRules, team_owed


@dataclass(frozen=True, slots=True)
class Acceleration:
    """Per member: micro-points owed by one kind of acceleration, and how much was taken."""

    owed: tuple[int, ...]
    paid: tuple[int, ...]

    @property
    def forfeited(self) -> int:
        return sum(self.owed) - sum(self.paid)


@dataclass(frozen=True, slots=True)
class ReleaseDay:
    """What a day released, per member (by index), and every grant's locked rest."""

    remaining: tuple[int, ...]  # per grant, after the day
    base: tuple[int, ...]  # per member: their grants' own releases
    referral: Acceleration
    team: Acceleration
    peer: Acceleration

    def released(self) -> list[int]:
        """Everything each member released today, own and accelerated."""
        return [
            b + r + t + p
            for b, r, t, p in zip(
                self.base, self.referral.paid, self.team.paid, self.peer.paid, strict=True
            )
        ]

    def entries(self, member_ids: Sequence[str]) -> list[Entry]:
        """One entry per member and kind: locked → released points."""
        if len(member_ids) != len(self.base):
            raise InvalidAmount("entries need exactly one member id per member")
        out: list[Entry] = []
        for kind, amounts in (
            (EntryKind.GRANT_RELEASE, self.base),
            (EntryKind.REFERRAL_ACCELERATION, self.referral.paid),
            (EntryKind.TEAM_ACCELERATION, self.team.paid),
            (EntryKind.PEER_REWARD, self.peer.paid),
        ):
            for member, amount in zip(member_ids, amounts, strict=True):
                if amount:
                    legs = transfer(
                        Asset.GRANT_POINTS,
                        amount,
                        (AccountKind.MEMBER_LOCKED_POINTS, member),
                        (AccountKind.MEMBER_RELEASED_POINTS, member),
                    )
                    out.append(Entry(kind, member, legs))
        return out


def referral_owed(
    tree: ReferralTree, released: Sequence[int], rates: Sequence[Fraction]
) -> list[int]:
    """Per member: `rates[k]` of the releases of their generation-(k+1) referees, floored."""
    owed = [0] * len(tree)
    if not rates:
        return owed
    nums, den = common_scale(rates)
    for i, amount in enumerate(released):
        if amount:
            for num, upline in zip(nums, tree.ancestors(i, len(nums)), strict=False):
                owed[upline] += amount * num
    return [o // den for o in owed]


def settle_locked_day(
    rules: LockedGrantRules,
    team_rules: TeamRules | None,
    tree: ReferralTree,
    book: GrantBook,
    stars: Sequence[int] | None = None,
) -> ReleaseDay:
    """The §4 day: own releases, then referral, team and peer acceleration for everyone."""
    if book.members != len(tree):
        raise InvalidAmount("the grant book and the referral tree must cover the same members")
    own = base_release(book, rules.release_rate)
    base = per_member(book, own)
    referral = referral_owed(tree, base, rules.referral_acceleration)
    if team_rules is None:
        differential = peer = (0,) * len(tree)
    else:
        owed = team_owed(team_rules, tree, base, stars if stars is not None else [0] * len(tree))
        differential, peer = owed.differential, owed.peer
    return apply_releases(book, own, base, (referral, differential, peer))


def apply_releases(
    book: GrantBook,
    own: Sequence[int],
    base: Sequence[int],
    owed: tuple[Sequence[int], Sequence[int], Sequence[int]],
) -> ReleaseDay:
    """Take the own releases, then each kind of acceleration oldest grant first."""
    remaining = [left - r for left, r in zip(book.remaining, own, strict=True)]
    paid: tuple[list[int], list[int], list[int]] = (
        [0] * book.members,
        [0] * book.members,
        [0] * book.members,
    )
    starts = book.starts
    for kind in range(3):
        for m, amount in enumerate(owed[kind]):
            if amount:
                paid[kind][m] = take_oldest_first(remaining, starts[m], starts[m + 1], amount)
    return ReleaseDay(
        remaining=tuple(remaining),
        base=tuple(base),
        referral=Acceleration(tuple(owed[0]), tuple(paid[0])),
        team=Acceleration(tuple(owed[1]), tuple(paid[1])),
        peer=Acceleration(tuple(owed[2]), tuple(paid[2])),
    )
