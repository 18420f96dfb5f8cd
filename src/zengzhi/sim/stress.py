"""Stress scenarios run on every preset by `zengzhi stress-report`.

Each preset meets the same three growth paths: growth that stops, growth that reverses
with a bank run, and steady arrivals, with its system's population (`sim.populations`).
Every preset is simulated: the pool systems on the pool engines, the others on the daily
books through the domain's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from zengzhi.presets import load_preset, preset_names, presets_dir
from zengzhi.sim.checks import Severity, review_rules
from zengzhi.sim.model import POOL, model_of
from zengzhi.sim.montecarlo import MonteCarlo, monte_carlo
from zengzhi.sim.populations import DESCRIPTION, population
from zengzhi.sim.report import stress_report, unmodelled_report
from zengzhi.sim.scenario import Scenario, parse_scenario
from zengzhi.sim.system_report import counted, system_stress_report

Progress = Callable[[int], Callable[[], None]]

STRESS: dict[str, dict[str, Any]] = {
    "stall": {
        "title": "growth for 180 days, then nobody new joins (365 more days)",
        "horizon_days": 545,
        "growth": {
            "curve": "piecewise",
            "segments": [
                {"from_day": 0, "curve": "exponential", "start": 5, "daily_growth": 0.02},
                {"from_day": 180, "curve": "constant", "rate": 0},
            ],
        },
    },
    "decline-run": {
        "title": "growth, then decline, and a bank run on day 300 (30% of members)",
        "horizon_days": 545,
        "growth": {
            "curve": "piecewise",
            "segments": [
                {"from_day": 0, "curve": "linear", "start": 5, "slope": 0.5},
                {"from_day": 200, "curve": "linear", "start": 100, "slope": -1},
            ],
        },
        "bank_run": {"day": 300, "share": 0.3},
    },
    "steady": {
        "title": "steady arrivals, 30 a day for two years",
        "horizon_days": 730,
        "growth": {"curve": "constant", "rate": 30},
    },
}


def stress_scenario(preset: str, key: str, seeds: int) -> Scenario:
    spec = STRESS[key]
    system = load_preset(preset).system
    data: dict[str, Any] = {
        "scenario": {
            "name": f"{preset} · {key}: {spec['title']}",
            "preset": preset,
            "horizon_days": spec["horizon_days"],
            "seeds": seeds,
        },
        "growth": spec["growth"],
        **population(system),
    }
    if "bank_run" in spec:
        data["bank_run"] = spec["bank_run"]
    return parse_scenario(data, presets_dir())


def write_stress_reports(out: Path, seeds: int, progress: Progress | None = None) -> Path:
    """reports/<preset>.html for every preset and reports/README.md summarising them."""
    out.mkdir(parents=True, exist_ok=True)
    presets = preset_names()
    modelled = [
        p for p in presets if model_of(stress_scenario(p, next(iter(STRESS)), 1).economy).simulated
    ]
    step = progress(len(modelled) * len(STRESS) * seeds) if progress else None
    lines = _summary_head(seeds)
    notes: list[str] = []
    for preset in presets:
        base = stress_scenario(preset, next(iter(STRESS)), seeds)
        model = model_of(base.economy)
        decision = review_rules(base.economy, strict=False)
        high = ", ".join(sorted({f.code for f in decision.findings if f.severity is Severity.HIGH}))
        target = out / f"{preset}.html"
        if not model.simulated:
            target.write_text(unmodelled_report(base, model, decision), encoding="utf-8")
            lines.append(f"| [{preset}]({preset}.html) | not simulated | {'| ' * 9}{high} |")
            continue
        runs: list[MonteCarlo] = []
        for key in STRESS:
            scenario = stress_scenario(preset, key, seeds)
            runs.append(monte_carlo(scenario, on_seed=(lambda _s: step()) if step else None))
            lines.append(_summary_row(preset, key, runs[-1], high))
        notes.append(f"- **{preset}**: “got back” counts {_counted(base)}.")
        page = (
            stress_report(preset, runs, model, decision)
            if model.runner == POOL
            else system_stress_report(preset, runs, model, decision)
        )
        target.write_text(page, encoding="utf-8")
    lines += ["", "What “got back” counts, and what is held or promised but not paid:", "", *notes]
    lines += _summary_foot()
    summary = out / "README.md"
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary


def _counted(scenario: Scenario) -> str:
    system = scenario.economy.system
    if system in ("appreciating_pool", "local_life"):
        extra = ""
        if system == "local_life":
            extra = ", agent and promoter rewards; spent includes agent fees"
        return (
            f"cash (pool payouts, referral rewards{extra}); held: points at today's price"
            " after the fee if sold alone"
        )
    if system == "two_tokens":
        return (
            "cash (pool payouts, i.e. the platform's buyback) and goods bought with stable"
            " points at the peg; held: points at today's price after the fee"
        )
    what, _ = counted(scenario)
    held = {
        "cyclic_purchase": "promised: quota left, payable only from future sales",
        "locked_grants": "promised: points still locked, at the same value",
        "shared_purchase": "promised: points still locked, at the same value",
        "brand_membership": "held: tokens at the buyback floor",
    }[system]
    return f"{what}; {held}"


def _summary_head(seeds: int) -> list[str]:
    return [
        "# Stress reports · 压力测试报告",
        "",
        "Generated by `.venv/bin/zengzhi stress-report` (the HTML files are written next to "
        "this summary; they embed their charts and are not committed because of their size).",
        f"Figures are medians over {seeds} seeds, with the 10th–90th percentile in brackets. "
        "“Got back” means what a member received (below: what counts, per preset) ≥ what the "
        "member spent. This is a simulation under stated assumptions: not a forecast, not a "
        "promise.",
        "以下为模拟结果（多次模拟的中位数），不是预测，也不是收益承诺。",
        "",
        "| preset | stress | members | got back ≥ spent | in cash alone | first 10% got back "
        "| last 10% got back | median multiple | ≥ spent counting what is held or promised "
        "(not paid) | first 10%: paid by later members, at least | still promised at the end, "
        "of all promised | high-severity findings |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]


def _fmt(band: dict[str, float] | None, fmt: str) -> str:
    if band is None:
        return "—"
    return f"{fmt.format(band['median'])} ({fmt.format(band['p10'])}–{fmt.format(band['p90'])})"


def _summary_row(preset: str, key: str, mc: MonteCarlo, high: str) -> str:
    s = mc.summary
    pool = model_of(mc.scenario.economy).runner == POOL
    if_kept = "recovered_if_sold_share"
    if not pool and mc.scenario.economy.system != "brand_membership":
        if_kept = "recovered_if_promised_share"
    promised = "—" if pool else _fmt(s["cash_flow"].get("promised_left_share"), "{:.0%}")
    return (
        f"| [{preset}]({preset}.html) | {key} | {_fmt(s['all'].get('members'), '{:,.0f}')} "
        f"| {_fmt(s['all'].get('recovered_share'), '{:.1%}')} "
        f"| {_fmt(s['all'].get('cash_recovered_share'), '{:.1%}')} "
        f"| {_fmt(s['early'].get('recovered_share'), '{:.1%}')} "
        f"| {_fmt(s['last'].get('recovered_share'), '{:.1%}')} "
        f"| {_fmt(s['all'].get('multiple_median'), '{:.2f}')} "
        f"| {_fmt(s['all'].get(if_kept), '{:.1%}')} "
        f"| {_fmt(s['early'].get('received_from_later_share'), '{:.0%}')} "
        f"| {promised} | {high} |"
    )


def _summary_foot() -> list[str]:
    lines = ["", "Stress scenarios:", ""]
    lines += [f"- **{key}**: {spec['title']}." for key, spec in STRESS.items()]
    lines += [
        "",
        DESCRIPTION,
        "Released points (locked grants, shared purchase) count at 1 yuan each, their shop "
        "value; members spend them as released. Brand membership: declared store profit is "
        "10% of sales; half the members convert their coins to tokens, the others redeem "
        "coupons. Local life: 20 stores in 4 districts, 2 cities, 1 province; the first "
        "members to join buy the agent positions, the next ones promote a store each. "
        "Compliance findings are warning signs, not legal advice.",
    ]
    return lines
