"""The generic path for §2-§7 commands on both databases: applied once, refused whole,
balances kept outside the engine, and replayed by `verify`."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.ledger.support import new_economy, now, scalar, verify
from tests.mechanism_commands import CoinsForCash, GiveCoins
from zengzhi.app import EngineCache, SettleOrderRequest, order_effects
from zengzhi.app.order_effects import EffectContext
from zengzhi.app.requests import CommandRequest
from zengzhi.app.writer import apply_batch
from zengzhi.store import Database


def _submit(db: Database, engines: EngineCache, economy_id: str, *requests: CommandRequest):
    return db.run(lambda uow: apply_batch(uow, engines, economy_id, list(requests), now()))


def _coins(db: Database, economy_id: str, holder: str) -> int:
    return int(
        scalar(
            db,
            "SELECT coalesce(sum(balance), 0) FROM balances WHERE economy_id = :e "
            "AND kind = 'member_coins' AND holder = :h",
            e=economy_id,
            h=holder,
        )
    )


def test_a_command_applies_once_and_an_overdraft_is_refused_whole(
    db: Database, economy_id: str
) -> None:
    engines = new_economy(db, economy_id)
    give = CommandRequest("g1", GiveCoins("ann", 50))
    first, again = _submit(db, engines, economy_id, give, give)
    assert first.result()["coins"] == 50
    assert again.replayed
    assert first.key == "test_give_coins:g1"

    # 60 coins are more than ann holds: refused, nothing moves, ann is not enrolled
    (refused,) = _submit(db, engines, economy_id, CommandRequest("c1", CoinsForCash("ann", 60, 9)))
    assert refused.error is not None
    assert refused.error.code == "insufficient_balance"
    assert _coins(db, economy_id, "ann") == 50
    assert scalar(db, "SELECT count(*) FROM members WHERE economy_id = :e", e=economy_id) == 0

    # a cold writer (another process) reads the holdings back from the store
    cold = EngineCache()
    (paid,) = _submit(db, cold, economy_id, CommandRequest("c2", CoinsForCash("ann", 20, 700)))
    assert paid.result()["cash_fen"] == 700
    (short,) = _submit(db, cold, economy_id, CommandRequest("c3", CoinsForCash("ann", 31, 1)))
    assert short.error is not None
    assert short.error.code == "insufficient_balance"
    assert _coins(db, economy_id, "ann") == 30
    assert (
        scalar(
            db,
            "SELECT cash_fen FROM members WHERE economy_id = :e AND member_id = 'ann'",
            e=economy_id,
        )
        == 700
    )
    report = verify(db, economy_id)
    assert report.ok, report.problems


def test_the_same_request_id_with_other_fields_is_a_conflict(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    _submit(db, engines, economy_id, CommandRequest("g1", GiveCoins("ann", 50)))
    (other,) = _submit(db, engines, economy_id, CommandRequest("g1", GiveCoins("ann", 51)))
    assert other.error is not None
    assert other.error.code == "idempotency_conflict"


def test_verify_finds_an_edited_coin_balance(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    _submit(db, engines, economy_id, CommandRequest("g1", GiveCoins("ann", 50)))
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE balances SET balance = 5000 WHERE economy_id = :e AND kind = 'member_coins'"
            ),
            {"e": economy_id},
        )
    problems = [p.what for p in verify(db, economy_id).problems]
    assert problems == ["balance of member_coins/ann (coins) is 5000 but the postings give 50"]


def test_an_orders_effects_apply_with_it_and_never_without_it(
    db: Database, economy_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system's order effects: coins with every order, none for a refused order."""

    def coins_for(context: EffectContext, order: SettleOrderRequest) -> list[CommandRequest]:
        first = order.member not in context.scratch  # the batch's earlier orders count too
        context.scratch[order.member] = True
        coins = order.amount_fen // 100 + (5 if first else 0)
        return [CommandRequest(order.order_id, GiveCoins(order.member, coins), after=order.key)]

    monkeypatch.setitem(order_effects._EFFECTS, "appreciating_pool", coins_for)
    engines = new_economy(db, economy_id)
    orders = [
        SettleOrderRequest("o1", "ann", 10_000),
        SettleOrderRequest("o2", "ann", 20_000),
        SettleOrderRequest("o3", "bob", -5),  # refused by the rules: no coins either
    ]
    settled = db.run(
        lambda uow: order_effects.settle_orders(uow, engines, economy_id, orders, now())
    )
    assert [s.order.ok for s in settled] == [True, True, False]
    assert [e.result()["coins"] for e in settled[0].effects + settled[1].effects] == [105, 200]
    refused = settled[2].effects[0].error
    assert refused is not None
    assert refused.code == "prerequisite_refused"
    assert _coins(db, economy_id, "ann") == 305
    assert _coins(db, economy_id, "bob") == 0

    # settled again (a retry): the same replies from the record, nothing twice
    again = db.run(
        lambda uow: order_effects.settle_orders(uow, engines, economy_id, orders[:2], now())
    )
    assert all(s.order.replayed and s.effects[0].replayed for s in again)
    assert _coins(db, economy_id, "ann") == 305

    # an effect that follows an order not recorded at all is refused too
    (orphan,) = _submit(
        db, engines, economy_id, CommandRequest("x", GiveCoins("cy", 1), after="order:none")
    )
    assert orphan.error is not None
    assert "is not recorded" in orphan.error.message
    # and one that follows an order recorded in an earlier batch applies
    (late,) = _submit(
        db, engines, economy_id, CommandRequest("y", GiveCoins("ann", 1), after="order:o1")
    )
    assert late.ok
    report = verify(db, economy_id)
    assert report.ok, report.problems
