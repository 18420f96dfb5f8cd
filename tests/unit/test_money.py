"""Units, parsing and the single rounding rule (mechanisms.md §0)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from zengzhi.domain import (
    InvalidAmount,
    InvalidRule,
    format_fen,
    format_points,
    format_price,
    parse_ratio,
    payee_floor,
    price_of,
)
from zengzhi.domain.money import fen_from_yuan


def test_price_is_pool_over_points_in_yuan_per_point() -> None:
    assert price_of(3000, 21_000_000) == Fraction(30, 21)


@pytest.mark.parametrize(
    ("price", "places", "shown"),
    [
        (Fraction(30, 21), 4, "1.4286"),
        (Fraction(100025, 100000), 4, "1.0003"),  # exactly half (1.00025) rounds up
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(7), 0, "7"),
        (Fraction(-1, 3), 2, "-0.33"),
    ],
)
def test_prices_are_shown_rounded_half_up(price: Fraction, places: int, shown: str) -> None:
    assert format_price(price, places) == shown


def test_payees_are_rounded_down() -> None:
    assert payee_floor(999, 10) == 99


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 10), (1, 0)])
def test_rounding_refuses_negative_payouts(numerator: int, denominator: int) -> None:
    with pytest.raises(InvalidAmount):
        payee_floor(numerator, denominator)


def test_decimal_strings_are_read_exactly() -> None:
    assert parse_ratio("0.7", "ratio") == Fraction(7, 10)
    assert parse_ratio(" 0.1 ", "fee") == Fraction(1, 10)


@pytest.mark.parametrize("bad", [0.7, "seven", "NaN", "Infinity", None])
def test_decimal_parameters_must_be_finite_decimal_strings(bad: object) -> None:
    with pytest.raises(InvalidRule):
        parse_ratio(bad, "ratio")


def test_cash_and_points_are_formatted_for_people() -> None:
    assert format_fen(123456) == "1234.56"
    assert format_fen(-5) == "-0.05"
    assert format_points(21_000_000) == "21.000000"
    assert format_points(124_950_000, 2) == "124.95"
    assert format_points(-1_500_000, 0) == "-1"


def test_yuan_text_becomes_fen_without_rounding() -> None:
    assert fen_from_yuan("12.34") == 1234
    with pytest.raises(InvalidAmount, match="more than two decimals"):
        fen_from_yuan("0.001")
