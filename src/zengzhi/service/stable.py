"""Two tokens (§2) as a service: members convert and pay, merchants exchange and cash out,
operators buy back; everything through the single writer as registered commands.

Decisions (the rulebook is silent):
- A merchant holds stable points, appreciating points and cash on the ledger under the
  holder name `merchant:<id>` (`merchant_holder`): member ids are random `m_…` strings and
  merchant ids are chosen by operators, so without the prefix a merchant named like a
  member would share their accounts. A payment may name one of the merchant's stores; the
  merchant holds the points and the store is recorded in the payment's payload.
- Paying is member-initiated (POST with an Idempotency-Key, naming the merchant): the
  member's balance moves only on the member's own authenticated request, like scanning a
  shop's QR code and confirming, and a network retry applies once. A merchant-initiated
  charge would need a payment code the member hands over; it can be added on the same
  command later.
- A merchant's cash (from cash-outs and buybacks) is withdrawn through the same reviewed
  withdrawal flow as a member's: an operator approves or rejects it.
- Idempotency: members and operators give an Idempotency-Key header; a signed merchant
  request gives a `request_id` in its body (like an order id). Keys are namespaced by the
  caller so two callers' keys never collide.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from zengzhi.app.codec import config_from_json, decimal_text
from zengzhi.app.requests import CommandRequest
from zengzhi.app.writer import apply_batch
from zengzhi.domain.commands import MechanismCommand
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset
from zengzhi.domain.errors import InvalidAmount, UnknownMember
from zengzhi.domain.money import MICRO_PER_POINT, format_price, price_of
from zengzhi.domain.stable_points import (
    BuyBack,
    CashOutStable,
    ConvertToStable,
    ExchangeStable,
    PayStable,
    StableRules,
    cash_out_quote,
    convert_quote,
    exchange_quote,
    stable_rules_from,
)
from zengzhi.service.context import Service
from zengzhi.service.errors import InvalidInput, NotFound
from zengzhi.service.operators import actor
from zengzhi.service.wallet import withdraw
from zengzhi.store.service_repository import reading

MERCHANT_PREFIX = "merchant:"


class NoStablePoints(InvalidInput):
    """The economy has no [stable] section: it is not a two-token economy."""

    code = "no_stable_points"


class UnknownMerchant(NotFound):
    code = "unknown_merchant"


def merchant_holder(merchant_id: str) -> str:
    """The ledger holder of a merchant's accounts (see the module docstring)."""
    return MERCHANT_PREFIX + merchant_id


def _check_key(key: str) -> None:
    if not key or len(key) > 100:
        raise InvalidInput("send an Idempotency-Key (1-100 characters) with this request")


def _positive(value: Any, what: str) -> int:
    if type(value) is not int or value <= 0:
        raise InvalidAmount(f"{what} must be a whole number above zero")
    return value


def _economy(store: Any, economy_id: str) -> tuple[Any, EconomyConfig, StableRules]:
    row = store.economy_row(economy_id)
    if row is None:
        raise NotFound(f"no economy {economy_id!r}")
    config = config_from_json(store.config_text(economy_id, row.config_version))
    if "stable" not in config.sections:
        raise NoStablePoints("this economy has no stable points (it is not a two-token economy)")
    return row, config, stable_rules_from(config)


def _price(row: Any) -> Fraction:
    if row.points_micro:
        return price_of(row.pool_fen, row.points_micro)
    return Fraction(row.last_price)


def _submit(
    svc: Service, uow: Any, economy_id: str, request_id: str, command: MechanismCommand
) -> tuple[dict[str, Any], bool, int | None]:
    reply = apply_batch(uow, svc.engines, economy_id, [CommandRequest(request_id, command)],
                        svc.now())[0]  # fmt: skip
    result = reply.result()
    result["replayed"] = reply.replayed
    return result, reply.replayed, reply.event_seq


def _fees(rules: StableRules) -> dict[str, str]:
    return {
        "convert_fee": decimal_text(rules.convert_fee),
        "merchant_exchange_fee": decimal_text(rules.merchant_exchange_fee),
        "merchant_cashout_fee": decimal_text(rules.merchant_cashout_fee),
        "buyback_fee": decimal_text(rules.buyback_fee),
    }


