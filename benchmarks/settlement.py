"""One cyclic-purchase day's dividend settlement for N members (issue 5; goal ≤ 30 s on PG).

The economy is seeded in bulk SQL (members, their §3 quota and shares, the day's settled
orders: one in ten members buys), then `settle_day` is timed: read every position in one
statement, decide the day in memory, write the payouts through the ledger writer (one
chained transaction per pool, a leg per member paid: binary COPY of the postings, one
upsert each for balances and member cash) and every position back in one bulk COPY.
It prints the seconds per phase: read (positions, orders, referrals, rules), decide (the
domain rules), ledger (the writer; "ledger store" is its SQL share), positions (written
back) and commit.

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
from typing import Any
from zoneinfo import ZoneInfo

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import EngineCache, create_economy
from zengzhi.app.daily import settle_day
from zengzhi.presets import load_preset
from zengzhi.store import Database
from zengzhi.store.repository import SqlLedger

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

DAY = date(2026, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(hour: int, day: date = DAY) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).timestamp()) * 10**6


def seed(db: Database, economy: str, members: int, new_accounts: bool) -> None:
    """Members holding quota and 1-300 shares; one in ten bought during the day.

    Earlier days paid them, so each already has a cash account (at zero: they withdrew),
    unless `new_accounts` asks for the first day ever paid, which opens every account.
    """
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
        put = _bulk(conn, db.is_sqlite)
        put("members", "economy_id, member_id, join_seq, created_at", member_rows)
        put("daily_positions", "economy_id, member_id, quota_fen, shares_micro", positions)
        put(
            "orders",
            "economy_id, order_id, member_id, amount_fen, pool_fen, status, event_seq,"
            " created_at, updated_at",
            orders,
        )
        if not new_accounts:
            put(
                "accounts",
                "economy_id, kind, holder, asset, is_source, created_at",
                [(economy, "member_cash", m, "cash", False, 0) for m in ids],
            )
            put(
                "balances",
                "economy_id, kind, holder, asset, balance, is_source",
                [(economy, "member_cash", m, "cash", 0, False) for m in ids],
            )
        # the day before is settled: the run below settles exactly one day
        put(
            "daily_jobs",
            "economy_id, kind, period, event_seq, sales_fen, paid_fen, done_at",
            [(economy, "dividend", "2026-02-28", 0, 0, 0, 0)],
        )


def _bulk(conn: Any, is_sqlite: bool) -> Any:
    """Insert seed rows: COPY on PostgreSQL (a million rows in seconds), executemany on SQLite."""

    def put(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if is_sqlite:
            marks = ", ".join("?" * len(rows[0]))
            conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            return
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    return put


def run(url: str, members: int, new_accounts: bool) -> tuple[float, int, int, dict[str, float]]:
    db = Database(url)
    db.upgrade()
    seed(db, "bench", members, new_accounts)
    phases: dict[str, float] = {}
    write_batch = SqlLedger.write_batch

    def timed(self: SqlLedger, batch: Any) -> None:  # the store's share of the ledger phase
        started = time.perf_counter()
        write_batch(self, batch)
        phases["ledger store"] = time.perf_counter() - started

    SqlLedger.write_batch = timed  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        settled = db.run(
            lambda uow: settle_day(
                uow, EngineCache(), "bench", DAY, _at(1, date(2026, 3, 2)), phases
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        SqlLedger.write_batch = write_batch  # type: ignore[method-assign]
    db.dispose()
    assert [s.day for s in settled] == [DAY.isoformat()]
    phases["commit"] = elapsed - sum(v for k, v in phases.items() if k != "ledger store")
    return elapsed, settled[0].sales_fen, settled[0].paid_fen, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument(
        "--new-accounts", action="store_true", help="the first day ever paid: no cash accounts yet"
    )
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    print(f"one day's dividends for {args.members:,} members ({args.members // 10:,} orders)")
    for name in ("postgresql", "sqlite"):
        if args.only not in (None, name):
            continue
        with scratch_database(name, args.pg) as url:
            elapsed, sales, paid, phases = run(url, args.members, args.new_accounts)
        print(f"{name:>10}: {args.members:,} members in {elapsed:.2f} s", end="")
        print(f" (sales {sales:,} fen, paid {paid:,} fen)")
        split = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in phases.items())
        print(f"{'':>10}  phases: {split}")
    print("reproduce: .venv/bin/python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))


if __name__ == "__main__":
    main()
