"""Brand membership use cases (§7): what a settled order earns, and the money writes.

Decided here, outside the domain, and recorded in each command's payload:
- The referrer is the one the buyer registered through (members.referrer, bound for good).
- First purchase (the referrer's 0.1 token): the order is the buyer's first settled order.
  Under the economy's writer lock, taken before deciding, the buyer's settled orders are
  read: if this order is already recorded (a retried settlement) it is first when it is
  the earliest; otherwise it is first when none settled before and no earlier order of
  the same batch was the buyer's. So a retry decides the same payload (and is answered
  from the record) and two batches never both reward one referee.
- A dividend period is named like 2026-10 (month), 2026-Q4, 2026-W43 or 2026; it can be
  declared only once it is over in the economy's time zone, and once: the request id is
  the period, and a second declaration with another profit is refused.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Protocol

from zengzhi.app.codec import config_from_json
from zengzhi.app.daily import local_day, zone
from zengzhi.app.engines import EngineCache
from zengzhi.app.order_effects import EffectContext, register_order_effects
from zengzhi.app.ports import LedgerStore
from zengzhi.app.requests import CommandRequest, SettleOrderRequest
from zengzhi.app.writer import Reply, apply_batch
from zengzhi.domain.brand_commands import (
    BrandPurchase,
    BuyBackTokens,
    ConvertCoins,
    PayTokenDividend,
    RedeemCoupon,
    TransferTokens,
)
from zengzhi.domain.brand_rules import BrandRules, brand_rules_from
from zengzhi.domain.commands import MechanismCommand
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import DomainError

SYSTEM = "brand_membership"
_FIRST = "brand.first_purchase"  # scratch: buyers whose earlier order is in this batch


class NotBrandEconomy(DomainError):
    """Coins, tokens and proposals belong to brand membership economies only."""

    code = "not_brand_economy"


class InvalidPeriod(DomainError):
    """A dividend period not named the way the economy's period needs."""

    code = "invalid_period"


class PeriodNotOver(DomainError):
    """A period's profit can be declared only once the period is over."""

    code = "period_not_over"


class DividendAlreadyPaid(DomainError):
    """The period's dividend was already declared with another profit."""

    code = "dividend_already_paid"


class BrandStore(Protocol):
    def referrer(self, economy_id: str, member_id: str) -> str | None: ...

    def settled_orders(self, economy_id: str, member_id: str) -> list[tuple[str, int, int]]: ...

    def dividend(self, economy_id: str, period: str) -> Any: ...

    def add_dividend(self, values: dict[str, Any]) -> None: ...

    def coupon(self, economy_id: str, coupon_id: str) -> Any: ...

    def add_coupon(self, values: dict[str, Any]) -> None: ...


class BrandUnitOfWork(Protocol):
    @property
    def ledger(self) -> LedgerStore: ...

    @property
    def brand(self) -> BrandStore: ...

    def on_commit(self, callback: Any) -> None: ...


def brand_config(ledger: LedgerStore, economy_id: str) -> tuple[EconomyConfig, BrandRules]:
    config = config_from_json(ledger.economy(economy_id).config_json)
    if config.system != SYSTEM:
        raise NotBrandEconomy(f"economy {economy_id!r} runs {config.system}, not brand membership")
    return config, brand_rules_from(config)


# -- what a settled order earns ----------------------------------------------------------


def purchase_effects(context: EffectContext, order: SettleOrderRequest) -> list[CommandRequest]:
    """Coins for the buyer, and the referrer's share and first-purchase token."""
    uow: Any = context.uow
    uow.ledger.lock_economy(context.economy_id)  # decide "first" once across batches
    store: BrandStore = uow.brand
    member = order.member
    referrer = store.referrer(context.economy_id, member)
    first = False
    if referrer is not None:
        settled = store.settled_orders(context.economy_id, member)
        ids = [order_id for order_id, _, _ in settled]
        if order.order_id in ids:
            first = ids[0] == order.order_id
        else:
            first = not settled and member not in context.scratch.get(_FIRST, set())
    context.scratch.setdefault(_FIRST, set()).add(member)
    command = BrandPurchase(member, order.amount_fen, referrer, first)
    return [CommandRequest(order.order_id, command, after=order.key)]


register_order_effects(SYSTEM, purchase_effects)


# -- a member's or an operator's write ---------------------------------------------------


def submit_one(
    uow: BrandUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request_id: str,
    command: MechanismCommand,
    now: int,
) -> Reply:
    """One brand command through the writer, in a brand economy only."""
    brand_config(uow.ledger, economy_id)
    (reply,) = apply_batch(uow, engines, economy_id, [CommandRequest(request_id, command)], now)
    return reply


