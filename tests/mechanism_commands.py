"""Two small mechanism commands for tests of the generic command path (writer, codec, verify).

They are registered under kinds no real mechanism uses ("test_*"), so the writer, the
codec and `verify` handle them exactly as they handle §2-§7's commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import Outcome, PoolEngine


@register
@dataclass(frozen=True, slots=True)
class GiveCoins:
    """Coins from the supply to a holder (like brand coins earned)."""

    kind: ClassVar[str] = "test_give_coins"
    holder: str
    coins: int

    def payload(self) -> dict[str, Any]:
        return {"holder": self.holder, "coins": self.coins}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["holder"], payload["coins"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        legs = transfer(
            Asset.COINS,
            self.coins,
            (AccountKind.COIN_SUPPLY, None),
            (AccountKind.MEMBER_COINS, self.holder),
        )
        entry = Entry(EntryKind.COINS_EARNED, self.holder, legs)
        holdings.apply([entry])
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {"holder": self.holder, "coins": self.coins}


@register
@dataclass(frozen=True, slots=True)
class CoinsForCash:
    """A holder hands coins back and receives `fen` cash from the platform (joins them)."""

    kind: ClassVar[str] = "test_coins_for_cash"
    holder: str
    coins: int
    fen: int

    def payload(self) -> dict[str, Any]:
        return {"holder": self.holder, "coins": self.coins, "fen": self.fen}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(payload["holder"], payload["coins"], payload["fen"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        legs = (
            *transfer(
                Asset.COINS,
                self.coins,
                (AccountKind.MEMBER_COINS, self.holder),
                (AccountKind.COIN_SUPPLY, None),
            ),
            *transfer(
                Asset.CASH,
                self.fen,
                (AccountKind.PLATFORM_FUNDING, None),
                (AccountKind.MEMBER_CASH, self.holder),
            ),
        )
        entry = Entry(EntryKind.COUPON_REDEMPTION, self.holder, legs)
        holdings.apply([entry])  # refuses an overdraft before the engine changes
        engine.give_cash(self.holder, self.fen)
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {"holder": self.holder, "cash_fen": self.fen}