# -- reading ---------------------------------------------------------------------------


def stable_rules_for(svc: Service, economy_id: str) -> StableRules:
    """The economy's [stable] rules in force (NoStablePoints without them)."""
    with reading(svc.database) as store:
        return _economy(store, economy_id)[2]


def overview(svc: Service, economy_id: str) -> dict[str, Any]:
    """The economy's two tokens: price, issued / cap, treasury, stable points outstanding."""
    with reading(svc.database) as store:
        row, config, rules = _economy(store, economy_id)
        treasury = store.balance(
            economy_id, AccountKind.TREASURY_POINTS.value, "", Asset.POINTS.value
        )
        stable_supply = store.balance(
            economy_id, AccountKind.STABLE_SUPPLY.value, "", Asset.STABLE.value
        )
    cap = config.pool.issuance_cap_micro
    return {
        "economy_id": economy_id,
        "price": format_price(_price(row)),
        "peg_fen": rules.peg_fen,
        "fees": _fees(rules),
        "pool_fen": row.pool_fen,
        "points_outstanding_micro": row.points_micro,
        "issued_micro": row.issued_micro,
        "issuance_cap_micro": cap,
        "issuance_left_micro": None if cap is None else max(0, cap - row.issued_micro),
        "minting_ended": cap is not None and row.issued_micro >= cap,
        "treasury_micro": treasury,
        "stable_outstanding_micro": -stable_supply,
        "risk": config.sections.get("disclosure", {}).get("risk_text", ""),
    }


def holder_balances(svc: Service, economy_id: str, holder: str) -> dict[str, Any]:
    """A holder's stable points, appreciating points and cash, with the price now."""
    with reading(svc.database) as store:
        row, _config, rules = _economy(store, economy_id)
        stable = store.balance(
            economy_id, AccountKind.MEMBER_STABLE.value, holder, Asset.STABLE.value
        )
        position = store.position(economy_id, holder)
    return {
        "holder": holder,
        "stable_micro": stable,
        "stable_value_fen": stable * rules.peg_fen // MICRO_PER_POINT,
        "points_micro": position.points_micro if position is not None else 0,
        "cash_fen": position.cash_fen if position is not None else 0,
        "price": format_price(_price(row)),
    }


def convert_preview(svc: Service, economy_id: str, points_micro: int) -> dict[str, Any]:
    """What converting would give at the price now (nothing moves): for a confirmation."""
    _positive(points_micro, "the points to convert")
    with reading(svc.database) as store:
        row, _config, rules = _economy(store, economy_id)
    price = _price(row)
    gross = convert_quote(points_micro, price, replace(rules, convert_fee=Fraction(0)))
    net = convert_quote(points_micro, price, rules)
    return {
        "points_micro": points_micro,
        "price": format_price(price),
        "convert_fee": decimal_text(rules.convert_fee),
        "stable_micro": net,
        "fee_stable_micro": gross - net,
        "peg_fen": rules.peg_fen,
    }


# -- members ---------------------------------------------------------------------------


def convert(
    svc: Service, economy_id: str, member_id: str, key: str, points_micro: int
) -> dict[str, Any]:
    """Convert a member's appreciating points to stable points at the price now."""
    _check_key(key)
    _positive(points_micro, "the points to convert")

    def work(uow: Any) -> dict[str, Any]:
        _economy(uow.service, economy_id)
        command = ConvertToStable(member_id, points_micro)
        return _submit(svc, uow, economy_id, f"{member_id}:{key}", command)[0]

    return svc.run(work)


def pay(
    svc: Service,
    economy_id: str,
    member_id: str,
    key: str,
    merchant_id: str,
    stable_micro: int,
    store_id: str | None = None,
) -> dict[str, Any]:
    """A member pays a merchant (optionally at one of its stores) in stable points."""
    _check_key(key)
    _positive(stable_micro, "the stable points to pay")

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        _economy(store, economy_id)
        if not store.merchant_exists(economy_id, merchant_id):
            raise UnknownMerchant(f"no merchant {merchant_id!r} in this economy")
        if store_id is not None and store_id not in {
            s.store_id for s in store.stores_of(economy_id, merchant_id)
        }:
            raise UnknownMerchant(f"merchant {merchant_id!r} has no store {store_id!r}")
        command = PayStable(member_id, merchant_holder(merchant_id), stable_micro, store_id)
        result = _submit(svc, uow, economy_id, f"{member_id}:{key}", command)[0]
        result["merchant_id"] = merchant_id
        return result

    return svc.run(work)


