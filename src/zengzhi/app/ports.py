"""What the use cases need from storage, as protocols and plain records.

The store implements these with SQL; the use cases only decide. A unit of work groups one
batch of writes into one database transaction that the edge commits: nothing in `app`
commits, and callbacks registered with `on_commit` run only once the commit succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from zengzhi.domain.pool import PoolState
from zengzhi.ledger.model import AccountKey, Checkpoint, Transaction

APPLIED = "applied"
REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class EconomyHead:
    """The economy's sequence numbers and chain head, read under the writer lock."""

    economy_id: str
    config_version: int
    event_seq: int
    tx_seq: int
    head_hash: bytes
    checkpoint_every: int
    checkpoints: int


@dataclass(frozen=True, slots=True)
class PoolTotals:
    pool_fen: int
    points_micro: int
    issued_micro: int
    idle_price: Fraction


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """Everything needed to continue an economy's engine."""

    config_json: str
    state: PoolState


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One request as recorded: its command (payload) and the reply it got."""

    seq: int
    key: str
    fingerprint: str
    kind: str
    payload: str  # canonical JSON, a replay-log event line
    status: str  # APPLIED or REJECTED
    result: str  # canonical JSON of the reply body
    error_code: str | None
    error_message: str | None
    recorded_at: int


@dataclass(frozen=True, slots=True)
class MemberPosition:
    member_id: str
    join_seq: int | None  # order of joining the engine; None until the first order
    points_micro: int
    cash_fen: int
    cycle_spend_fen: int
    exits: int
    exit_key: int | None  # the forced-exit threshold key, clamped to 63 bits


@dataclass(frozen=True, slots=True)
class OrderRecord:
    order_id: str
    member_id: str
    merchant_id: str | None
    store_id: str | None
    amount_fen: int
    pool_fen: int
    status: str
    event_seq: int
    created_at: int


@dataclass
class BatchWrite:
    """Everything one batch changes, written by the store in one go."""

    economy_id: str
    recorded_at: int
    head: EconomyHead
    totals: PoolTotals
    events: list[EventRecord] = field(default_factory=list)
    transactions: list[tuple[Transaction, bytes]] = field(default_factory=list)
    balance_deltas: dict[AccountKey, int] = field(default_factory=dict)
    members: list[MemberPosition] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)


class LedgerStore(Protocol):
    """Writes and the reads that writes need, always for one economy."""

    def create_economy(
        self, economy_id: str, config_json: str, created_at: int, checkpoint_every: int
    ) -> None: ...

    def lock_economy(self, economy_id: str) -> EconomyHead: ...

    def load_engine(self, economy_id: str) -> EngineSnapshot: ...

    def find_events(self, economy_id: str, keys: Collection[str]) -> dict[str, EventRecord]: ...

    def tx_hashes(self, economy_id: str, first_seq: int, last_seq: int) -> list[bytes]: ...

    def economy(self, economy_id: str) -> EconomyRecord: ...

    def holdings(self, economy_id: str) -> Mapping[AccountKey, int]:
        """The balances of the accounts `domain.holdings.Holdings` keeps (not the engine's)."""
        ...

    def write_batch(self, batch: BatchWrite) -> None: ...

    def add_party(
        self,
        economy_id: str,
        table: str,
        party_id: str,
        external_ref: str | None,
        referrer: str | None,
        created_at: int,
        merchant_id: str | None = None,
    ) -> None: ...


class UnitOfWork(Protocol):
    """One database transaction; the edge commits it."""

    @property
    def ledger(self) -> LedgerStore: ...

    def on_commit(self, callback: Callable[[], None]) -> None: ...


@dataclass(frozen=True, slots=True)
class EconomyRecord:
    """An economy as stored: its head, its engine totals and its configuration."""

    head: EconomyHead
    totals: PoolTotals
    config_json: str


class LedgerReader(Protocol):
    """Reads for verification and proofs, streamed in sequence order."""

    def economy(self, economy_id: str) -> EconomyRecord: ...

    def transactions(self, economy_id: str) -> Iterator[tuple[Transaction, bytes]]: ...

    def events(self, economy_id: str) -> Iterator[EventRecord]: ...

    def checkpoints(self, economy_id: str) -> list[Checkpoint]: ...

    def config_versions(self, economy_id: str) -> list[tuple[int, str]]: ...

    def balances(self, economy_id: str) -> Mapping[AccountKey, int]: ...

    def members(self, economy_id: str) -> list[MemberPosition]: ...

    def tx_hashes(self, economy_id: str, first_seq: int, last_seq: int) -> list[bytes]: ...
