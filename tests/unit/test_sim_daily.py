"""The daily books' attribution: who paid for a dividend, floored, never wrapping."""

from __future__ import annotations

import numpy as np

from zengzhi.sim.daily import Books, attribute, later_sales
from zengzhi.sim.examples import hand_plan


def _ints(*values: int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def test_later_sales_counts_only_members_who_joined_after_the_payee() -> None:
    members, amounts = _ints(0, 2, 1, 2, 4), _ints(10, 20, 30, 40, 50)
    assert list(later_sales(members, amounts, _ints(0, 1, 2, 4))) == [140, 110, 50, 0]


def test_attribution_is_pro_rata_to_later_sales_and_floored() -> None:
    books = Books(hand_plan(1, [(0, i, 100) for i in range(3)]), ())
    # 10 fen to member 0 funded by sales of 100 (own), 100 and 100 (later): 2/3 → 6
    attribute(books, _ints(0, 1), _ints(10, 9), _ints(0, 1, 2), _ints(100, 100, 100))
    assert list(books.col("from_later_fen")) == [6, 3, 0]


def test_attribution_of_a_huge_day_is_exact_where_int64_products_would_wrap() -> None:
    books = Books(hand_plan(1, [(0, 0, 1), (0, 1, 1)]), ())
    paid, later = 3 * 10**12, 7 * 10**12  # their product is far above 2^63
    attribute(books, _ints(0), _ints(paid), _ints(0, 1), _ints(10**12, later))
    assert books.col("from_later_fen")[0] == paid * later // (10**12 + later)
