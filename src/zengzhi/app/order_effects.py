"""What a settled order does beyond the pool, per system: the one place systems plug in.

An order settles into the pool (`SettleOrderRequest`) in every system; a system may add
its own effects: a locked grant (§4/§5), the commission split (§6), coins and referral
rewards (§7). A system registers a function that turns one order into the requests of
its effects; `settle_orders` applies every order followed by its effects in one writer
batch. Each effect names its order in `CommandRequest.after`, so an order the rules
refuse carries no effects, and keys derived from the order id make a retried settlement
answer from the record instead of applying twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zengzhi.app.codec import config_from_json
from zengzhi.app.engines import EngineCache
from zengzhi.app.ports import UnitOfWork
from zengzhi.app.requests import CommandRequest, SettleOrderRequest
from zengzhi.app.writer import Reply, apply_batch
from zengzhi.domain.economy import EconomyConfig


@dataclass
class EffectContext:
    """What an effect function may read: the unit of work, the rules, the time, and a
    scratch dict for what earlier orders of the same batch decided (e.g. first purchases)."""

    uow: UnitOfWork
    economy_id: str
    config: EconomyConfig
    now: int
    scratch: dict[str, Any] = field(default_factory=dict)


OrderEffects = Callable[[EffectContext, SettleOrderRequest], list[CommandRequest]]
_EFFECTS: dict[str, OrderEffects] = {}
# a system whose orders feed the pool by its own rule (§6: the store's commission split)
OrderPricing = Callable[[EffectContext, Sequence[SettleOrderRequest]], list[SettleOrderRequest]]
_PRICING: dict[str, OrderPricing] = {}


def register_order_effects(system: str, effects: OrderEffects) -> None:
    """Let `system`'s orders carry `effects` (one function per system)."""
    _EFFECTS[system] = effects


def register_order_pricing(system: str, pricing: OrderPricing) -> None:
    """Let `system` set each order's pool part (`pool_fen`) before it settles (given the
    whole batch, so it can read what it needs at once); runs before the system's effects,
    which may read what it decided from `context.scratch`."""
    _PRICING[system] = pricing


@dataclass(frozen=True, slots=True)
class SettledOrder:
    """An order's reply and the replies of its effects, in the order they were applied."""

    order: Reply
    effects: tuple[Reply, ...]


def settle_orders(
    uow: UnitOfWork,
    engines: EngineCache,
    economy_id: str,
    orders: Sequence[SettleOrderRequest],
    now: int,
) -> list[SettledOrder]:
    """Settle the orders, each followed by its system's effects, as one batch."""
    config = config_from_json(uow.ledger.economy(economy_id).config_json)
    effects = _EFFECTS.get(config.system)
    pricing = _PRICING.get(config.system)
    context = EffectContext(uow, economy_id, config, now)
    batch: list[SettleOrderRequest | CommandRequest] = []
    sizes: list[int] = []
    if pricing is not None:
        orders = pricing(context, orders)
    for order in orders:
        follow = [] if effects is None else effects(context, order)
        batch += [order, *follow]
        sizes.append(len(follow))
    replies = apply_batch(uow, engines, economy_id, batch, now)
    settled: list[SettledOrder] = []
    at = 0
    for size in sizes:
        settled.append(SettledOrder(replies[at], tuple(replies[at + 1 : at + 1 + size])))
        at += 1 + size
    return settled
