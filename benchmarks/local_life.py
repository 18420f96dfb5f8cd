"""Settling local-life orders (§6) in batches: the commission split's cost per order.

N members in a referral chain buy once each in a store with a promoter and agents at all
three levels; the orders are reported, their return window passes, and the timed part is
`settle_due_in` (batches of 500 through the ledger writer: each order with its split).
The same orders in an appreciating-pool economy (no split) give the baseline.

    .venv/bin/python benchmarks/local_life.py --orders 2000
    .venv/bin/python benchmarks/local_life.py --orders 2000 --only sqlite

PostgreSQL: ZENGZHI_TEST_PG (or --pg) names a server; a scratch database is created on it
and dropped afterwards.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from typing import Any

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.config import Settings
from zengzhi.service import Service, local_life, merchants
from zengzhi.service.accounts import create_member, create_operator
from zengzhi.service.operators import create_economy_from_preset
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DAY = 86_400 * 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = time.time_ns() // 1000

    def __call__(self) -> int:
        return self.now


def run(url: str, preset: str, orders: int) -> float:
    Database(url).upgrade()
    clock = Clock()
    settings = Settings(environment="test", secret_key="b" * 48, database_url=url)
    svc = Service(Database(url), settings, ConsoleSmsProvider(stream=io.StringIO()), clock=clock)

    def setup(uow: Any) -> list[str]:
        now = svc.now()
        who = create_operator(svc, uow, "13900000001", "bench", "bench-password-1", now)
        acks = [{"code": c, "reason": "benchmark"} for c in ("paid_positions",
                                                            "returns_exceed_spend")]  # fmt: skip
        create_economy_from_preset(svc, uow, "bench", preset, who, now, acks)
        merchants.create_merchant(svc, uow, "bench", "shop", "shop", "bench", now)
        members: list[str] = []
        for n in range(orders + 4):
            by = members[-1] if members else None
            members.append(create_member(uow, "bench", f"137{n:08d}", by, None, now))
        return members

    members = svc.run(setup)
    store = None
    if preset == "local-life":
        store = "noodles"
        local_life.set_store_terms(
            svc, "bench", "bench", store, "shop", "0.2", promoter=members[0],
            owner_member=members[1], province="广东", city="深圳", district="南山",
        )  # fmt: skip
        for level, region in (("province", ("广东", "", "")), ("city", ("广东", "深圳", "")),
                              ("district", ("广东", "深圳", "南山"))):  # fmt: skip
            local_life.set_agent(svc, "bench", "bench", level, members[2], *region)
    for n in range(orders):
        merchants.report_order(svc, "bench", "shop", f"o-{n}", 100_000, members[n + 4], None,
                               store)  # fmt: skip
    clock.now += 8 * DAY
    started = time.perf_counter()
    settled = merchants.settle_due_in(svc, "bench")
    elapsed = time.perf_counter() - started
    assert settled == orders, settled
    svc.database.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    print(f"$ {' '.join(sys.argv)}  ({os.cpu_count()} CPUs)")
    for kind in kinds:
        for preset in ("appreciating-pool", "local-life"):
            with scratch_database(kind, args.pg) as url:
                seconds = run(url, preset, args.orders)
            rate = args.orders / seconds
            print(f"{kind:10} {preset:18} {args.orders} orders settled in {seconds:6.2f} s "
                  f"({rate:,.0f} orders/s)")  # fmt: skip


if __name__ == "__main__":
    main()
