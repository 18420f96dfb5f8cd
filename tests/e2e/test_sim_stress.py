"""`zengzhi stress-report`: every preset simulated under every stress scenario, summarised."""

from __future__ import annotations

from pathlib import Path

import pytest

from zengzhi.presets import preset_names
from zengzhi.sim import stress

REPORTS = Path(__file__).resolve().parents[2] / "reports"

SHORT = {
    "stall": {
        "title": "growth for 20 days, then nobody new joins",
        "horizon_days": 40,
        "growth": {
            "curve": "piecewise",
            "segments": [
                {"from_day": 0, "curve": "constant", "rate": 4},
                {"from_day": 20, "curve": "constant", "rate": 0},
            ],
        },
    },
    "decline-run": {
        "title": "growth, then a bank run on day 30",
        "horizon_days": 40,
        "growth": {"curve": "constant", "rate": 3},
        "bank_run": {"day": 30, "share": 0.5},
    },
}


def test_stress_report_simulates_every_preset_and_summarises_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stress, "STRESS", SHORT)
    summary = stress.write_stress_reports(tmp_path, seeds=1)
    text = summary.read_text(encoding="utf-8")
    assert "not simulated" not in text
    for preset in preset_names():
        assert (tmp_path / f"{preset}.html").is_file()
        rows = [line for line in text.splitlines() if line.startswith(f"| [{preset}]")]
        assert [row.split(" | ")[1] for row in rows] == list(SHORT)
        assert all("%" in row.split(" | ")[3] for row in rows)  # got back ≥ spent: a figure
        assert f"**{preset}**: “got back” counts" in text
    assert "not a promise" in text


def test_the_committed_stress_summary_covers_every_preset_with_figures() -> None:
    text = (REPORTS / "README.md").read_text(encoding="utf-8")
    assert "not simulated" not in text
    for preset in preset_names():
        rows = [line for line in text.splitlines() if line.startswith(f"| [{preset}]")]
        assert [row.split(" | ")[1] for row in rows] == ["stall", "decline-run", "steady"]
