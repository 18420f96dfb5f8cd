"""A day's cyclic-purchase dividends as one replayable command (mechanisms.md §3).

Design: the day's payouts are decided by `settle_dividends` from the members' quota and
shares, which are member state outside the pool engine. The ledger records the decision
itself (who got how much, the two pools) as one command, so a replay of the stored
events re-creates exactly the same balanced entries and wallet credits without needing
the quota table; the quota consumed is kept by the store beside the ledger.
Entries are `DividendDay.entries`'s (one function decides both): fund the pools, the
pro-rata pool paid as one entry, the tier pool as one entry, then whatever was not paid
goes back to the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zengzhi.domain.daily_dividends import DividendDay, day_entries
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.pool import Outcome, PoolEngine

Payments = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PayDailyDividends:
    """Pay one day's dividends: `day` is the economy's local date (YYYY-MM-DD)."""

    day: str
    pro_rata_pool_fen: int
    tier_pool_fen: int
    pro_rata: Payments  # (member, fen), only members paid something
    tier: Payments

    @property
    def pool_fen(self) -> int:
        return self.pro_rata_pool_fen + self.tier_pool_fen

    @property
    def paid_fen(self) -> int:
        return sum(fen for _, fen in self.pro_rata) + sum(fen for _, fen in self.tier)

    def payees(self) -> list[str]:
        """Members in the order they are credited (first appearance)."""
        seen: dict[str, None] = {}
        for member, _ in self.pro_rata + self.tier:
            seen.setdefault(member, None)
        return list(seen)


def payout_of(day: str, result: DividendDay, member_ids: Sequence[str]) -> PayDailyDividends:
    """The command for a settled day; members are named by position in `member_ids`."""
    if len(member_ids) != len(result.pro_rata_paid):
        raise InvalidAmount("a payout needs exactly one member id per position")
    return PayDailyDividends(
        day,
        result.pro_rata_pool_fen,
        result.tier_pool_fen,
        tuple((m, fen) for m, fen in zip(member_ids, result.pro_rata_paid, strict=True) if fen),
        tuple((m, fen) for m, fen in zip(member_ids, result.tier_paid, strict=True) if fen),
    )


def apply_daily_dividends(engine: PoolEngine, command: PayDailyDividends) -> Outcome:
    """Credit every payee's wallet and return the day's balanced entries."""
    for amount in (command.pro_rata_pool_fen, command.tier_pool_fen):
        if type(amount) is not int or amount < 0:
            raise InvalidAmount("a dividend pool must be a whole, non-negative number of fen")
    for _, fen in command.pro_rata + command.tier:
        if type(fen) is not int or fen <= 0:
            raise InvalidAmount("every dividend payment must be a positive whole number of fen")
    returned = command.pool_fen - command.paid_fen
    if returned < 0:
        raise InvalidAmount(
            f"the day's payments ({command.paid_fen} fen) exceed its pools ({command.pool_fen})"
        )
    give_cash = engine.give_cash
    for member, fen in command.pro_rata + command.tier:
        give_cash(member, fen)
    # the same entries as DividendDay.entries: one rule for the ledger's shape
    entries = day_entries(
        command.pro_rata_pool_fen, command.tier_pool_fen, command.pro_rata, command.tier
    )
    return Outcome(tuple(entries), ())
