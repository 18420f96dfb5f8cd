"""The writes a client can ask for, each carrying its idempotency key.

A request's fingerprint is the hash of its canonical form: the same key with the same
fingerprint is the same request (answered from the record), with another fingerprint a
conflict. Keys are namespaced by kind, so a merchant order id and a client request id
never collide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.app.codec import canonical_json, decimal_text
from zengzhi.domain.commands import MechanismCommand


@dataclass(frozen=True, slots=True)
class SettleOrderRequest:
    """A settled order; `pool_fen` defaults to the economy's pool share of the amount."""

    order_id: str  # the merchant's order id: the idempotency key
    member: str
    amount_fen: int
    pool_fen: int | None = None
    merchant_id: str | None = None
    store_id: str | None = None

    @property
    def key(self) -> str:
        return f"order:{self.order_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "order",
            "order_id": self.order_id,
            "member": self.member,
            "amount_fen": self.amount_fen,
            "pool_fen": self.pool_fen,
            "merchant_id": self.merchant_id,
            "store_id": self.store_id,
        }


@dataclass(frozen=True, slots=True)
class SellPointsRequest:
    """Sell `points_micro` of a member's points, or all of them when None."""

    request_id: str
    member: str
    points_micro: int | None

    @property
    def key(self) -> str:
        return f"sell:{self.request_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "sell",
            "request_id": self.request_id,
            "member": self.member,
            "points_micro": self.points_micro,
        }


@dataclass(frozen=True, slots=True)
class BurnRequest:
    """The periodic burn; `rate` defaults to the economy's `monthly_burn`."""

    request_id: str  # e.g. "monthly-burn:2026-11"
    rate: Fraction | None = None

    @property
    def key(self) -> str:
        return f"burn:{self.request_id}"

    def fields(self) -> dict[str, Any]:
        rate = None if self.rate is None else decimal_text(self.rate)
        return {"kind": "burn", "request_id": self.request_id, "rate": rate}


@dataclass(frozen=True, slots=True)
class InjectRequest:
    """Operator financing into the pool."""

    request_id: str
    amount_fen: int

    @property
    def key(self) -> str:
        return f"inject:{self.request_id}"

    def fields(self) -> dict[str, Any]:
        return {"kind": "inject", "request_id": self.request_id, "amount_fen": self.amount_fen}


@dataclass(frozen=True, slots=True)
class WithdrawRequest:
    """Hold `amount_fen` of a member's cash for a withdrawal under review (issue 4)."""

    withdrawal_id: str
    member: str
    amount_fen: int

    @property
    def key(self) -> str:
        return f"withdraw:{self.withdrawal_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "withdraw",
            "withdrawal_id": self.withdrawal_id,
            "member": self.member,
            "amount_fen": self.amount_fen,
        }


@dataclass(frozen=True, slots=True)
class ReviewWithdrawalRequest:
    """Pay out (approve) or return (reject) a held withdrawal; one decision per withdrawal."""

    withdrawal_id: str
    member: str
    amount_fen: int
    approve: bool

    @property
    def key(self) -> str:
        return f"review:{self.withdrawal_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "review",
            "withdrawal_id": self.withdrawal_id,
            "member": self.member,
            "amount_fen": self.amount_fen,
            "approve": self.approve,
        }


@dataclass(frozen=True, slots=True)
class AdjustRequest:
    """An operator's correction of a member's cash (fen) or points (micro), with a reason."""

    request_id: str
    member: str
    asset: str  # "cash" or "points"
    delta: int
    reason: str

    @property
    def key(self) -> str:
        return f"adjust:{self.request_id}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "adjust",
            "request_id": self.request_id,
            "member": self.member,
            "asset": self.asset,
            "delta": self.delta,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class DailyDividendRequest:
    """One day's §3 dividends as decided by `settle_day` (issue 5); once per economy and day."""

    day: str  # the economy's local date, YYYY-MM-DD
    pro_rata_pool_fen: int
    tier_pool_fen: int
    pro_rata: tuple[tuple[str, int], ...]
    tier: tuple[tuple[str, int], ...]

    @property
    def key(self) -> str:
        return f"daily:dividend:{self.day}"

    def fields(self) -> dict[str, Any]:
        return {
            "kind": "daily_dividend",
            "day": self.day,
            "pro_rata_pool_fen": self.pro_rata_pool_fen,
            "tier_pool_fen": self.tier_pool_fen,
            "pro_rata": [[m, fen] for m, fen in self.pro_rata],
            "tier": [[m, fen] for m, fen in self.tier],
        }


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A mechanism's command (§2-§7) under the caller's request id.

    The key is namespaced by the command's kind; the fingerprint covers the command's
    fields, so the same request id with other fields is a conflict. With `after`, the
    command is refused (`prerequisite_refused`) unless the request with that key was
    applied, in this batch or before: an order's effects never outlive a refused order.
    """

    request_id: str
    command: MechanismCommand
    # the key of a request this one follows (e.g. its order): applied only if that was
    after: str | None = None

    @property
    def key(self) -> str:
        return f"{self.command.kind}:{self.request_id}"

    def fields(self) -> dict[str, Any]:
        return {
            **self.command.payload(),
            "kind": self.command.kind,
            "request_id": self.request_id,
            "after": self.after,
        }


Request = (
    SettleOrderRequest
    | SellPointsRequest
    | BurnRequest
    | InjectRequest
    | WithdrawRequest
    | ReviewWithdrawalRequest
    | AdjustRequest
    | DailyDividendRequest
    | CommandRequest
)


def fingerprint(request: Request) -> str:
    return hashlib.sha256(canonical_json(request.fields()).encode()).hexdigest()
