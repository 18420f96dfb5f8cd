"""Monte Carlo over seeds: draw each seed's plan, run it on the chosen engine, keep metrics.

`engine = "auto"` runs a seed on the exact domain engine when it has at most
`EXACT_MAX_ORDERS` orders and on the kernel otherwise; the parity tests are what make the
two interchangeable. The daily systems (§3, §4, §5, §7) always run on the exact domain
path (`sim.runners`): their day functions are bulk already. Member-level arrays are
reduced to metrics as each seed finishes, so memory stays proportional to one seed, not
to all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.daily import SystemResult
from zengzhi.sim.exact import run_exact
from zengzhi.sim.kernel import kernel_refusal, run_kernel
from zengzhi.sim.metrics import got_back, run_metrics, sale_value, spent, summarize
from zengzhi.sim.plan import Plan, draw_plan
from zengzhi.sim.result import DAILY_COLUMNS, RunResult
from zengzhi.sim.runners import is_daily, run_system
from zengzhi.sim.scenario import Scenario
from zengzhi.sim.system_metrics import system_metrics, system_multiples

EXACT_MAX_ORDERS = 20_000


@dataclass(frozen=True, slots=True)
class SeedRun:
    """What is kept of one seed: its daily series, a sample of multiples, its metrics."""

    seed: int
    engine: str
    daily: NDArray[np.int64]
    multiples: NDArray[np.float64]
    metrics: dict[str, Any]
    columns: tuple[str, ...] = DAILY_COLUMNS


@dataclass(frozen=True, slots=True)
class MonteCarlo:
    scenario: Scenario
    runs: tuple[SeedRun, ...]
    summary: dict[str, Any]


def engine_for(scenario: Scenario, plan: Plan) -> str:
    if scenario.engine != "auto":
        return scenario.engine
    if kernel_refusal(scenario) is not None:
        return "exact"
    return "exact" if plan.n_orders <= EXACT_MAX_ORDERS else "kernel"


def run_seed(scenario: Scenario, seed: int, reuse: bool = False) -> RunResult | SystemResult:
    """One seed on the chosen engine; `reuse` lets the kernel hand back its buffers."""
    plan = draw_plan(scenario, seed)
    if is_daily(scenario):
        return run_system(scenario, plan)
    if engine_for(scenario, plan) == "exact":
        return run_exact(scenario, plan)
    return run_kernel(scenario, plan, reuse=reuse)


def keep(result: RunResult | SystemResult, scenario: Scenario, sample: int = 5_000) -> SeedRun:
    """Reduce a run to what reports need; `multiples` also holds the if-sold-now multiples
    (daily systems: with every promise kept)."""
    if isinstance(result, SystemResult):
        multiples = _sample(system_multiples(result), sample)
        metrics = system_metrics(result, scenario.cohort_days)
        return SeedRun(result.seed, result.engine, result.daily, multiples, metrics, result.columns)
    after_fee = float(1 - scenario.economy.pool.sell_fee)
    received = got_back(result)
    paid_in = np.maximum(spent(result), 1)
    value = sale_value(result, after_fee)
    multiples = _sample(np.stack((received / paid_in, (received + value) / paid_in)), sample)
    metrics = run_metrics(result, scenario.cohort_days, after_fee)
    return SeedRun(result.seed, result.engine, result.daily, multiples, metrics)


def _sample(multiples: NDArray[np.float64], sample: int) -> NDArray[np.float64]:
    if multiples.shape[1] > sample:
        # an evenly spaced sample by join order keeps every cohort represented
        picks = np.linspace(0, multiples.shape[1] - 1, sample).astype(np.int64)
        return multiples[:, picks]
    return multiples


def monte_carlo(scenario: Scenario, on_seed: Callable[[int], None] | None = None) -> MonteCarlo:
    """Run every seed of the scenario; `on_seed` is told after each (for a progress bar)."""
    runs = []
    for seed in scenario.seeds:
        # keep() reduces the members at once, so the kernel may reuse its buffers
        runs.append(keep(run_seed(scenario, seed, reuse=True), scenario))
        if on_seed is not None:
            on_seed(seed)
    return MonteCarlo(scenario, tuple(runs), summarize([r.metrics for r in runs]))
