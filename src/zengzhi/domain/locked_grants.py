"""Locked points grants and their daily release (mechanisms.md §4, reused by §5).

Design and decided choices:
- One point per yuan of order amount: the release base of a §4 grant is its order amount
  as points (3,000 yuan → 3,000 points), and a grant is `multiple × amount` points.
- Levels come from a single purchase: an order at or above a level's `min_amount_fen`
  gets that level's multiple (the highest level it reaches). An order below the lowest
  level grants nothing. A member's level is the highest any single order reached.
- The preset keeps the seed's table (3,000 → 2.5×) although the seed's own example uses
  3×; the daily release (1.2% of the order amount) does not depend on the multiple.
- Every grant releases on its own, floor(rate × base) a day, until exhausted; the last
  day releases only what is left. Grants are numbers in a `GrantBook`: parallel tuples
  sorted by owner, each owner's grants oldest first, so "oldest grant first" is a scan.
- Points are counted in micro-points; a grant is GRANT_SUPPLY → MEMBER_LOCKED_POINTS and
  every release MEMBER_LOCKED_POINTS → MEMBER_RELEASED_POINTS of the GRANT_POINTS asset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from zengzhi.domain import daily_sections as sec
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.money import FEN_PER_YUAN, MICRO_PER_POINT
from zengzhi.domain.rate_scale import common_scale, floor_times

MICRO_PER_FEN = MICRO_PER_POINT // FEN_PER_YUAN  # one point per yuan


@dataclass(frozen=True, slots=True)
class GrantLevel:
    """A single order of at least `min_amount_fen` is granted `multiple` × its amount."""

    name: str
    min_amount_fen: int
    multiple: Fraction


@dataclass(frozen=True, slots=True)
class Grant:
    """What one order grants: the points locked and the base its daily release is taken of."""

    level: GrantLevel
    points_micro: int
    base_micro: int


@dataclass(frozen=True, slots=True)
class LockedGrantRules:
    """Levels, the daily release rate, and the referral acceleration rates by generation."""

    release_rate: Fraction
    levels: tuple[GrantLevel, ...]
    referral_acceleration: tuple[Fraction, ...] = ()
    shop_spend_ratio: Fraction = Fraction(1)

    def __post_init__(self) -> None:
        if not 0 < self.release_rate <= 1:
            raise InvalidRule("grant.release_rate must be above 0 and at most 1")
        if not 0 <= self.shop_spend_ratio <= 1:
            raise InvalidRule("grant.shop_spend_ratio must be between 0 and 1")
        if not self.levels:
            raise InvalidRule("[[grant.levels]] needs at least one level")
        for lower, upper in zip(self.levels, self.levels[1:], strict=False):
            if upper.min_amount_fen <= lower.min_amount_fen:
                raise InvalidRule("grant levels must be listed by rising min_amount_fen")
        for level in self.levels:
            if level.min_amount_fen <= 0 or level.multiple < 0:
                raise InvalidRule(f"level {level.name}: amount must be > 0, multiple >= 0")
        if any(not 0 <= rate <= 1 for rate in self.referral_acceleration):
            raise InvalidRule("referral.acceleration rates must be between 0 and 1")

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> LockedGrantRules:
        """Read `[grant]`, `[[grant.levels]]` and `[referral]` of a locked-grants economy."""
        grant = sec.table(sections, "grant")
        sec.only(grant, {"release_rate", "shop_spend_ratio", "levels"}, "grant")
        referral = sec.optional_table(sections, "referral")
        sec.only(referral, {"acceleration"}, "referral")
        levels = []
        for row in sec.rows(grant, "levels", "grant"):
            sec.only(row, {"name", "min_amount_fen", "multiple"}, "grant.levels")
            name = sec.text(row, "name", "grant.levels")
            where = f"grant.levels ({name})"
            levels.append(
                GrantLevel(
                    name, sec.whole(row, "min_amount_fen", where), sec.ratio(row, "multiple", where)
                )
            )
        return cls(
            release_rate=sec.ratio(grant, "release_rate", "grant"),
            levels=tuple(levels),
            referral_acceleration=sec.ratio_list(referral, "acceleration", "referral"),
            shop_spend_ratio=sec.ratio(grant, "shop_spend_ratio", "grant", Fraction(1)),
        )

    def level_for(self, amount_fen: int) -> GrantLevel | None:
        """The highest level a single order of `amount_fen` reaches, if any."""
        found = None
        for level in self.levels:
            if amount_fen >= level.min_amount_fen:
                found = level
        return found

    def member_level(self, order_amounts_fen: Sequence[int]) -> GrantLevel | None:
        """A member's level: the highest that any one of their orders reached (never summed)."""
        return self.level_for(max(order_amounts_fen, default=0))

    def grant_for(self, amount_fen: int) -> Grant | None:
        """The grant for one settled order, or None below the lowest level."""
        if amount_fen < 0:
            raise InvalidAmount("an order amount must not be negative")
        level = self.level_for(amount_fen)
        if level is None:
            return None
        base = amount_fen * MICRO_PER_FEN
        return Grant(level, floor_times(base, level.multiple), base)

    def daily_release(self, base_micro: int) -> int:
        """A grant's own release per day: floor(release_rate × base)."""
        return floor_times(base_micro, self.release_rate)


