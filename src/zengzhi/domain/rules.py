"""The parameters of an appreciating-points pool (mechanisms.md §1), validated once."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from zengzhi.domain.errors import InvalidRule


@dataclass(frozen=True, slots=True)
class PoolRules:
    """How one economy's pool mints, prices, sells and forces exits.

    - `points_ratio`: share of the pool contribution minted as points, valued at the
      price before the order (0.7). At most 1, so minting never lowers the price.
    - `initial_price`: yuan per point before anything was minted (1.00).
    - `sell_fee`: share of a sale kept back in the pool, the reflow (0.2).
    - `exit_multiple`: forced exit once points are worth this multiple of the cycle
      spend (3); `None` turns forced exits off.
    - `issuance_cap_micro`: total micro-points that may ever be minted; `None` is no cap.
    """

    points_ratio: Fraction = Fraction(7, 10)
    initial_price: Fraction = Fraction(1)
    sell_fee: Fraction = Fraction(1, 5)
    exit_multiple: Fraction | None = Fraction(3)
    issuance_cap_micro: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.points_ratio <= 1:
            raise InvalidRule(
                "points_ratio must be between 0 and 1, or minting would lower the price"
            )
        if self.initial_price <= 0:
            raise InvalidRule("initial_price must be above zero")
        if not 0 <= self.sell_fee < 1:
            raise InvalidRule("sell_fee must be at least 0 and below 1")
        if self.exit_multiple is not None and self.exit_multiple <= 0:
            raise InvalidRule("exit_multiple must be above zero, or absent for no forced exit")
        if self.issuance_cap_micro is not None and self.issuance_cap_micro < 0:
            raise InvalidRule("issuance_cap_micro must not be negative")
