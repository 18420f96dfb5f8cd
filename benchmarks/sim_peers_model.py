"""The peer benchmark's model, written for cadCAD and radCAD (run in their own venv).

Same model as `benchmarks/sim_peers.py` measures in Zengzhi: each timestep one new member
orders 1,000 yuan; 300 goes to the pool; points worth 210 are minted at the price before
the order; a member whose points reach 3x what they spent is forced out, selling all at
the price with a 20% fee kept in the pool, lowest threshold first; a per-member ledger.
Exact integers (fen, micro-points), as in Zengzhi. Prints one JSON object.

    benchmarks/.venv-peers/bin/python benchmarks/sim_peers_model.py STEPS DEEPCOPY_STEPS
"""

from __future__ import annotations

import heapq
import json
import sys
import time

ORDER_FEN, POOL_FEN = 100_000, 30_000
RATIO_NUM, RATIO_DEN = 7, 10
KEEP_NUM, KEEP_DEN = 4, 5
MULT = 3


def new_book() -> dict:
    return {"pool": 0, "points": 0, "members": [], "heap": [], "exits": 0, "paid": 0}


def order(book: dict) -> None:
    """One order by a new member, then forced exits (the Zengzhi rule, exactly)."""
    members, pool, points = book["members"], book["pool"], book["points"]
    if points:
        minted = RATIO_NUM * POOL_FEN * points // (RATIO_DEN * pool)
    else:
        minted = RATIO_NUM * POOL_FEN * 10_000 // RATIO_DEN
    member = len(members)
    members.append([minted, ORDER_FEN, 0])  # points, cycle spend, cash
    book["pool"], book["points"] = pool + POOL_FEN, points + minted
    # every member spends the same once, so the lowest threshold spend/points is the
    # largest holding: (−points, join order) is the exact exit order here
    heapq.heappush(book["heap"], (-minted, member))
    heap = book["heap"]
    while heap and book["points"]:
        _, m = heap[0]
        held, spend, _cash = members[m]
        if held == 0 or held * book["pool"] < MULT * spend * book["points"]:
            break
        heapq.heappop(heap)
        payout = held * book["pool"] * KEEP_NUM // (book["points"] * KEEP_DEN)
        book["pool"] -= payout
        book["points"] -= held
        members[m] = [0, 0, members[m][2] + payout]
        book["exits"] += 1
        book["paid"] += payout


def policy(params, substep, history, state):  # cadCAD signature
    return {"orders": 1}


def update_book(params, substep, history, state, signal):
    book = state["book"]
    for _ in range(signal["orders"]):
        order(book)
    return "book", book


BLOCKS = [{"policies": {"order": policy}, "variables": {"book": update_book}}]


def run_radcad(steps: int, deepcopy: bool) -> float:
    from radcad import Engine, Experiment, Model, Simulation

    model = Model(initial_state={"book": new_book()}, state_update_blocks=BLOCKS, params={})
    simulation = Simulation(model=model, timesteps=steps, runs=1)
    experiment = Experiment([simulation])
    experiment.engine = Engine(deepcopy=deepcopy, drop_substeps=True)
    start = time.perf_counter()
    experiment.run()
    return steps / (time.perf_counter() - start)


def run_cadcad(steps: int) -> float:
    from cadCAD.configuration import Experiment
    from cadCAD.configuration.utils import config_sim
    from cadCAD.engine import ExecutionContext, ExecutionMode, Executor

    experiment = Experiment()
    experiment.append_model(
        initial_state={"book": new_book()},
        partial_state_update_blocks=BLOCKS,
        sim_configs=config_sim({"N": 1, "T": range(steps), "M": {"unused": [0]}}),
    )
    context = ExecutionContext(context=ExecutionMode().single_mode)
    start = time.perf_counter()
    Executor(exec_context=context, configs=experiment.configs).execute()
    return steps / (time.perf_counter() - start)


def main() -> None:
    steps, deep_steps = int(sys.argv[1]), int(sys.argv[2])
    out: dict[str, object] = {}
    # the same book as in Zengzhi after `steps` orders: a check that the model matches
    book = new_book()
    for _ in range(steps):
        order(book)
    out["check"] = {
        "pool_fen": book["pool"],
        "points_micro": book["points"],
        "exits": book["exits"],
    }
    try:
        out["radcad_deepcopy_off"] = run_radcad(steps, deepcopy=False)
        out["radcad_deepcopy_on"] = run_radcad(deep_steps, deepcopy=True)
    except Exception as error:  # report, do not hide, a peer that fails
        out["radcad_error"] = f"{type(error).__name__}: {error}"
    try:
        out["cadcad"] = run_cadcad(deep_steps)
    except Exception as error:
        out["cadcad_error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
