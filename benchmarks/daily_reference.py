"""How long the pure reference computations of one day's settlement take (§3 and §4).

These are the exact domain functions every faster path (SQL, kernels) is checked against;
the figures say how far the reference itself goes, not what the store will reach.

    .venv/bin/python benchmarks/daily_reference.py --members 100000
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import TypeVar

from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.grant_release import settle_locked_day
from zengzhi.domain.locked_grants import GrantBook, LockedGrantRules
from zengzhi.domain.quota import SHARE_SCALE
from zengzhi.domain.referral_tree import NO_PARENT, ReferralTree
from zengzhi.domain.team import TeamRules, star_levels
from zengzhi.presets import load_preset

T = TypeVar("T")


def timed(label: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    n, rng = args.members, random.Random(args.seed)
    print(f"members: {n:,} (seed {args.seed}); machine shared with other work")

    # a referral tree where most members were referred by someone who joined earlier
    parents = tuple(NO_PARENT if i < 10 else rng.randrange(i) for i in range(n))
    ids = tuple(f"m{i}" for i in range(n))
    tree = timed("referral tree (validate, depths)", lambda: ReferralTree(ids, parents))
    print(f"{'deepest member':<44} {max(tree.depths):8d}")

    cyclic = load_preset("cyclic-purchase").sections
    dividends = DividendRules.from_sections(cyclic)
    shares = [rng.randrange(0, 300) * SHARE_SCALE for _ in range(n)]
    quota = [rng.randrange(0, 2_000_000) for _ in range(n)]
    sales = 100 * n * 100  # 100 yuan of sales per member
    day = timed(
        "§3 dividends (pro rata + tiers)", lambda: settle_dividends(dividends, sales, shares, quota)
    )
    timed("§3 dividend entries", lambda: day.entries(ids))

    locked = load_preset("locked-grants").sections
    rules, team = LockedGrantRules.from_sections(locked), TeamRules.from_sections(locked)
    amounts = [rng.choice((300_000, 900_000, 2_700_000)) for _ in range(n)]
    grants = [rules.grant_for(a) for a in amounts]
    book = GrantBook(
        tuple(range(n)),
        tuple(g.base_micro for g in grants if g),
        tuple(g.points_micro for g in grants if g),
        n,
    )
    stars = timed("§4 star levels (team performance)", lambda: star_levels(team, tree, amounts))
    release = timed(
        "§4 release day (own, referral, team, peer)",
        lambda: settle_locked_day(rules, team, tree, book, stars),
    )
    timed("§4 release entries", lambda: release.entries(ids))


if __name__ == "__main__":
    main()
