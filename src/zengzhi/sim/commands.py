"""The simulator's use cases behind the CLI: simulate a scenario, check rules, stress presets.

The CLI only parses options, shows progress and maps errors; everything it runs is here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress as RichProgress

from zengzhi.domain.economy import EconomyConfig
from zengzhi.presets import load_config_file, load_preset, preset_names, presets_dir
from zengzhi.sim.checks import review_rules
from zengzhi.sim.model import model_of
from zengzhi.sim.montecarlo import monte_carlo
from zengzhi.sim.outputs import write_simulation, write_sweep, write_unmodelled
from zengzhi.sim.populations import population
from zengzhi.sim.scenario import ENGINES, Scenario, ScenarioError, load_scenario, parse_scenario
from zengzhi.sim.sweep import grid, run_sweep

Progress = Callable[[int], Callable[[], None]]  # total steps -> advance one step


def default_scenario(preset: str) -> Scenario:
    """A year of logistic growth to about 2,000 members, then nobody new: the base case."""
    system = load_preset(preset).system
    data = {
        "scenario": {
            "name": f"{preset}: growth to 2,000 members, then it stops",
            "preset": preset,
            "horizon_days": 540,
            "seeds": 8,
        },
        "growth": {"curve": "logistic", "capacity": 2000, "rate": 0.03, "midpoint_day": 180},
        **population(system),
    }
    return parse_scenario(data, presets_dir())


def resolve_scenario(target: str) -> Scenario:
    """A scenario file, or a preset's name (its default scenario)."""
    path = Path(target)
    if path.is_file():
        return load_scenario(path)
    if target in preset_names():
        return default_scenario(target)
    raise ScenarioError(
        f"{target!r} is neither a scenario file nor a preset ({', '.join(preset_names())})"
    )


def adjust(scenario: Scenario, seeds: int | None, engine: str | None) -> Scenario:
    """Command-line overrides of the number of seeds and the engine."""
    if seeds is not None:
        if seeds < 1:
            raise ScenarioError("--seeds must be at least 1")
        first = scenario.seeds[0]
        scenario = dataclasses.replace(scenario, seeds=tuple(range(first, first + seeds)))
    if engine is not None:
        if engine not in ENGINES:
            raise ScenarioError(f"--engine must be one of {', '.join(ENGINES)}")
        scenario = dataclasses.replace(scenario, engine=engine)
    return scenario


def simulate(
    scenario: Scenario,
    out: Path,
    progress: Progress | None = None,
    scheduler: str | None = None,
    workers: int = 2,
) -> dict[str, Path]:
    """Run the scenario (a Monte Carlo, or a sweep on Dask) and write its outputs."""
    model = model_of(scenario.economy)
    decision = review_rules(scenario.economy, strict=False)
    if not model.simulated:
        return write_unmodelled(out, scenario, model, decision)
    if scenario.sweep is not None:
        points = len(grid(scenario))
        step = progress(points) if progress else None
        result = run_sweep(scenario, scheduler=scheduler, workers=workers, on_point=step)
        return write_sweep(out, result)
    step = progress(len(scenario.seeds)) if progress else None
    mc = monte_carlo(scenario, on_seed=(lambda _seed: step()) if step else None)
    return write_simulation(out, mc, model, decision)


def load_rules(target: str) -> EconomyConfig:
    """A configuration file, or a preset's name."""
    path = Path(target)
    if path.is_file():
        return load_config_file(path)
    return load_preset(target)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """`start(total) -> advance()` drawing a rich progress bar on stderr, or None."""
    if not enabled:
        yield None
        return
    with RichProgress(console=Console(stderr=True), transient=True) as shown:

        def start(total: int) -> Callable[[], None]:
            task = shown.add_task("simulating", total=total)
            return lambda: shown.advance(task)

        yield start
