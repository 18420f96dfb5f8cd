"""Every query of the store is scoped to one economy (architecture.md: shardable by it).

A crude but failing-loud check: each repository method that runs SQL must mention
`economy_id` (or take the economy's id as `eid` and pass it into its rows). The two
generic helpers that only ever receive rows already carrying the economy are listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2] / "src" / "zengzhi" / "store" / "repository.py"
SQL_CALLS = {"execute", "exec_driver_sql", "_pg", "copy"}
# helpers whose rows or tables carry no economy of their own: rows come with eid in them
GENERIC = {"_insert", "_stage", "_pg"}


def _runs_sql(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in SQL_CALLS
        for call in ast.walk(node)
    )


def test_every_query_names_its_economy() -> None:
    source = REPOSITORY.read_text(encoding="utf-8")
    tree = ast.parse(source)
    unscoped = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and _runs_sql(node) and node.name not in GENERIC:
            body = ast.get_source_segment(source, node) or ""
            if "economy_id" not in body and "eid" not in body:
                unscoped.append(node.name)
    assert unscoped == []


def test_the_check_sees_the_methods_that_run_sql() -> None:
    tree = ast.parse(REPOSITORY.read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and _runs_sql(n)}
    assert {"_economy_row", "find_events", "tx_hashes", "_balances", "_members"} <= names
