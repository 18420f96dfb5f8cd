"""Read-only queries behind the public disclosure API and the explorer.

Every query names its economy and reads through one snapshot (`PublicQueries.reading`),
the same read-only transaction `verify` uses, so a page never mixes two states of the
books and never blocks the writer. Lists page by sequence number (a cursor), never by
offset, so the cost of a page does not grow with the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, select

from zengzhi.app.errors import UnknownEconomy
from zengzhi.ledger.chain import GENESIS
from zengzhi.ledger.model import Checkpoint, Leg
from zengzhi.store import tables as t

if TYPE_CHECKING:
    from zengzhi.store.database import Database

ECONOMY_HOLDER = ""  # the holder of the economy's own accounts (pool, supplies, funding)


@dataclass(frozen=True, slots=True)
class EconomyRow:
    economy_id: str
    created_at: int
    tx_seq: int
    head_hash: bytes
    checkpoint_every: int
    checkpoints: int
    pool_fen: int
    points_micro: int
    issued_micro: int
    last_price: str  # exact "numerator/denominator"
    config_json: str


@dataclass(frozen=True, slots=True)
class TxRow:
    seq: int
    event_seq: int
    kind: str
    member: str | None
    recorded_at: int
    hash: bytes


class PublicQueries:
    """The public side's reads on one database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @contextmanager
    def reading(self) -> Iterator[PublicReads]:
        """One consistent read-only snapshot, opened as `Database.snapshot` opens its own."""
        options: dict[str, Any] = {"zz_read_only": True}
        if not self._db.is_sqlite:
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with (
            self._db.engine.connect().execution_options(**options) as connection,
            connection.begin(),
        ):
            yield PublicReads(connection)


