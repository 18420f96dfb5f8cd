"""One locked-grants release day (§4) for N members, through the whole stack.

N members in referral chains (depth up to 50), each with one settled 3,000-yuan order and
its grant (set up through the settlement use case, not timed), then the day's release
job is timed: grants synced from the ledger, the tree and order totals read, the day
decided (own release, 50%/30% referral, star differential, peer reward), one command
of four transactions written, grants' locked rests and members' standings written back.

    .venv/bin/python benchmarks/releases.py                     # both databases, 20,000
    .venv/bin/python benchmarks/releases.py --members 100000 --only postgresql
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import EngineCache, SettleOrderRequest, create_economy
from zengzhi.app.order_effects import settle_orders
from zengzhi.app.releases import settle_release_day
from zengzhi.app.use_cases import register_member
from zengzhi.presets import load_preset
from zengzhi.store import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 1)


def at(day: date, hour: int) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).timestamp()) * 10**6


def run(url: str, members: int, batch: int) -> None:
    db = Database(url)
    db.upgrade()
    engines = EngineCache()
    economy = "bench"
    db.run(lambda uow: create_economy(uow, economy, load_preset("locked-grants"), at(DAY, 0)))
    started = time.perf_counter()
    ids = [f"m{i:07d}" for i in range(members)]
    for start in range(0, members, batch):

        def join(uow: object, start: int = start) -> None:
            for i in range(start, min(members, start + batch)):
                referrer = None if i % 50 == 0 else ids[i - 1]  # chains of 50
                register_member(uow, economy, ids[i], at(DAY, 1), referrer=referrer)  # type: ignore[arg-type]

        db.run(join)
        orders = [
            SettleOrderRequest(f"o{i}", ids[i], 300_000 * (1 + i % 3))
            for i in range(start, min(members, start + batch))
        ]
        db.run(lambda uow, orders=orders: settle_orders(uow, engines, economy, orders, at(DAY, 9)))
    print(
        f"  set-up: {members:,} members with a grant each in {time.perf_counter() - started:.1f} s"
    )
    now = at(DAY + timedelta(days=1), 1)
    started = time.perf_counter()
    done = db.run(lambda uow: settle_release_day(uow, engines, economy, DAY, now))
    elapsed = time.perf_counter() - started
    t = done[0].totals
    print(
        f"  release day: {elapsed:.2f} s for {t.members:,} members releasing"
        f" (own {t.base_micro // 10**6:,}, referral {t.referral_micro // 10**6:,},"
        f" team {t.team_micro // 10**6:,}, peer {t.peer_micro // 10**6:,} points)"
    )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    print(
        f"release day: {args.members:,} members"
        f" (python {sys.version.split()[0]}, {os.cpu_count()} cpus)"
    )
    for kind in ("postgresql", "sqlite"):
        if args.only not in (None, kind):
            continue
        with scratch_database(kind, args.pg) as url:
            print(f"{kind}:")
            run(url, args.members, args.batch)
    print(f"reproduce: .venv/bin/python benchmarks/releases.py --members {args.members}")


if __name__ == "__main__":
    main()