def grant_entry(member: str, points_micro: int) -> Entry:
    """Lock `points_micro` newly granted points for `member`."""
    if points_micro <= 0:
        raise InvalidAmount("a grant must be of at least one micro-point")
    legs = transfer(
        Asset.GRANT_POINTS,
        points_micro,
        (AccountKind.GRANT_SUPPLY, None),
        (AccountKind.MEMBER_LOCKED_POINTS, member),
    )
    return Entry(EntryKind.LOCKED_GRANT, member, legs)


@dataclass(frozen=True, slots=True)
class GrantBook:
    """Every open grant: owner (member index), release base, points still locked.

    Sorted by owner, each owner's grants oldest first (ORDER BY owner, granted_at).
    """

    owners: tuple[int, ...]
    bases: tuple[int, ...]
    remaining: tuple[int, ...]
    members: int
    starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.owners)
        if len(self.bases) != n or len(self.remaining) != n:
            raise InvalidAmount("every grant needs an owner, a base and a remaining amount")
        if n and (min(self.bases) < 0 or min(self.remaining) < 0):
            raise InvalidAmount("grant bases and remaining points must not be negative")
        starts = [0] * (self.members + 1)
        previous = 0
        for owner in self.owners:
            if not previous <= owner < self.members:
                raise InvalidAmount("grants must be sorted by owner, each a member index")
            previous = owner
            starts[owner + 1] += 1
        for i in range(self.members):
            starts[i + 1] += starts[i]
        object.__setattr__(self, "starts", tuple(starts))

    def locked(self) -> list[int]:
        """Points still locked, per member."""
        return _per_member(self.starts, self.remaining)


def base_release(book: GrantBook, rate: Fraction) -> list[int]:
    """Each grant's own release today at one rate (§4): floor(rate × base), at most what is left."""
    num, den = rate.numerator, rate.denominator
    return [
        min(left, base * num // den) for base, left in zip(book.bases, book.remaining, strict=True)
    ]


def base_release_by_level(
    book: GrantBook, rates: Sequence[Fraction], level_of_member: Sequence[int]
) -> list[int]:
    """Each grant's own release today at its owner's rate, `rates[level_of_member[owner]]` (§5)."""
    if len(level_of_member) != book.members:
        raise InvalidAmount("release rates need exactly one level per member")
    nums, den = common_scale(rates)
    return [
        min(left, base * nums[level_of_member[owner]] // den)
        for owner, base, left in zip(book.owners, book.bases, book.remaining, strict=True)
    ]


def take_oldest_first(remaining: list[int], start: int, end: int, amount: int) -> int:
    """Release up to `amount` from grants start..end-1, oldest first; how much was taken."""
    taken = 0
    g = start
    while taken < amount and g < end:
        part = min(remaining[g], amount - taken)
        remaining[g] -= part
        taken += part
        g += 1
    return taken


def per_member(book: GrantBook, per_grant: Sequence[int]) -> list[int]:
    """Sum a per-grant amount per owner."""
    return _per_member(book.starts, per_grant)


def _per_member(starts: Sequence[int], per_grant: Sequence[int]) -> list[int]:
    return [sum(per_grant[starts[i] : starts[i + 1]]) for i in range(len(starts) - 1)]