# -- merchants (signed requests) ------------------------------------------------------


def _merchant_request_id(merchant_id: str, request_id: str) -> str:
    if not request_id or len(request_id) > 100:
        raise InvalidInput("give a request_id (1-100 characters): it makes a retry safe")
    return f"{merchant_holder(merchant_id)}:{request_id}"


def merchant_exchange(
    svc: Service, economy_id: str, merchant_id: str, request_id: str, stable_micro: int
) -> dict[str, Any]:
    """A merchant's stable points back to appreciating points at the price now."""
    key = _merchant_request_id(merchant_id, request_id)
    _positive(stable_micro, "the stable points to exchange")

    def work(uow: Any) -> dict[str, Any]:
        _economy(uow.service, economy_id)
        command = ExchangeStable(merchant_holder(merchant_id), stable_micro)
        return _submit(svc, uow, economy_id, key, command)[0]

    return svc.run(work)


def merchant_cash_out(
    svc: Service, economy_id: str, merchant_id: str, request_id: str, stable_micro: int
) -> dict[str, Any]:
    """A merchant's stable points to its cash wallet, less the settlement fee."""
    key = _merchant_request_id(merchant_id, request_id)
    _positive(stable_micro, "the stable points to cash out")

    def work(uow: Any) -> dict[str, Any]:
        _economy(uow.service, economy_id)
        command = CashOutStable(merchant_holder(merchant_id), stable_micro)
        return _submit(svc, uow, economy_id, key, command)[0]

    return svc.run(work)


def merchant_quotes(svc: Service, economy_id: str, stable_micro: int) -> dict[str, Any]:
    """What exchanging or cashing out would give now (nothing moves)."""
    _positive(stable_micro, "the stable points")
    with reading(svc.database) as store:
        row, _config, rules = _economy(store, economy_id)
    price = _price(row)
    return {
        "stable_micro": stable_micro,
        "price": format_price(price),
        "exchange_points_micro": exchange_quote(stable_micro, price, rules),
        "cash_out_fen": cash_out_quote(stable_micro, rules),
        "fees": _fees(rules),
    }


def merchant_withdraw(
    svc: Service, economy_id: str, merchant_id: str, request_id: str, amount_fen: int,
    payout: str,
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """Withdraw a merchant's cash; an operator reviews it like a member's withdrawal."""
    if not request_id or len(request_id) > 100:
        raise InvalidInput("give a request_id (1-100 characters): it makes a retry safe")
    return withdraw(svc, economy_id, merchant_holder(merchant_id), request_id, amount_fen, payout)


# -- operators -------------------------------------------------------------------------


def buy_back(
    svc: Service,
    economy_id: str,
    operator_id: str,
    key: str,
    member_id: str | None,
    merchant_id: str | None,
    points_micro: int | None,
) -> dict[str, Any]:
    """The platform buys a holder's points at the price with the sell fee and burns them."""
    _check_key(key)
    if (member_id is None) == (merchant_id is None):
        raise InvalidInput("name exactly one holder: member_id or merchant_id")
    if points_micro is not None:
        _positive(points_micro, "the points to buy back")
    holder = member_id if member_id is not None else merchant_holder(str(merchant_id))

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        _economy(store, economy_id)
        if store.position(economy_id, holder) is None:
            raise UnknownMember(f"no holder {member_id or merchant_id!r} in this economy")
        command = BuyBack(holder, points_micro)
        result, replayed, event = _submit(svc, uow, economy_id, f"{operator_id}:{key}", command)
        if not replayed:
            store.audit(
                economy_id, now, actor(operator_id), "stable.buyback", holder,
                {"points_micro": result["burned_micro"], "cash_fen": result["cash_fen"],
                 "event": event},
            )  # fmt: skip
        return result

    return svc.run(work)
