"""Shared purchase: health value, release speed, halving issuance and tips (§5, seed 002).

Design and decided choices (the seed gives no numbers; the preset's are the operator's):
- An order of A fen grants floor(issuance_ratio × A) points (one point per yuan at ratio
  1) after halvings: the ratio halves once per full `halving_days` (365) since launch, so
  days 0-364 grant at the full ratio, days 365-729 at half, and so on. The day number is
  the caller's: whole days since launch in the economy's time zone.
- Grants are locked and released per grant like §4, but the base is the grant itself and
  the rate is the owner's health level's `release_rate`: floor(rate × granted) a day
  until exhausted. There is no referral or team acceleration in this system.
- Health value rises by `per_referred_buyer` for each referred member's *first* purchase
  (the direct referrer only) and never falls. The level is the highest whose
  `min_health` the value reaches; levels start at 0 so every member has one. The health
  counted on a day is the value after that day's first purchases were recorded.
- Tips: a merchant gives a member points out of the merchant's own grant points
  (MERCHANT_GRANT_POINTS → MEMBER_RELEASED_POINTS, spendable at once), never more than
  the merchant holds; nothing is minted. Refused when tipping is off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.domain import daily_sections as sec
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import DomainError, InsufficientPoints, InvalidAmount, InvalidRule
from zengzhi.domain.grant_release import ReleaseDay, apply_releases
from zengzhi.domain.locked_grants import MICRO_PER_FEN, GrantBook, base_release_by_level, per_member
from zengzhi.domain.referral_tree import NO_PARENT, ReferralTree


class TippingDisabled(DomainError):
    """The economy does not allow merchants to tip points."""

    code = "tipping_disabled"


@dataclass(frozen=True, slots=True)
class HealthLevel:
    """From `min_health` on, a member's grants release `release_rate` of themselves a day."""

    name: str
    min_health: int
    release_rate: Fraction


@dataclass(frozen=True, slots=True)
class SharedPurchaseRules:
    """Issuance with halving, health levels and tipping of a shared-purchase economy."""

    issuance_ratio: Fraction
    halving_days: int
    per_referred_buyer: int
    levels: tuple[HealthLevel, ...]
    tipping_enabled: bool = True

    def __post_init__(self) -> None:
        if self.issuance_ratio < 0:
            raise InvalidRule("grant.issuance_ratio must not be negative")
        if self.halving_days <= 0:
            raise InvalidRule("grant.halving_days must be at least 1")
        if self.per_referred_buyer < 0:
            raise InvalidRule("health.per_referred_buyer must not be negative")
        if not self.levels or self.levels[0].min_health != 0:
            raise InvalidRule("the first health level must start at min_health = 0")
        for lower, upper in zip(self.levels, self.levels[1:], strict=False):
            if upper.min_health <= lower.min_health:
                raise InvalidRule("health levels must be listed by rising min_health")
        for level in self.levels:
            if not 0 < level.release_rate <= 1:
                raise InvalidRule(f"health level {level.name}: release_rate must be in (0, 1]")

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> SharedPurchaseRules:
        """Read `[grant]`, `[health]`, `[[health.levels]]` and `[tipping]`."""
        grant = sec.table(sections, "grant")
        sec.only(grant, {"issuance_ratio", "halving_days"}, "grant")
        health = sec.table(sections, "health")
        sec.only(health, {"per_referred_buyer", "levels"}, "health")
        tipping = sec.optional_table(sections, "tipping")
        sec.only(tipping, {"enabled"}, "tipping")
        levels = []
        for row in sec.rows(health, "levels", "health"):
            sec.only(row, {"name", "min_health", "release_rate"}, "health.levels")
            name = sec.text(row, "name", "health.levels")
            where = f"health.levels ({name})"
            levels.append(
                HealthLevel(
                    name, sec.whole(row, "min_health", where), sec.ratio(row, "release_rate", where)
                )
            )
        return cls(
            issuance_ratio=sec.ratio(grant, "issuance_ratio", "grant"),
            halving_days=sec.whole(grant, "halving_days", "grant", minimum=1),
            per_referred_buyer=sec.whole(health, "per_referred_buyer", "health"),
            levels=tuple(levels),
            tipping_enabled=sec.flag(tipping, "enabled", "tipping", default=True),
        )

    def ratio_on(self, day: int) -> Fraction:
        """The issuance ratio on `day` (whole days since launch): halved per full period."""
        if day < 0:
            raise InvalidAmount("a day before the economy's launch has no issuance")
        return self.issuance_ratio / (1 << (day // self.halving_days))

    def grant_for(self, amount_fen: int, day: int) -> int:
        """Micro-points granted (locked) for an order of `amount_fen` settled on `day`."""
        if amount_fen < 0:
            raise InvalidAmount("an order amount must not be negative")
        ratio = self.ratio_on(day)
        return amount_fen * MICRO_PER_FEN * ratio.numerator // ratio.denominator

    def level_for(self, health: int) -> int:
        """Index of the health level a health value reaches."""
        found = 0
        for i, level in enumerate(self.levels):
            if health >= level.min_health:
                found = i
        return found


def health_after_first_purchases(
    rules: SharedPurchaseRules,
    tree: ReferralTree,
    health: Sequence[int],
    first_buyers: Sequence[int],
) -> list[int]:
    """Health values after these members' first purchases credited their referrers."""
    if len(health) != len(tree):
        raise InvalidAmount("health values need exactly one value per member")
    after = list(health)
    for buyer in first_buyers:
        referrer = tree.parents[buyer]
        if referrer != NO_PARENT:
            after[referrer] += rules.per_referred_buyer
    return after


def settle_health_day(
    rules: SharedPurchaseRules, book: GrantBook, health: Sequence[int]
) -> ReleaseDay:
    """The §5 day: every grant releases at its owner's health level's rate."""
    if len(health) != book.members:
        raise InvalidAmount("health values need exactly one value per member")
    levels = [rules.level_for(h) for h in health]
    own = base_release_by_level(book, [level.release_rate for level in rules.levels], levels)
    nothing = (0,) * book.members
    return apply_releases(book, own, per_member(book, own), (nothing, nothing, nothing))


def tip_entry(
    rules: SharedPurchaseRules, merchant: str, member: str, points_micro: int, merchant_holds: int
) -> Entry:
    """A merchant tips `member` out of the `merchant_holds` points the merchant owns."""
    if not rules.tipping_enabled:
        raise TippingDisabled("merchants cannot tip points in this economy")
    if points_micro <= 0:
        raise InvalidAmount("a tip must be of at least one micro-point")
    if points_micro > merchant_holds:
        raise InsufficientPoints(
            f"merchant {merchant!r} holds {merchant_holds} micro-points and cannot tip "
            f"{points_micro}"
        )
    legs = transfer(
        Asset.GRANT_POINTS,
        points_micro,
        (AccountKind.MERCHANT_GRANT_POINTS, merchant),
        (AccountKind.MEMBER_RELEASED_POINTS, member),
    )
    return Entry(EntryKind.MERCHANT_TIP, member, legs)
