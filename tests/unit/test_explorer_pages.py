"""The explorer's formatting for people, its translations and its queries' scoping."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest

from zengzhi.web.explorer import Formats, risk_text_for

QUERIES = Path(__file__).resolve().parents[2] / "src" / "zengzhi" / "store" / "public_queries.py"


@pytest.mark.parametrize(
    ("micro", "shown"),
    [(21_000_000, "21.00"), (35_700_000, "35.70"), (48_195_000, "48.195"), (1, "0.000001"),
     (1_053_715_391, "1,053.715391"), (-210_000_000, "-210.00")],
)  # fmt: skip
def test_points_are_exact_with_trailing_zeros_trimmed(micro: int, shown: str) -> None:
    assert Formats.points(micro) == shown


def test_cash_is_grouped_by_thousands_and_signed_as_a_change() -> None:
    fmt = Formats("Asia/Shanghai")
    assert fmt.fen(1_625_510) == "16,255.10"
    assert fmt.signed_fen(-267_021) == "-2,670.21"
    assert fmt.signed_fen(30_000) == "+300.00"
    assert fmt.yuan(Fraction(66_756_1, 10)) == "667.56"  # 66756.1 fen, half-up to the fen


def test_times_are_shown_in_the_economys_time_zone() -> None:
    assert Formats("Asia/Shanghai").when(1_763_000_000_000_000) == "2025-11-13 10:13:20"
    assert Formats("Nowhere/Invalid").when(0) == "1970-01-01 08:00:00"


def test_the_readers_half_of_a_bilingual_risk_text() -> None:
    text = "积分价格按公开规则计算，并无保证。Points are priced by published rules."
    assert risk_text_for(text, "zh_CN") == "积分价格按公开规则计算，并无保证。"
    assert risk_text_for(text, "en") == "Points are priced by published rules."
    assert risk_text_for("只有中文。", "en") == "只有中文。"


def test_every_public_query_names_its_economy() -> None:
    source = QUERIES.read_text(encoding="utf-8")
    unscoped = [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
        and "execute" in (ast.get_source_segment(source, node) or "")
        and "economy_id ==" not in (ast.get_source_segment(source, node) or "")
    ]
    assert unscoped == []
