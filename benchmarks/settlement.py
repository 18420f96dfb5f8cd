"""One cyclic-purchase day's dividend settlement for N members (issue 5; goal ≤ 30 s on PG).

The economy is seeded in bulk SQL (members, their §3 quota and shares, the day's settled
orders: one in ten members buys), then `settle_day` is timed: read every position in one
statement, decide the day in memory, write the payouts through the ledger writer (one
chained transaction per member paid) and every position back in one bulk statement.

    .venv/bin/python benchmarks/settlement.py --members 100000 --only postgresql
    .venv/bin/python benchmarks/settlement.py --members 1000000 --only postgresql

PostgreSQL: ZENGZHI_TEST_PG (or --pg) names a server; a scratch database is created on it
and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import EngineCache, create_economy
from zengzhi.app.daily import settle_day
from zengzhi.presets import load_preset
from zengzhi.store import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

DAY = date(2026, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(hour: int, day: date = DAY) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).timestamp()) * 10**6


def seed(db: Database, economy: str, members: int) -> None:
    """Members holding quota and 1-300 shares; one in ten bought during the day."""
    db.run(lambda uow: create_economy(uow, economy, load_preset("cyclic-purchase"), 0))
    ids = [f"m{i:07d}" for i in range(members)]
    member_rows = [(economy, m, i, 0) for i, m in enumerate(ids)]
    positions = [(economy, m, 2_000_000 + i % 500_000, (1 + i % 300) * 1_000_000)
                 for i, m in enumerate(ids)]  # fmt: skip
    orders = [
        (economy, f"o{i}", m, 100_000, 10_000, "settled", i + 1, _at(12), _at(12))
        for i, m in enumerate(ids[::10])
    ]
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO members (economy_id, member_id, join_seq, created_at)"
            " VALUES (%s, %s, %s, %s)" if not db.is_sqlite else
            "INSERT INTO members (economy_id, member_id, join_seq, created_at) VALUES (?,?,?,?)",
            member_rows,
        )  # fmt: skip
        mark = "?" if db.is_sqlite else "%s"
        conn.exec_driver_sql(
            "INSERT INTO daily_positions (economy_id, member_id, quota_fen, shares_micro)"
            f" VALUES ({', '.join([mark] * 4)})",
            positions,
        )
        conn.exec_driver_sql(
            "INSERT INTO orders (economy_id, order_id, member_id, amount_fen, pool_fen, status,"
            f" event_seq, created_at, updated_at) VALUES ({', '.join([mark] * 9)})",
            orders,
        )
        # the day before is settled: the run below settles exactly one day
        conn.exec_driver_sql(
            "INSERT INTO daily_jobs (economy_id, kind, period, event_seq, sales_fen, paid_fen,"
            f" done_at) VALUES ({', '.join([mark] * 7)})",
            [(economy, "dividend", "2026-02-28", 0, 0, 0, 0)],
        )


def run(url: str, members: int) -> tuple[float, int, int]:
    db = Database(url)
    db.upgrade()
    seed(db, "bench", members)
    started = time.perf_counter()
    settled = db.run(
        lambda uow: settle_day(uow, EngineCache(), "bench", DAY, _at(1, date(2026, 3, 2)))
    )
    elapsed = time.perf_counter() - started
    db.dispose()
    assert [s.day for s in settled] == [DAY.isoformat()]
    return elapsed, settled[0].sales_fen, settled[0].paid_fen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    print(f"one day's dividends for {args.members:,} members ({args.members // 10:,} orders)")
    for name in ("postgresql", "sqlite"):
        if args.only not in (None, name):
            continue
        with scratch_database(name, args.pg) as url:
            elapsed, sales, paid = run(url, args.members)
        print(f"{name:>10}: {elapsed:.2f} s (sales {sales:,} fen, paid {paid:,} fen)")
    print("reproduce: .venv/bin/python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))


if __name__ == "__main__":
    main()