class PublicReads:
    """Queries on one read-only snapshot."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def economy(self, economy_id: str) -> EconomyRow:
        e, c = t.economies.c, t.economy_configs.c
        row = self._conn.execute(
            select(t.economies, c.config)
            .join(
                t.economy_configs,
                and_(c.economy_id == e.economy_id, c.version == e.config_version),
            )
            .where(e.economy_id == economy_id)
        ).first()
        if row is None:
            raise UnknownEconomy(f"no economy {economy_id!r}")
        return EconomyRow(
            row.economy_id,
            row.created_at,
            row.tx_seq,
            bytes(row.head_hash),
            row.checkpoint_every,
            row.checkpoints,
            row.pool_fen,
            row.points_micro,
            row.issued_micro,
            row.last_price,
            row.config,
        )

    def economy_postings(
        self, economy_id: str, after_seq: int, through_seq: int
    ) -> list[tuple[int, Leg]]:
        """The legs on the economy's own accounts (not members'), in order, for a seq range."""
        p = t.postings.c
        rows = self._conn.execute(
            select(p.tx_seq, p.kind, p.holder, p.asset, p.amount)
            .where(
                p.economy_id == economy_id,
                p.tx_seq > after_seq,
                p.tx_seq <= through_seq,
                p.holder == ECONOMY_HOLDER,
            )
            .order_by(p.tx_seq, p.leg)
        )
        return [(r.tx_seq, Leg(r.kind, r.holder, r.asset, r.amount)) for r in rows]

    def transaction_times(
        self, economy_id: str, after_seq: int, through_seq: int
    ) -> list[tuple[int, str, int]]:
        """(seq, kind, recorded_at) of every transaction in a range, in order: each one is
        a step in the history even when it touches no account of the economy's own."""
        x = t.transactions.c
        rows = self._conn.execute(
            select(x.seq, x.kind, x.recorded_at)
            .where(x.economy_id == economy_id, x.seq > after_seq, x.seq <= through_seq)
            .order_by(x.seq)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def transactions_before(
        self, economy_id: str, before_seq: int | None, limit: int
    ) -> list[TxRow]:
        """The newest transactions below `before_seq` (all when None), newest first."""
        x = t.transactions.c
        query = select(t.transactions).where(x.economy_id == economy_id)
        if before_seq is not None:
            query = query.where(x.seq < before_seq)
        rows = self._conn.execute(query.order_by(x.seq.desc()).limit(limit))
        return [_tx(r) for r in rows]

    def transaction(self, economy_id: str, seq: int) -> TxRow | None:
        x = t.transactions.c
        row = self._conn.execute(
            select(t.transactions).where(x.economy_id == economy_id, x.seq == seq)
        ).first()
        return None if row is None else _tx(row)

    def previous_hash(self, economy_id: str, seq: int) -> bytes:
        """The chain hash of transaction seq - 1 (the genesis value before the first)."""
        if seq <= 1:
            return GENESIS
        x = t.transactions.c
        found = self._conn.execute(
            select(x.hash).where(x.economy_id == economy_id, x.seq == seq - 1)
        ).scalar()
        return GENESIS if found is None else bytes(found)

    def legs(self, economy_id: str, seqs: Sequence[int]) -> dict[int, list[Leg]]:
        """Every leg of the given transactions, in their order."""
        if not seqs:
            return {}
        p = t.postings.c
        rows = self._conn.execute(
            select(p.tx_seq, p.kind, p.holder, p.asset, p.amount)
            # an IN list, not a range: an account's transactions are spread over the history
            .where(p.economy_id == economy_id, p.tx_seq.in_(list(seqs)))
            .order_by(p.tx_seq, p.leg)
        )
        found: dict[int, list[Leg]] = {seq: [] for seq in seqs}
        for r in rows:
            found[r.tx_seq].append(Leg(r.kind, r.holder, r.asset, r.amount))
        return found

    def economy_sums_through(self, economy_id: str, seq: int) -> dict[tuple[str, str], int]:
        """Balances of the economy's own accounts right after transaction `seq`."""
        p = t.postings.c
        rows = self._conn.execute(
            select(p.kind, p.asset, func.sum(p.amount))
            .where(p.economy_id == economy_id, p.tx_seq <= seq, p.holder == ECONOMY_HOLDER)
            .group_by(p.kind, p.asset)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def holder_transactions(
        self, economy_id: str, holders: Sequence[str], before_seq: int | None, limit: int
    ) -> list[TxRow]:
        """Transactions with a leg on any of `holders`' accounts, newest first."""
        p, x = t.postings.c, t.transactions.c
        seqs = (
            select(p.tx_seq)
            # `holder <> ''` lets SQLite use the partial index ix_postings_holder
            .where(p.economy_id == economy_id, p.holder != "", p.holder.in_(list(holders)))
            .distinct()
        )
        if before_seq is not None:
            seqs = seqs.where(p.tx_seq < before_seq)
        seqs = seqs.order_by(p.tx_seq.desc()).limit(limit)
        wanted = [r[0] for r in self._conn.execute(seqs)]
        if not wanted:
            return []
        rows = self._conn.execute(
            select(t.transactions)
            .where(x.economy_id == economy_id, x.seq.in_(wanted))
            .order_by(x.seq.desc())
        )
        return [_tx(r) for r in rows]

    def holder_balances(
        self, economy_id: str, holders: Sequence[str]
    ) -> dict[tuple[str, str], int]:
        """(account kind, asset) -> balance, summed over `holders`."""
        b = t.balances.c
        rows = self._conn.execute(
            select(b.kind, b.asset, func.sum(b.balance))
            .where(b.economy_id == economy_id, b.holder.in_(list(holders)))
            .group_by(b.kind, b.asset)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def members_joined_after(self, economy_id: str, after_join_seq: int) -> list[tuple[int, str]]:
        """(join_seq, member_id) of members that joined the books after `after_join_seq`."""
        m = t.members.c
        rows = self._conn.execute(
            select(m.join_seq, m.member_id)
            .where(m.economy_id == economy_id, m.join_seq > after_join_seq)
            .order_by(m.join_seq)
        )
        return [(r[0], r[1]) for r in rows]

    def checkpoints_before(
        self, economy_id: str, before_number: int | None, limit: int
    ) -> list[tuple[Checkpoint, int]]:
        """The newest checkpoints below `before_number`, newest first, with their time."""
        c = t.checkpoints.c
        query = select(t.checkpoints).where(c.economy_id == economy_id)
        if before_number is not None:
            query = query.where(c.number < before_number)
        rows = self._conn.execute(query.order_by(c.number.desc()).limit(limit))
        return [(_checkpoint(r), r.created_at) for r in rows]

    def checkpoint(self, economy_id: str, number: int) -> tuple[Checkpoint, int] | None:
        c = t.checkpoints.c
        row = self._conn.execute(
            select(t.checkpoints).where(c.economy_id == economy_id, c.number == number)
        ).first()
        return None if row is None else (_checkpoint(row), row.created_at)


def _tx(row: Any) -> TxRow:
    return TxRow(row.seq, row.event_seq, row.kind, row.member, row.recorded_at, bytes(row.hash))


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        row.economy_id,
        row.number,
        row.first_seq,
        row.last_seq,
        bytes(row.root),
        bytes(row.head_hash),
    )