def convert(uow: BrandUnitOfWork, engines: EngineCache, economy_id: str, request_id: str,
            member: str, coins: int, now: int) -> Reply:  # fmt: skip
    return submit_one(uow, engines, economy_id, request_id, ConvertCoins(member, coins), now)


def give_tokens(uow: BrandUnitOfWork, engines: EngineCache, economy_id: str, request_id: str,
                member: str, to: str, tokens_micro: int, now: int) -> Reply:  # fmt: skip
    command = TransferTokens(member, to, tokens_micro)
    return submit_one(uow, engines, economy_id, request_id, command, now)


def buy_back(uow: BrandUnitOfWork, engines: EngineCache, economy_id: str, request_id: str,
             member: str, tokens_micro: int, price_fen: int | None, now: int) -> Reply:  # fmt: skip
    command = BuyBackTokens(member, tokens_micro, price_fen)
    return submit_one(uow, engines, economy_id, request_id, command, now)


def redeem(uow: BrandUnitOfWork, engines: EngineCache, economy_id: str, request_id: str,
           member: str, code: str, now: int) -> Reply:  # fmt: skip
    """Spend coins on a coupon; the coupon issued is kept under the request's key."""
    _, rules = brand_config(uow.ledger, economy_id)
    reply = submit_one(uow, engines, economy_id, request_id, RedeemCoupon(member, code), now)
    if reply.ok and uow.brand.coupon(economy_id, reply.key) is None:
        face = next(c.face_fen for c in rules.coupons if c.code == code)
        uow.brand.add_coupon(
            {
                "economy_id": economy_id,
                "coupon_id": reply.key,
                "member_id": member,
                "code": code,
                "coins": reply.result()["coins"],
                "face_fen": face,
                "event_seq": reply.event_seq,
                "created_at": now,
            }
        )
    return reply


def pay_dividend(
    uow: BrandUnitOfWork,
    engines: EngineCache,
    economy_id: str,
    period: str,
    declared_profit_fen: int,
    actor: str,
    now: int,
) -> Reply:
    """Fund the period's dividend pool from the declared profit and pay it; once a period."""
    config, rules = brand_config(uow.ledger, economy_id)
    end = period_end(rules.dividend_period, period)
    if local_day(now, zone(config)) < end:
        raise PeriodNotOver(
            f"period {period} is not over yet in {config.timezone}: declare its profit after"
            f" {end - timedelta(days=1)}"
        )
    done = uow.brand.dividend(economy_id, period)
    if done is not None and done.declared_profit_fen != declared_profit_fen:
        raise DividendAlreadyPaid(
            f"the dividend of {period} was already paid on a declared profit of"
            f" {done.declared_profit_fen} fen; a period is paid once"
        )
    command = PayTokenDividend(period, declared_profit_fen)
    reply = submit_one(uow, engines, economy_id, period, command, now)
    if reply.ok and done is None:
        result = reply.result()
        uow.brand.add_dividend(
            {
                "economy_id": economy_id,
                "period": period,
                "declared_profit_fen": declared_profit_fen,
                "funded_fen": result["funded_fen"],
                "paid_fen": result["paid_fen"],
                "holders_paid": result["holders_paid"],
                "event_seq": reply.event_seq,
                "declared_by": actor,
                "created_at": now,
            }
        )
    return reply


# -- periods -------------------------------------------------------------------------------

_PATTERNS = {
    "year": re.compile(r"(\d{4})"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "month": re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    "week": re.compile(r"(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])"),
}
_EXAMPLES = {"year": "2026", "quarter": "2026-Q4", "month": "2026-10", "week": "2026-W43"}


def period_end(kind: str, period: str) -> date:
    """The first local day after `period` (a `kind` period: year, quarter, month, week)."""
    found = _PATTERNS[kind].fullmatch(period)
    if found is None:
        raise InvalidPeriod(
            f"this economy pays dividends per {kind}: name the period like {_EXAMPLES[kind]},"
            f" not {period[:40]!r}"
        )
    try:
        return _end(kind, int(found.group(1)), found.group(found.lastindex or 1))
    except ValueError as error:  # a week 53 the year lacks, or past the calendar's end
        raise InvalidPeriod(f"{period} is not a {kind} of the calendar") from error


def _end(kind: str, year: int, part: str) -> date:
    if kind == "year":
        return date(year + 1, 1, 1)
    if kind == "week":
        return date.fromisocalendar(year, int(part), 1) + timedelta(weeks=1)
    months = 3 if kind == "quarter" else 1
    first_month = (int(part) - 1) * months + 1
    after = first_month - 1 + months  # months since January of the month after the period
    return date(year + after // 12, after % 12 + 1, 1)
