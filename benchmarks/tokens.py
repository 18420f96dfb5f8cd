"""How fast the §2/§6/§7 rules run: commission splits, two-token moves, dividends, tallies.

Run: .venv/bin/python benchmarks/tokens.py [--scale N]   (N multiplies the default sizes)
Prints operations per second for each; the machine may be shared, so say so with figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from fractions import Fraction

from zengzhi.domain.governance import Ballot, open_proposal, tally
from zengzhi.domain.local_life import LocalLifeRules, Store, StoreOrder, settle_store_order
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.regional_agents import AgentLevel, AgentRule, RegionAgents
from zengzhi.domain.rules import PoolRules
from zengzhi.domain.stable_points import StableRules, TwoTokenEconomy
from zengzhi.domain.token_dividends import distribute_dividends

TOKEN = 1_000_000


def _timed(label: str, count: int, run: Callable[[], object]) -> None:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {count:>9,} in {seconds:7.3f} s  {count / seconds:>12,.0f} /s")


def store_orders(count: int) -> None:
    agents = (
        AgentRule(AgentLevel.DISTRICT, Fraction(1, 1000)),
        AgentRule(AgentLevel.CITY, Fraction(2, 1000)),
        AgentRule(AgentLevel.PROVINCE, Fraction(3, 1000)),
    )
    rules = LocalLifeRules(agents=agents)
    engine = PoolEngine(PoolRules(exit_multiple=Fraction(6, 5), sell_fee=Fraction(1, 5)))
    store = Store("s", "m", Fraction(1, 5), "promoter")
    region = RegionAgents("d", "c", "p")
    for n in range(count):
        order = StoreOrder(f"m{n % 5000}", 10_000 + n % 997, store, (f"r{n % 7}", "r-top"), region)
        settle_store_order(engine, rules, order)


def two_token_cycles(count: int) -> None:
    pool = PoolRules(sell_fee=Fraction(1, 10), exit_multiple=None)
    economy = TwoTokenEconomy(PoolEngine(pool), StableRules(buyback_fee=pool.sell_fee))
    for n in range(count):
        member = f"m{n % 1000}"
        economy.engine.settle_order(member, 10_000, 3_000)
        economy.convert(member, economy.engine.member(member).points_micro // 2)
        economy.pay(member, "cafe", economy.stable_of(member))
        economy.exchange("cafe", economy.stable_of("cafe"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    scale = parser.parse_args().scale
    print("command:", " ".join([".venv/bin/python", *sys.argv]))
    orders = 20_000 * scale
    _timed("store orders split and settled (§6)", orders, lambda: store_orders(orders))
    cycles = 5_000 * scale
    _timed("order+convert+pay+exchange cycles (§2)", cycles, lambda: two_token_cycles(cycles))
    holders = {f"h{n}": (n % 50 + 1) * TOKEN for n in range(100_000 * scale)}
    _timed(
        "dividend payouts (§7)",
        len(holders),
        lambda: distribute_dividends(100_000_00, holders),
    )
    proposal = open_proposal("p", "t", ("a", "b"), holders, 10 * TOKEN)
    ballots = [Ballot(v, "ab"[n % 2]) for n, (v, _) in enumerate(proposal.electorate)]
    _timed("ballots tallied (§7)", len(ballots), lambda: tally(proposal, ballots))


if __name__ == "__main__":
    main()
