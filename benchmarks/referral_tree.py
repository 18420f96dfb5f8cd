"""The referral tree in the store: the release job's whole-tree load vs recursive CTE reads.

Decision it supports (issue 5): no closure table. The daily job loads every member's
referrer in one statement and walks the tree as integer arrays in memory
(domain/referral_tree.py: ancestors, team totals); single-member reads (a member's
downline, team size, ancestors) are recursive CTEs over the (economy_id, referrer) index
of `members` (migration 0005). A closure table would hold one row per (ancestor,
descendant) pair: ~N x mean depth rows (about 2.5M for 100k members of depth 50) to keep
up to date on every sign-up, for reads that are already fast enough.

    .venv/bin/python benchmarks/referral_tree.py                  # both databases
    .venv/bin/python benchmarks/referral_tree.py --members 20000 --only sqlite
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from scratch_db import scratch_database  # benchmarks/ is on sys.path when run as a script
from zengzhi.app import create_economy
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.presets import load_preset
from zengzhi.store import Database
from zengzhi.store.grant_repository import SqlGrants

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
ECONOMY = "bench"


def tree(members: int, depth: int, seed: int = 7) -> list[int]:
    """Parents of a random tree of `members` whose deepest chain has `depth` levels."""
    rng = random.Random(seed)
    parents, depths = [-1], [0]
    for i in range(1, members):
        p = i - 1 - min(i - 1, int(rng.expovariate(0.2)))  # mostly recent: deep chains
        while depths[p] >= depth - 1:
            p = rng.randrange(i)
        parents.append(p)
        depths.append(depths[p] + 1)
    return parents


def timed(what: str, work: Callable[[], Any], repeat: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    print(f"  {what:<58} {best * 1000:9.1f} ms")
    return result


def run(url: str, members: int, depth: int) -> None:
    db = Database(url)
    db.upgrade()
    db.run(lambda uow: create_economy(uow, ECONOMY, load_preset("locked-grants"), 0))
    parents = tree(members, depth)
    rows = [
        {"e": ECONOMY, "m": f"m{i:07d}", "r": None if p < 0 else f"m{p:07d}", "t": 1}
        for i, p in enumerate(parents)
    ]
    insert = text(
        "INSERT INTO members (economy_id, member_id, referrer, created_at, points_micro,"
        " cash_fen, cycle_spend_fen, exits) VALUES (:e, :m, :r, :t, 0, 0, 0, 0)"
    )
    with db.engine.begin() as conn:
        conn.execute(insert, rows)
        if not db.is_sqlite:
            conn.exec_driver_sql("ANALYZE members")
    deepest = max(range(members), key=_depths(parents).__getitem__)
    with db.engine.connect() as conn:
        store = SqlGrants(conn, db.is_sqlite)

        def whole_tree() -> ReferralTree:
            found = store.referrers(ECONOMY)
            return ReferralTree.from_parent_map(found)

        built = timed("job: load every referrer + build the array tree", whole_tree)
        own = [1_000 for _ in range(members)]
        timed("job: team totals of every member (in memory)", lambda: built.team_totals(own, False))
        timed(
            "read: downline size of the root (all members, recursive CTE)",
            lambda: store.downline_size(ECONOMY, "m0000000"),
        )
        middle = f"m{members // 2:07d}"
        timed(
            f"read: downline size of {middle} (recursive CTE)",
            lambda: store.downline_size(ECONOMY, middle),
        )
        up = text(
            "WITH RECURSIVE up(member_id, referrer, n) AS ("
            " SELECT member_id, referrer, 0 FROM members WHERE economy_id = :e AND member_id = :m"
            " UNION ALL SELECT p.member_id, p.referrer, up.n + 1 FROM members p JOIN up"
            " ON p.economy_id = :e AND p.member_id = up.referrer) SELECT COUNT(*) - 1 FROM up"
        )
        generations = timed(
            f"read: ancestors of the deepest member m{deepest:07d} (recursive CTE)",
            lambda: conn.execute(up, {"e": ECONOMY, "m": f"m{deepest:07d}"}).scalar(),
        )
        print(f"  (the deepest member has {generations} ancestors)")
    db.dispose()


def _depths(parents: list[int]) -> list[int]:
    depths = [0] * len(parents)
    for i, p in enumerate(parents):
        depths[i] = 0 if p < 0 else depths[p] + 1
    return depths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", default=os.environ.get("ZENGZHI_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    print(
        f"referral tree: {args.members:,} members, depth {args.depth}"
        f" (python {sys.version.split()[0]}, {os.cpu_count()} cpus)"
    )
    for kind in ("postgresql", "sqlite"):
        if args.only not in (None, kind):
            continue
        with scratch_database(kind, args.pg) as url:
            print(f"{kind}:")
            run(url, args.members, args.depth)
    here = Path(__file__).name
    size = f"--members {args.members} --depth {args.depth}"
    print(f"reproduce: .venv/bin/python benchmarks/{here} {size}")


if __name__ == "__main__":
    main()
