"""Engine throughput: settled orders and sales through the exact pool engine, in memory.

Workload (issue 2): 1,000,000 settled orders spread over 100,000 members, forced exits at
3x, one event in five a sale. Events are generated up front from a fixed seed (not timed);
the timed loop is `PoolEngine.apply` producing its ledger entries and domain events.

Reproduce:  .venv/bin/python benchmarks/engine.py [--orders N] [--members M] [--seed S]
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import time

from zengzhi.domain import (
    Command,
    PoolEngine,
    PoolRules,
    SellPoints,
    SettleOrder,
    format_fen,
    format_price,
)


def make_events(orders: int, members: int, seed: int) -> list[Command]:
    """Orders of 100-2,000 yuan (30% to the pool); after every fourth order, a sale."""
    rng = random.Random(seed)
    events: list[Command] = []
    for i in range(orders):
        member = f"m{rng.randrange(members)}"
        amount = rng.randrange(100, 2001) * 100
        events.append(SettleOrder(member, amount, amount * 3 // 10))
        if i % 4 == 3:  # 1 in 5 events is a sale: 4 orders, then 1 sale
            events.append(SellPoints(f"m{rng.randrange(members)}", None))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    events = make_events(args.orders, args.members, args.seed)
    engine = PoolEngine(PoolRules())  # ratio 0.7, fee 20%, exit at 3x
    apply = engine.apply
    exits = entries = 0
    start = time.perf_counter()
    for event in events:
        outcome = apply(event)
        entries += len(outcome.entries)
        exits += len(outcome.events)
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    sales = len(events) - args.orders
    price, pool = format_price(engine.price()), format_fen(engine.pool_fen)
    print(f"events        {len(events):,} ({args.orders:,} orders, {sales:,} sales)")
    print(f"members       {args.members:,}; forced exits {exits:,}; ledger entries {entries:,}")
    print(f"final price   {price} yuan/point; pool {pool} yuan")
    print(f"elapsed       {elapsed:.2f} s")
    print(f"throughput    {len(events) / elapsed:,.0f} events/s (one core)")
    print(f"peak memory   {peak_mib:,.0f} MiB (process max RSS, events included)")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"python        {python} on {platform.machine()}")
    print(
        f"reproduce     {sys.executable} benchmarks/engine.py --orders {args.orders} "
        f"--members {args.members} --seed {args.seed}"
    )


if __name__ == "__main__":
    main()
