"""Writing a run's outputs: the HTML report, JSON metrics and CSV tables.

CSV tables use radCAD's column names (`simulation`, `subset`, `run`, `substep`,
`timestep`) so that existing analysis notebooks read them as they are: `run` counts seeds
from 1, `timestep` counts days from 1, `subset` is the sweep point (0 without a sweep).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from zengzhi.sim.checks import RulesDecision, findings_json
from zengzhi.sim.model import POOL, Model
from zengzhi.sim.montecarlo import MonteCarlo
from zengzhi.sim.report import simulation_report, sweep_report, unmodelled_report
from zengzhi.sim.result import DAILY_COLUMNS
from zengzhi.sim.scenario import Scenario
from zengzhi.sim.sweep import SweepResult, metric_value
from zengzhi.sim.system_report import system_report

_RADCAD = ["simulation", "subset", "run", "substep", "timestep"]
_COHORT_KEYS = [
    "members",
    "spent_fen",
    "received_fen",
    "recovered_share",
    "multiple_p10",
    "multiple_median",
    "multiple_p90",
    "sold_out_share",
    "days_to_exit_median",
    "still_holding_share",
]


def _not_modelled_json(model: Model) -> list[dict[str, str]]:
    return [{"section": name, "what": note} for name, note in model.not_modelled]


def write_simulation(
    out: Path, mc: MonteCarlo, model: Model, decision: RulesDecision
) -> dict[str, Path]:
    """report.html, metrics.json, timeseries.csv and cohorts.csv in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": out / "report.html",
        "metrics": out / "metrics.json",
        "timeseries": out / "timeseries.csv",
        "cohorts": out / "cohorts.csv",
    }
    page = (
        simulation_report(mc, model, decision)
        if model.runner == POOL
        else system_report(mc, model, decision)
    )
    paths["report"].write_text(page, encoding="utf-8")
    metrics: dict[str, Any] = {
        "scenario": mc.scenario.name,
        "economy": mc.scenario.economy.name,
        "modelled": True,
        "system": mc.scenario.economy.system,
        "engine_note": "exact domain path"
        if model.runner != POOL
        else "exact domain engine or the parity-tested kernel",
        "not_modelled": _not_modelled_json(model),
        "summary": mc.summary,
        "runs": [{"run": i + 1, **r.metrics} for i, r in enumerate(mc.runs)],
        "checks": findings_json(decision),
        "disclaimer": "A simulation under stated assumptions; not a forecast, not a promise.",
    }
    paths["metrics"].write_text(json.dumps(metrics, ensure_ascii=False, indent=1), "utf-8")
    columns = mc.runs[0].columns if mc.runs else DAILY_COLUMNS
    priced = "price_micro_yuan" in columns
    with paths["timeseries"].open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*_RADCAD, "seed", *columns, *(["price_yuan"] if priced else [])])
        for i, run in enumerate(mc.runs):
            for day, row in enumerate(run.daily.tolist()):
                extra = [f"{row[columns.index('price_micro_yuan')] / 1e6:.6f}"] if priced else []
                writer.writerow([0, 0, i + 1, 1, day + 1, run.seed, *row, *extra])
    with paths["cohorts"].open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["run", "seed", "cohort", "from_day", *_COHORT_KEYS])
        for i, run in enumerate(mc.runs):
            for c in run.metrics["cohorts"]:
                cells = [c[k] for k in _COHORT_KEYS]
                writer.writerow([i + 1, run.seed, c["cohort"], c["from_day"], *cells])
    return paths


def write_unmodelled(
    out: Path, scenario: Scenario, model: Model, decision: RulesDecision
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"report": out / "report.html", "metrics": out / "metrics.json"}
    paths["report"].write_text(unmodelled_report(scenario, model, decision), encoding="utf-8")
    metrics = {
        "scenario": scenario.name,
        "economy": scenario.economy.name,
        "modelled": False,
        "reason": f"the simulator has no rules for the {scenario.economy.system} system yet",
        "not_modelled": _not_modelled_json(model),
        "checks": findings_json(decision),
    }
    paths["metrics"].write_text(json.dumps(metrics, ensure_ascii=False, indent=1), "utf-8")
    return paths


def write_sweep(out: Path, result: SweepResult) -> dict[str, Path]:
    """sweep.html (heat map or line), sweep.json and sweep.csv (one row per grid point)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": out / "sweep.html",
        "metrics": out / "sweep.json",
        "table": out / "sweep.csv",
    }
    paths["report"].write_text(sweep_report(result), encoding="utf-8")
    rows = [
        {
            "subset": n,
            **p.values,
            result.metric: metric_value(p.summary, result.metric),
            "summary": p.summary,
        }
        for n, p in enumerate(result.points)
    ]
    paths["metrics"].write_text(
        json.dumps(
            {"scenario": result.scenario.name, "metric": result.metric, "points": rows},
            ensure_ascii=False,
            indent=1,
        ),
        "utf-8",
    )
    with paths["table"].open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["subset", *result.keys, result.metric])
        for row in rows:
            writer.writerow([row["subset"], *(row[k] for k in result.keys), row[result.metric]])
    return paths
