"""The public side's read costs on a long history (SQLite): disclosure, pages, proofs.

Seeds one economy with N settled orders through the app use cases, then times, in one
process: the first disclosure (a fold over every posting of the economy), a later one
(only new postings are read), a transaction page, a transaction's detail (its price
before is a sum over earlier postings), an account page and an inclusion proof.

    .venv/bin/python benchmarks/public.py                 # 50,000 orders
    .venv/bin/python benchmarks/public.py --orders 200000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from zengzhi.api.public_service import PublicService
from zengzhi.app import EngineCache, SettleOrderRequest, create_economy, submit
from zengzhi.app.disclosure import pseudonym
from zengzhi.presets import load_preset
from zengzhi.store import Database

SECRET = b"benchmark-secret"


def timed(what: str, call: Callable[[], object], repeat: int = 1) -> None:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    shown = statistics.median(runs) * 1000
    print(f"  {what:<46} {shown:9.1f} ms" + (f" (median of {repeat})" if repeat > 1 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'public.sqlite3'}")
        db.upgrade()
        engines = EngineCache()
        db.run(lambda uow: create_economy(uow, "bench", load_preset("appreciating-pool"), 0))
        start = time.perf_counter()
        for first in range(0, args.orders, 2_000):
            requests = [
                SettleOrderRequest(f"o{i}", f"member-{i % args.members}", 10_000 + i % 90_000)
                for i in range(first, min(args.orders, first + 2_000))
            ]
            db.run(lambda uow, r=requests, t=first: submit(uow, engines, "bench", r, t + 1))
        seeded = time.perf_counter() - start
        service = PublicService(db, SECRET)
        view = service.economy("bench")  # warm SQLite's page cache; then time a fresh service
        service = PublicService(db, SECRET)
        txs = view.disclosure.seq
        print(f"{args.orders:,} orders, {txs:,} transactions, seeded in {seeded:.1f} s")
        timed("first disclosure (fold of every posting)", lambda: service.economy("bench"))
        timed("disclosure again (nothing new)", lambda: service.economy("bench"), 20)
        timed("transactions page (newest 20)", lambda: service.transactions("bench", None, 20), 20)
        timed("transactions page (oldest 20, by cursor)",
              lambda: service.transactions("bench", 21, 20), 20)  # fmt: skip
        timed("transaction detail (last: sums all before)",
              lambda: service.transaction("bench", txs), 5)  # fmt: skip
        name = pseudonym(SECRET, "bench", "member-7")
        timed("account page (first: indexes pseudonyms)",
              lambda: service.account("bench", name, None, 20))  # fmt: skip
        timed("account page again", lambda: service.account("bench", name, None, 20), 20)
        timed("inclusion proof (block of 1024)", lambda: service.proof("bench", 5), 5)
        db.dispose()
    print(f"reproduce: {sys.executable} benchmarks/public.py --orders {args.orders}")


if __name__ == "__main__":
    main()
