"""Units, exact parsing and the one place where rounding happens (mechanisms.md §0).

Cash is integer fen, points are integer micro-points, prices are exact rationals in yuan
per point. Every rounding goes in favour of the pool: amounts paid or minted to a payee
are rounded down. Nothing here ever touches a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from zengzhi.domain.errors import InvalidAmount, InvalidRule

FEN_PER_YUAN = 100
MICRO_PER_POINT = 1_000_000
# price in yuan/point = (fen / 100) / (micro / 10^6) = fen * 10^4 / micro
PRICE_SCALE = MICRO_PER_POINT // FEN_PER_YUAN


def payee_floor(numerator: int, denominator: int) -> int:
    """Round a non-negative amount owed to a payee down: the remainder stays with the pool."""
    if denominator <= 0 or numerator < 0:
        raise InvalidAmount("an amount to pay out must be non-negative")
    return numerator // denominator


def price_of(pool_fen: int, points_micro: int) -> Fraction:
    """The exact price in yuan per point of a pool backing `points_micro` points."""
    return Fraction(pool_fen * PRICE_SCALE, points_micro)


def parse_ratio(text: object, name: str) -> Fraction:
    """Read a decimal parameter written as a string ("0.7") exactly."""
    if not isinstance(text, str):
        raise InvalidRule(f'{name} must be written as a decimal string such as "0.7"')
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRule(f"{name} is not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise InvalidRule(f"{name} must be a finite number, not {text!r}")
    return Fraction(value)


def format_price(price: Fraction, places: int = 4) -> str:
    """Show a price to people: rounded half-up to `places` decimals, computed on the rational."""
    scaled = price * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = "-" if whole < 0 else ""
    units, decimals = divmod(abs(whole), 10**places)
    return f"{sign}{units}.{decimals:0{places}d}" if places else f"{sign}{units}"


def format_fen(fen: int) -> str:
    """Cash for people: 123456 -> '1234.56'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def format_points(micro: int, places: int = 6) -> str:
    """Points for people: 21000000 -> '21.000000' (or fewer places, rounded down)."""
    sign = "-" if micro < 0 else ""
    whole, frac = divmod(abs(micro), MICRO_PER_POINT)
    if places == 0:
        return f"{sign}{whole}"
    digits = f"{frac:06d}"[:places]
    return f"{sign}{whole}.{digits}"


def fen_from_yuan(text: str) -> int:
    """Parse '12.34' yuan into 1234 fen; more than two decimals is an error, not a rounding."""
    amount = parse_ratio(text, "amount") * FEN_PER_YUAN
    if amount.denominator != 1:
        raise InvalidAmount(f"{text!r} has more than two decimals; cash is counted in fen")
    return int(amount)
