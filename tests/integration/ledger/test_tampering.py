"""`verify` finds every kind of direct tampering and names the first broken transaction."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, text
from typer.testing import CliRunner

from tests.integration.ledger.support import new_economy, now, tampering, verify
from zengzhi.app import InjectRequest, SellPointsRequest, SettleOrderRequest, submit
from zengzhi.cli import app
from zengzhi.ledger.chain import chain_hash
from zengzhi.ledger.model import Leg, Transaction
from zengzhi.store import Database

TARGET = 13  # the transaction the intruder touches


def _books(db: Database, economy_id: str) -> int:
    """An economy with orders, a sale and an injection: 24 transactions, 3 checkpoints."""
    engines = new_economy(db, economy_id, checkpoint_every=8)
    requests: list = [SettleOrderRequest(f"o{n}", f"m{n % 4}", 40_000 + 997 * n) for n in range(16)]
    requests.append(SellPointsRequest("s1", "m1", 5_000_000))
    requests.append(InjectRequest("i1", 12_345))
    requests += [SettleOrderRequest(f"p{n}", f"m{n % 5}", 25_000 + n) for n in range(6)]
    for start in range(0, len(requests), 5):
        chunk = requests[start : start + 5]
        db.run(lambda uow, c=chunk: submit(uow, engines, economy_id, c, now()))
    report = verify(db, economy_id)
    assert report.ok, report.problems
    assert report.transactions == 24
    return report.transactions


def _sql(*statements: str) -> Callable[[Connection, str], None]:
    def run(conn: Connection, economy_id: str) -> None:
        for sql in statements:
            conn.execute(text(sql), {"e": economy_id, "k": TARGET, "z": bytes(32)})

    return run


def _alter_event(conn: Connection, economy_id: str) -> None:
    row = conn.execute(
        text(
            "SELECT seq, payload FROM events WHERE economy_id = :e AND seq ="
            " (SELECT event_seq FROM transactions WHERE economy_id = :e AND seq = :k)"
        ),
        {"e": economy_id, "k": TARGET},
    ).one()
    payload = json.loads(row.payload)
    payload["pool_fen"] += 1
    conn.execute(
        text("UPDATE events SET payload = :p WHERE economy_id = :e AND seq = :s"),
        {"p": json.dumps(payload), "e": economy_id, "s": row.seq},
    )


def _swap(conn: Connection, economy_id: str) -> None:
    for table, column in (("transactions", "seq"), ("postings", "tx_seq")):
        for old, new in ((TARGET, -1), (TARGET + 1, TARGET), (-1, TARGET + 1)):
            conn.execute(
                text(f"UPDATE {table} SET {column} = :n WHERE economy_id = :e AND {column} = :o"),
                {"n": new, "o": old, "e": economy_id},
            )


def _rechain(conn: Connection, economy_id: str) -> None:
    """Alter a leg, then recompute every later hash and the head: only replay can tell."""
    conn.execute(
        text(
            "UPDATE postings SET amount = amount + 7 WHERE economy_id = :e AND tx_seq = :k"
            " AND kind = 'member_points'"
        ),
        {"e": economy_id, "k": TARGET},
    )
    conn.execute(
        text(
            "UPDATE postings SET amount = amount - 7 WHERE economy_id = :e AND tx_seq = :k"
            " AND kind = 'points_supply'"
        ),
        {"e": economy_id, "k": TARGET},
    )
    prev = bytes(32)
    rows = conn.execute(
        text("SELECT * FROM transactions WHERE economy_id = :e ORDER BY seq"), {"e": economy_id}
    ).all()
    for row in rows:
        legs = conn.execute(
            text(
                "SELECT kind, holder, asset, amount FROM postings WHERE economy_id = :e"
                " AND tx_seq = :s ORDER BY leg"
            ),
            {"e": economy_id, "s": row.seq},
        ).all()
        tx = Transaction(
            economy_id, row.seq, row.event_seq, row.kind, row.member, row.recorded_at,
            tuple(Leg(*leg) for leg in legs),
        )  # fmt: skip
        prev = chain_hash(prev, tx)
        conn.execute(
            text("UPDATE transactions SET hash = :h WHERE economy_id = :e AND seq = :s"),
            {"h": prev, "e": economy_id, "s": row.seq},
        )
    conn.execute(
        text("UPDATE economies SET head_hash = :h WHERE economy_id = :e"),
        {"h": prev, "e": economy_id},
    )


TAMPERINGS: dict[str, tuple[Callable[[Connection, str], None], int | None]] = {
    "alter a posting's amount": (
        _sql(
            "UPDATE postings SET amount = amount + 1 WHERE economy_id = :e AND tx_seq = :k"
            " AND leg = 0"
        ),
        TARGET,
    ),
    "alter a transaction's member": (
        _sql("UPDATE transactions SET member = 'mallory' WHERE economy_id = :e AND seq = :k"),
        TARGET,
    ),
    "alter a transaction's time": (
        _sql(
            "UPDATE transactions SET recorded_at = recorded_at + 1"
            " WHERE economy_id = :e AND seq = :k"
        ),
        TARGET,
    ),
    "alter a stored hash": (
        _sql("UPDATE transactions SET hash = :z WHERE economy_id = :e AND seq = :k"),
        TARGET,
    ),
    "delete a transaction": (
        _sql(
            "DELETE FROM postings WHERE economy_id = :e AND tx_seq = :k",
            "DELETE FROM transactions WHERE economy_id = :e AND seq = :k",
        ),
        TARGET,
    ),
    "insert a posting": (
        _sql("INSERT INTO postings VALUES (:e, :k, 9, 'pool', '', 'cash', 0)"),
        TARGET,
    ),
    "insert a transaction": (
        _sql(
            "INSERT INTO transactions VALUES (:e, 25, 24, 'injection', NULL, 0, :z)",
            "INSERT INTO postings VALUES (:e, 25, 0, 'injection_funding', '', 'cash', -100)",
            "INSERT INTO postings VALUES (:e, 25, 1, 'pool', '', 'cash', 100)",
        ),
        25,
    ),
    "reorder two transactions": (_swap, TARGET),
    "alter the event behind a transaction": (_alter_event, TARGET),
    "alter a leg and recompute the chain": (_rechain, TARGET),
    "alter a balance": (
        _sql("UPDATE balances SET balance = balance + 100 WHERE economy_id = :e AND kind = 'pool'"),
        None,
    ),
    "alter the pool total": (
        _sql("UPDATE economies SET pool_fen = pool_fen + 1 WHERE economy_id = :e"),
        None,
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERINGS))
def test_verify_names_the_first_broken_transaction(
    db: Database, economy_id: str, kind: str
) -> None:
    _books(db, economy_id)
    tamper, broken = TAMPERINGS[kind]
    with tampering(db) as conn:
        tamper(conn, economy_id)
    report = verify(db, economy_id)
    assert not report.ok
    assert report.first_broken == broken, report.problems


def test_the_cli_fails_and_names_the_transaction(db: Database, economy_id: str) -> None:
    _books(db, economy_id)
    runner = CliRunner()
    url = db.engine.url.render_as_string(hide_password=False)
    clean = runner.invoke(app, ["verify", economy_id, "--url", url])
    assert clean.exit_code == 0
    assert "verified" in clean.output
    with tampering(db) as conn:
        _swap(conn, economy_id)
    broken = runner.invoke(app, ["verify", economy_id, "--url", url])
    assert broken.exit_code == 1
    assert f"first broken transaction: {TARGET}" in broken.output


def test_a_forged_checkpoint_is_found(db: Database, economy_id: str) -> None:
    _books(db, economy_id)
    with tampering(db) as conn:
        conn.execute(
            text("UPDATE checkpoints SET root = :z WHERE economy_id = :e AND number = 2"),
            {"e": economy_id, "z": bytes(32)},
        )
    report = verify(db, economy_id)
    assert [p.what for p in report.problems] == [
        "checkpoint 2 (transactions 9-16) does not match the Merkle root of the stored transactions"
    ]
