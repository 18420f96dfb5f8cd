"""Cyclic purchase: one day's dividends, capped by quota (mechanisms.md §3).

Design and decided choices:
- The day's sales base is the sum of the amounts of orders *settled* that day (in the
  economy's time zone); the caller passes it as `sales_fen`. Refunded orders never count.
- Two pools per day, each floored from sales: a pro-rata pool (`static_share`, 30%: paid
  by shares) and a tier pool (`dynamic_share`, 10%: each tier's own `share` of sales split
  equally among its members). In the energy-and-contribution variant the names swap:
  the pro-rata pool is `dynamic_share` (by contribution) and the tiers are `static_share`.
- Eligibility is fixed once, at the start of the day: a member takes part only if they
  hold quota then. Members without quota keep their shares but neither earn nor dilute.
- Order within the day: the pro-rata pool first, then the tiers, each payout capped by
  the quota left at that moment and consuming it.
- Tiers are by whole shares (micro-shares floored to shares), inclusive bounds; a tier
  without `max_shares` is open-ended. Under the preset's table (V3 ends at 500) a member
  above 500 shares is in no tier: the operator's table is taken literally.
- Rounding: each payout is floored. Everything not paid (empty tiers, the part of the
  tier pool no tier claims, quota caps, rounding dust) goes back to the platform in one
  DAILY_DIVIDEND_RETURN entry, so the day's pool account ends at exactly zero.
- Ledger shape: each pool's payout is one entry (the pool's debit and a credit leg per
  payee), so a day is at most four chained transactions however many members it pays.
- Bulk: inputs are parallel sequences of ints indexed by member; no object per member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.domain import daily_sections as sec
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting, transfer
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.quota import SHARE_SCALE
from zengzhi.domain.rate_scale import floor_times

VARIANTS = ("shares", "energy_contribution")


@dataclass(frozen=True, slots=True)
class Tier:
    """Members holding `min_shares`..`max_shares` whole shares share `share` of sales."""

    name: str
    min_shares: int
    max_shares: int | None
    share: Fraction

    def holds(self, whole_shares: int) -> bool:
        return self.min_shares <= whole_shares and (
            self.max_shares is None or whole_shares <= self.max_shares
        )


@dataclass(frozen=True, slots=True)
class DividendRules:
    """The two daily pools as shares of sales, and the tiers of the tier pool."""

    pro_rata_share: Fraction
    tier_share: Fraction
    tiers: tuple[Tier, ...]
    variant: str = "shares"

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise InvalidRule(f"dividend.variant must be one of {', '.join(VARIANTS)}")
        if self.pro_rata_share < 0 or self.tier_share < 0:
            raise InvalidRule("dividend pool shares must not be negative")
        if self.pro_rata_share + self.tier_share > 1:
            raise InvalidRule("the two dividend pools together cannot exceed the day's sales")
        _check_tiers(self.tiers, self.tier_share)

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any]) -> DividendRules:
        """Read `[dividend]` and its `[[dividend.tiers]]`."""
        dividend = sec.table(sections, "dividend")
        sec.only(dividend, {"static_share", "dynamic_share", "tiers", "variant"}, "dividend")
        variant = dividend.get("variant", "shares")
        if variant not in VARIANTS:
            raise InvalidRule(f"dividend.variant must be one of {', '.join(VARIANTS)}")
        static = sec.fraction_between(dividend, "static_share", "dividend")
        dynamic = sec.fraction_between(dividend, "dynamic_share", "dividend")
        tiers = tuple(_tier(row) for row in sec.rows(dividend, "tiers", "dividend"))
        pro_rata, tiered = (
            (dynamic, static) if variant == "energy_contribution" else (static, dynamic)
        )
        return cls(pro_rata, tiered, tiers, str(variant))

    def tier_of(self, shares_micro: int) -> int:
        """Index of the member's tier, or -1 when their shares fall in no tier."""
        whole = shares_micro // SHARE_SCALE
        for t, tier in enumerate(self.tiers):
            if tier.holds(whole):
                return t
        return -1


@dataclass(frozen=True, slots=True)
class DividendDay:
    """What one day paid, per member (by index), and what went back to the platform."""

    sales_fen: int
    pro_rata_pool_fen: int
    tier_pool_fen: int
    pro_rata_paid: tuple[int, ...]
    tier_paid: tuple[int, ...]
    quota_after: tuple[int, ...]
    tier_heads: tuple[int, ...]  # eligible members per tier
    returned_fen: int

    @property
    def pool_fen(self) -> int:
        return self.pro_rata_pool_fen + self.tier_pool_fen

    @property
    def paid_fen(self) -> int:
        return sum(self.pro_rata_paid) + sum(self.tier_paid)

    def entries(self, member_ids: Sequence[str]) -> list[Entry]:
        """The day's ledger entries: fund the pools, pay each pool's members, return the rest."""
        if len(member_ids) != len(self.pro_rata_paid):
            raise InvalidAmount("entries need exactly one member id per position")
        return day_entries(
            self.pro_rata_pool_fen,
            self.tier_pool_fen,
            [(m, fen) for m, fen in zip(member_ids, self.pro_rata_paid, strict=True) if fen],
            [(m, fen) for m, fen in zip(member_ids, self.tier_paid, strict=True) if fen],
        )


