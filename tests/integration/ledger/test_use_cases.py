"""The use cases on both databases: books, replies, idempotency and refusals."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from fractions import Fraction
from typing import Any

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.integration.ledger.support import new_economy, now, scalar, verify
from zengzhi.app import (
    BurnRequest,
    EngineCache,
    IdempotencyConflict,
    InjectRequest,
    NotCheckpointed,
    SellPointsRequest,
    SettleOrderRequest,
    inject,
    monthly_burn,
    prove_inclusion,
    register_member,
    register_merchant,
    register_store,
    sell_points,
    settle_order,
    submit,
)
from zengzhi.app.errors import DuplicateParty, UnknownEconomy
from zengzhi.domain import InsufficientPoints, UnknownMember
from zengzhi.store import Database


def _count(db: Database, table: str, economy_id: str) -> int:
    return int(scalar(db, f"SELECT count(*) FROM {table} WHERE economy_id = :e", e=economy_id))


def test_orders_price_as_in_the_seed_documents(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    prices = []
    for n in range(3):
        request = SettleOrderRequest(f"o{n}", f"m{n}", 100_000)
        reply = db.run(lambda uow, r=request: settle_order(uow, engines, economy_id, r, now()))
        prices.append(reply.result()["price"])
    assert prices == ["1.4286", "1.6807", "1.8674"]  # seeds 002/004: 1.43, 1.68, 1.87
    assert scalar(db, "SELECT pool_fen FROM economies WHERE economy_id = :e", e=economy_id) == (
        90_000
    )
    assert verify(db, economy_id).ok


def test_every_transaction_balances_per_asset(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    requests = [SettleOrderRequest(f"o{n}", f"m{n % 4}", 50_000 + n) for n in range(20)]
    db.run(lambda uow: submit(uow, engines, economy_id, requests, now()))
    db.run(
        lambda uow: sell_points(
            uow, engines, economy_id, SellPointsRequest("s", "m1", 1_000_000), now()
        )
    )
    unbalanced = scalar(
        db,
        "SELECT count(*) FROM (SELECT tx_seq, asset FROM postings WHERE economy_id = :e"
        " GROUP BY tx_seq, asset HAVING sum(amount) <> 0) AS t",
        e=economy_id,
    )
    assert unbalanced == 0
    assert _count(db, "transactions", economy_id) == 21


def test_a_repeated_order_is_answered_from_the_record(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    request = SettleOrderRequest("order-1", "alice", 100_000, merchant_id="shop")
    first = db.run(lambda uow: settle_order(uow, engines, economy_id, request, now()))
    again = db.run(lambda uow: settle_order(uow, engines, economy_id, request, now()))
    assert again.body == first.body
    assert again.event_seq == first.event_seq
    assert again.replayed
    assert not first.replayed
    assert _count(db, "transactions", economy_id) == 1
    assert _count(db, "orders", economy_id) == 1


def test_a_key_reused_for_another_request_is_a_conflict(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(
        lambda uow: settle_order(
            uow, engines, economy_id, SettleOrderRequest("o1", "alice", 100_000), now()
        )
    )
    other = SettleOrderRequest("o1", "alice", 200_000)
    reply = db.run(lambda uow: settle_order(uow, engines, economy_id, other, now()))
    with pytest.raises(IdempotencyConflict, match="already used for a different request"):
        reply.result()
    assert _count(db, "events", economy_id) == 1
    assert scalar(db, "SELECT pool_fen FROM economies WHERE economy_id = :e", e=economy_id) == (
        30_000
    )


def test_a_refused_request_fails_the_same_way_when_retried(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(
        lambda uow: settle_order(
            uow, engines, economy_id, SettleOrderRequest("o1", "alice", 100_000), now()
        )
    )
    too_many = SellPointsRequest("sell-1", "alice", 10**12)
    first = db.run(lambda uow: sell_points(uow, engines, economy_id, too_many, now()))
    # the member sells some points in between: the retry must still fail as recorded
    db.run(
        lambda uow: sell_points(
            uow, engines, economy_id, SellPointsRequest("sell-2", "alice", 1), now()
        )
    )
    again = db.run(lambda uow: sell_points(uow, engines, economy_id, too_many, now()))
    for reply in (first, again):
        with pytest.raises(InsufficientPoints, match="cannot sell"):
            reply.result()
    assert again.body == first.body
    assert again.event_seq == first.event_seq


def test_selling_for_an_unknown_member_is_refused(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    request = SellPointsRequest("s1", "nobody", 5)
    reply = db.run(lambda uow: sell_points(uow, engines, economy_id, request, now()))
    with pytest.raises(UnknownMember):
        reply.result()
    assert verify(db, economy_id).ok


def test_duplicates_inside_one_batch_apply_once(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    request = SettleOrderRequest("o1", "alice", 100_000)
    replies = db.run(lambda uow: submit(uow, engines, economy_id, [request] * 3, now()))
    assert len({r.body for r in replies}) == 1
    assert _count(db, "transactions", economy_id) == 1


def test_burn_and_inject_are_recorded_once(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    orders = [SettleOrderRequest(f"o{n}", f"m{n}", 100_000) for n in range(3)]
    db.run(lambda uow: submit(uow, engines, economy_id, orders, now()))
    burn = BurnRequest("2026-11", rate=None)
    real_burn = BurnRequest("2026-12", rate=Fraction(1, 100))
    for _ in range(2):
        db.run(lambda uow: monthly_burn(uow, engines, economy_id, burn, now()))
        b = db.run(lambda uow: monthly_burn(uow, engines, economy_id, real_burn, now()))
        i = db.run(
            lambda uow: inject(uow, engines, economy_id, InjectRequest("inj-1", 50_000), now())
        )
    assert b.result()["burned_micro"] == (210_000_000 + 147_000_000 + 124_950_000) // 100
    assert i.result()["pool_fen"] == 90_000 + 50_000
    assert _count(db, "events", economy_id) == 6
    assert verify(db, economy_id).ok


def test_a_new_engine_continues_from_the_stored_state(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    first = [SettleOrderRequest(f"o{n}", f"m{n % 3}", 100_000) for n in range(5)]
    db.run(lambda uow: submit(uow, engines, economy_id, first, now()))
    restarted = type(engines)()  # another process: nothing cached
    later = [SettleOrderRequest(f"p{n}", f"m{n % 4}", 70_000) for n in range(5)]
    a = db.run(lambda uow: submit(uow, restarted, economy_id, later, now()))
    assert a[-1].result()["event"] == 10
    assert verify(db, economy_id).ok


def test_registered_members_merchants_and_stores(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(lambda uow: register_member(uow, economy_id, "bob", now(), "13800000000", None))
    db.run(lambda uow: register_member(uow, economy_id, "carol", now(), None, "bob"))
    db.run(lambda uow: register_merchant(uow, economy_id, "cafe", now()))
    db.run(lambda uow: register_store(uow, economy_id, "cafe-1", "cafe", now()))
    with pytest.raises(DuplicateParty):
        db.run(lambda uow: register_member(uow, economy_id, "bob", now()))
    request = SettleOrderRequest("o1", "carol", 100_000, merchant_id="cafe", store_id="cafe-1")
    db.run(lambda uow: settle_order(uow, engines, economy_id, request, now()))
    assert (
        scalar(
            db,
            "SELECT referrer FROM members WHERE economy_id = :e AND member_id = 'carol'",
            e=economy_id,
        )
        == "bob"
    )
    assert verify(db, economy_id).ok


def test_an_unknown_economy_is_a_clear_error(db: Database) -> None:
    request = SettleOrderRequest("o1", "alice", 100_000)
    with pytest.raises(UnknownEconomy, match="no economy 'missing'"):
        db.run(lambda uow: settle_order(uow, EngineCache(), "missing", request, now()))


def test_an_inclusion_proof_proves_one_transaction(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id, checkpoint_every=8)
    requests = [SettleOrderRequest(f"o{n}", f"m{n % 5}", 30_000 + n) for n in range(20)]
    db.run(lambda uow: submit(uow, engines, economy_id, requests, now()))
    with db.unit_of_work() as uow:
        proof = prove_inclusion(uow.ledger, economy_id, 11)
        assert (proof.checkpoint, proof.index, proof.size) == (2, 2, 8)
        assert proof.verify()
        assert not replace(proof, tx_hash=bytes(32)).verify()
        with pytest.raises(NotCheckpointed):
            prove_inclusion(uow.ledger, economy_id, 17)


# -- the database's own guards -------------------------------------------------------------


def test_recorded_rows_cannot_be_updated_or_deleted(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(
        lambda uow: settle_order(
            uow, engines, economy_id, SettleOrderRequest("o1", "alice", 100_000), now()
        )
    )
    statements = [
        "UPDATE postings SET amount = amount + 1 WHERE economy_id = :e",
        "DELETE FROM postings WHERE economy_id = :e",
        "UPDATE transactions SET member = 'mallory' WHERE economy_id = :e",
        "DELETE FROM transactions WHERE economy_id = :e",
        "DELETE FROM events WHERE economy_id = :e",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql), {"e": economy_id})
    assert verify(db, economy_id).ok


def test_a_balance_may_not_go_negative_except_sources(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(
        lambda uow: settle_order(
            uow, engines, economy_id, SettleOrderRequest("o1", "alice", 100_000), now()
        )
    )
    with pytest.raises(DBAPIError, match="not_negative"), db.engine.begin() as conn:
        conn.execute(
            text("UPDATE balances SET balance = -1 WHERE economy_id = :e AND kind = 'pool'"),
            {"e": economy_id},
        )
    negative_source = scalar(
        db,
        "SELECT balance FROM balances WHERE economy_id = :e AND kind = 'points_supply'",
        e=economy_id,
    )
    assert negative_source == -210_000_000


def test_an_unbalanced_transaction_is_refused_at_commit(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    db.run(
        lambda uow: settle_order(
            uow, engines, economy_id, SettleOrderRequest("o1", "alice", 100_000), now()
        )
    )
    rows = [
        "INSERT INTO transactions VALUES (:e, 2, 1, 'order', NULL, 0, :h)",
        "INSERT INTO postings VALUES (:e, 2, 0, 'pool', '', 'cash', 500)",
        "INSERT INTO postings VALUES (:e, 2, 1, 'order_funding', '', 'cash', -400)",
        "UPDATE economies SET tx_seq = 2 WHERE economy_id = :e",
    ]

    def forge() -> None:
        with db.engine.begin() as conn:
            for sql in rows:
                conn.execute(text(sql), {"e": economy_id, "h": bytes(32)})

    with pytest.raises(DBAPIError, match="balance"):
        forge()
    assert _count(db, "transactions", economy_id) == 1


def test_transient_database_errors_are_retried(db: Database) -> None:
    attempts = []

    def work(_uow: object) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            orig = (
                Exception("database is locked")
                if db.is_sqlite
                else psycopg.errors.SerializationFailure("could not serialize access")
            )
            raise DBAPIError("COMMIT", {}, orig)
        return "done"

    assert db.run(work) == "done"
    assert len(attempts) == 3


def test_business_errors_are_not_retried(db: Database) -> None:
    attempts = []

    def work(_uow: object) -> None:
        attempts.append(1)
        raise InsufficientPoints("no")

    with pytest.raises(InsufficientPoints):
        db.run(work)
    assert len(attempts) == 1


@pytest.mark.pg
def test_a_real_deadlock_is_retried(pg_url: str) -> None:
    """PostgreSQL picks our unit of work as the deadlock victim; the edge runs it again."""
    db = Database(pg_url)
    first, second = (f"dl-{n}-{now()}" for n in range(2))
    for name in (first, second):
        new_economy(db, name)
    lock = "SELECT 1 FROM economies WHERE economy_id = :e FOR UPDATE"
    ours_waiting, intruder_holds = threading.Event(), threading.Event()
    attempts: list[int] = []

    def intruder() -> None:
        with db.engine.begin() as conn:
            conn.execute(text(lock), {"e": second})
            intruder_holds.set()
            assert ours_waiting.wait(30)
            time.sleep(0.3)  # let our transaction wait first: its deadlock check fires first
            conn.execute(text(lock), {"e": first})

    def work(uow: Any) -> str:
        attempts.append(1)
        conn = uow.ledger._conn
        conn.execute(text(lock), {"e": first})
        if len(attempts) == 1:
            thread.start()
            assert intruder_holds.wait(30)
            threading.Timer(0.1, ours_waiting.set).start()
        conn.execute(text(lock), {"e": second})
        return "both locked"

    thread = threading.Thread(target=intruder)
    assert db.run(work) == "both locked"
    thread.join(30)
    assert len(attempts) == 2
    db.dispose()
