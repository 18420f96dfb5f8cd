"""Local life (§6) on settled orders: the pool part and the commission split.

Before a local-life order settles, `price_order` decides its commission split from the
data outside the engine: the store's terms (commission, promoter, region), the region's
agents and the member's direct and indirect referrers. The order then settles with the
split's pool part as its `pool_fen` (seed 004: 160 of a 1,000 order at 20%), and the split
follows it as a `SplitStoreCommission` command with all that data recorded in its payload,
so `verify` replays it exactly. (decided) An order retried after its first settlement is
decided again from the ledger's record, never from terms changed since, so the retry gets
the recorded answer instead of an idempotency conflict. (decided) An order naming no store,
or a store an operator gave no terms, is split at the economy's reference commission with
no promoter and no agents (the store id, or else the merchant id, names the commission's
source).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any, Protocol

from zengzhi.app.order_effects import (
    EffectContext,
    register_order_effects,
    register_order_pricing,
)
from zengzhi.app.requests import CommandRequest, SettleOrderRequest
from zengzhi.domain.commands import command_from_payload
from zengzhi.domain.local_life import local_life_rules_from
from zengzhi.domain.local_life_commands import SplitStoreCommission

SYSTEM = "local_life"
_DECIDED = "local_life.decided"  # scratch: order key -> its split command


class LocalLifeStore(Protocol):
    """What deciding a split reads (store/local_life_repository.py)."""

    def terms(self, economy_id: str, store_id: str) -> Any: ...

    def agent(self, economy_id: str, level: str, region: str) -> str | None: ...

    def referral_chains(
        self, economy_id: str, members: Collection[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Each member's referrer and that referrer's referrer."""
        ...


def split_key(order: SettleOrderRequest) -> str:
    return f"{SplitStoreCommission.kind}:{order.order_id}"


def referrers(member: str, chain: tuple[str | None, str | None]) -> tuple[str, ...]:
    """The member's direct and indirect referrers (bound once, at registration) from the
    two links above them; a loop in the tree never pays the buyer nor anyone twice."""
    found: list[str] = []
    for up in chain:
        if up is None or up == member or up in found:
            break
        found.append(up)
    return tuple(found)


def region_paths(province: str, city: str, district: str) -> dict[str, str]:
    """Each agent level's region path for a store's region (a blank part ends it)."""
    paths: dict[str, str] = {}
    parts = [province, city, district]
    for depth, level in enumerate(("province", "city", "district"), start=1):
        if not all(parts[:depth]):
            break
        paths[level] = "/".join(parts[:depth])
    return paths


def _store_terms(
    store: LocalLifeStore, context: EffectContext, store_id: str | None
) -> tuple[Fraction, str | None, dict[str, str | None]]:
    """A store's (commission, promoter, agents by level); kept for the rest of the batch,
    which runs in one transaction, so one batch of a store's orders reads them once."""
    cache: dict[str | None, Any] = context.scratch.setdefault("local_life.stores", {})
    if store_id in cache:
        found: tuple[Fraction, str | None, dict[str, str | None]] = cache[store_id]
        return found
    terms = store.terms(context.economy_id, store_id) if store_id else None
    agents: dict[str, str | None] = {}
    if terms is None:
        found = (local_life_rules_from(context.config).commission, None, agents)
    else:
        for level, path in region_paths(terms.province, terms.city, terms.district).items():
            agents[level] = store.agent(context.economy_id, level, path)
        found = (Fraction(terms.commission), terms.promoter, agents)
    cache[store_id] = found
    return found


def decide_split(
    store: LocalLifeStore,
    context: EffectContext,
    order: SettleOrderRequest,
    chain: tuple[str | None, str | None],
) -> SplitStoreCommission:
    """The split command for a new order, from the store's terms as they are now."""
    commission, promoter, agents = _store_terms(store, context, order.store_id)
    return SplitStoreCommission(
        member=order.member,
        amount_fen=order.amount_fen,
        store_id=order.store_id or order.merchant_id or "",
        merchant=order.merchant_id or "",
        commission=commission,
        promoter=promoter,
        referrers=referrers(order.member, chain),
        district_agent=agents.get("district"),
        city_agent=agents.get("city"),
        province_agent=agents.get("province"),
    )


def price_order(
    context: EffectContext, orders: Sequence[SettleOrderRequest]
) -> list[SettleOrderRequest]:
    """The orders with their splits' pool parts; each split waits in the scratch for its
    effect. Orders recorded before answer from the record (one lookup for the batch)."""
    uow: Any = context.uow
    keys = {k for order in orders for k in (order.key, split_key(order))}
    recorded = uow.ledger.find_events(context.economy_id, keys)
    decided: dict[str, SplitStoreCommission] = context.scratch.setdefault(_DECIDED, {})
    new = [o.member for o in orders if o.key not in recorded]
    chains = uow.local_life.referral_chains(context.economy_id, new) if new else {}
    priced: list[SettleOrderRequest] = []
    for order in orders:
        key = split_key(order)
        if order.key in recorded:  # settled (or refused) before: answer from the record
            pool_fen = json.loads(recorded[order.key].payload).get("pool_fen")
            if key in recorded:
                found = command_from_payload(json.loads(recorded[key].payload))
                if isinstance(found, SplitStoreCommission):
                    decided[order.key] = found
            priced.append(replace(order, pool_fen=pool_fen))
            continue
        chain = chains.get(order.member, (None, None))
        command = decide_split(uow.local_life, context, order, chain)
        decided[order.key] = command
        priced.append(replace(order, pool_fen=command.split(context.config).pool_fen))
    return priced


def split_effects(context: EffectContext, order: SettleOrderRequest) -> list[CommandRequest]:
    decided: dict[str, SplitStoreCommission] = context.scratch.get(_DECIDED, {})
    command = decided.pop(order.key, None)
    if command is None:
        return []
    return [CommandRequest(order.order_id, command, after=order.key)]


register_order_pricing(SYSTEM, price_order)
register_order_effects(SYSTEM, split_effects)