def day_entries(
    pro_rata_pool_fen: int,
    tier_pool_fen: int,
    pro_rata: Sequence[tuple[str, int]],
    tier: Sequence[tuple[str, int]],
) -> list[Entry]:
    """Fund the two pools, pay each pool as ONE entry, then return what was not paid.

    One entry per pool, not per payee: the pool's single debit and every payee's credit
    are one balanced transaction, so a million payees are a few chained transactions a
    day (the chain, checkpoints and events stay small); each credit is still its own leg.
    """
    funding = (AccountKind.DAILY_DIVIDEND_FUNDING, None)
    pool_account = (AccountKind.DAILY_DIVIDEND_POOL, None)
    pool_fen = pro_rata_pool_fen + tier_pool_fen
    out: list[Entry] = []
    if pool_fen:
        legs = transfer(Asset.CASH, pool_fen, funding, pool_account)
        out.append(Entry(EntryKind.DAILY_DIVIDEND_FUNDING, None, legs))
    paid_fen = 0
    cash, wallet, pool = Asset.CASH, AccountKind.MEMBER_CASH, AccountKind.DAILY_DIVIDEND_POOL
    for kind, paid in (
        (EntryKind.DAILY_DIVIDEND_PRO_RATA, pro_rata),
        (EntryKind.DAILY_DIVIDEND_TIER, tier),
    ):
        if not paid:
            continue
        total = sum(fen for _, fen in paid)
        paid_fen += total
        credits = [Posting(wallet, member, cash, fen) for member, fen in paid]
        out.append(Entry(kind, None, (Posting(pool, None, cash, -total), *credits)))
    if pool_fen - paid_fen:
        legs = transfer(Asset.CASH, pool_fen - paid_fen, pool_account, funding)
        out.append(Entry(EntryKind.DAILY_DIVIDEND_RETURN, None, legs))
    return out


def settle_dividends(
    rules: DividendRules,
    sales_fen: int,
    shares_micro: Sequence[int],
    quota_fen: Sequence[int],
) -> DividendDay:
    """One day's dividends for every member at once (positions by member index)."""
    n = len(shares_micro)
    if len(quota_fen) != n:
        raise InvalidAmount("dividends need exactly one quota per member")
    if sales_fen < 0 or (n and (min(shares_micro) < 0 or min(quota_fen) < 0)):
        raise InvalidAmount("sales, shares and quota must not be negative")
    eligible = [q > 0 for q in quota_fen]
    pro_pool = floor_times(sales_fen, rules.pro_rata_share)
    weight = sum(s for s, ok in zip(shares_micro, eligible, strict=True) if ok)
    quota = list(quota_fen)
    pro_paid = [0] * n
    if weight:
        for i in range(n):
            if eligible[i] and shares_micro[i]:
                pay = min(quota[i], shares_micro[i] * pro_pool // weight)
                pro_paid[i] = pay
                quota[i] -= pay
    tier_of = [rules.tier_of(s) if ok else -1 for s, ok in zip(shares_micro, eligible, strict=True)]
    heads = [0] * len(rules.tiers)
    for t in tier_of:
        if t >= 0:
            heads[t] += 1
    each = [
        floor_times(sales_fen, tier.share) // count if count else 0
        for tier, count in zip(rules.tiers, heads, strict=True)
    ]
    tier_paid = [0] * n
    for i, t in enumerate(tier_of):
        if t >= 0:
            pay = min(quota[i], each[t])
            tier_paid[i] = pay
            quota[i] -= pay
    tier_pool = floor_times(sales_fen, rules.tier_share)
    returned = pro_pool + tier_pool - sum(pro_paid) - sum(tier_paid)
    return DividendDay(
        sales_fen=sales_fen,
        pro_rata_pool_fen=pro_pool,
        tier_pool_fen=tier_pool,
        pro_rata_paid=tuple(pro_paid),
        tier_paid=tuple(tier_paid),
        quota_after=tuple(quota),
        tier_heads=tuple(heads),
        returned_fen=returned,
    )


def _tier(row: Mapping[str, Any]) -> Tier:
    sec.only(row, {"name", "min_shares", "max_shares", "share"}, "dividend.tiers")
    name = sec.text(row, "name", "dividend.tiers")
    where = f"dividend.tiers ({name})"
    maximum = sec.whole(row, "max_shares", where) if "max_shares" in row else None
    return Tier(
        name=name,
        min_shares=sec.whole(row, "min_shares", where),
        max_shares=maximum,
        share=sec.fraction_between(row, "share", where),
    )


def _check_tiers(tiers: tuple[Tier, ...], tier_share: Fraction) -> None:
    """Tiers ascend without overlapping; only the last may be open-ended; parts fit."""
    previous: Tier | None = None
    for tier in tiers:
        if not 0 <= tier.share <= 1 or tier.min_shares < 0:
            raise InvalidRule(f"tier {tier.name}: share must be 0..1 and min_shares not negative")
        if tier.max_shares is not None and tier.max_shares < tier.min_shares:
            raise InvalidRule(f"tier {tier.name}: max_shares is below min_shares")
        if previous is not None and (
            previous.max_shares is None or tier.min_shares <= previous.max_shares
        ):
            raise InvalidRule(f"tier {tier.name} overlaps tier {previous.name}: list tiers upwards")
        previous = tier
    if sum((tier.share for tier in tiers), Fraction(0)) > tier_share:
        raise InvalidRule("the tiers' shares of sales add up to more than the tier pool")
