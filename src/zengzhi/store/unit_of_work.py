"""The SQL unit of work: one connection, one transaction, committed only by the edge."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Connection, RootTransaction

from zengzhi.store.brand_repository import SqlBrand
from zengzhi.store.daily_repository import SqlDaily
from zengzhi.store.grant_repository import SqlGrants
from zengzhi.store.local_life_repository import SqlLocalLife
from zengzhi.store.repository import SqlLedger
from zengzhi.store.service_repository import SqlService

if TYPE_CHECKING:
    from zengzhi.store.database import Database


class SqlUnitOfWork:
    """Use as a context manager; leaving it without `commit()` rolls everything back."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._callbacks: list[Callable[[], None]] = []
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._ledger: SqlLedger | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._connection = self._database.engine.connect()
        self._transaction = self._connection.begin()
        self._ledger = SqlLedger(self._connection, self._database, self.on_commit)
        return self

    def __exit__(self, *_: object) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
            self._callbacks.clear()

    @property
    def ledger(self) -> SqlLedger:
        if self._ledger is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._ledger

    @property
    def service(self) -> SqlService:
        """The service's repository (issue 4) on the same connection and transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return SqlService(self._connection, self._database.is_sqlite)

    @property
    def daily(self) -> SqlDaily:
        """Periodic settlement's repository (issue 5) on the same transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return SqlDaily(self._connection, self._database.is_sqlite)

    @property
    def grants(self) -> SqlGrants:
        """Locked grants' and shared purchase's repository (§4, §5) on the same transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return SqlGrants(self._connection, self._database.is_sqlite)

    @property
    def local_life(self) -> SqlLocalLife:
        """Local life's repository (issue 6, §6) on the same transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return SqlLocalLife(self._connection, self._database.is_sqlite)

    @property
    def brand(self) -> SqlBrand:
        """Brand membership's repository (issue 6 §7) on the same transaction."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return SqlBrand(self._connection, self._database.is_sqlite)

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        self._transaction.commit()
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()
