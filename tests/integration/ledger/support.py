"""Helpers shared by the ledger's integration tests: clocks, economies, direct SQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from zengzhi.app import EngineCache, create_economy, verify_economy
from zengzhi.app.verify import VerifyReport
from zengzhi.presets import load_preset
from zengzhi.store import Database

_ticks = itertools.count(1_763_000_000_000_000, 1_000)


def now() -> int:
    """A deterministic clock (microseconds): one millisecond per call."""
    return next(_ticks)


def new_economy(db: Database, economy_id: str, checkpoint_every: int = 8) -> EngineCache:
    config = load_preset("appreciating-pool")
    db.run(lambda uow: create_economy(uow, economy_id, config, now(), checkpoint_every))
    return EngineCache()


def verify(db: Database, economy_id: str) -> VerifyReport:
    with db.snapshot() as reader:
        return verify_economy(reader, economy_id)


def scalar(db: Database, sql: str, **params: Any) -> Any:
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


@contextmanager
def tampering(db: Database) -> Iterator[Connection]:
    """A connection that bypasses the append-only triggers, as an intruder with DB rights."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            names = (
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'zz_%'"
                )
                .scalars()
                .all()
            )
            for name in names:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield conn
        conn.commit()
