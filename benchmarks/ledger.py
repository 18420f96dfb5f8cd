"""Settled orders persisted per second: one writer, batched, on PostgreSQL and SQLite.

Every order goes the whole way: idempotency lookup, engine, one chained transaction with
its postings, the event and order rows, balances, member positions, checkpoints, commit.

    .venv/bin/python benchmarks/ledger.py                      # both databases
    .venv/bin/python benchmarks/ledger.py --orders 20000 --only sqlite

PostgreSQL: ZENGZHI_TEST_PG (or --pg) names a server; a scratch database is created on it
and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import EngineCache, SettleOrderRequest, create_economy, submit, verify_economy
from zengzhi.presets import load_preset
from zengzhi.store import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def run(url: str, orders: int, batch: int, members: int, verify: bool) -> float:
    db = Database(url)
    db.upgrade()
    engines = EngineCache()
    economy = "bench"
    db.run(lambda uow: create_economy(uow, economy, load_preset("appreciating-pool"), 0))
    requests = [
        SettleOrderRequest(f"order-{i}", f"member-{i % members}", 10_000 + (i * 7919) % 90_000)
        for i in range(orders)
    ]
    started = time.perf_counter()
    for start in range(0, orders, batch):
        chunk = requests[start : start + batch]
        now = time.time_ns() // 1000
        replies = db.run(
            lambda uow, chunk=chunk, now=now: submit(uow, engines, economy, chunk, now)
        )
        assert all(r.ok for r in replies)
    elapsed = time.perf_counter() - started
    if verify:
        with db.snapshot() as reader:
            report = verify_economy(reader, economy)
        print(f"  verify: {'ok' if report.ok else report.problems[:3]}, price {report.price}")
    db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    parser.add_argument("--verify", action="store_true", help="run zengzhi verify afterwards")
    args = parser.parse_args()
    print(f"{args.orders:,} settled orders over {args.members:,} members, batch {args.batch:,}")
    for name in ("postgresql", "sqlite"):
        if args.only not in (None, name):
            continue
        with scratch_database(name, args.pg) as url:
            elapsed = run(url, args.orders, args.batch, args.members, args.verify)
        print(
            f"{name:>10}: {args.orders / elapsed:,.0f} orders/s "
            f"({elapsed:.2f} s, batch size {args.batch:,})"
        )
    print("reproduce: .venv/bin/python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))


if __name__ == "__main__":
    main()
