"""COPY many rows into PostgreSQL with as little Python per row as possible.

psycopg's `write_row` costs a few microseconds per row in Python; a day's dividends to a
million members copies several million rows (postings, staged balances and member cash,
positions). For rows of plain text, integers, booleans and NULLs the COPY text format can
be built by one `join` per row and sent in large chunks, about three times faster. Text
that would need escaping (a backslash, tab, newline or carriage return) is detected on
the built chunk by counting separators, and that chunk goes by binary COPY instead: the
fast path never guesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_CHUNK = 50_000  # rows per COPY text chunk: bounded memory, few round trips
# Below this many rows binary COPY as before: the writer's everyday batches (a few
# thousand rows) keep exactly the path the ledger benchmark measures.
TEXT_FROM = 20_000
_NULL = "\\N"


def copy_rows(raw: Any, target: str, types: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """COPY `rows` into `target` ("table (col, ...)"); `types` are the columns' PostgreSQL
    types, used by the binary fallback. Every value is str, int, bool or None unless a
    type is bytea, which always goes by binary COPY (as do fewer than TEXT_FROM rows)."""
    if not rows:
        return
    width = len(types)
    with raw.cursor() as cursor:
        if "bytea" in types or len(rows) < TEXT_FROM:
            _binary(cursor, target, types, rows)
            return
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            pending: list[tuple[Any, ...]] = []
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                text, nulls = _text(chunk)
                if (
                    text.count("\\") != nulls  # only the NULL markers may hold a backslash
                    or "\r" in text
                    or text.count("\t") != len(chunk) * (width - 1)
                    or text.count("\n") != len(chunk)
                ):
                    pending.extend(chunk)  # needs escaping: sent exactly, below
                    continue
                copy.write(text)
        if pending:
            _binary(cursor, target, types, pending)


def _text(rows: Sequence[tuple[Any, ...]]) -> tuple[str, int]:
    """The rows in COPY text format, and how many NULL markers it holds."""
    nulls = 0
    lines = []
    for row in rows:
        if None in row:
            nulls += row.count(None)
        lines.append("\t".join([_NULL if v is None else str(v) for v in row]))
    lines.append("")
    return "\n".join(lines), nulls


def _binary(
    cursor: Any, target: str, types: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    with cursor.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        write = copy.write_row
        for row in rows:
            write(row)
