"""The public figures folded from postings, and members' pseudonyms."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.factories import POINT, YUAN, pool_rules
from zengzhi.app.disclosure import MAX_POINTS, DisclosureFold, is_pseudonym, pseudonym
from zengzhi.domain.pool import PoolEngine
from zengzhi.ledger.model import legs_of


def _fold_engine(engine: PoolEngine, commands: list[tuple[str, object]]) -> DisclosureFold:
    fold = DisclosureFold(Fraction(1))
    seq = 0
    for name, args in commands:
        outcome = getattr(engine, name)(*args)  # type: ignore[misc]
        for entry in outcome.entries:
            seq += 1
            fold.add(seq, entry.kind.value, seq * 1000, legs_of(entry))
    return fold


def test_the_fold_agrees_with_the_engine_it_watched() -> None:
    engine = PoolEngine(pool_rules(exit_multiple=None))
    fold = _fold_engine(
        engine,
        [
            ("settle_order", ("a", 1000 * YUAN, 300 * YUAN)),
            ("settle_order", ("b", 1000 * YUAN, 300 * YUAN)),
            ("sell", ("a", 100 * POINT)),
            ("inject", (50 * YUAN,)),
            ("burn", (Fraction("0.01"),)),
        ],
    )
    d = fold.snapshot()
    assert (d.pool_fen, d.outstanding_micro, d.issued_micro) == (
        engine.pool_fen,
        engine.points_micro,
        engine.issued_micro,
    )
    assert d.price == engine.price()
    assert d.contributions_fen == 600 * YUAN
    assert d.injections_fen == 50 * YUAN
    assert d.payouts_fen == engine.member("a").cash_fen
    assert d.pool_fen == d.contributions_fen + d.injections_fen - d.payouts_fen
    assert d.counts == {"order": 2, "sale": 1, "injection": 1, "burn": 1}


def test_reflow_is_the_sold_points_value_before_the_sale_minus_the_payout() -> None:
    engine = PoolEngine(pool_rules(exit_multiple=None))
    engine.settle_order("a", 1000 * YUAN, 300 * YUAN)  # seed 002: 210 points at P = 1.4286
    pool, points = engine.pool_fen, engine.points_micro
    fold = DisclosureFold(Fraction(1))
    fold.add(1, "order", 1, [])  # the fold only needs the sale's state before it
    fold.balances[("pool", "cash")] = pool
    fold.balances[("points_supply", "points")] = -points
    (entry,) = engine.sell("a", 21 * POINT).entries
    fold.add(2, "sale", 2, legs_of(entry))
    gross = Fraction(21 * POINT * pool, points)  # in fen
    paid = engine.member("a").cash_fen
    assert fold.reflow_fen == gross - paid
    assert gross / 5 <= fold.reflow_fen < gross / 5 + 1  # the 20% fee, plus under a fen


def test_with_no_points_outstanding_the_price_stays_where_it_was() -> None:
    engine = PoolEngine(pool_rules(exit_multiple=None))
    fold = _fold_engine(
        engine, [("settle_order", ("a", 1000 * YUAN, 300 * YUAN)), ("sell", ("a", None))]
    )
    assert fold.outstanding_micro == 0
    assert fold.snapshot().price == engine.price() == Fraction(300 * YUAN * 10_000, 210 * POINT)


def test_a_gap_in_the_history_is_refused() -> None:
    fold = DisclosureFold(Fraction(1))
    fold.add(1, "order", 1, [])
    with pytest.raises(ValueError, match="gap"):
        fold.add(3, "order", 3, [])


def test_a_long_price_history_is_thinned_evenly_and_keeps_the_latest() -> None:
    fold = DisclosureFold(Fraction(1))
    for seq in range(1, 5001):
        fold.add(seq, "order", seq, [])
    d = fold.snapshot()
    assert len(d.history) <= MAX_POINTS + 1
    assert d.history[-1].seq == 5000
    gaps = {b.seq - a.seq for a, b in zip(d.history[:-1], d.history[1:-1], strict=False)}
    assert gaps == {d.sampled_every}
    assert d.sampled_every == 8


def test_a_pseudonym_is_stable_keyed_and_hides_the_member() -> None:
    name = pseudonym(b"k1", "eco", "13800138000")
    assert name == pseudonym(b"k1", "eco", "13800138000")
    assert name != pseudonym(b"k2", "eco", "13800138000")
    assert name != pseudonym(b"k1", "other-eco", "13800138000")
    assert is_pseudonym(name)
    assert "13800138000" not in name
    assert not is_pseudonym("13800138000")
    assert not is_pseudonym("M-XYZ")
