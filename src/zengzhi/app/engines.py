"""A process-wide cache of each economy's engine, valid while the stored sequence agrees.

Rebuilding an engine from the store costs a read of every member, so a writer keeps the
engine between batches. Under the writer lock the cached entry is used only if it was
confirmed by a successful commit and its event sequence equals the stored one; any other
writer (another process) or a failed commit makes the sequence or the flag disagree, and
the engine is reloaded. Guarded by a lock because several threads may write.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from zengzhi.app.ports import EconomyHead
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine


@dataclass
class CachedEngine:
    config: EconomyConfig
    config_version: int
    engine: PoolEngine
    event_seq: int
    member_count: int
    # hashes of the transactions since the last checkpoint (the open Merkle block)
    block_hashes: list[bytes] = field(default_factory=list)
    confirmed: bool = True
    # balances the engine does not keep (stable points, coins, grants, pending cash, ...)
    holdings: Holdings = field(default_factory=Holdings)


class EngineCache:
    def __init__(self) -> None:
        self._entries: dict[str, CachedEngine] = {}
        self._lock = threading.Lock()

    def take(self, head: EconomyHead) -> CachedEngine | None:
        """The cached engine if it matches the stored head; it becomes unconfirmed."""
        with self._lock:
            entry = self._entries.pop(head.economy_id, None)
        if (
            entry is None
            or not entry.confirmed
            or entry.event_seq != head.event_seq
            or entry.config_version != head.config_version
        ):
            return None
        entry.confirmed = False
        return entry

    def put(self, economy_id: str, entry: CachedEngine) -> None:
        """Keep an engine for later; it is used again only once `confirm` is called."""
        with self._lock:
            self._entries[economy_id] = entry

    def confirm(self, economy_id: str, entry: CachedEngine) -> None:
        with self._lock:
            if self._entries.get(economy_id) is entry:
                entry.confirmed = True

    def invalidate(self, economy_id: str) -> None:
        with self._lock:
            self._entries.pop(economy_id, None)
