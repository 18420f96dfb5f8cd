"""`zengzhi replay` as people run it: the real console script, stdout, stderr, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parents[2] / "src" / "zengzhi" / "demo_data"
CONFIG = {
    "kind": "config",
    "points_ratio": "0.7",
    "initial_price": "1.00",
    "sell_fee": "0.2",
    "exit_multiple": "3",
}


def _zengzhi() -> list[str]:
    script = Path(sys.executable).with_name("zengzhi")
    return [str(script)] if script.exists() else [shutil.which("zengzhi") or "zengzhi"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_zengzhi(), *args], capture_output=True, text=True, timeout=60, check=False
    )


def write_log(tmp_path: Path, *lines: dict[str, Any] | str) -> Path:
    path = tmp_path / "log.jsonl"
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_seed003_log_replays_to_price_5_1731() -> None:
    result = run("replay", str(DEMO / "seed003-100-orders.jsonl"))
    assert result.returncode == 0, result.stderr
    books = json.loads(result.stdout)
    assert books["price"] == "5.1731"
    assert books["pool_fen"] == 300_000
    assert books["members"]["m001"]["points_micro"] == 21_000_000
    assert list(books["members"])[:3] == ["m001", "m002", "m003"]
    assert books["exits"] == []


def test_output_has_exactly_the_contract_fields(tmp_path: Path) -> None:
    log = write_log(
        tmp_path,
        CONFIG,
        {"kind": "order", "member": "m1", "amount_fen": 100000, "pool_fen": 30000},
        {"kind": "sell", "member": "m2", "points_micro": "all"},
    )
    books = json.loads(run("replay", str(log)).stdout)
    assert set(books) == {"pool_fen", "points_micro", "price", "members", "exits"}
    assert books["members"]["m2"] == {
        "points_micro": 0,
        "cash_fen": 0,
        "cycle_spend_fen": 0,
        "exits": 0,
    }
    assert books["price"] == "1.4286"


def test_exits_name_the_line_of_the_event_that_triggered_them(tmp_path: Path) -> None:
    log = write_log(
        tmp_path,
        {**CONFIG, "exit_multiple": "1.2"},
        {"kind": "order", "member": "m1", "amount_fen": 100000, "pool_fen": 16000},
        "",
        {"kind": "inject", "amount_fen": 104000},
    )
    books = json.loads(run("replay", str(log)).stdout)
    assert books["exits"] == [
        {"event": 4, "member": "m1", "points_micro": 112_000_000, "payout_fen": 96000}
    ]
    assert books["members"]["m1"]["cash_fen"] == 96000
    assert books["pool_fen"] == 24000


def test_burn_and_issuance_cap_follow_the_contract(tmp_path: Path) -> None:
    log = write_log(
        tmp_path,
        {**CONFIG, "exit_multiple": None, "issuance_cap_micro": 300_000_000},
        {"kind": "order", "member": "a", "amount_fen": 100000, "pool_fen": 30000},
        {"kind": "order", "member": "b", "amount_fen": 100000, "pool_fen": 30000},
        {"kind": "burn", "rate": "0.01"},
    )
    books = json.loads(run("replay", str(log)).stdout)
    assert books["members"]["b"]["points_micro"] == 89_100_000  # capped at 90, 1% burned
    assert books["points_micro"] == 297_000_000


@pytest.mark.parametrize(
    ("lines", "line_no", "message"),
    [
        ([CONFIG, "{not json"], 2, "not valid JSON"),
        ([CONFIG, {"kind": "mint", "member": "a"}], 2, "unknown event kind"),
        (
            [CONFIG, {"kind": "order", "member": "a", "amount_fen": -1, "pool_fen": 0}],
            2,
            "negative",
        ),
        (
            [CONFIG, {"kind": "order", "member": "a", "amount_fen": 1.5, "pool_fen": 0}],
            2,
            "fraction",
        ),
        ([CONFIG, {"kind": "order", "member": "a", "amount_fen": "1", "pool_fen": 0}], 2, "whole"),
        ([CONFIG, {"kind": "order", "member": "", "amount_fen": 1, "pool_fen": 0}], 2, "member"),
        ([CONFIG, {"kind": "sell", "member": "a", "points_micro": 5}], 2, "cannot sell 5"),
        ([CONFIG, {"kind": "inject", "amount_fen": 5, "memo": "x"}], 2, "unknown field"),
        ([CONFIG, {"kind": "burn", "rate": "2"}], 2, "between 0 and 1"),
        ([CONFIG, {"kind": "burn", "rate": 0.5}], 2, "fraction"),
        ([CONFIG, {"kind": "burn", "rate": "half"}], 2, "not a decimal"),
        ([CONFIG, "[1, 2]"], 2, "JSON object"),
        ([CONFIG, "NaN"], 2, "not allowed"),
        ([{"kind": "order", "member": "a", "amount_fen": 1, "pool_fen": 0}], 1, "config"),
        ([{**CONFIG, "sell_fee": "1.5"}], 1, "sell_fee"),
        ([{**CONFIG, "exit_multiple": 3}], 1, "decimal string"),
        ([{**CONFIG, "issuance_cap_micro": -5}], 1, "negative"),
        ([{**CONFIG, "colour": "red"}], 1, "unknown field"),
    ],
)
def test_bad_lines_stop_the_replay_with_their_line_number(
    tmp_path: Path, lines: list[dict[str, Any] | str], line_no: int, message: str
) -> None:
    good = {"kind": "order", "member": "z", "amount_fen": 100, "pool_fen": 30}
    log = write_log(tmp_path, *lines, good)
    result = run("replay", str(log))
    assert result.returncode != 0
    assert result.stdout == ""  # no partial state printed as if it were final
    assert f"line {line_no}:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_log_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    result = run("replay", str(path))
    assert result.returncode != 0
    assert "empty" in result.stderr


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("replay", str(tmp_path / "nope.jsonl"))
    assert result.returncode != 0
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.jsonl"
    path.write_bytes(b"\xff\xfe\x00junk")
    result = run("replay", str(path))
    assert result.returncode != 0
    assert "not UTF-8" in result.stderr


def test_replaying_twice_prints_the_same_books() -> None:
    log = str(DEMO / "seed004-local-life.jsonl")
    assert run("replay", log).stdout == run("replay", log).stdout


def test_demo_prints_a_readable_summary_with_a_risk_notice() -> None:
    result = run("demo", "--replay")  # plain `demo` now runs the service (issue 4)
    assert result.returncode == 0, result.stderr
    assert "5.1731" in result.stdout
    assert "nothing here is a promise of profit" in " ".join(result.stdout.split())
