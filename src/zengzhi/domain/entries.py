"""Ledger entries as the engine decides them: who, which account, which asset, how much.

The engine never writes anything; it returns `Entry` values whose postings sum to zero per
asset. The ledger and the store persist exactly these. Positive amounts flow *into* an
account, negative amounts flow out of it. Only accounts whose kind is a declared source
may go below zero (they stand for money or points arriving from outside the books).
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import NamedTuple


class Asset(StrEnum):
    """What a posting moves. Cash is counted in fen, points in micro-points."""

    CASH = "cash"
    POINTS = "points"
    # §3-§5 (daily)
    GRANT_POINTS = "grant_points"  # points granted by purchases, locked then released


class AccountKind(StrEnum):
    """The accounts of one economy. Member accounts carry the member as holder."""

    POOL = "pool"  # cash backing the appreciating points
    POINTS_SUPPLY = "points_supply"  # source: minted points come from here, burned ones return
    ORDER_FUNDING = "order_funding"  # source: the pool share of settled orders
    INJECTION_FUNDING = "injection_funding"  # source: operator financing into the pool
    MEMBER_CASH = "member_cash"  # a member's cash wallet (withdrawable)
    MEMBER_POINTS = "member_points"  # a member's appreciating points
    # §3-§5 (daily)
    DAILY_DIVIDEND_FUNDING = "daily_dividend_funding"  # source: the platform's share of sales
    DAILY_DIVIDEND_POOL = "daily_dividend_pool"  # one day's dividend pools; empty once settled
    GRANT_SUPPLY = "grant_supply"  # source: locked grants come from here
    MEMBER_LOCKED_POINTS = "member_locked_points"  # a member's grants not yet released
    MEMBER_RELEASED_POINTS = "member_released_points"  # released, spendable grant points
    MERCHANT_GRANT_POINTS = "merchant_grant_points"  # a merchant's own grant points (tips)


SOURCE_ACCOUNTS: frozenset[AccountKind] = frozenset(
    {AccountKind.POINTS_SUPPLY, AccountKind.ORDER_FUNDING, AccountKind.INJECTION_FUNDING}
    # §3-§5 (daily)
    | {AccountKind.DAILY_DIVIDEND_FUNDING, AccountKind.GRANT_SUPPLY}
)


class EntryKind(StrEnum):
    """Why money or points moved."""

    ORDER = "order"  # a settled order: pool contribution and points minted
    SALE = "sale"  # a member sold points; the fee stays in the pool (reflow)
    EXIT = "exit"  # a forced exit: all of a member's points sold by the sell rule
    BURN = "burn"  # periodic burn of every holder's points
    INJECTION = "injection"  # operator financing into the pool
    # §3-§5 (daily)
    DAILY_DIVIDEND_FUNDING = "daily_dividend_funding"  # the day's pools set aside from sales
    DAILY_DIVIDEND_PRO_RATA = "daily_dividend_pro_rata"  # paid pro rata to shares/contribution
    DAILY_DIVIDEND_TIER = "daily_dividend_tier"  # a tier's part, split equally within the tier
    DAILY_DIVIDEND_RETURN = "daily_dividend_return"  # capped, empty-tier and rounding remainders
    LOCKED_GRANT = "locked_grant"  # points granted by a purchase, locked
    GRANT_RELEASE = "grant_release"  # a grant's own daily release
    REFERRAL_ACCELERATION = "referral_acceleration"  # early release for referees' releases
    TEAM_ACCELERATION = "team_acceleration"  # early release by star level, as a differential
    PEER_REWARD = "peer_reward"  # early release for a same-level downline's market
    MERCHANT_TIP = "merchant_tip"  # a merchant tips a member from the merchant's own points


class Posting(NamedTuple):
    """One leg: `amount` of `asset` into (positive) or out of (negative) an account.

    Immutable; a NamedTuple rather than a frozen dataclass because the engine creates
    millions of them and tuple construction is twice as fast.
    """

    account: AccountKind
    holder: str | None
    asset: Asset
    amount: int


class Entry(NamedTuple):
    """One balanced transaction. `member` names the member it concerns, if any."""

    kind: EntryKind
    member: str | None
    postings: tuple[Posting, ...]


def imbalance(entry: Entry) -> dict[Asset, int]:
    """The non-zero sums per asset; an empty dict means the entry balances."""
    sums: dict[Asset, int] = defaultdict(int)
    for posting in entry.postings:
        sums[posting.asset] += posting.amount
    return {asset: total for asset, total in sums.items() if total != 0}


def transfer(
    asset: Asset,
    amount: int,
    source: tuple[AccountKind, str | None],
    target: tuple[AccountKind, str | None],
) -> tuple[Posting, Posting]:
    """Two postings moving `amount` from `source` to `target`: balanced by construction."""
    return (
        Posting(source[0], source[1], asset, -amount),
        Posting(target[0], target[1], asset, amount),
    )
