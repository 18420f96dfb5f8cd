"""Members ordered by the price at which they would be forced out (mechanisms.md §1).

A member with points p (micro) and cycle spend S (fen) is over the line when
p × F ≥ m × S × N, i.e. when the price F·10⁴/N reaches the threshold m·S·10⁴/p. A price
change must not scan every holder, so thresholds live in a heap. Heap keys are integers
(the threshold scaled by 2^KEY_BITS, floored) because comparing rationals at every heap
step is slow; the floor is exact enough to order distinct keys, and entries that share a
key are ordered exactly by the caller. Entries carry the member's version so that stale
ones are skipped lazily instead of searched for and removed.
"""

from __future__ import annotations

import heapq
from typing import TypeAlias

KEY_BITS = 24


# (threshold key, join order, member, version)
_Row: TypeAlias = tuple[int, int, str, int]


class ExitIndex:
    """A min-heap of (threshold key, join order, member, version) rows."""

    __slots__ = ("_heap",)

    def __init__(self) -> None:
        self._heap: list[_Row] = []

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, key: int, seq: int, member: str, version: int) -> None:
        heapq.heappush(self._heap, (key, seq, member, version))

    def peek_key(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    def peek(self) -> _Row:
        return self._heap[0]

    def pop(self) -> _Row:
        return heapq.heappop(self._heap)

    def rebuild(self, rows: list[_Row]) -> None:
        """Replace the contents at once, O(n): after burns, rule changes or compaction."""
        heapq.heapify(rows)
        self._heap = rows


def threshold_key(multiple_num: int, multiple_den: int, spend_fen: int, points_micro: int) -> int:
    """floor(threshold × 2^KEY_BITS) with threshold = m · S · 10⁴ / p (yuan per point)."""
    return (multiple_num * spend_fen * 10_000 << KEY_BITS) // (multiple_den * points_micro)


def price_key(pool_fen: int, points_micro: int) -> int:
    """floor(price × 2^KEY_BITS), comparable with `threshold_key`."""
    return (pool_fen * 10_000 << KEY_BITS) // points_micro
