"""Bulk COPY on PostgreSQL: the fast text path and its fallback store every value exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine

from zengzhi.store import copy_rows as copy_module
from zengzhi.store.copy_rows import copy_rows


def _round_trip(pg_url: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            raw: Any = conn.connection.driver_connection
            with raw.cursor() as cursor:
                cursor.execute("CREATE TEMP TABLE zz_copy (n int8, t text, b bool, k int8)")
            copy_rows(raw, "zz_copy (n, t, b, k)", ["int8", "text", "bool", "int8"], rows)
            with raw.cursor() as cursor:
                cursor.execute("SELECT n, t, b, k FROM zz_copy ORDER BY n")
                return list(cursor.fetchall())
    finally:
        engine.dispose()


def test_text_that_needs_escaping_is_copied_exactly(pg_url: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(copy_module, "_CHUNK", 3)  # clean and dirty chunks in one COPY
    monkeypatch.setattr(copy_module, "TEXT_FROM", 1)
    rows: list[tuple[Any, ...]] = [
        (1, "plain", True, None),
        (2, "", False, -5),
        (3, "会员", True, 2**62),
        (4, "tab\there", False, 1),
        (5, "back\\slash \\N", True, 2),
        (6, "new\nline\r", False, 3),
        (7, "after", True, 4),
        (8, "\\N", None, None),  # a backslash-N that is text, not NULL
    ]
    assert _round_trip(pg_url, rows) == rows
