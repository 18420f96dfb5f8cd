"""Merchants: API keys, signed requests, and the life of an order.

An order is reported when it is paid, and earns nothing yet. It is settled by the merchant
or, once the economy's return window has passed, by `settle_due_orders`; settlement goes
through the ledger's settle-order use case, which grants the points. Before settlement an
order may be cancelled or refunded (no rewards); after it, a refund is refused.

Merchant secrets are not stored: each is HMAC(server secret, key id), shown once when the
key is made and recomputed when a request arrives.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from zengzhi.app import SettleOrderRequest, register_merchant
from zengzhi.app.codec import canonical_json, config_from_json
from zengzhi.app.errors import IdempotencyConflict, UnknownEconomy
from zengzhi.app.order_effects import settle_orders
from zengzhi.domain.errors import InvalidAmount, UnknownMember
from zengzhi.security.signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureRejected,
    check_signature,
)
from zengzhi.service.accounts import normalise_phone, random_id
from zengzhi.service.context import MICROS, Service
from zengzhi.service.errors import AlreadySettled, Exists, InvalidInput, NotFound, OrderClosed
from zengzhi.store.service_repository import reading

log = logging.getLogger("zengzhi.service")
DAY = 86_400 * MICROS
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:")


def check_id(value: str, what: str, longest: int = 64) -> str:
    if not value or len(value) > longest or not set(value) <= _ID_CHARS:
        raise InvalidInput(
            f"{what} must be 1 to {longest} letters, digits or _ - . : (got {value[:80]!r})"
        )
    return value


def key_secret(svc: Service, key_id: str) -> str:
    message = f"merchant-key|{key_id}".encode()
    return hmac.new(svc.secret.encode(), message, hashlib.sha256).hexdigest()


# -- merchants and keys (operators) -------------------------------------------------------


def create_merchant(svc: Service, uow: Any, economy_id: str, merchant_id: str, name: str,
                    actor: str, now: int) -> None:  # fmt: skip
    check_id(merchant_id, "a merchant id")
    store = uow.service
    if store.merchant_exists(economy_id, merchant_id):
        raise Exists(f"merchant {merchant_id!r} already exists in this economy")
    register_merchant(uow, economy_id, merchant_id, now, external_ref=name or None)
    store.audit(economy_id, now, actor, "merchant.created", merchant_id, {"name": name})


def create_key(
    svc: Service, uow: Any, economy_id: str, merchant_id: str, actor: str, now: int
) -> tuple[str, str]:
    """A new API key (id, secret); the secret is shown only now."""
    store = uow.service
    if not store.merchant_exists(economy_id, merchant_id):
        raise NotFound(f"no merchant {merchant_id!r} in this economy")
    key_id = random_id("mk_", 10)
    store.add_key(key_id, economy_id, merchant_id, now)
    store.audit(economy_id, now, actor, "merchant.key_created", merchant_id, {"key_id": key_id})
    return key_id, key_secret(svc, key_id)


def revoke_key(svc: Service, uow: Any, economy_id: str, key_id: str, actor: str, now: int) -> None:
    store = uow.service
    if not store.revoke_key(economy_id, key_id, now):
        raise NotFound(f"no active key {key_id!r} in this economy")
    store.audit(economy_id, now, actor, "merchant.key_revoked", key_id, {})


def authenticate_request(
    svc: Service, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> tuple[str, str]:
    """The (economy, merchant) of a correctly signed, fresh, never-seen request."""
    key_id = headers.get(KEY_HEADER, "")
    missing = [
        h
        for h in (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
        if not headers.get(h)
    ]
    if missing:
        raise SignatureRejected("unsigned_request", f"missing header(s): {', '.join(missing)}")
    now = svc.now()
    window = svc.settings.merchant_signature_window_seconds

    def work(uow: Any) -> tuple[str, str]:
        store = uow.service
        key = store.key(key_id)
        if key is None or key.revoked_at is not None:
            raise SignatureRejected("unknown_key", "the API key is unknown or revoked")
        check_signature(
            key_secret(svc, key_id),
            method=method,
            path=path,
            timestamp=headers.get(TIMESTAMP_HEADER, ""),
            nonce=headers.get(NONCE_HEADER, ""),
            body=body,
            signature=headers.get(SIGNATURE_HEADER, ""),
            now=now // MICROS,
            window_seconds=window,
        )
        # nonces older than two windows can never pass the time check again: forget them
        horizon = now - 2 * window * MICROS
        if not store.use_nonce(key.economy_id, key_id, headers[NONCE_HEADER], now, horizon):
            raise SignatureRejected("nonce_reused", "this nonce was already used: sign anew")
        return key.economy_id, key.merchant_id

    # committed on its own, before the request's work: a replayed request is refused even
    # when the first one failed
    return svc.run(work)


# -- orders --------------------------------------------------------------------------------


def order_json(row: Any) -> dict[str, Any]:
    return {
        "order_id": row.order_id,
        "merchant_id": row.merchant_id,
        "member_id": row.member_id,
        "store_id": row.store_id,
        "amount_fen": row.amount_fen,
        "status": row.status,
        "reported_at": row.reported_at,
        "settle_due_at": row.due_at,
        "updated_at": row.updated_at,
        "event_seq": row.event_seq,
    }


def ledger_order_id(merchant_id: str, order_id: str) -> str:
    """Order ids are the merchant's own: prefix the merchant so two never collide."""
    return f"{merchant_id}/{order_id}"


