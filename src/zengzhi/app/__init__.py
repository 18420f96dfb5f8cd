"""Use cases over a unit of work: settle, sell, burn, inject, verify. Never commits itself."""

from zengzhi.app.batcher import MicroBatcher
from zengzhi.app.engines import EngineCache
from zengzhi.app.errors import IdempotencyConflict, NotCheckpointed, UnknownEconomy
from zengzhi.app.requests import (
    BurnRequest,
    InjectRequest,
    Request,
    SellPointsRequest,
    SettleOrderRequest,
)
from zengzhi.app.use_cases import (
    create_economy,
    inject,
    monthly_burn,
    register_member,
    register_merchant,
    register_store,
    sell_points,
    settle_order,
    submit,
)
from zengzhi.app.verify import VerifyReport, prove_inclusion, verify_economy
from zengzhi.app.writer import Reply

__all__ = [
    "BurnRequest",
    "EngineCache",
    "IdempotencyConflict",
    "InjectRequest",
    "MicroBatcher",
    "NotCheckpointed",
    "Reply",
    "Request",
    "SellPointsRequest",
    "SettleOrderRequest",
    "UnknownEconomy",
    "VerifyReport",
    "create_economy",
    "inject",
    "monthly_burn",
    "prove_inclusion",
    "register_member",
    "register_merchant",
    "register_store",
    "sell_points",
    "settle_order",
    "submit",
    "verify_economy",
]

from zengzhi.app import systems  # registers every system's order effects

assert systems.__name__
