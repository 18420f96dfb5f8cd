"""Members ordered by the price at which they would be forced out (mechanisms.md §1).

A member with points p (micro) and cycle spend S (fen) is over the line when
p × F ≥ m × S × N, i.e. when the price F·10⁴/N reaches the threshold m·S·10⁴/p. A price
change must not scan every holder, so thresholds live in a min-heap. Heap keys are
integers (the threshold scaled by 2^KEY_BITS, floored) because comparing rationals at
every heap step is slow; distinct keys order thresholds correctly, and entries that share
a key are ordered exactly by the engine. Entries carry the member's version so stale
ones are skipped lazily instead of searched for and removed.
"""

from __future__ import annotations

from typing import TypeAlias

KEY_BITS = 24

# (threshold key, join order, member, version); a plain tuple so heapq compares it natively
IndexRow: TypeAlias = tuple[int, int, str, int]


def threshold_key(multiple_num: int, multiple_den: int, spend_fen: int, points_micro: int) -> int:
    """floor(threshold × 2^KEY_BITS) with threshold = m · S · 10⁴ / p (yuan per point)."""
    return (multiple_num * spend_fen * 10_000 << KEY_BITS) // (multiple_den * points_micro)


def price_key(pool_fen: int, points_micro: int) -> int:
    """floor(price × 2^KEY_BITS), comparable with `threshold_key`.

    If threshold ≤ price then threshold_key ≤ price_key; a key strictly below the price
    key means the member is over the line, an equal key needs the exact test.
    """
    return (pool_fen * 10_000 << KEY_BITS) // points_micro
