"""Imports point inwards only (architecture.md): each layer may import only the listed ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "zengzhi"

# layer -> the layers of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "ledger": {"domain"},
    "app": {"domain", "ledger"},
    "store": {"domain", "ledger", "app"},  # the ledger's storage (issue 3): app must not import it
    # issue 4: the service's operations over app and store; never the HTTP layer
    "service": {"domain", "ledger", "app", "store", "security", "sms", "sim", "presets", "config"},
}


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "zengzhi" or name.startswith("zengzhi.")}


def _layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_inner_layers(layer: str) -> None:
    allowed = ALLOWED[layer] | {layer}
    offenders = []
    for path in _layer_files(layer):
        for name in _imports_of(path):
            parts = name.split(".")
            if len(parts) < 2 or parts[1] not in allowed:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


# the pure layers: standard library only (no I/O, no framework)
PURE_ROOTS = {
    "domain": {"collections", "dataclasses", "decimal", "enum", "fractions", "heapq", "typing"}
    | {"abc", "functools", "itertools", "math"},
    "ledger": {"collections", "dataclasses", "enum", "hashlib", "typing"},
}


@pytest.mark.parametrize("layer", sorted(PURE_ROOTS))
def test_pure_layers_use_the_standard_library_only(layer: str) -> None:
    allowed_roots = PURE_ROOTS[layer] | {"__future__", "zengzhi"}
    offenders = []
    for path in _layer_files(layer):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed_roots
            ]
    assert offenders == []
