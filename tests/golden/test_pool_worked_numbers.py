"""The documents' worked numbers for the appreciating pool (mechanisms.md §1), exactly."""

from __future__ import annotations

from fractions import Fraction

from tests.factories import POINT, YUAN, pool_rules
from zengzhi.domain import PoolEngine, format_points, format_price


def _seed003_engine(orders: int) -> PoolEngine:
    """Seed 003: each order puts 30 yuan in the pool and mints points worth 21."""
    engine = PoolEngine(pool_rules(fee="0.1", exit_multiple=None))
    for i in range(orders):
        engine.settle_order(f"m{i + 1:03d}", 100 * YUAN, 30 * YUAN)
    return engine


def test_seed003_first_order_mints_21_points_and_prices_them_at_1_4286() -> None:
    engine = _seed003_engine(1)
    assert engine.member("m001").points_micro == 21 * POINT
    assert format_price(engine.price()) == "1.4286"


def test_seed003_second_order_brings_35_7_points_at_1_6807() -> None:
    engine = _seed003_engine(2)
    assert format_points(engine.points_micro) == "35.700000"
    assert format_price(engine.price()) == "1.6807"


def test_seed003_third_order_brings_48_195_points_at_1_8674() -> None:
    engine = _seed003_engine(3)
    assert format_points(engine.points_micro) == "48.195000"
    assert format_price(engine.price()) == "1.8674"


def test_seed003_fourth_order_prices_at_2_0188() -> None:
    assert format_price(_seed003_engine(4).price()) == "2.0188"


def test_seed003_after_100_orders_price_is_5_1731() -> None:
    assert format_price(_seed003_engine(100).price()) == "5.1731"


def test_seed003_member_a_is_worth_108_6351_at_the_shown_price() -> None:
    """The seed multiplies A's 21 points by the rounded price 5.1731 (= 108.6351).

    Decided: the books never use a rounded price. A's exact worth is 21 × 5.17307660…
    = 108.6346…; the seed's figure is reproduced from the displayed price.
    """
    engine = _seed003_engine(100)
    shown_price = Fraction(format_price(engine.price()))
    points = Fraction(engine.member("m001").points_micro, POINT)
    assert points == 21
    assert f"{float(points * shown_price):.4f}" == "108.6351"
    assert format_price(points * engine.price()) == "108.6346"


def _seed002_engine(orders: int) -> PoolEngine:
    """Seeds 002/004: orders of 1,000 yuan, 300 to the pool, points worth 210."""
    engine = PoolEngine(pool_rules())
    for i in range(orders):
        engine.settle_order(f"member{i + 1}", 1000 * YUAN, 300 * YUAN)
    return engine


def test_seed002_prices_after_three_orders_are_1_43_1_68_1_87() -> None:
    shown = [format_price(_seed002_engine(n).price(), 2) for n in (1, 2, 3)]
    assert shown == ["1.43", "1.68", "1.87"]


def test_seed002_second_and_third_orders_mint_147_and_125_points() -> None:
    engine = _seed002_engine(3)
    assert engine.member("member1").points_micro == 210 * POINT
    assert engine.member("member2").points_micro == 147 * POINT
    third = Fraction(engine.member("member3").points_micro, POINT)
    assert round(third) == 125  # 124.95 points: the seed rounds to whole points


def test_seed002_break_even_and_exit_prices() -> None:
    """Member 1 (210 points) breaks even at 4.76 and is forced out at 3x when P = 14.29;
    member 2 (147 points) at 20.41."""
    engine = _seed002_engine(2)
    spend = Fraction(1000)
    assert format_price(spend / 210, 2) == "4.76"
    assert format_price(engine.exit_price("member1") or 0, 2) == "14.29"
    assert format_price(engine.exit_price("member2") or 0, 2) == "20.41"


def test_seed002_member1_is_forced_out_on_the_first_order_that_lifts_price_past_14_29() -> None:
    engine = _seed002_engine(1)
    threshold = engine.exit_price("member1")
    assert threshold is not None
    n = 1
    while True:
        n += 1
        before = engine.price()
        outcome = engine.settle_order(f"member{n}", 1000 * YUAN, 300 * YUAN)
        if outcome.exits:
            break
        assert engine.price() < threshold
    exit_ = outcome.exits[0]
    assert exit_.member == "member1"
    assert exit_.points_micro == 210 * POINT
    assert before < threshold
    # paid 80% of the points' worth at the price they crossed the line, rounded down
    assert exit_.payout_fen >= 3 * 1000 * YUAN * Fraction(8, 10) - 1
    assert engine.member("member1").cycle_spend_fen == 0


def test_seed004_local_life_exit_at_10_71_pays_960_and_reflows_240() -> None:
    """A = 1,000, C = 160 (16%), points worth 112; at 1.2x member 1 exits at P = 10.71 and,
    selling 1,200 worth, is paid 960 while 240 stays in the pool."""
    engine = PoolEngine(pool_rules(exit_multiple="1.2"))
    engine.settle_order("member1", 1000 * YUAN, 160 * YUAN)
    assert engine.member("member1").points_micro == 112 * POINT
    assert format_price(engine.exit_price("member1") or 0, 2) == "10.71"
    # bring the pool to exactly 1,200 yuan: 112 points are then worth exactly 1,200
    outcome = engine.inject(1200 * YUAN - engine.pool_fen)
    (exit_,) = outcome.exits
    assert exit_.payout_fen == 960 * YUAN
    assert engine.pool_fen == 240 * YUAN
    assert engine.member("member1").cash_fen == 960 * YUAN


def test_seed004_local_life_prices_follow_the_same_path() -> None:
    engine = PoolEngine(pool_rules(exit_multiple="1.2"))
    shown = []
    for n in range(1, 4):
        engine.settle_order(f"member{n}", 1000 * YUAN, 160 * YUAN)
        shown.append(format_price(engine.price(), 2))
    assert shown == ["1.43", "1.68", "1.87"]


def test_selling_moves_the_price_by_the_fee_factor() -> None:
    """Selling n < N points with fee f moves P to P × (1 + f × n / (N − n)), up to the fen
    that rounding leaves in the pool."""
    engine = _seed002_engine(3)
    price, total = engine.price(), engine.points_micro
    sold = 100 * POINT
    engine.sell("member1", sold)
    expected = price * (1 + Fraction(2, 10) * sold / (total - sold))
    one_fen_in_price = Fraction(10_000, engine.points_micro)
    assert expected <= engine.price() < expected + one_fen_in_price
