"""A live service over real HTTP on SQLite and (when reachable or required) PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.integration.ledger.conftest import pg_url  # noqa: F401  (the shared PG fixture)
from tests.integration.service.support import World, open_world
from zengzhi.store import Database


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("service") / "service.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return url


@pytest.fixture
def world(sqlite_url: str) -> Iterator[World]:
    with open_world(sqlite_url, f"eco-{uuid.uuid4().hex[:8]}") as w:
        yield w
