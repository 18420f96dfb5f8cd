"""Connections, migrations and the edge that commits: PostgreSQL or SQLite, one behaviour.

SQLite runs in WAL mode with `BEGIN IMMEDIATE` for every transaction, so the writer lock is
taken when the transaction starts and two writers never interleave. PostgreSQL runs at
READ COMMITTED and takes a row lock on the economy (`SELECT ... FOR UPDATE`) before
anything else. `Database.run` is the edge: it opens a unit of work, runs the use case,
commits, and retries the whole unit when the database reports a serialization failure,
a deadlock or a busy lock, which are never business errors.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from zengzhi.store.repository import SqlLedger

T = TypeVar("T")

DEFAULT_URL = "sqlite:///zengzhi.sqlite3"
# SQLSTATEs that mean "try the same transaction again"
_RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """One database: its engine, its migrations and the units of work on it."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = create_engine(self.url, **engine_options)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _sqlite_immediate(self.engine)
        # accounts known to exist, per economy (filled after commits; see the repository)
        self.known_accounts: dict[str, set[tuple[str, str, str]]] = {}

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` with the migrations shipped in the package."""
        config = Config()
        config.set_main_option("script_location", "zengzhi.store:migrations")
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def unit_of_work(self) -> Any:
        from zengzhi.store.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self)

    @contextmanager
    def snapshot(self) -> Iterator[SqlLedger]:
        """Reads on one consistent snapshot that never blocks the writer (verify, proofs).

        PostgreSQL: a read-only REPEATABLE READ transaction (at READ COMMITTED every
        statement would see a newer state). SQLite: a deferred transaction, which in WAL
        mode reads one snapshot while writers go on.
        """
        from zengzhi.store.repository import SqlLedger

        options: dict[str, Any] = {"zz_read_only": True}
        if not self.is_sqlite:
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with (
            self.engine.connect().execution_options(**options) as connection,
            connection.begin(),
        ):
            yield SqlLedger(connection, self, lambda _callback: None)

    def run(self, work: Callable[[Any], T], attempts: int = 8) -> T:
        """Run `work(uow)` in a unit of work and commit; retry transient database errors."""
        for attempt in range(1, attempts + 1):
            try:
                with self.unit_of_work() as uow:
                    result = work(uow)
                    uow.commit()
                    return result
            except DBAPIError as error:
                if attempt == attempts or not self.is_transient(error):
                    raise
                time.sleep(min(0.5, 0.005 * 2**attempt) * random.random())
        raise AssertionError("unreachable")

    def is_transient(self, error: DBAPIError) -> bool:
        """A serialization failure, deadlock or busy database: retrying is safe."""
        if self.is_sqlite:
            text = str(error.orig).lower()
            return "locked" in text or "busy" in text
        return getattr(error.orig, "sqlstate", None) in _RETRY_SQLSTATES

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_immediate(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE (the SQLAlchemy recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("zz_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