def _member_of(store: Any, economy_id: str, member_id: str | None, phone: str | None) -> str:
    if member_id:
        if store.member_account(economy_id, member_id) is None:
            raise UnknownMember(f"no member {member_id!r} in this economy")
        return member_id
    if phone:
        found = store.member_by_phone(economy_id, normalise_phone(phone))
        if found is None:
            raise UnknownMember("no member with this phone in this economy")
        member: str = found.member_id
        return member
    raise InvalidInput("name the member: member_id or member_phone")


def report_order(
    svc: Service,
    economy_id: str,
    merchant_id: str,
    order_id: str,
    amount_fen: int,
    member_id: str | None,
    member_phone: str | None,
    store_id: str | None,
) -> tuple[dict[str, Any], bool]:
    """Record a paid order (no rewards yet). Idempotent by the merchant's order id:
    (order, created)."""
    check_id(order_id, "an order id", 100)
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidAmount("an order amount is a positive whole number of fen")

    def work(uow: Any) -> tuple[dict[str, Any], bool]:
        store = uow.service
        now = svc.now()
        member = _member_of(store, economy_id, member_id, member_phone)
        fingerprint = hashlib.sha256(
            canonical_json([member, amount_fen, store_id]).encode()
        ).hexdigest()
        existing = store.merchant_order(economy_id, merchant_id, order_id)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    f"order {order_id!r} was already reported with other details"
                )
            return order_json(existing), False
        row = store.economy_row(economy_id)
        if row is None:
            raise UnknownEconomy(f"no economy {economy_id!r}")
        config = config_from_json(store.config_text(economy_id, row.config_version))
        values = {
            "economy_id": economy_id,
            "merchant_id": merchant_id,
            "order_id": order_id,
            "member_id": member,
            "store_id": store_id,
            "amount_fen": amount_fen,
            "status": "reported",
            "fingerprint": fingerprint,
            "reported_at": now,
            "due_at": now + config.return_window_days * DAY,
            "updated_at": now,
        }
        if not store.add_merchant_order(values):
            raise IdempotencyConflict(f"order {order_id!r} is being reported concurrently")
        return order_json(store.merchant_order(economy_id, merchant_id, order_id)), True

    return svc.run(work)


