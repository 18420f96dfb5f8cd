"""Parameter sweeps over a grid, fanned out on Dask (a local cluster unless given one).

Each grid point is a whole Monte Carlo over the scenario's seeds, run on a worker; the
client only gathers the small summaries. Scenarios travel to workers already validated
(frozen values, picklable), so workers need zengzhi installed but not the presets folder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from zengzhi.sim.montecarlo import monte_carlo
from zengzhi.sim.scenario import Scenario, ScenarioError, with_values


@dataclass(frozen=True, slots=True)
class SweepPoint:
    index: tuple[int, ...]
    values: dict[str, Any]
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SweepResult:
    scenario: Scenario
    keys: tuple[str, ...]
    axes: tuple[tuple[Any, ...], ...]
    metric: str
    points: tuple[SweepPoint, ...]


def grid(scenario: Scenario) -> list[tuple[tuple[int, ...], dict[str, Any], Scenario]]:
    """Every point of the sweep as a validated scenario (errors name the bad value)."""
    if scenario.sweep is None:
        raise ScenarioError("the scenario has no [sweep] table")
    axes = scenario.sweep.axes
    out = []
    for index in itertools.product(*(range(len(a.values)) for a in axes)):
        values = {a.key: a.values[i] for a, i in zip(axes, index, strict=True)}
        try:
            point = with_values(scenario, values)
        except ScenarioError as error:
            raise ScenarioError(f"sweep point {values}: {error.message}") from None
        out.append((index, values, point))
    return out


def _summary_of(point: Scenario) -> dict[str, Any]:
    return monte_carlo(point).summary


def run_sweep(
    scenario: Scenario,
    scheduler: str | None = None,
    workers: int = 2,
    on_point: Callable[[], None] | None = None,
    processes: bool = True,
) -> SweepResult:
    """Run the grid on Dask: `scheduler` is a running scheduler's address, or None for a
    local cluster with `workers` workers that is shut down afterwards."""
    from dask.distributed import Client, LocalCluster, as_completed

    assert scenario.sweep is not None
    points = grid(scenario)
    with ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))  # type: ignore[no-untyped-call]
        else:
            cluster = stack.enter_context(
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
        futures = {
            client.submit(_summary_of, p, pure=False): i for i, (_, _, p) in enumerate(points)
        }
        summaries: dict[int, dict[str, Any]] = {}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            summaries[futures[future]] = future.result()
            if on_point is not None:
                on_point()
    return SweepResult(
        scenario=scenario,
        keys=tuple(a.key for a in scenario.sweep.axes),
        axes=tuple(a.values for a in scenario.sweep.axes),
        metric=scenario.sweep.metric,
        points=tuple(
            SweepPoint(index, values, summaries[i]) for i, (index, values, _) in enumerate(points)
        ),
    )


def metric_value(summary: dict[str, Any], metric: str) -> float | None:
    """The median over seeds of a sweep metric, read from a Monte Carlo summary."""
    part, key = {
        "recovered_share": ("all", "recovered_share"),
        "median_multiple": ("all", "multiple_median"),
        "last_cohort_recovered_share": ("last", "recovered_share"),
        "early_received_from_later_share": ("early", "received_from_later_share"),
    }[metric]
    band = summary[part].get(key)
    return None if band is None else float(band["median"])
