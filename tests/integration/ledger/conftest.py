"""Databases for the ledger's integration tests: a SQLite file and a scratch PostgreSQL.

PostgreSQL: with ZENGZHI_TEST_PG set the tests must run (an unreachable server fails
them); without it 127.0.0.1:5432 is tried and the tests skip only if it is unreachable.
Each test session creates its own database `zz_<pid>_<random>` and drops it at the end,
so sessions sharing the server never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from zengzhi.store import Database, normalise_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, migrated, dropped afterwards."""
    required = "ZENGZHI_TEST_PG" in os.environ
    admin_url = normalise_url(os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"zz_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if required:
            pytest.fail(f"ZENGZHI_TEST_PG is set but PostgreSQL is unreachable: {error}")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    database.upgrade()
    database.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a migrated database of each kind (PostgreSQL shared within the session)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def economy_id() -> str:
    """A fresh economy id: tests sharing a database never touch each other's rows."""
    return f"eco-{uuid.uuid4().hex[:12]}"
