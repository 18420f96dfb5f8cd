"""How long one seed of every daily system takes at 100,000 members over 365 days.

The daily systems (cyclic purchase §3, locked grants §4, shared purchase §5, brand
membership §7) run on the exact domain path: the pure day functions on plain-int arrays.
One seed each, members arriving evenly (274 a day) with the stress populations
(`zengzhi.sim.populations`); the local-life pool run (kernel plus the domain's commission
split for every order) is timed too.

    .venv/bin/python benchmarks/sim_systems.py                # 100,000 members, 365 days
    .venv/bin/python benchmarks/sim_systems.py --members 20000 --presets locked-grants
"""

from __future__ import annotations

import argparse
import time

from zengzhi.presets import load_preset, presets_dir
from zengzhi.sim.montecarlo import run_seed
from zengzhi.sim.plan import draw_plan
from zengzhi.sim.populations import population
from zengzhi.sim.scenario import parse_scenario

PRESETS = ["cyclic-purchase", "locked-grants", "shared-purchase", "brand-membership", "local-life"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--presets", nargs="*", default=PRESETS)
    args = parser.parse_args()
    print(f"{args.members:,} members over {args.days} days, one seed; machine shared")
    for preset in args.presets:
        data = {
            "scenario": {"preset": preset, "horizon_days": args.days, "seeds": 1},
            "growth": {"curve": "constant", "rate": args.members / args.days, "draw": "expected"},
            **population(load_preset(preset).system),
        }
        scenario = parse_scenario(data, presets_dir())
        plan = draw_plan(scenario, 0)
        start = time.perf_counter()
        result = run_seed(scenario, 0)
        took = time.perf_counter() - start
        print(
            f"{preset:<18} {plan.n_members:>8,} members {plan.n_orders:>9,} orders "
            f"{took:7.1f} s  ({result.engine})"
        )


if __name__ == "__main__":
    main()
