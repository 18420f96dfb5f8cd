"""The generic path for §2-§7 commands on both databases: applied once, refused whole,
balances kept outside the engine, and replayed by `verify`."""

from __future__ import annotations

from sqlalchemy import text

from tests.integration.ledger.support import new_economy, now, scalar, verify
from tests.mechanism_commands import CoinsForCash, GiveCoins
from zengzhi.app import EngineCache
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
