"""`zengzhi simulate`, `zengzhi check`: files a person can open, exit codes a script can use."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from zengzhi.cli import app

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
    assert "regional agents" in page  # local life's agents are not modelled, and it says so
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


def test_simulate_a_preset_without_a_pool_says_it_is_not_simulated(tmp_path: Path) -> None:
    out = tmp_path / "cyc"
    result = runner.invoke(app, ["simulate", "cyclic-purchase", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["modelled"] is False
    assert "Not simulated" in (out / "report.html").read_text(encoding="utf-8")


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
