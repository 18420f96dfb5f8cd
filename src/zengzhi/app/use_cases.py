"""The use cases: each runs inside a unit of work the caller (the edge) commits.

Every write goes through `apply_batch`, so a single request and a batch of thousands take
the same path: lock the economy, apply in order, record, chain. The single-request forms
return the reply; `Reply.result()` gives its body or raises the (recorded) refusal.
"""

from __future__ import annotations

from collections.abc import Sequence

from zengzhi.app.codec import config_to_json
from zengzhi.app.engines import EngineCache
from zengzhi.app.ports import UnitOfWork
from zengzhi.app.requests import (
    BurnRequest,
    InjectRequest,
    Request,
    SellPointsRequest,
    SettleOrderRequest,
)
from zengzhi.app.writer import Reply, apply_batch
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import InvalidRule

DEFAULT_CHECKPOINT_EVERY = 1024


def create_economy(
    uow: UnitOfWork,
    economy_id: str,
    config: EconomyConfig,
    now: int,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
) -> None:
    """A new economy with its first configuration (version 1) and empty books."""
    if not economy_id or len(economy_id) > 64:
        raise InvalidRule("an economy id is 1 to 64 characters")
    if checkpoint_every < 1:
        raise InvalidRule("checkpoint_every must be at least 1")
    uow.ledger.create_economy(economy_id, config_to_json(config), now, checkpoint_every)


def register_member(
    uow: UnitOfWork,
    economy_id: str,
    member_id: str,
    now: int,
    external_ref: str | None = None,
    referrer: str | None = None,
) -> None:
    """A member known before their first order (a sign-up, a referral)."""
    uow.ledger.add_party(economy_id, "members", member_id, external_ref, referrer, now)


def register_merchant(
    uow: UnitOfWork,
    economy_id: str,
    merchant_id: str,
    now: int,
    external_ref: str | None = None,
    referrer: str | None = None,
) -> None:
    uow.ledger.add_party(economy_id, "merchants", merchant_id, external_ref, referrer, now)


def register_store(
    uow: UnitOfWork,
    economy_id: str,
    store_id: str,
    merchant_id: str,
    now: int,
    external_ref: str | None = None,
) -> None:
    uow.ledger.add_party(
        economy_id, "stores", store_id, external_ref, None, now, merchant_id=merchant_id
    )


def submit(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    requests: Sequence[Request],
    now: int,
) -> list[Reply]:
    """Any mix of requests, applied in order as one batch."""
    return apply_batch(uow, engines, economy_id, requests, now)


def settle_order(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request: SettleOrderRequest,
    now: int,
) -> Reply:
    """Mint the member's points for a settled order and grow the pool."""
    return apply_batch(uow, engines, economy_id, [request], now)[0]


def sell_points(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request: SellPointsRequest,
    now: int,
) -> Reply:
    """Sell a member's points back to the pool, less the fee that stays in it."""
    return apply_batch(uow, engines, economy_id, [request], now)[0]


def monthly_burn(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request: BurnRequest,
    now: int,
) -> Reply:
    """Burn the configured share of every holder's points (once per request id)."""
    return apply_batch(uow, engines, economy_id, [request], now)[0]


def inject(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    request: InjectRequest,
    now: int,
) -> Reply:
    """Operator financing into the pool."""
    return apply_batch(uow, engines, economy_id, [request], now)[0]
