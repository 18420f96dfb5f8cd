"""Invariants of the pool engine over random event sequences (issue 2, mechanisms.md §1).

Each example builds random rules and a random log of orders, sales, burns and injections,
applies it, and after every event checks what members and auditors rely on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain import (
    SOURCE_ACCOUNTS,
    AccountKind,
    Asset,
    Burn,
    Command,
    Inject,
    PoolEngine,
    PoolRules,
    SellPoints,
    SettleOrder,
    imbalance,
)

MEMBERS = [f"m{i}" for i in range(6)]


@dataclass(frozen=True)
class SellShare:
    """Sell `per_mille`/1000 of what the member holds at that moment (drawn before we know)."""

    member: str
    per_mille: int


Step = SettleOrder | SellShare | Burn | Inject

rules_strategy = st.builds(
    PoolRules,
    points_ratio=st.fractions(min_value=0, max_value=1, max_denominator=100),
    initial_price=st.fractions(min_value=Fraction(1, 100), max_value=10, max_denominator=100),
    sell_fee=st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=100),
    exit_multiple=st.none() | st.fractions(min_value=1, max_value=5, max_denominator=10),
    issuance_cap_micro=st.none() | st.integers(min_value=0, max_value=10**10),
)


@st.composite
def orders(draw: st.DrawFn) -> SettleOrder:
    amount = draw(st.integers(min_value=0, max_value=500_000))
    pool = draw(st.integers(min_value=0, max_value=amount))
    return SettleOrder(draw(st.sampled_from(MEMBERS)), amount, pool)


steps_strategy = st.lists(
    st.one_of(
        orders(),
        orders(),
        st.builds(SellShare, st.sampled_from(MEMBERS), st.integers(0, 1000)),
        st.builds(Burn, st.fractions(min_value=0, max_value=Fraction(1, 10), max_denominator=100)),
        st.builds(Inject, st.integers(min_value=0, max_value=1_000_000)),
    ),
    max_size=60,
)


def _command(engine: PoolEngine, step: Step) -> Command:
    if isinstance(step, SellShare):
        held = engine.member(step.member).points_micro if engine.has_member(step.member) else 0
        return SellPoints(step.member, held * step.per_mille // 1000)
    return step


class Books:
    """Balances rebuilt from the entries alone, as the ledger would hold them."""

    def __init__(self) -> None:
        self.balances: dict[tuple[AccountKind, str | None, Asset], int] = defaultdict(int)
        self.contributed = self.injected = self.paid_out = 0

    def post(self, engine: PoolEngine, command: Command) -> None:
        for entry in engine.apply(command).entries:
            assert imbalance(entry) == {}
            for p in entry.postings:
                self.balances[(p.account, p.holder, p.asset)] += p.amount
                if p.account is AccountKind.ORDER_FUNDING:
                    self.contributed -= p.amount
                elif p.account is AccountKind.INJECTION_FUNDING:
                    self.injected -= p.amount
                elif p.account is AccountKind.MEMBER_CASH:
                    self.paid_out += p.amount


def _check_invariants(engine: PoolEngine, books: Books) -> None:
    members = list(engine.members())
    assert engine.pool_fen == books.contributed + books.injected - books.paid_out
    assert engine.pool_fen == books.balances[(AccountKind.POOL, None, Asset.CASH)]
    assert sum(m.points_micro for m in members) == engine.points_micro
    supply = books.balances[(AccountKind.POINTS_SUPPLY, None, Asset.POINTS)]
    assert -supply == engine.points_micro
    assert engine.pool_fen >= 0
    for m in members:
        assert m.points_micro >= 0
        assert m.cash_fen >= 0
        assert books.balances[(AccountKind.MEMBER_POINTS, m.member, Asset.POINTS)] == m.points_micro
        assert books.balances[(AccountKind.MEMBER_CASH, m.member, Asset.CASH)] == m.cash_fen
    for (account, _, _), amount in books.balances.items():
        assert amount >= 0 or account in SOURCE_ACCOUNTS
    multiple = engine.rules.exit_multiple
    if multiple is not None and engine.points_micro:
        for m in members:
            if m.points_micro:
                worth = m.points_micro * engine.pool_fen
                line = multiple * m.cycle_spend_fen * engine.points_micro
                assert worth < line, f"{m.member} is over the exit line"


@settings(max_examples=200, deadline=None)
@given(rules=rules_strategy, steps=steps_strategy)
def test_books_hold_after_every_event(rules: PoolRules, steps: list[Step]) -> None:
    engine, books = PoolEngine(rules), Books()
    for step in steps:
        price_before = engine.price()
        books.post(engine, _command(engine, step))
        assert engine.price() >= price_before, "the price fell"
        _check_invariants(engine, books)


@settings(max_examples=100, deadline=None)
@given(rules=rules_strategy, steps=steps_strategy)
def test_replaying_the_same_log_gives_the_same_state(rules: PoolRules, steps: list[Step]) -> None:
    first, second = PoolEngine(rules), PoolEngine(rules)
    for step in steps:
        command = _command(first, step)
        assert first.apply(command) == second.apply(command)
    assert first.state() == second.state()


@settings(max_examples=100, deadline=None)
@given(rules=rules_strategy, steps=steps_strategy, cut=st.integers(0, 60))
def test_a_restored_engine_continues_exactly(rules: PoolRules, steps: list[Step], cut: int) -> None:
    straight = PoolEngine(rules)
    resumed = PoolEngine(rules)
    for i, step in enumerate(steps):
        if i == cut:
            resumed = PoolEngine.restore(rules, resumed.state())
        command = _command(straight, step)
        assert straight.apply(command) == resumed.apply(command)
    assert straight.state() == resumed.state()


@settings(max_examples=200, deadline=None)
@given(
    pool=st.integers(1, 10**9),
    total=st.integers(2, 10**12),
    data=st.data(),
    fee=st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=100),
)
def test_a_sale_moves_the_price_by_the_fee_factor(
    pool: int, total: int, data: st.DataObject, fee: Fraction
) -> None:
    sold = data.draw(st.integers(1, total - 1))
    rules = PoolRules(sell_fee=fee, exit_multiple=None)
    from tests.factories import engine_with

    engine = engine_with(rules, pool, [("seller", sold, 0), ("holder", total - sold, 0)])
    price = engine.price()
    engine.sell("seller", sold)
    expected = price * (1 + fee * Fraction(sold, total - sold))
    one_fen = Fraction(10_000, total - sold)  # what a fen left by rounding adds to the price
    assert expected <= engine.price() < expected + one_fen
