"""Cyclic purchase: quota and shares earned by buying and by referring (mechanisms.md §3).

Design and decided choices:
- Quota (分红额度, "energy" in the energy-and-contribution variant) is how much cash a
  member may still receive from dividends. It is member state counted in fen, not a
  ledger balance: it is a cap, not money. Buying A fen adds floor(multiple × A).
- Shares (股权, "contribution" in the variant) are counted in micro-shares
  (SHARE_SCALE per share) so that 1,500 yuan at 1,000 yuan per share is 1.5 shares and
  repeat purchases lose nothing to rounding. Each accrual is floored once.
- Referring: every purchase also credits the buyer's first `generations` referrers with
  `shares_per_yuan_referred` shares per yuan (and `quota_per_yuan_referred` quota per
  yuan, 0 by default: the seed says "quota and/or shares", the rulebook only shares).
- Quota is consumed only by dividends (daily_dividends.py); shares are never consumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.domain import daily_sections as sec
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.money import FEN_PER_YUAN
from zengzhi.domain.rate_scale import floor_times
from zengzhi.domain.referral_tree import ReferralTree

SHARE_SCALE = 1_000_000  # micro-shares per share


@dataclass(frozen=True, slots=True)
class QuotaRules:
    """How purchases and referrals turn into quota (fen) and shares (micro-shares)."""

    multiple: Fraction = Fraction(2)
    yuan_per_share: int = 1000
    shares_per_yuan_referred: Fraction = Fraction(0)
    quota_per_yuan_referred: Fraction = Fraction(0)
    generations: int = 1

    def __post_init__(self) -> None:
        if self.multiple < 0:
            raise InvalidRule("quota.multiple must not be negative")
        if self.yuan_per_share <= 0:
            raise InvalidRule("quota.yuan_per_share must be at least 1 yuan")
        if self.shares_per_yuan_referred < 0 or self.quota_per_yuan_referred < 0:
            raise InvalidRule("referral shares and quota per yuan must not be negative")
        if self.generations < 0:
            raise InvalidRule("referral.generations must not be negative")

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> QuotaRules:
        """Read `[quota]` and the optional `[referral]` of a cyclic-purchase economy."""
        quota = sec.table(sections, "quota")
        sec.only(quota, {"multiple", "yuan_per_share"}, "quota")
        referral = sec.optional_table(sections, "referral")
        sec.only(
            referral,
            {"shares_per_yuan_referred", "quota_per_yuan_referred", "generations"},
            "referral",
        )
        return cls(
            multiple=sec.ratio(quota, "multiple", "quota"),
            yuan_per_share=sec.whole(quota, "yuan_per_share", "quota", minimum=1),
            shares_per_yuan_referred=sec.ratio(
                referral, "shares_per_yuan_referred", "referral", Fraction(0)
            ),
            quota_per_yuan_referred=sec.ratio(
                referral, "quota_per_yuan_referred", "referral", Fraction(0)
            ),
            generations=sec.whole(referral, "generations", "referral", default=1),
        )

    def quota_for(self, amount_fen: int) -> int:
        """Quota in fen earned by buying `amount_fen`: 1,000 yuan → 2,000 yuan at 2×."""
        return floor_times(_checked(amount_fen), self.multiple)

    def shares_for(self, amount_fen: int) -> int:
        """Micro-shares earned by buying: 1,000 yuan → 1 share at 1,000 yuan per share."""
        return _checked(amount_fen) * SHARE_SCALE // (self.yuan_per_share * FEN_PER_YUAN)

    def referral_shares_for(self, amount_fen: int) -> int:
        """Micro-shares a referrer earns when a referee buys `amount_fen`."""
        rate = self.shares_per_yuan_referred * SHARE_SCALE / FEN_PER_YUAN
        return floor_times(_checked(amount_fen), rate)

    def referral_quota_for(self, amount_fen: int) -> int:
        """Quota in fen a referrer earns when a referee buys `amount_fen`."""
        return floor_times(_checked(amount_fen), self.quota_per_yuan_referred)


@dataclass(frozen=True, slots=True)
class Positions:
    """Every member's quota (fen) and shares (micro-shares), by member index."""

    quota_fen: tuple[int, ...]
    shares_micro: tuple[int, ...]


def accrue_purchases(
    rules: QuotaRules,
    tree: ReferralTree,
    positions: Positions,
    buyers: Sequence[int],
    amounts_fen: Sequence[int],
) -> Positions:
    """Positions after the given purchases (buyer index, amount), referrers credited too."""
    if len(buyers) != len(amounts_fen):
        raise InvalidAmount("every purchase needs one buyer and one amount")
    quota = list(positions.quota_fen)
    shares = list(positions.shares_micro)
    for buyer, amount in zip(buyers, amounts_fen, strict=True):
        quota[buyer] += rules.quota_for(amount)
        shares[buyer] += rules.shares_for(amount)
        bonus_shares = rules.referral_shares_for(amount)
        bonus_quota = rules.referral_quota_for(amount)
        for referrer in tree.ancestors(buyer, rules.generations) if rules.generations else ():
            shares[referrer] += bonus_shares
            quota[referrer] += bonus_quota
    return Positions(tuple(quota), tuple(shares))


def _checked(amount_fen: int) -> int:
    if amount_fen < 0:
        raise InvalidAmount("a purchase amount must not be negative")
    return amount_fen
