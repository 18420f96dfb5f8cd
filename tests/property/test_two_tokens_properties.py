"""§2 two tokens under random sequences: the books balance, agree with the engine, never go
negative; the price never falls; a refused request changes nothing; the treasury always
covers merchants' exchanges (stable points only come from conversions at a price that
never falls)."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from hypothesis import event, given, settings
from hypothesis import strategies as st

from zengzhi.domain.entries import (
    SOURCE_ACCOUNTS,
    AccountKind,
    Asset,
    Entry,
    EntryKind,
    imbalance,
)
from zengzhi.domain.errors import DomainError
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.rules import PoolRules
from zengzhi.domain.stable_points import StableRules, TwoTokenEconomy
from zengzhi.domain.token_errors import TreasuryShortfall

HOLDERS = ("ann", "bo", "cy", "cafe", "deli")
FEES = st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(6, 1000), Fraction(1, 10)])

ops = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.sampled_from(HOLDERS), st.integers(1, 500_000)),
        st.tuples(st.just("convert"), st.sampled_from(HOLDERS), st.integers(1, 1000)),
        st.tuples(st.just("pay"), st.sampled_from(HOLDERS), st.integers(1, 1000)),
        st.tuples(st.just("exchange"), st.sampled_from(HOLDERS), st.integers(1, 1000)),
        st.tuples(st.just("cash_out"), st.sampled_from(HOLDERS), st.integers(1, 1000)),
        st.tuples(st.just("buyback"), st.sampled_from(HOLDERS), st.integers(1, 1000)),
    ),
    min_size=1,
    max_size=60,
)
# every sequence starts with members buying, so conversions have points to work with
openings = st.lists(
    st.tuples(st.just("order"), st.sampled_from(HOLDERS[:3]), st.integers(100, 500_000)),
    min_size=1,
    max_size=5,
)


def _pick(candidates: list[str], who: str) -> str:
    """Prefer a holder who can act, so that most generated steps do something."""
    return candidates[HOLDERS.index(who) % len(candidates)] if candidates else who


def _apply(economy: TwoTokenEconomy, op: tuple[str, str, int]) -> tuple[Entry, ...]:
    kind, who, n = op
    engine = economy.engine
    if kind == "order":
        return engine.settle_order(who, n, n * 3 // 10).entries
    if kind in ("convert", "buyback"):
        who = _pick([m.member for m in engine.members() if m.points_micro], who)
        held = engine.member(who).points_micro if engine.has_member(who) else 0
        amount = held * n // 1000
        if kind == "convert":
            return economy.convert(who, amount).entries
        return economy.buyback(who, amount).entries
    who = _pick([h for h in HOLDERS if economy.stable_of(h)], who)
    amount = economy.stable_of(who) * n // 1000
    if kind == "pay":
        merchant = HOLDERS[(HOLDERS.index(who) + n) % len(HOLDERS)]
        return economy.pay(who, merchant, amount).entries
    if kind == "exchange":
        return economy.exchange(who, amount).entries
    return economy.cash_out(who, amount).entries


@settings(max_examples=300, deadline=None)
@given(
    opening=openings,
    ops=ops,
    sell_fee=FEES,
    exit_multiple=st.sampled_from([None, Fraction(6, 5), Fraction(3)]),
    convert_fee=FEES,
    exchange_fee=FEES,
    cashout_fee=FEES,
    peg=st.sampled_from([1, 100, 250]),
)
def test_random_two_token_sequences_keep_exact_books(
    opening: list[tuple[str, str, int]],
    ops: list[tuple[str, str, int]],
    sell_fee: Fraction,
    exit_multiple: Fraction | None,
    convert_fee: Fraction,
    exchange_fee: Fraction,
    cashout_fee: Fraction,
    peg: int,
) -> None:
    pool_rules = PoolRules(sell_fee=sell_fee, exit_multiple=exit_multiple)
    rules = StableRules(peg, convert_fee, exchange_fee, cashout_fee, sell_fee)
    economy = TwoTokenEconomy(PoolEngine(pool_rules), rules)
    books: dict[tuple[AccountKind, str | None, Asset], int] = defaultdict(int)
    price = economy.engine.price()
    for op in opening + ops:
        before = economy.state()
        try:
            entries = _apply(economy, op)
        except TreasuryShortfall:  # the property: it never happens
            raise
        except DomainError as error:
            assert economy.state() == before  # a refusal changes nothing
            event(f"{op[0]} refused: {error.code}")
            continue
        event(f"{op[0]} applied")
        if any(e.kind is EntryKind.EXIT for e in entries):
            event("forced exit")
        for entry in entries:
            assert imbalance(entry) == {}
            for p in entry.postings:
                books[(p.account, p.holder, p.asset)] += p.amount
        engine = economy.engine
        assert engine.price() >= price
        price = engine.price()
        assert engine.points_micro == economy.treasury_micro + sum(
            m.points_micro for m in engine.members()
        )
        for (account, holder, _asset), amount in books.items():
            assert account in SOURCE_ACCOUNTS or amount >= 0
            if account is AccountKind.MEMBER_POINTS:
                assert amount == engine.member(str(holder)).points_micro
            if account is AccountKind.MEMBER_STABLE:
                assert amount == economy.stable_of(str(holder))
            if account is AccountKind.MEMBER_CASH:  # a merchant's cash-outs too
                assert amount == engine.member(str(holder)).cash_fen
        assert books[(AccountKind.TREASURY_POINTS, None, Asset.POINTS)] == economy.treasury_micro
        assert economy.treasury_micro == engine.reserve_micro  # the account is the reserve
        assert books[(AccountKind.POOL, None, Asset.CASH)] == engine.pool_fen
        assert -books[(AccountKind.STABLE_SUPPLY, None, Asset.STABLE)] == (
            economy.stable_outstanding
        )
