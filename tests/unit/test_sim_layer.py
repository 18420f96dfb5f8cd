"""The simulator sits outside the domain: it may import domain and presets, nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[2] / "src" / "zengzhi" / "sim"
ALLOWED = {"zengzhi.domain", "zengzhi.presets", "zengzhi.sim"}


def test_sim_imports_only_domain_presets_and_itself() -> None:
    offenders = []
    for path in sorted(SIM.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith("zengzhi") and not any(n.startswith(a) for a in ALLOWED)
            ]
    assert offenders == []
