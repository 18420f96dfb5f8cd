"""The brand dividend pool: funded from declared profit, paid pro rata to tokens (§7).

Design, every choice marked (decided) where the rulebook leaves room:

- Each period the platform declares the stores' profit; floor(profit_share × profit)
  (20%) moves into the dividend pool. A loss funds nothing (profit must not be negative).
- The pool is paid to the holders of the balances the caller snapshotted at the period's
  close: floor(pool × holding / all tokens) each, in cash, to their wallets.
- (decided) The remainder of the floors stays in the pool and is carried into the next
  period's distribution: nothing is lost, and payouts + remainder = pool exactly. With no
  tokens outstanding the whole pool is carried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zengzhi.domain.brand_rules import BrandRules
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting, transfer
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.money import payee_floor

_POOL = AccountKind.TOKEN_DIVIDEND_POOL


@dataclass(frozen=True, slots=True)
class DividendFunding:
    fen: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class DividendRun:
    """What each holder is paid; the remainder stays in the pool for the next period."""

    pool_fen: int
    payouts: tuple[tuple[str, int], ...]
    remainder_fen: int
    entries: tuple[Entry, ...]

    @property
    def paid_fen(self) -> int:
        return sum(fen for _, fen in self.payouts)


def fund_dividend_pool(rules: BrandRules, declared_profit_fen: int) -> DividendFunding:
    """Move the period's share of declared profit into the dividend pool."""
    if type(declared_profit_fen) is not int or declared_profit_fen < 0:
        raise InvalidAmount("the declared profit must be a whole, non-negative number of fen")
    share = declared_profit_fen * rules.dividend_share
    fen = payee_floor(share.numerator, share.denominator)
    if not fen:
        return DividendFunding(0, ())
    legs = transfer(Asset.CASH, fen, (AccountKind.TOKEN_DIVIDEND_FUNDING, None), (_POOL, None))
    return DividendFunding(fen, (Entry(EntryKind.TOKEN_DIVIDEND_FUNDING, None, legs),))


def distribute_dividends(pool_fen: int, holdings: Mapping[str, int]) -> DividendRun:
    """Pay `pool_fen` pro rata to `holdings` (micro-tokens per holder at the period's close)."""
    if type(pool_fen) is not int or pool_fen < 0:
        raise InvalidAmount("the dividend pool must be a whole, non-negative number of fen")
    if any(type(h) is not int or h < 0 for h in holdings.values()):
        raise InvalidAmount("token holdings must be whole, non-negative numbers")
    total = sum(holdings.values())
    payouts: list[tuple[str, int]] = []
    if total:
        for holder, held in holdings.items():
            fen = payee_floor(pool_fen * held, total)
            if fen:
                payouts.append((holder, fen))
    paid = sum(fen for _, fen in payouts)
    entries: tuple[Entry, ...] = ()
    if paid:
        postings = (
            Posting(_POOL, None, Asset.CASH, -paid),
            *(Posting(AccountKind.MEMBER_CASH, h, Asset.CASH, fen) for h, fen in payouts),
        )
        entries = (Entry(EntryKind.TOKEN_DIVIDEND, None, postings),)
    return DividendRun(pool_fen, tuple(payouts), pool_fen - paid, entries)
