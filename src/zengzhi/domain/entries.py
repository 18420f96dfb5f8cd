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
    # §2/§6/§7 (tokens)
    STABLE = "stable"  # stable points pegged to cash, in micro-points (§2)
    COINS = "coins"  # brand Coffee Coins, whole coins (§7)
    TOKENS = "tokens"  # brand Bean Tokens, in micro-tokens (§7)


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
    # §2/§6/§7 (tokens)
    TREASURY_POINTS = "treasury_points"  # appreciating points the platform holds, still outstanding
    STABLE_SUPPLY = "stable_supply"  # source: stable points issued come from here, retired return
    MEMBER_STABLE = "member_stable"  # a member's or merchant's stable points
    PLATFORM_FUNDING = "platform_funding"  # source: the platform's own cash (cash-outs, buybacks)
    COMMISSION_FUNDING = "commission_funding"  # source: a store's commission on its orders
    PLATFORM_PROFIT = "platform_profit"  # the platform's share of commissions
    PLATFORM_UNPAID = "platform_unpaid"  # rewards nobody could claim, returned to the platform
    COIN_SUPPLY = "coin_supply"  # source: brand coins earned come from here, spent ones return
    MEMBER_COINS = "member_coins"  # a member's brand coins
    TOKEN_SUPPLY = "token_supply"  # source: brand tokens minted come from here, burned return
    MEMBER_TOKENS = "member_tokens"  # a member's brand tokens
    TOKEN_DIVIDEND_FUNDING = "token_dividend_funding"  # source: declared profit's dividend share
    TOKEN_DIVIDEND_POOL = "token_dividend_pool"  # cash waiting to be paid to token holders
    # issue 4 (service): withdrawals and operator adjustments
    PENDING_WITHDRAWAL = "pending_withdrawal"  # a member's cash held while a withdrawal is reviewed
    PAID_OUT = "paid_out"  # cash paid out of the books to members' payout accounts
    ADJUSTMENT_FUNDING = "adjustment_funding"  # source: cash an operator adds or takes by hand


SOURCE_ACCOUNTS: frozenset[AccountKind] = frozenset(
    {AccountKind.POINTS_SUPPLY, AccountKind.ORDER_FUNDING, AccountKind.INJECTION_FUNDING}
    # §3-§5 (daily)
    | {AccountKind.DAILY_DIVIDEND_FUNDING, AccountKind.GRANT_SUPPLY}
)
# §2/§6/§7 (tokens)
SOURCE_ACCOUNTS = SOURCE_ACCOUNTS | {
    AccountKind.STABLE_SUPPLY,
    AccountKind.PLATFORM_FUNDING,
    AccountKind.COMMISSION_FUNDING,
    AccountKind.COIN_SUPPLY,
    AccountKind.TOKEN_SUPPLY,
    AccountKind.TOKEN_DIVIDEND_FUNDING,
}
# issue 4 (service)
SOURCE_ACCOUNTS = SOURCE_ACCOUNTS | {AccountKind.ADJUSTMENT_FUNDING}


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
    GRANT_POINTS_PAYMENT = "grant_points_payment"  # a member pays a merchant in released points
    # §2/§6/§7 (tokens)
    STABLE_CONVERSION = "stable_conversion"  # appreciating points to the treasury, stable issued
    STABLE_PAYMENT = "stable_payment"  # a member pays a merchant in stable points
    STABLE_EXCHANGE = "stable_exchange"  # a merchant's stable points back to appreciating points
    STABLE_CASHOUT = "stable_cashout"  # a merchant's stable points retired for cash
    BUYBACK = "buyback"  # the platform buys appreciating points at the price and burns them
    COMMISSION_SPLIT = "commission_split"  # a store order's commission split to the fen
    COINS_EARNED = "coins_earned"  # brand coins for a purchase, and the referrer's share
    REFERRAL_TOKEN = "referral_token"  # brand token reward for a referee's first purchase
    TOKEN_CONVERSION = "token_conversion"  # brand coins burned, tokens minted
    COUPON_REDEMPTION = "coupon_redemption"  # brand coins spent on a coupon
    TOKEN_DIVIDEND_FUNDING = "token_dividend_funding"  # a period's profit share into the pool
    TOKEN_DIVIDEND = "token_dividend"  # the dividend pool paid pro rata to token holders
    TOKEN_BUYBACK = "token_buyback"  # the platform buys tokens back at or above the floor
    TOKEN_TRANSFER = "token_transfer"  # a member gives brand tokens to another member
    # issue 4 (service)
    WITHDRAWAL_HOLD = "withdrawal_hold"  # member cash held for a requested withdrawal
    WITHDRAWAL_PAID = "withdrawal_paid"  # an approved withdrawal leaves the books
    WITHDRAWAL_RETURNED = "withdrawal_returned"  # a rejected withdrawal's cash goes back
    ADJUSTMENT = "adjustment"  # an operator's audited correction of cash or points
    GRANT_ADJUSTMENT = "grant_adjustment"  # an operator adds or deducts locked grant points


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
