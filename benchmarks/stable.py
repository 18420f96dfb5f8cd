"""Two tokens through the ledger (issue 6 §2): convert, pay and exchange as stored commands.

N members each have a settled order; then every member converts their points, pays a
merchant, and the merchant exchanges what it received, each a `CommandRequest` through the
single writer (`apply_batch`), one unit of work per request as an HTTP call makes it, and
then the same again in batches of 500. `verify` replays everything at the end.

    .venv/bin/python benchmarks/stable.py --members 2000

PostgreSQL: ZENGZHI_TEST_PG (or --pg) names a server; a scratch database is created on it
and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import EngineCache, SettleOrderRequest, create_economy, verify_economy
from zengzhi.app.requests import CommandRequest, Request
from zengzhi.app.writer import apply_batch
from zengzhi.domain.stable_points import ConvertToStable, ExchangeStable, PayStable
from zengzhi.presets import load_preset
from zengzhi.store import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
SHOP = "merchant:cafe"


def _run(db: Database, engines: EngineCache, requests: Sequence[Request], batch: int) -> None:
    for start in range(0, len(requests), batch):
        chunk = requests[start : start + batch]

        def work(uow: object, chunk: Sequence[Request] = chunk) -> None:
            for reply in apply_batch(uow, engines, "bench", chunk, 0):  # type: ignore[arg-type]
                reply.result()

        db.run(work)


def _timed(
    label: str, db: Database, engines: EngineCache, requests: Sequence[Request], batch: int
) -> None:
    start = time.perf_counter()
    _run(db, engines, requests, batch)
    seconds = time.perf_counter() - start
    count = len(requests)
    print(f"  {label:<44} {count:>7,} in {seconds:7.2f} s  {count / seconds:9,.0f} /s")


def run(kind: str, url: str, members: int) -> None:
    db = Database(url)
    db.upgrade()
    engines = EngineCache()
    db.run(lambda uow: create_economy(uow, "bench", load_preset("two-tokens"), 0))
    ids = [f"m{i:06d}" for i in range(members)]
    orders = [SettleOrderRequest(f"o{i}", m, 100_00) for i, m in enumerate(ids)]
    _run(db, engines, orders, 500)
    print(f"{kind}: {members:,} members with a settled order")
    for label, batch in (("one request per unit of work", 1), ("batches of 500", 500)):
        tag = f"b{batch}"
        converts: list[Request] = [
            CommandRequest(f"{tag}c{m}", ConvertToStable(m, 1_000_000)) for m in ids
        ]
        pays: list[Request] = [
            CommandRequest(f"{tag}p{m}", PayStable(m, SHOP, 1_000_000)) for m in ids
        ]
        exchanges: list[Request] = [
            CommandRequest(f"{tag}x{m}", ExchangeStable(SHOP, 1_000_000)) for m in ids
        ]
        print(f" {label}:")
        _timed("convert (points to the treasury)", db, engines, converts, batch)
        _timed("pay a merchant", db, engines, pays, batch)
        _timed("merchant exchange (from the treasury)", db, engines, exchanges, batch)
    start = time.perf_counter()
    with db.snapshot() as reader:
        report = verify_economy(reader, "bench")
    assert report.ok, report.problems
    print(f"  verify: {report.events:,} events, {report.transactions:,} transactions replayed"
          f" in {time.perf_counter() - start:.2f} s")  # fmt: skip
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print("command:", " ".join([".venv/bin/python", *sys.argv]))
    for kind in ("sqlite", "postgresql"):
        if args.only in (None, kind):
            with scratch_database(kind, args.pg) as url:
                run(kind, url, args.members)


if __name__ == "__main__":
    main()
