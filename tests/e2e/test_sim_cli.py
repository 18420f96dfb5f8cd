"""`zengzhi simulate`, `zengzhi check`: files a person can open, exit codes a script can use."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zengzhi.cli import app
from zengzhi.presets import load_preset, preset_names
from zengzhi.sim.populations import population

runner = CliRunner()
PRESETS = Path(__file__).resolve().parents[2] / "presets"

SCENARIO = """
[scenario]
name = "small shop, growth then stall"
preset = "local-life"
horizon_days = 60
seeds = 2

[growth]
curve = "piecewise"
[[growth.segments]]
from_day = 0
curve = "exponential"
start = 3
daily_growth = 0.05
[[growth.segments]]
from_day = 40
curve = "constant"
rate = 0

[orders]
size = "empirical"
table = [{amount_yuan = "100", weight = 3}, {amount_yuan = "1000", weight = 1}]

[referral]
share_referred = 0.5

[[behaviour]]
kind = "hold"
share = 0.8

[[behaviour]]
kind = "take_profit"
share = 0.2
multiple = "1.1"
"""


def test_simulate_writes_a_self_contained_report_json_and_radcad_style_csv(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "shop.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script src=" not in page  # plotly is embedded: works offline
    assert "Plotly" in page
    assert "谁收回了本金" in page
    assert "Who got their money back" in page
    assert "not a promise" in page
    assert "regional agents" in page  # the report names what it models: agents included
    assert "代理与推广人" in page  # and shows the position holders as a group
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["modelled"] is True
    assert len(metrics["runs"]) == 2
    assert 0 <= metrics["summary"]["all"]["recovered_share"]["median"] <= 1
    assert {f["code"] for f in metrics["checks"]["findings"]} >= {"paid_positions"}
    with (out / "timeseries.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"run", "timestep", "pool_fen", "price_yuan"} <= set(rows[0])
    assert len(rows) == 2 * 60
    assert {r["run"] for r in rows} == {"1", "2"}
    arrivals_after_stall = sum(int(r["arrivals"]) for r in rows if int(r["timestep"]) > 40)
    assert arrivals_after_stall == 0
    assert (out / "cohorts.csv").read_text(encoding="utf-8").startswith("run,seed,cohort")


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_simulates_end_to_end_with_figures(preset: str, tmp_path: Path) -> None:
    system = load_preset(preset).system
    tables = {
        "scenario": {"name": f"small {preset}", "preset": preset, "horizon_days": 45, "seeds": 1},
        "growth": {"curve": "constant", "rate": 4},
        **population(system),
    }
    scenario = tmp_path / "small.toml"
    scenario.write_text(_toml(tables), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["modelled"] is True
    summary = metrics["summary"]
    assert summary["all"]["members"]["median"] > 100
    assert 0 <= summary["all"]["recovered_share"]["median"] <= 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Not simulated" not in page
    assert "谁收回了本金" in page
    assert "not a promise" in page
    if system in ("locked_grants", "shared_purchase"):
        assert "How a released point becomes money" in page
        assert "已释放积分如何变成钱" in page
    with (out / "timeseries.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 45
    assert "cash_in_fen" in rows[0]


def _toml(tables: dict[str, Any]) -> str:
    """Just enough TOML for a scenario: tables, arrays of tables, inline tables in lists."""

    def value(v: Any) -> str:
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return repr(v)

    lines: list[str] = []
    for name, table in tables.items():
        for row in table if isinstance(table, list) else [table]:
            lines.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            lines += [f"{k} = {value(v)}" for k, v in row.items()]
    return "\n".join(lines) + "\n"


def test_simulate_a_bad_scenario_fails_with_the_key_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\npreset = "local-life"\n[growth]\ncurve = "zigzag"\n', "utf-8")
    result = runner.invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "[growth] curve must be one of" in result.output
    assert "Traceback" not in result.output


def test_check_refuses_the_seven_star_team_model_in_strict_mode() -> None:
    result = runner.invoke(app, ["check", str(PRESETS / "locked-grants.toml"), "--json"])
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert "referral_depth" in report["blocking"]
    assert "not legal advice" in report["not_legal_advice"]


def test_check_accepts_acknowledged_findings_and_appends_them_to_the_audit_log(
    tmp_path: Path,
) -> None:
    log = tmp_path / "audit.jsonl"
    args = ["check", "local-life", "--ack", "paid_positions", "--operator", "王经理"]
    args += ["--reason", "agency fees refunded", "--audit-log", str(log)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(log.read_text(encoding="utf-8").splitlines()[0])
    assert (record["code"], record["operator"]) == ("paid_positions", "王经理")


def test_check_will_not_take_an_acknowledgement_that_is_not_audited() -> None:
    result = runner.invoke(app, ["check", "local-life", "--ack", "paid_positions"])
    assert result.exit_code == 1
    assert "--audit-log" in result.output
