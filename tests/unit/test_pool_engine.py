"""The pool engine's rules one at a time (mechanisms.md §1, replay.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.factories import POINT, YUAN, engine_with, pool_rules
from zengzhi.domain import (
    SOURCE_ACCOUNTS,
    AccountKind,
    Asset,
    Burn,
    Inject,
    InsufficientPoints,
    InvalidAmount,
    InvalidRule,
    IssuanceCapReached,
    PoolEngine,
    PoolRules,
    SellPoints,
    SettleOrder,
    UnknownMember,
    imbalance,
)
from zengzhi.domain.exit_index import price_key, threshold_key


def test_first_order_mints_at_the_initial_price() -> None:
    engine = PoolEngine(PoolRules(initial_price=Fraction(2)))
    outcome = engine.settle_order("a", 1000 * YUAN, 300 * YUAN)
    assert engine.member("a").points_micro == 105 * POINT  # 210 yuan / 2.00
    (entry,) = outcome.entries
    assert imbalance(entry) == {}
    assert {p.account for p in entry.postings} == {
        AccountKind.ORDER_FUNDING,
        AccountKind.POOL,
        AccountKind.POINTS_SUPPLY,
        AccountKind.MEMBER_POINTS,
    }


def test_order_counts_its_amount_as_cycle_spend() -> None:
    engine = PoolEngine(pool_rules())
    engine.settle_order("a", 1234, 300)
    assert engine.member("a").cycle_spend_fen == 1234


def test_order_with_no_pool_part_mints_nothing_but_counts_spend() -> None:
    engine = PoolEngine(pool_rules())
    outcome = engine.settle_order("a", 500, 0)
    assert engine.points_micro == 0
    assert outcome.entries[0].postings == ()
    assert engine.member("a").cycle_spend_fen == 500


@pytest.mark.parametrize(("amount", "pool"), [(-1, 0), (1, -1), (1.5, 0), (True, 0)])
def test_orders_refuse_negative_or_fractional_amounts(amount: object, pool: object) -> None:
    engine = PoolEngine(pool_rules())
    with pytest.raises(InvalidAmount):
        engine.settle_order("a", amount, pool)  # type: ignore[arg-type]
    assert engine.pool_fen == 0


def test_sale_pays_the_price_less_the_fee_and_burns_the_points() -> None:
    engine = engine_with(pool_rules(exit_multiple=None), 1000 * YUAN, [("a", 100 * POINT, 0)])
    outcome = engine.sell("a", 50 * POINT)
    assert engine.member("a").cash_fen == 400 * YUAN  # 50 × 10.00 × 0.8
    assert engine.pool_fen == 600 * YUAN  # the 100 fee stays: reflow
    assert engine.points_micro == 50 * POINT
    assert imbalance(outcome.entries[0]) == {}


def test_sale_payout_is_rounded_down_in_favour_of_the_pool() -> None:
    engine = engine_with(pool_rules(exit_multiple=None), 100, [("a", 3 * POINT, 0)])
    engine.sell("a", 1 * POINT)  # worth 33.33 fen, 80% = 26.67
    assert engine.member("a").cash_fen == 26
    assert engine.pool_fen == 74


def test_selling_more_than_held_is_refused_and_changes_nothing() -> None:
    engine = engine_with(pool_rules(), 1000, [("a", POINT, 100)])
    with pytest.raises(InsufficientPoints, match="holds 1000000"):
        engine.sell("a", POINT + 1)
    assert engine.member("a").points_micro == POINT
    assert engine.pool_fen == 1000


def test_selling_negative_points_is_refused() -> None:
    engine = engine_with(pool_rules(), 1000, [("a", POINT, 100)])
    with pytest.raises(InvalidAmount):
        engine.sell("a", -1)


def test_selling_nothing_or_all_of_nothing_is_a_no_op() -> None:
    engine = PoolEngine(pool_rules())
    assert engine.sell("ghost", None).entries == ()
    assert engine.sell("ghost", 0).entries == ()
    assert engine.member("ghost").points_micro == 0


def test_empty_economy_keeps_the_last_price_and_mints_at_it() -> None:
    engine = PoolEngine(pool_rules(exit_multiple=None))
    engine.settle_order("a", 1000 * YUAN, 300 * YUAN)
    last = engine.price()
    engine.sell("a", None)
    assert engine.points_micro == 0
    assert engine.price() == last
    assert engine.pool_fen == 60 * YUAN  # the fee on the last sale stays in the pool
    engine.settle_order("b", 1000 * YUAN, 300 * YUAN)
    assert engine.member("b").points_micro == int(210 * POINT / last)


def test_injection_raises_the_price_without_minting() -> None:
    engine = engine_with(pool_rules(exit_multiple=None), 1000, [("a", POINT, 0)])
    outcome = engine.inject(1000)
    assert engine.points_micro == POINT
    assert engine.price() == Fraction(20)
    assert imbalance(outcome.entries[0]) == {}
    assert engine.inject(0).entries == ()


def test_issuance_cap_stops_minting_but_not_the_pool() -> None:
    engine = PoolEngine(pool_rules(cap_points=300, exit_multiple=None))
    engine.settle_order("a", 1000 * YUAN, 300 * YUAN)  # 210 points
    outcome = engine.settle_order("b", 1000 * YUAN, 300 * YUAN)  # 147 wanted, 90 left
    assert engine.member("b").points_micro == 90 * POINT
    assert outcome.events == (IssuanceCapReached(300 * POINT),)
    later = engine.settle_order("c", 1000 * YUAN, 300 * YUAN)
    assert engine.member("c").points_micro == 0
    assert later.events == ()
    assert engine.pool_fen == 900 * YUAN
    assert engine.issued_micro == 300 * POINT


def test_burn_takes_a_share_of_every_holder_and_leaves_the_pool() -> None:
    engine = engine_with(
        pool_rules(exit_multiple=None), 1000, [("a", 150, 0), ("b", 99, 0), ("c", 0, 0)]
    )
    outcome = engine.burn(Fraction(1, 100))
    assert engine.member("a").points_micro == 149  # floor(1.5) burned
    assert engine.member("b").points_micro == 99  # floor(0.99) = 0 burned
    assert engine.pool_fen == 1000
    assert imbalance(outcome.entries[0]) == {}


def test_burning_everything_remembers_the_price() -> None:
    engine = engine_with(pool_rules(exit_multiple=None), 1000, [("a", 100, 0)])
    price = engine.price()
    engine.burn(Fraction(1))
    assert engine.points_micro == 0
    assert engine.price() == price


@pytest.mark.parametrize("rate", [Fraction(-1, 100), Fraction(101, 100)])
def test_burn_rate_must_be_between_zero_and_one(rate: Fraction) -> None:
    with pytest.raises(InvalidAmount):
        PoolEngine(pool_rules()).burn(rate)


def test_burn_of_nothing_is_a_no_op() -> None:
    assert PoolEngine(pool_rules()).burn(Fraction(1, 100)).entries == ()


def test_member_crossing_the_line_is_sold_out_and_starts_a_new_cycle() -> None:
    # 100 points at 10.00 = 1,000 yuan against a spend of 400: 3x line is 1,200 (P = 12)
    engine = engine_with(pool_rules(), 1000 * YUAN, [("a", 100 * POINT, 400 * YUAN)])
    assert engine.inject(199 * YUAN).exits == ()  # P = 11.99
    outcome = engine.inject(1 * YUAN)  # P = 12.00: exactly on the line
    (exit_,) = outcome.exits
    assert exit_.member == "a"
    assert exit_.payout_fen == 960 * YUAN
    a = engine.member("a")
    assert (a.points_micro, a.cycle_spend_fen, a.exits, a.cash_fen) == (0, 0, 1, 960 * YUAN)


def test_cascade_takes_the_lowest_threshold_first_then_join_order() -> None:
    # b joined last but has the lowest exit price; a and c tie exactly: a joined first
    rules = pool_rules()
    engine = engine_with(
        rules,
        1000 * YUAN,
        [
            ("a", 100 * POINT, 500 * YUAN),
            ("c", 200 * POINT, 1000 * YUAN),
            ("b", 100 * POINT, 100 * YUAN),
        ],
    )
    outcome = engine.inject(100_000 * YUAN)
    assert [e.member for e in outcome.exits] == ["b", "a", "c"]


def test_an_exit_can_push_the_next_member_over_the_line() -> None:
    # the fee on a's exit lifts the price past b's threshold: a cascade
    rules = pool_rules()
    engine = engine_with(
        rules, 1000 * YUAN, [("a", 50 * POINT, 100 * YUAN), ("b", 50 * POINT, 340 * YUAN)]
    )
    assert engine.exit_price("b") == Fraction(1020, 50)  # 20.40
    outcome = engine.inject(0 * YUAN + 1)  # P = 10.0001: a (threshold 6) exits
    assert [e.member for e in outcome.exits] == ["a"]
    assert engine.price() < engine.exit_price("b")  # type: ignore[operator]
    engine.inject(1000 * YUAN)
    assert engine.member("b").exits == 1


def test_members_with_nearly_equal_thresholds_are_ordered_exactly() -> None:
    # two thresholds closer than the heap key resolution (2^-24 yuan): exact order wins
    rules = pool_rules()
    p = 10**12
    engine = engine_with(rules, 10**9, [("x", p, 10**9 // 3 + 1), ("y", p - 1, 10**9 // 3)])
    tx, ty = engine.exit_price("x"), engine.exit_price("y")
    assert tx is not None
    assert ty is not None
    assert ty < tx
    outcome = engine.inject(10**12)
    assert [e.member for e in outcome.exits] == ["y", "x"]


def test_no_exit_rule_means_nobody_is_forced_out() -> None:
    engine = engine_with(pool_rules(exit_multiple=None), 1000, [("a", 1, 1)])
    assert engine.inject(10**9).exits == ()
    assert engine.exit_price("a") is None


def test_lowering_the_exit_multiple_forces_exits_from_then_on() -> None:
    engine = engine_with(pool_rules(), 1000 * YUAN, [("a", 100 * POINT, 500 * YUAN)])
    assert engine.exit_price("a") == Fraction(15)
    outcome = engine.change_rules(pool_rules(exit_multiple="2"))  # line at P = 10: on it
    assert [e.member for e in outcome.exits] == ["a"]


def test_state_restores_into_an_engine_that_continues_identically() -> None:
    engine = PoolEngine(pool_rules())
    for i in range(50):
        engine.settle_order(f"m{i % 7}", (i + 1) * 997, (i + 1) * 300)
    twin = PoolEngine.restore(engine.rules, engine.state())
    for i in range(50):
        a = engine.settle_order(f"m{i % 5}", 1000 * YUAN, 300 * YUAN)
        b = twin.settle_order(f"m{i % 5}", 1000 * YUAN, 300 * YUAN)
        assert a == b
    assert engine.state() == twin.state()


def test_apply_dispatches_every_command() -> None:
    engine = PoolEngine(pool_rules())
    engine.apply(SettleOrder("a", 1000, 300))
    engine.apply(SellPoints("a", 1))
    engine.apply(Burn(Fraction(1, 2)))
    engine.apply(Inject(5))
    assert engine.pool_fen > 300


def test_unknown_members_are_named_in_the_error() -> None:
    engine = PoolEngine(pool_rules())
    with pytest.raises(UnknownMember, match="nobody"):
        engine.member("nobody")
    assert not engine.has_member("nobody")
    assert engine.exit_price("nobody") is None


def test_add_member_joins_once() -> None:
    engine = PoolEngine(pool_rules())
    engine.add_member("a")
    engine.add_member("a")
    assert [m.member for m in engine.members()] == ["a"]


def test_only_source_accounts_are_sources() -> None:
    assert AccountKind.POOL not in SOURCE_ACCOUNTS
    assert AccountKind.MEMBER_CASH not in SOURCE_ACCOUNTS
    assert Asset.CASH.value == "cash"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"points_ratio": Fraction(11, 10)},
        {"points_ratio": Fraction(-1)},
        {"initial_price": Fraction(0)},
        {"sell_fee": Fraction(1)},
        {"sell_fee": Fraction(-1, 10)},
        {"exit_multiple": Fraction(0)},
        {"issuance_cap_micro": -1},
    ],
)
def test_impossible_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidRule):
        PoolRules(**kwargs)  # type: ignore[arg-type]


def test_compaction_keeps_exits_working_after_many_updates() -> None:
    engine = PoolEngine(pool_rules())
    for i in range(3000):  # far more index rows than members: forces compaction
        engine.settle_order(f"m{i % 3}", 100 * YUAN, 30 * YUAN)
    for m in engine.members():
        threshold = engine.exit_price(m.member)
        assert threshold is None or threshold > engine.price()


def test_stale_index_rows_are_skipped() -> None:
    # a sale raises a's exit price; the old, lower row must not force a out early
    engine = engine_with(pool_rules(), 1000 * YUAN, [("a", 100 * POINT, 400 * YUAN)])
    engine.sell("a", 50 * POINT)  # a's threshold moves from 12.00 to about 24
    assert engine.inject(100 * YUAN).exits == ()
    assert engine.member("a").points_micro == 50 * POINT


def test_stale_rows_sharing_a_key_with_live_ones_are_skipped() -> None:
    engine = engine_with(
        pool_rules(), 1000 * YUAN, [("b", 50 * POINT, 200 * YUAN), ("a", 50 * POINT, 200 * YUAN)]
    )
    engine.settle_order("a", 0, 0)  # a files a fresh row with the very same key
    outcome = engine.inject(1000 * YUAN)
    assert [e.member for e in outcome.exits] == ["b", "a"]


def test_reindexing_skips_members_without_points() -> None:
    engine = engine_with(pool_rules(), 1000, [("a", POINT, 1000), ("empty", 0, 0)])
    assert engine.change_rules(pool_rules(exit_multiple="4")).exits == ()
    assert engine.exit_price("empty") is None


def test_a_threshold_a_hair_above_the_price_does_not_exit() -> None:
    # threshold and price share a heap key (they differ by 10^-8 yuan): the exact test decides
    spend, points = 1_000_000_007, 10**12
    engine = engine_with(pool_rules(), 3 * spend - 1, [("x", points, spend)])
    assert threshold_key(3, 1, spend, points) == price_key(3 * spend - 1, points)
    assert engine.change_rules(pool_rules()).exits == ()
    assert engine.member("x").points_micro == points
    assert [e.member for e in engine.inject(1).exits] == ["x"]