def settle(svc: Service, economy_id: str, merchant_id: str, order_id: str) -> dict[str, Any]:
    """Settle a reported order through the ledger: the member's points are minted now."""

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        row = _order(store, economy_id, merchant_id, order_id)
        if row.status in ("cancelled", "refunded"):
            raise OrderClosed(f"order {order_id!r} was {row.status}: it cannot be settled")
        request = SettleOrderRequest(
            ledger_order_id(merchant_id, order_id),
            row.member_id,
            row.amount_fen,
            merchant_id=merchant_id,
            store_id=row.store_id,
        )
        # a settled order answers again from the ledger's record (same reply every time)
        (done,) = settle_orders(uow, svc.engines, economy_id, [request], now)
        reply = done.order
        result = reply.result()
        for effect in done.effects:
            effect.result()  # an effect the rules refuse is a bug: nothing is committed
        if row.status == "reported":
            store.set_order_status(
                economy_id, merchant_id, order_id, "settled", now, reply.event_seq
            )
            store.audit(
                economy_id, now, f"merchant:{merchant_id}", "order.settled", order_id,
                {"event": reply.event_seq, "minted_micro": result.get("minted_micro")},
            )  # fmt: skip
        order = order_json(store.merchant_order(economy_id, merchant_id, order_id))
        return {"order": order, "settlement": result}

    return svc.run(work)


def close(
    svc: Service, economy_id: str, merchant_id: str, order_id: str, status: str
) -> dict[str, Any]:
    """Cancel or refund an order before settlement; after it, refuse."""

    def work(uow: Any) -> dict[str, Any]:
        store = uow.service
        now = svc.now()
        row = _order(store, economy_id, merchant_id, order_id)
        if row.status == "settled":
            raise AlreadySettled(
                f"order {order_id!r} is settled and its rewards were granted: it can no longer"
                f" be {'refunded' if status == 'refunded' else 'cancelled'}"
            )
        if row.status == status:
            return order_json(row)  # asked again: the same answer
        if row.status != "reported":
            raise OrderClosed(f"order {order_id!r} was already {row.status}")
        store.set_order_status(economy_id, merchant_id, order_id, status, now)
        store.audit(economy_id, now, f"merchant:{merchant_id}", f"order.{status}", order_id, {})
        return order_json(store.merchant_order(economy_id, merchant_id, order_id))

    return svc.run(work)


def _order(store: Any, economy_id: str, merchant_id: str, order_id: str) -> Any:
    row = store.merchant_order(economy_id, merchant_id, order_id)
    if row is None:
        raise NotFound(f"no order {order_id!r} of this merchant")
    return row


def settle_due_in(svc: Service, economy_id: str, now: int | None = None, batch: int = 500) -> int:
    """Settle one economy's orders whose return window has passed."""
    settled = 0
    while True:
        done = svc.run(partial(_settle_batch, svc, economy_id=economy_id, now=now, limit=batch))
        settled += done
        if done < batch:
            return settled


def settle_due_orders(svc: Service, now: int | None = None, batch: int = 500) -> int:
    """Settle every reported order whose return window has passed; how many were settled.

    One batch per economy per unit of work, through the ledger's batch path.
    """
    settled = 0
    with reading(svc.database) as store:
        economies = store.economy_ids()
    for economy_id in economies:
        settled += settle_due_in(svc, economy_id, now, batch)
    return settled


def _settle_batch(svc: Service, uow: Any, *, economy_id: str, now: int | None, limit: int) -> int:
    store = uow.service
    at = svc.now() if now is None else now
    rows = store.due_orders(economy_id, at, limit)
    if not rows:
        return 0
    requests = [
        SettleOrderRequest(
            ledger_order_id(r.merchant_id, r.order_id),
            r.member_id,
            r.amount_fen,
            merchant_id=r.merchant_id,
            store_id=r.store_id,
        )
        for r in rows
    ]
    settled = settle_orders(uow, svc.engines, economy_id, requests, at)
    count = 0
    for row, done in zip(rows, settled, strict=True):
        reply = done.order
        for effect in done.effects:
            if not effect.ok:
                log.error("order %s: effect %s refused: %s", row.order_id, effect.key, effect.error)
        if not reply.ok:
            log.warning(
                "order %s of %s not settled: %s", row.order_id, row.merchant_id, reply.error
            )
            continue
        store.set_order_status(
            economy_id, row.merchant_id, row.order_id, "settled", at, reply.event_seq
        )
        store.audit(
            economy_id, at, "system", "order.auto_settled", row.order_id,
            {"merchant": row.merchant_id, "event": reply.event_seq},
        )  # fmt: skip
        count += 1
    return count  # fewer than asked (a refusal) ends this round: the rest waits for the next
