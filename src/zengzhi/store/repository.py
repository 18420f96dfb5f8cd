"""All of the ledger's SQL: writes for the single writer, reads for verify and proofs.

Every statement names its economy. Writes arrive as one `BatchWrite` per unit of work and
go out as a few bulk statements: COPY on PostgreSQL for the append-only rows, executemany
on SQLite, and one upsert each for balances, accounts and member positions with the
batch's net changes. Reads for verification page through rows by sequence number, so
memory stays flat however long the history is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from zengzhi.app.codec import config_from_json, price_text
from zengzhi.app.errors import DuplicateParty, EconomyExists, UnknownEconomy
from zengzhi.app.ports import (
    BatchWrite,
    EconomyHead,
    EconomyRecord,
    EngineSnapshot,
    EventRecord,
    MemberPosition,
    PoolTotals,
)
from zengzhi.domain.holdings import ENGINE_KINDS
from zengzhi.domain.pool import MemberState, PoolState
from zengzhi.ledger.chain import GENESIS
from zengzhi.ledger.model import AccountKey, Checkpoint, Leg, Transaction, is_source
from zengzhi.store import tables as t
from zengzhi.store.copy_rows import copy_rows

if TYPE_CHECKING:
    from zengzhi.store.database import Database

_PAGE = 2000
_STAGING = {
    "zz_stage_accounts": "kind text, holder text, asset text, is_source bool, created_at int8",
    "zz_stage_deltas": "kind text, holder text, asset text, delta int8",
    "zz_stage_members": (
        "member_id text, created_at int8, join_seq int8, points_micro int8, cash_fen int8,"
        " cycle_spend_fen int8, exits int4, exit_key int8"
    ),
}
# binary COPY needs each column's PostgreSQL type
_PG_TYPES: dict[type, str] = {
    String: "text",
    Text: "text",
    BigInteger: "int8",
    Integer: "int4",
    LargeBinary: "bytea",
    Boolean: "bool",
}
_KEY_CHUNK = 500
_WARM = 20_000  # unseen accounts in one batch from which the stored ones are read at once


class SqlLedger:
    """The ledger repository on one connection (inside one unit of work)."""

    def __init__(
        self,
        connection: Connection,
        database: Database,
        on_commit: Callable[[Callable[[], None]], None],
    ) -> None:
        self._conn = connection
        self._db = database
        self._on_commit = on_commit
        self._locked: dict[str, EconomyHead] = {}
        self._opened: set[AccountKey] = set()  # accounts opened in this unit of work

    # -- economies and parties -----------------------------------------------------

    def create_economy(
        self, economy_id: str, config_json: str, created_at: int, checkpoint_every: int
    ) -> None:
        config = config_from_json(config_json)
        exists = self._conn.execute(
            select(t.economies.c.economy_id).where(t.economies.c.economy_id == economy_id)
        ).first()
        if exists is not None:
            raise EconomyExists(f"an economy {economy_id!r} already exists")
        self._conn.execute(
            t.economies.insert().values(
                economy_id=economy_id,
                created_at=created_at,
                config_version=1,
                event_seq=0,
                tx_seq=0,
                head_hash=GENESIS,
                checkpoint_every=checkpoint_every,
                checkpoints=0,
                pool_fen=0,
                points_micro=0,
                issued_micro=0,
                last_price=price_text(config.pool.initial_price),
            )
        )
        self._conn.execute(
            t.economy_configs.insert().values(
                economy_id=economy_id, version=1, config=config_json, created_at=created_at
            )
        )

    def add_party(
        self,
        economy_id: str,
        table: str,
        party_id: str,
        external_ref: str | None,
        referrer: str | None,
        created_at: int,
        merchant_id: str | None = None,
    ) -> None:
        target: Table = {"members": t.members, "merchants": t.merchants, "stores": t.stores}[table]
        key = target.primary_key.columns.values()[1]
        self._economy_row(economy_id)
        values: dict[str, Any] = {
            "economy_id": economy_id,
            key.name: party_id,
            "external_ref": external_ref,
            "referrer": referrer,
            "created_at": created_at,
        }
        if table == "stores":
            values["merchant_id"] = merchant_id
        # ON CONFLICT DO NOTHING: a concurrent first order of the same member is no error
        insert = sqlite_insert if self._db.is_sqlite else postgresql_insert
        added = self._conn.execute(
            insert(target).values(**values).on_conflict_do_nothing().returning(key)
        ).first()
        if added is None:
            raise DuplicateParty(f"{table[:-1]} {party_id!r} already exists in {economy_id!r}")

    def _economy_row(self, economy_id: str, lock: bool = False) -> Any:
        query = select(t.economies).where(t.economies.c.economy_id == economy_id)
        if lock:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        if row is None:
            raise UnknownEconomy(f"no economy {economy_id!r}")
        return row

    # -- the writer's reads --------------------------------------------------------

    def lock_economy(self, economy_id: str) -> EconomyHead:
        """The writer lock: a row lock on PostgreSQL, BEGIN IMMEDIATE already on SQLite."""
        head = _head(self._economy_row(economy_id, lock=True))
        self._locked[economy_id] = head
        return head

    def load_engine(self, economy_id: str) -> EngineSnapshot:
        row = self._economy_row(economy_id)
        m = t.members.c
        rows = self._conn.execute(
            select(m.member_id, m.points_micro, m.cash_fen, m.cycle_spend_fen, m.exits)
            .where(m.economy_id == economy_id, m.join_seq.is_not(None))
            .order_by(m.join_seq)
        ).all()
        state = PoolState(
            pool_fen=row.pool_fen,
            points_micro=row.points_micro,
            issued_micro=row.issued_micro,
            idle_price=Fraction(row.last_price),
            members=tuple(MemberState(*r) for r in rows),
        )
        return EngineSnapshot(self._config(economy_id, row.config_version), state)

    def _config(self, economy_id: str, version: int) -> str:
        c = t.economy_configs.c
        text: str = self._conn.execute(
            select(c.config).where(c.economy_id == economy_id, c.version == version)
        ).scalar_one()
        return text

    def find_events(self, economy_id: str, keys: Collection[str]) -> dict[str, EventRecord]:
        found: dict[str, EventRecord] = {}
        ordered = sorted(keys)
        if not ordered:
            return found
        if not self._db.is_sqlite:  # one array parameter instead of a long IN list
            rows = self._conn.exec_driver_sql(
                "SELECT * FROM events WHERE economy_id = %(e)s AND idem_key = ANY(%(k)s::text[])",
                {"e": economy_id, "k": ordered},
            )
            return {row.idem_key: _event(row) for row in rows}
        e = t.events.c
        for start in range(0, len(ordered), _KEY_CHUNK):
            chunk = ordered[start : start + _KEY_CHUNK]
            rows = self._conn.execute(
                select(t.events).where(e.economy_id == economy_id, e.idem_key.in_(chunk))
            )
            for row in rows:
                found[row.idem_key] = _event(row)
        return found

    def tx_hashes(self, economy_id: str, first_seq: int, last_seq: int) -> list[bytes]:
        c = t.transactions.c
        rows = self._conn.execute(
            select(c.hash)
            .where(c.economy_id == economy_id, c.seq >= first_seq, c.seq <= last_seq)
            .order_by(c.seq)
        )
        return [bytes(r[0]) for r in rows]

    # -- the writer's write ----------------------------------------------------------

    def write_batch(self, batch: BatchWrite) -> None:
        eid = batch.economy_id
        before = self._locked.get(eid)
        if before is None:
            raise RuntimeError("write_batch needs the economy's writer lock (lock_economy)")
        self._write_rows(batch)
        self._advance(before, batch)
        self._locked[eid] = batch.head

    def _write_rows(self, batch: BatchWrite) -> None:
        try:
            self._write_rows_unwrapped(batch)
        except psycopg.Error as error:  # errors of the raw connection (COPY), classified alike
            raise DBAPIError.instance(None, None, error, psycopg.Error) from error

    def _write_rows_unwrapped(self, batch: BatchWrite) -> None:
        eid, now = batch.economy_id, batch.recorded_at
        self._accounts(eid, batch.balance_deltas, now)
        self._balances(eid, batch.balance_deltas)
        self._insert(
            t.events,
            [
                (eid, e.seq, e.key, e.fingerprint, e.kind, e.payload, e.status, e.result,
                 e.error_code, e.error_message, e.recorded_at)
                for e in batch.events
            ],
        )  # fmt: skip
        self._insert(
            t.transactions,
            [
                (eid, tx.seq, tx.event_seq, tx.kind, tx.member, tx.recorded_at, digest)
                for tx, digest in batch.transactions
            ],
        )
        self._insert(
            t.postings,
            [
                (eid, tx.seq, n, leg.kind, leg.holder, leg.asset, leg.amount)
                for tx, _ in batch.transactions
                for n, leg in enumerate(tx.legs)
            ],
        )
        self._insert(
            t.orders,
            [
                (eid, o.order_id, o.member_id, o.merchant_id, o.store_id, o.amount_fen,
                 o.pool_fen, o.status, o.event_seq, o.created_at, o.created_at)
                for o in batch.orders
            ],
        )  # fmt: skip
        self._members(eid, batch.members, now)
        self._insert(
            t.checkpoints,
            [
                (eid, cp.number, cp.first_seq, cp.last_seq, cp.root, cp.head_hash, now)
                for cp in batch.checkpoints
            ],
        )

    def _advance(self, before: EconomyHead, batch: BatchWrite) -> None:
        head, totals = batch.head, batch.totals
        c = t.economies.c
        done = self._conn.execute(
            update(t.economies)
            .where(c.economy_id == head.economy_id, c.event_seq == before.event_seq)
            .values(
                event_seq=head.event_seq,
                tx_seq=head.tx_seq,
                head_hash=head.head_hash,
                checkpoints=head.checkpoints,
                pool_fen=totals.pool_fen,
                points_micro=totals.points_micro,
                issued_micro=totals.issued_micro,
                last_price=price_text(totals.idle_price),
            )
        )
        if done.rowcount != 1:  # another writer got in: the lock was not held
            raise RuntimeError(f"economy {head.economy_id!r} moved under the writer lock")

    def _raw(self) -> Any:
        """The psycopg connection under this unit of work (PostgreSQL only)."""
        return self._conn.connection.driver_connection

    def _pg(self, sql: str, params: dict[str, Any]) -> None:
        """One statement on the raw connection, next to the COPYs."""
        with self._raw().cursor() as cursor:
            cursor.execute(sql, params)

    def _insert(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = [c.name for c in table.columns]
        if self._db.is_sqlite:
            marks = ", ".join("?" * len(names))
            self._conn.exec_driver_sql(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows
            )
            return
        types = [_PG_TYPES[type(c.type)] for c in table.columns]
        copy_rows(self._raw(), f"{table.name} ({', '.join(names)})", types, rows)

    def _stage(self, name: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """PostgreSQL: binary-COPY rows into a per-connection staging table (emptied at commit).

        Set-based statements then read from it: far cheaper than arrays built in Python.
        """
        proxy: Any = self._conn.connection
        raw: Any = proxy.driver_connection
        if not proxy.info.get("zz_staging"):
            with raw.cursor() as cursor:
                for table, columns in _STAGING.items():
                    cursor.execute(
                        f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS"
                    )

            def created() -> None:
                proxy.info["zz_staging"] = True

            self._on_commit(created)
        types = [column.split()[1] for column in _STAGING[name].split(", ")]
        copy_rows(raw, name, types, rows)

    def _accounts(self, eid: str, deltas: dict[AccountKey, int], now: int) -> None:
        """Open the accounts this batch touches for the first time, with a zero balance."""
        known = self._db.known_accounts.setdefault(eid, set())
        new = [key for key in deltas if key not in known and key not in self._opened]
        if len(new) >= _WARM and not self._db.is_sqlite:
            new = self._unstored(eid, new, known)
        if not new:
            return
        self._opened.update(new)
        rows = [(eid, kind, holder, asset, is_source(kind), now) for kind, holder, asset in new]
        zeros = [(eid, kind, holder, asset, 0, is_source(kind)) for kind, holder, asset in new]
        cols = "(economy_id, kind, holder, asset, is_source, created_at)"
        bcols = "(economy_id, kind, holder, asset, balance, is_source)"
        if self._db.is_sqlite:
            self._conn.exec_driver_sql(
                f"INSERT INTO accounts {cols} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )
            self._conn.exec_driver_sql(
                f"INSERT INTO balances {bcols} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                zeros,
            )
        else:
            self._stage("zz_stage_accounts", [r[1:] for r in rows])
            self._pg(
                f"INSERT INTO accounts {cols} SELECT %(e)s, kind, holder, asset, is_source,"
                " created_at FROM zz_stage_accounts ON CONFLICT DO NOTHING",
                {"e": eid},
            )
            self._pg(
                f"INSERT INTO balances {bcols} SELECT %(e)s, kind, holder, asset, 0, is_source"
                " FROM zz_stage_accounts ON CONFLICT DO NOTHING",
                {"e": eid},
            )
            self._pg("DELETE FROM zz_stage_accounts", {})

        def remember() -> None:
            known.update(new)

        self._on_commit(remember)

    def _unstored(
        self, eid: str, new: list[AccountKey], known: set[AccountKey]
    ) -> list[AccountKey]:
        """Of very many accounts this process has not seen (a day's dividends to a million
        members after a restart), those not stored yet: one sequential read of the
        economy's accounts of those kinds, instead of an insert probe per account."""
        kinds = sorted({kind for kind, _, _ in new})
        with self._raw().cursor() as cursor:
            cursor.execute(
                "SELECT kind, holder, asset FROM accounts WHERE economy_id = %s"
                " AND kind = ANY(%s::text[])",
                (eid, kinds),
            )
            stored = set(cursor.fetchall())
        # committed before this unit of work (its own are in _opened): known for good
        known.update(stored - self._opened)
        return [key for key in new if key not in stored]

    def _balances(self, eid: str, deltas: dict[AccountKey, int]) -> None:
        """Add the batch's net change to every touched balance (the CHECK sees the result)."""
        rows = [(amount, eid, k, h, a) for (k, h, a), amount in deltas.items() if amount]
        if not rows:
            return
        if self._db.is_sqlite:
            self._conn.exec_driver_sql(
                "UPDATE balances SET balance = balance + ? WHERE economy_id = ? AND kind = ?"
                " AND holder = ? AND asset = ?",
                rows,
            )
            return
        self._stage("zz_stage_deltas", [(*row[2:], row[0]) for row in rows])
        self._pg(
            "UPDATE balances AS b SET balance = b.balance + v.delta FROM zz_stage_deltas AS v"
            " WHERE b.economy_id = %(e)s AND b.kind = v.kind AND b.holder = v.holder"
            " AND b.asset = v.asset",
            {"e": eid},
        )
        self._pg("DELETE FROM zz_stage_deltas", {})

    def _members(self, eid: str, positions: list[MemberPosition], now: int) -> None:
        if not positions:
            return
        rows = [
            (eid, p.member_id, now, p.join_seq, p.points_micro, p.cash_fen, p.cycle_spend_fen,
             p.exits, p.exit_key)
            for p in positions
        ]  # fmt: skip
        cols = (
            "(economy_id, member_id, created_at, join_seq, points_micro, cash_fen,"
            " cycle_spend_fen, exits, exit_key)"
        )
        conflict = (
            " ON CONFLICT (economy_id, member_id) DO UPDATE SET"
            " join_seq = COALESCE(members.join_seq, excluded.join_seq),"
            " points_micro = excluded.points_micro, cash_fen = excluded.cash_fen,"
            " cycle_spend_fen = excluded.cycle_spend_fen, exits = excluded.exits,"
            " exit_key = excluded.exit_key"
        )
        if self._db.is_sqlite:
            self._conn.exec_driver_sql(
                f"INSERT INTO members {cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict, rows
            )
        else:
            self._stage("zz_stage_members", [r[1:] for r in rows])
            self._pg(
                f"INSERT INTO members {cols} SELECT %(e)s, * FROM zz_stage_members" + conflict,
                {"e": eid},
            )
            self._pg("DELETE FROM zz_stage_members", {})

    # -- reads for verify and proofs ---------------------------------------------------

    def economy(self, economy_id: str) -> EconomyRecord:
        row = self._economy_row(economy_id)
        totals = PoolTotals(
            row.pool_fen, row.points_micro, row.issued_micro, Fraction(row.last_price)
        )
        return EconomyRecord(_head(row), totals, self._config(economy_id, row.config_version))

    def transactions(self, economy_id: str) -> Iterator[tuple[Transaction, bytes]]:
        tx, p = t.transactions.c, t.postings.c
        after = 0
        while True:
            rows = self._conn.execute(
                select(t.transactions)
                .where(tx.economy_id == economy_id, tx.seq > after)
                .order_by(tx.seq)
                .limit(_PAGE)
            ).all()
            if not rows:
                return
            legs: dict[int, list[Leg]] = {}
            for leg in self._conn.execute(
                select(p.tx_seq, p.kind, p.holder, p.asset, p.amount)
                .where(p.economy_id == economy_id, p.tx_seq > after, p.tx_seq <= rows[-1].seq)
                .order_by(p.tx_seq, p.leg)
            ):
                legs.setdefault(leg.tx_seq, []).append(
                    Leg(leg.kind, leg.holder, leg.asset, leg.amount)
                )
            for r in rows:
                yield (
                    Transaction(
                        r.economy_id,
                        r.seq,
                        r.event_seq,
                        r.kind,
                        r.member,
                        r.recorded_at,
                        tuple(legs.get(r.seq, ())),
                    ),
                    bytes(r.hash),
                )
            after = rows[-1].seq

    def events(self, economy_id: str) -> Iterator[EventRecord]:
        e = t.events.c
        after = 0
        while True:
            rows = self._conn.execute(
                select(t.events)
                .where(e.economy_id == economy_id, e.seq > after)
                .order_by(e.seq)
                .limit(_PAGE)
            ).all()
            if not rows:
                return
            yield from (_event(r) for r in rows)
            after = rows[-1].seq

    def config_versions(self, economy_id: str) -> list[tuple[int, str]]:
        """(last event before it, configuration) per version in force, oldest first.

        Version 1 holds from the start; later ones from the event their rule change
        recorded when it applied (issue 4's config_changes).
        """
        from zengzhi.store.service_tables import config_changes

        c, k = t.economy_configs.c, config_changes.c
        rows = self._conn.execute(
            select(c.version, c.config, k.from_event)
            .join_from(
                t.economy_configs,
                config_changes,
                (k.economy_id == c.economy_id) & (k.version == c.version),
                isouter=True,
            )
            .where(c.economy_id == economy_id)
            .order_by(c.version)
        )
        return [(r.from_event or 0, r.config) for r in rows]

    def checkpoints(self, economy_id: str) -> list[Checkpoint]:
        c = t.checkpoints.c
        rows = self._conn.execute(
            select(t.checkpoints).where(c.economy_id == economy_id).order_by(c.number)
        )
        return [
            Checkpoint(
                r.economy_id, r.number, r.first_seq, r.last_seq, bytes(r.root), bytes(r.head_hash)
            )
            for r in rows
        ]

    def balances(self, economy_id: str) -> dict[AccountKey, int]:
        b = t.balances.c
        rows = self._conn.execute(
            select(b.kind, b.holder, b.asset, b.balance).where(b.economy_id == economy_id)
        )
        return {(r.kind, r.holder, r.asset): r.balance for r in rows}

    def holdings(self, economy_id: str) -> dict[AccountKey, int]:
        b = t.balances.c
        rows = self._conn.execute(
            select(b.kind, b.holder, b.asset, b.balance).where(
                b.economy_id == economy_id,
                b.is_source.is_(False),
                b.kind.not_in([k.value for k in ENGINE_KINDS]),  # the bulk: skip it
                b.balance != 0,
            )
        )
        return {(r.kind, r.holder, r.asset): r.balance for r in rows}

    def members(self, economy_id: str) -> list[MemberPosition]:
        m = t.members.c
        rows = self._conn.execute(
            select(
                m.member_id, m.join_seq, m.points_micro, m.cash_fen, m.cycle_spend_fen,
                m.exits, m.exit_key,
            ).where(m.economy_id == economy_id)
        )  # fmt: skip
        return [MemberPosition(*r) for r in rows]


def _head(row: Any) -> EconomyHead:
    return EconomyHead(
        row.economy_id,
        row.config_version,
        row.event_seq,
        row.tx_seq,
        bytes(row.head_hash),
        row.checkpoint_every,
        row.checkpoints,
    )


def _event(row: Any) -> EventRecord:
    return EventRecord(
        row.seq,
        row.idem_key,
        row.fingerprint,
        row.kind,
        row.payload,
        row.status,
        row.result,
        row.error_code,
        row.error_message,
        row.recorded_at,
    )
