"""Zengzhi's simulator against cadCAD and radCAD on the same model, side by side.

Model (all three): each timestep one new member orders 1,000 yuan; 300 feeds the pool;
points worth 210 at the pre-order price are minted; forced exit at 3x with a 20% fee;
a per-member ledger; exact integers. Zengzhi runs it on the exact domain engine
(`PoolEngine`) and on the simulator's kernel; cadCAD and radCAD run
`benchmarks/sim_peers_model.py` in their own virtualenv (benchmarks/.venv-peers, created
here on first use; the main package never depends on them). Prints steps per second and
the ratios, and checks that every engine ends with the same pool, points and exits.

    .venv/bin/python benchmarks/sim_peers.py [--steps 20000] [--deepcopy-steps 2000]
        [--kernel-orders 2000000] [--skip-peers]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from zengzhi.domain import PoolEngine, PoolRules
from zengzhi.sim.examples import make_scenario
from zengzhi.sim.kernel import run_kernel
from zengzhi.sim.plan import draw_plan

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".venv-peers"


def exact_engine(steps: int) -> tuple[float, dict[str, int]]:
    engine = PoolEngine(PoolRules())
    exits = 0
    start = time.perf_counter()
    for i in range(steps):
        exits += len(engine.settle_order(f"m{i}", 100_000, 30_000).exits)
    rate = steps / (time.perf_counter() - start)
    return rate, {"pool_fen": engine.pool_fen, "points_micro": engine.points_micro, "exits": exits}


def kernel(orders: int, repeats: int = 3) -> tuple[float, dict[str, int]]:
    days = 100 if orders >= 100 else 1
    scenario = make_scenario(
        scenario={"horizon_days": days, "seeds": 1},
        growth={"curve": "constant", "rate": orders / days, "draw": "expected"},
        orders={"size": "fixed", "amount_yuan": "1000"},
        repeat={"share": 0},
    )
    plan = draw_plan(scenario, 0)  # randomness is drawn before timing, outside the kernel
    result = run_kernel(scenario, plan, reuse=True)  # compiles (or loads the cache), warms up
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        result = run_kernel(scenario, plan, reuse=True)
        best = max(best, plan.n_orders / (time.perf_counter() - start))
    check = {
        "pool_fen": int(result.day("pool_fen")[-1]),
        "points_micro": int(result.day("points_micro")[-1]),
        "exits": int(result.day("exits").sum()),
    }
    return best, check


def ensure_peers() -> str:
    """Create the peers' virtualenv once; returns a note when cadCAD could not install."""
    python = PEERS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        # radcad 0.14 imports typing_extensions without declaring it
        install = ["-m", "pip", "install", "--quiet", "radcad", "typing_extensions"]
        subprocess.run([str(python), *install], check=True)
    done = subprocess.run([str(python), "-c", "import cadCAD"], capture_output=True)
    if done.returncode != 0:
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "cadCAD"], capture_output=True
        )
        if install.returncode != 0:
            return "cadCAD could not be installed here: " + install.stderr.decode()[-300:]
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--deepcopy-steps", type=int, default=2_000)
    parser.add_argument("--kernel-orders", type=int, default=2_000_000)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()

    rows: dict[str, float] = {}
    checks: dict[str, dict[str, int]] = {}
    rows["zengzhi exact engine"], checks["zengzhi exact engine"] = exact_engine(args.steps)
    _, checks["zengzhi kernel"] = kernel(args.steps, repeats=1)
    rows["zengzhi kernel"], _ = kernel(args.kernel_orders)
    notes = []
    if not args.skip_peers:
        note = ensure_peers()
        if note:
            notes.append(note)
        peer = subprocess.run(
            [
                str(PEERS / "bin" / "python"),
                str(HERE / "sim_peers_model.py"),
                str(args.steps),
                str(args.deepcopy_steps),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(x for x in peer.stdout.splitlines() if x.startswith('{"check"'))
        found = json.loads(line)
        checks["peer model"] = found.pop("check")
        for key, label in (
            ("radcad_deepcopy_off", "radCAD (deepcopy off)"),
            ("radcad_deepcopy_on", "radCAD (deepcopy on)"),
            ("cadcad", "cadCAD"),
        ):
            if key in found:
                rows[label] = float(found[key])
        notes += [f"{k}: {v}" for k, v in found.items() if k.endswith("error")]

    fastest = rows["zengzhi kernel"]
    print(f"{'engine':<26}{'steps/s':>16}{'kernel is':>14}")
    for label, rate in rows.items():
        print(f"{label:<26}{rate:>16,.0f}{fastest / rate:>13,.0f}x")
    same = len({json.dumps(c, sort_keys=True) for c in checks.values()}) == 1
    print(f"same final books after {args.steps:,} orders on every engine: {same} {checks}")
    for note in notes:
        print("note:", note)
    print(
        "steps: orders (one per timestep); the kernel figure is the best of 3 runs of "
        f"{args.kernel_orders:,} orders after warm-up, one thread."
    )
    print(
        f"radCAD with deepcopy on and cadCAD copy the whole ledger at every step, so their "
        f"cost grows with the members; they run {args.deepcopy_steps:,} steps, the others "
        f"{args.steps:,}."
    )
    print("reproduce: .venv/bin/python benchmarks/sim_peers.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
