"""A small economy with every kind of public transaction, built through the app use cases.

Members are named by phone numbers on purpose: the public side must never show them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import text

from zengzhi.app import (
    BurnRequest,
    EngineCache,
    InjectRequest,
    Request,
    SellPointsRequest,
    SettleOrderRequest,
    create_economy,
    submit,
)
from zengzhi.presets import load_preset
from zengzhi.store import Database

PHONES = ("13800138000", "13900139001", "13700137002", "13600136003")
START = 1_763_000_000_000_000  # 2025-11-13, microseconds
INJECTION_FEN = 1_000_000


@dataclass(frozen=True)
class PublicEconomy:
    economy_id: str
    members: tuple[str, ...]
    orders: int
    contributions_fen: int
    injected_fen: int
    transactions: int


def seed_public_economy(
    db: Database, economy_id: str, orders: int = 12, checkpoint_every: int = 4
) -> PublicEconomy:
    """Orders of 1000 yuan (the first member orders once, the others take turns), a sale,
    an operator injection that pushes the first member past 3x (a forced exit), a 1% burn."""
    clock = itertools.count(START, 60_000_000)  # a minute between batches
    engines = EngineCache()
    config = load_preset("appreciating-pool")
    db.run(lambda uow: create_economy(uow, economy_id, config, next(clock), checkpoint_every))

    def run(requests: list[Request]) -> None:
        db.run(lambda uow: submit(uow, engines, economy_id, requests, next(clock)))

    contributions = 0
    for n in range(orders):
        member = PHONES[0] if n == 0 else PHONES[1 + n % (len(PHONES) - 1)]
        run([SettleOrderRequest(f"order-{n}", member, 100_000)])
        contributions += config.pool_contribution(100_000)
        if n == 2:
            run([SellPointsRequest("sale-1", PHONES[2], 50_000_000)])
        if n == 5:
            run([InjectRequest("financing-1", INJECTION_FEN)])
        if n == 8:
            run([BurnRequest("monthly-burn:2025-11", Fraction("0.01"))])
    with db.engine.connect() as conn:
        count = conn.execute(
            text("SELECT tx_seq FROM economies WHERE economy_id = :e"), {"e": economy_id}
        ).scalar_one()
    return PublicEconomy(economy_id, PHONES, orders, contributions, INJECTION_FEN, int(count))
