"""Sweeps run on a Dask cluster (local, two workers, shut down afterwards)."""

from __future__ import annotations

from zengzhi.sim.examples import make_scenario
from zengzhi.sim.montecarlo import monte_carlo
from zengzhi.sim.sweep import metric_value, run_sweep, with_values


def test_a_two_by_two_sweep_on_a_local_cluster_matches_local_runs() -> None:
    scenario = make_scenario(
        scenario={"horizon_days": 40, "seeds": 2},
        config={"pool": {"exit_multiple": "1.2", "pool_share": "0.6", "points_ratio": "0.5"}},
        growth={"curve": "exponential", "start": 2, "daily_growth": 0.05},
        sweep={
            "config.pool.exit_multiple": ["1.3", "3"],
            "growth.daily_growth": [0.0, 0.08],
            "metric": "recovered_share",
        },
    )
    result = run_sweep(scenario, workers=2, processes=False)
    assert result.keys == ("config.pool.exit_multiple", "growth.daily_growth")
    assert sorted(p.index for p in result.points) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    by_index = {p.index: p for p in result.points}
    # each point equals the same Monte Carlo run locally: the cluster changes nothing
    local = monte_carlo(with_values(scenario, by_index[(0, 1)].values)).summary
    assert by_index[(0, 1)].summary == local
    # a reachable exit line above 1.25x (1.3 × 0.8 > 1) and fast growth: more get paid back
    easy = metric_value(by_index[(0, 1)].summary, "recovered_share")
    hard = metric_value(by_index[(1, 0)].summary, "recovered_share")
    assert easy is not None
    assert hard is not None
    assert easy > hard
