"""Rates as integers over one common denominator, for exact bulk arithmetic.

A day's settlement multiplies millions of integer amounts by a handful of rates. Doing
that with `Fraction` objects is slow; scaling every rate to a shared denominator keeps it
exact with plain integers: floor(amount × rate) == amount × num // den.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from math import lcm


def common_scale(rates: Iterable[Fraction]) -> tuple[tuple[int, ...], int]:
    """The numerators of `rates` over their least common denominator, and that denominator."""
    values = tuple(rates)
    den = lcm(1, *(rate.denominator for rate in values))
    return tuple(rate.numerator * (den // rate.denominator) for rate in values), den


def floor_times(amount: int, rate: Fraction) -> int:
    """floor(amount × rate) for a non-negative amount: a payee's share, rounded down."""
    return amount * rate.numerator // rate.denominator
