"""What a merchant manages for itself in the merchant console: login, keys, stores.

A merchant logs in to the console with one of its API keys (key id and secret). That makes
a session of kind "merchant" whose subject is the key id, so revoking the key ends every
console session opened with it. No new credential exists to be forgotten or leaked: the
key already carries the merchant's full power over the signed API.
Secrets are 256-bit HMACs, so there is no lockout on wrong ones (guessing is hopeless and a
lockout would only let anyone who knows a key id lock its merchant out).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from zengzhi.app import register_store
from zengzhi.service import local_life
from zengzhi.service.accounts import NewSession, _new_session, authenticate
from zengzhi.service.context import Service
from zengzhi.service.errors import Forbidden, NotFound, Unauthenticated, WrongCredentials
from zengzhi.service.merchants import check_id, create_key, key_secret, revoke_key
from zengzhi.store.service_repository import reading

KIND = "merchant"


@dataclass(frozen=True, slots=True)
class MerchantSession:
    economy_id: str
    merchant_id: str
    name: str
    key_id: str  # the key this session was opened with


def login_with_key(svc: Service, key_id: str, secret: str) -> NewSession:
    """A console session for the merchant owning an active key whose secret matches."""
    key_id, secret = key_id.strip(), secret.strip()

    def work(uow: Any) -> NewSession:
        store = uow.service
        now = svc.now()
        key = store.key(key_id) if 0 < len(key_id) <= 64 else None
        if (
            key is None
            or key.revoked_at is not None
            or not hmac.compare_digest(key_secret(svc, key.key_id), secret)
        ):
            raise WrongCredentials("the key id or secret is wrong, or the key was revoked")
        store.audit(
            key.economy_id, now, f"merchant:{key.merchant_id}", "merchant.console_login",
            key.key_id, {},
        )  # fmt: skip
        return _new_session(svc, store, KIND, key.economy_id, key.key_id, now)

    return svc.run(work)


def session_merchant(svc: Service, token: str | None) -> MerchantSession:
    """The merchant behind a console session; refused once its key is revoked."""
    with reading(svc.database) as store:
        principal = authenticate(svc, store, token)
        if principal.kind != KIND:
            raise Unauthenticated("log in to the merchant console with an API key")
        key = store.key(principal.subject)
        if key is None or key.revoked_at is not None:
            raise Unauthenticated("the key this session was opened with was revoked: log in again")
        merchant = store.merchant_row(key.economy_id, key.merchant_id)
    name = (merchant.external_ref if merchant is not None else None) or key.merchant_id
    return MerchantSession(key.economy_id, key.merchant_id, name, key.key_id)


def keys(svc: Service, merchant: MerchantSession) -> list[dict[str, Any]]:
    with reading(svc.database) as store:
        rows = store.merchant_keys(merchant.economy_id, merchant.merchant_id)
    return [
        {"key_id": r.key_id, "created_at": r.created_at, "revoked_at": r.revoked_at} for r in rows
    ]


def new_key(svc: Service, merchant: MerchantSession) -> tuple[str, str]:
    """(key id, secret): the secret is shown once, now, and never again."""
    actor = f"merchant:{merchant.merchant_id}"
    return svc.run(
        lambda uow: create_key(
            svc, uow, merchant.economy_id, merchant.merchant_id, actor, svc.now()
        )
    )


def revoke(svc: Service, merchant: MerchantSession, key_id: str) -> None:
    """Revoke one of the merchant's own keys (never another merchant's)."""

    def work(uow: Any) -> None:
        key = uow.service.key(key_id)
        if key is None or key.economy_id != merchant.economy_id:
            raise NotFound(f"no key {key_id!r}")
        if key.merchant_id != merchant.merchant_id:
            raise Forbidden("this key belongs to another merchant")
        actor = f"merchant:{merchant.merchant_id}"
        revoke_key(svc, uow, merchant.economy_id, key_id, actor, svc.now())

    svc.run(work)


def stores(svc: Service, merchant: MerchantSession) -> list[dict[str, Any]]:
    with reading(svc.database) as store:
        rows = store.stores_of(merchant.economy_id, merchant.merchant_id)
    return [
        {"store_id": r.store_id, "name": r.external_ref or r.store_id, "created_at": r.created_at}
        for r in rows
    ]


def add_store(svc: Service, merchant: MerchantSession, store_id: str, name: str) -> None:
    """Register a store of this merchant (a ledger party, so orders can name it)."""
    check_id(store_id, "a store id")
    name = name.strip()

    def work(uow: Any) -> None:
        now = svc.now()
        # a store id taken in this economy is refused by the ledger (duplicate_party)
        register_store(uow, merchant.economy_id, store_id, merchant.merchant_id, now, name or None)
        uow.service.audit(
            merchant.economy_id, now, f"merchant:{merchant.merchant_id}", "store.created",
            store_id, {"name": name},
        )  # fmt: skip

    svc.run(work)


def store_link(svc: Service, economy_id: str, store_id: str) -> str:
    """What a store's QR code opens: the member app of this economy, naming the store and
    (local life, §6) the referral code of the member it binds new members to."""
    return local_life.store_link(svc, economy_id, store_id)
