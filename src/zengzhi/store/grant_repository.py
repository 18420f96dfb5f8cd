"""SQL for locked grants and shared purchase (§4, §5): grants, standings, days, the tree.

Set-based: the release job reads every open grant in one statement, syncs new grants from
the ledger's events in one insert, and writes a day's changes in bulk (executemany, which
psycopg pipelines), never one round trip per member in Python loops of selects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, text, update

from zengzhi.app.grant_records import DayTotals, GrantRow, MemberStanding
from zengzhi.store import daily_tables as d
from zengzhi.store import grant_tables as g
from zengzhi.store import tables as t

if TYPE_CHECKING:
    from zengzhi.store.database import Database

LOCK_KIND = "locked_grant"  # the event kind of domain.grant_commands.LockGrant
# domain.grant_adjustments.AdjustGrantPoints: an addition is a grant of its own
ADJUST_KIND = "grant_adjustment"
GRANT_KINDS = (LOCK_KIND, ADJUST_KIND)


class SqlGrants:
    def __init__(self, connection: Connection, is_sqlite: bool) -> None:
        self._conn = connection
        self._sqlite = is_sqlite

    # -- jobs (the shared daily_jobs table, kind "release") -------------------------

    def job_done(self, economy_id: str, kind: str, period: str) -> int | None:
        """The event that settled the period, or None."""
        j = d.daily_jobs.c
        seq: int | None = self._conn.execute(
            select(j.event_seq).where(
                j.economy_id == economy_id, j.kind == kind, j.period == period
            )
        ).scalar()
        return seq

    def last_period(self, economy_id: str, kind: str) -> str | None:
        j = d.daily_jobs.c
        last: str | None = self._conn.execute(
            select(func.max(j.period)).where(j.economy_id == economy_id, j.kind == kind)
        ).scalar()
        return last

    def add_job(
        self, economy_id: str, kind: str, period: str, event_seq: int, sales_fen: int, now: int
    ) -> None:
        # the primary key refuses a second run; releases are points, so paid_fen is 0
        self._conn.execute(
            insert(d.daily_jobs).values(
                economy_id=economy_id,
                kind=kind,
                period=period,
                event_seq=event_seq,
                sales_fen=sales_fen,
                paid_fen=0,
                done_at=now,
            )
        )

    # -- the economy and its orders --------------------------------------------------

    def config_json(self, economy_id: str) -> str | None:
        """The economy's configuration in force (canonical JSON), or None if unknown."""
        e, c = t.economies.c, t.economy_configs.c
        found: str | None = self._conn.execute(
            select(c.config)
            .join_from(
                t.economies,
                t.economy_configs,
                and_(c.economy_id == e.economy_id, c.version == e.config_version),
            )
            .where(e.economy_id == economy_id)
        ).scalar()
        return found

    def party_exists(self, economy_id: str, table: str, party_id: str) -> bool:
        """Whether a member ("members") or merchant ("merchants") is registered."""
        found = {"members": t.members, "merchants": t.merchants}[table]
        key = found.c.member_id if table == "members" else found.c.merchant_id
        row = self._conn.execute(
            select(key).where(found.c.economy_id == economy_id, key == party_id)
        ).first()
        return row is not None

    def launched_at(self, economy_id: str) -> int:
        at: int = self._conn.execute(
            select(t.economies.c.created_at).where(t.economies.c.economy_id == economy_id)
        ).scalar_one()
        return at

    def first_grant_at(self, economy_id: str) -> int | None:
        e = t.events.c
        first: int | None = self._conn.execute(
            select(func.min(e.recorded_at)).where(
                e.economy_id == economy_id, e.kind.in_(GRANT_KINDS), e.status == "applied"
            )
        ).scalar()
        return first

    def sales_between(self, economy_id: str, start: int, end: int) -> int:
        o = t.orders.c
        total = self._conn.execute(
            select(func.coalesce(func.sum(o.amount_fen), 0)).where(
                and_(
                    o.economy_id == economy_id,
                    o.status == "settled",
                    o.created_at >= start,
                    o.created_at < end,
                )
            )
        ).scalar()
        return int(total or 0)

    def order_totals(self, economy_id: str, before: int) -> dict[str, tuple[int, int, int]]:
        """member -> (sum, largest single order, first order time) of orders settled before."""
        o = t.orders.c
        rows = self._conn.execute(
            select(
                o.member_id, func.sum(o.amount_fen), func.max(o.amount_fen), func.min(o.created_at)
            )
            .where(o.economy_id == economy_id, o.status == "settled", o.created_at < before)
            .group_by(o.member_id)
        ).all()
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    # -- the referral tree -----------------------------------------------------------

    def referrers(self, economy_id: str) -> dict[str, str | None]:
        """Every member and their referrer, by member id."""
        m = t.members.c
        rows = self._conn.execute(
            select(m.member_id, m.referrer).where(m.economy_id == economy_id).order_by(m.member_id)
        ).all()
        return {r[0]: r[1] for r in rows}

    def downline_size(self, economy_id: str, member_id: str) -> int:
        """How many members are below `member_id`, all generations (a recursive CTE)."""
        sql = text(
            "WITH RECURSIVE down(member_id) AS ("
            " SELECT member_id FROM members WHERE economy_id = :e AND referrer = :m"
            " UNION ALL SELECT c.member_id FROM members c JOIN down ON c.economy_id = :e"
            " AND c.referrer = down.member_id) SELECT COUNT(*) FROM down"
        )
        return int(self._conn.execute(sql, {"e": economy_id, "m": member_id}).scalar() or 0)

    # -- grants ----------------------------------------------------------------------

    def _unsynced(self, economy_id: str) -> list[dict[str, Any]]:
        """Grants the ledger locked that `grants` does not hold yet (new since the last job)."""
        gc, e = g.grants.c, t.events.c
        last = self._conn.execute(
            select(func.coalesce(func.max(gc.event_seq), 0)).where(gc.economy_id == economy_id)
        ).scalar()
        rows = self._conn.execute(
            select(e.seq, e.payload, e.recorded_at)
            .where(
                e.economy_id == economy_id,
                e.seq > last,
                e.kind.in_(GRANT_KINDS),
                e.status == "applied",
            )
            .order_by(e.seq)
        ).all()
        values = []
        for seq, payload, at in rows:
            p = json.loads(payload)
            if "delta_micro" in p:  # an operator's adjustment: only an addition is a grant
                if p["delta_micro"] <= 0:
                    continue
                p = {**p, "points_micro": p["delta_micro"]}
            values.append(
                {
                    "economy_id": economy_id,
                    "grant_id": p["grant_id"],
                    "member_id": p["member"],
                    "event_seq": seq,
                    "created_at": at,
                    "level": p["level"],
                    "points_micro": p["points_micro"],
                    "base_micro": p["base_micro"],
                    "remaining_micro": p["points_micro"],
                }
            )
        return values

    def sync_grants(self, economy_id: str) -> int:
        """Project the `locked_grant` events not yet in `grants`; how many were added."""
        values = self._unsynced(economy_id)
        self._bulk_insert("grants", _GRANT_COLUMNS, [tuple(v.values()) for v in values])
        return len(values)

    def open_grants(self, economy_id: str, before: int) -> list[GrantRow]:
        """Grants with points still locked, created before `before`, oldest first."""
        gc = g.grants.c
        rows = self._conn.execute(
            select(
                gc.grant_id,
                gc.member_id,
                gc.event_seq,
                gc.created_at,
                gc.level,
                gc.points_micro,
                gc.base_micro,
                gc.remaining_micro,
            )
            .where(gc.economy_id == economy_id, gc.remaining_micro > 0, gc.created_at < before)
            .order_by(gc.event_seq)
        ).all()
        return [GrantRow(*r) for r in rows]

    def member_grants(self, economy_id: str, member_id: str) -> list[GrantRow]:
        gc = g.grants.c
        rows = self._conn.execute(
            select(
                gc.grant_id,
                gc.member_id,
                gc.event_seq,
                gc.created_at,
                gc.level,
                gc.points_micro,
                gc.base_micro,
                gc.remaining_micro,
            )
            .where(gc.economy_id == economy_id, gc.member_id == member_id)
            .order_by(gc.event_seq)
        ).all()
        # and the grants locked since the last release job, not projected yet
        fresh = [v for v in self._unsynced(economy_id) if v["member_id"] == member_id]
        return [GrantRow(*r) for r in rows] + [
            GrantRow(**{k: v for k, v in row.items() if k != "economy_id"}) for row in fresh
        ]

    def set_remaining(self, economy_id: str, changed: list[tuple[str, int]]) -> None:
        """Write the grants whose locked rest changed, in one executemany."""
        if not changed:
            return
        if self._sqlite:
            gc = g.grants.c
            statement = (
                update(g.grants)
                .where(gc.economy_id == economy_id, gc.grant_id == bindparam("gid"))
                .values(remaining_micro=bindparam("left"))
            )
            self._conn.execute(statement, [{"gid": gid, "left": left} for gid, left in changed])
            return
        # PostgreSQL: COPY into a temporary table, then one UPDATE ... FROM
        self._conn.exec_driver_sql(
            "CREATE TEMPORARY TABLE IF NOT EXISTS grant_rests"
            " (grant_id VARCHAR(128) PRIMARY KEY, remaining_micro BIGINT) ON COMMIT DELETE ROWS"
        )
        self._conn.exec_driver_sql("DELETE FROM grant_rests")
        self._copy("grant_rests", ("grant_id", "remaining_micro"), changed)
        self._conn.execute(
            text(
                "UPDATE grants SET remaining_micro = r.remaining_micro FROM grant_rests r"
                " WHERE grants.economy_id = :e AND grants.grant_id = r.grant_id"
            ),
            {"e": economy_id},
        )

    # -- standings and days -----------------------------------------------------------

    def replace_standings(self, economy_id: str, rows: list[MemberStanding]) -> None:
        self._conn.execute(
            delete(g.grant_members).where(g.grant_members.c.economy_id == economy_id)
        )
        columns = tuple(c.name for c in g.grant_members.columns)
        self._bulk_insert(
            "grant_members", columns, [(economy_id, *_fields(r).values()) for r in rows]
        )

    def _bulk_insert(
        self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """Many rows at once: a driver executemany on SQLite, binary COPY on PostgreSQL."""
        if not rows:
            return
        if self._sqlite:
            marks = ", ".join("?" for _ in columns)
            self._conn.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )
            return
        self._copy(table, columns, rows)

    def _copy(self, table: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        raw: Any = self._conn.connection.driver_connection
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def standing(self, economy_id: str, member_id: str) -> MemberStanding | None:
        c = g.grant_members.c
        row = self._conn.execute(
            select(g.grant_members).where(c.economy_id == economy_id, c.member_id == member_id)
        ).first()
        if row is None:
            return None
        return MemberStanding(*row[1:])

    def top_teams(self, economy_id: str, limit: int) -> list[MemberStanding]:
        c = g.grant_members.c
        rows = self._conn.execute(
            select(g.grant_members)
            .where(c.economy_id == economy_id)
            .order_by(c.team_fen.desc(), c.member_id)
            .limit(limit)
        ).all()
        return [MemberStanding(*r[1:]) for r in rows]

    def add_day(self, economy_id: str, totals: DayTotals) -> None:
        self._conn.execute(insert(g.grant_days).values(economy_id=economy_id, **_fields(totals)))

    def day(self, economy_id: str, day: str) -> DayTotals | None:
        c = g.grant_days.c
        row = self._conn.execute(
            select(g.grant_days).where(c.economy_id == economy_id, c.day == day)
        ).first()
        return None if row is None else DayTotals(*row[1:])

    def days(self, economy_id: str, limit: int) -> list[DayTotals]:
        c = g.grant_days.c
        rows = self._conn.execute(
            select(g.grant_days)
            .where(c.economy_id == economy_id)
            .order_by(c.day.desc())
            .limit(limit)
        ).all()
        return [DayTotals(*r[1:]) for r in rows]

    def balance(self, economy_id: str, kind: str, holder: str, asset: str) -> int:
        b = t.balances.c
        found = self._conn.execute(
            select(b.balance).where(
                b.economy_id == economy_id, b.kind == kind, b.holder == holder, b.asset == asset
            )
        ).scalar()
        return int(found or 0)


_GRANT_COLUMNS = (
    "economy_id",
    "grant_id",
    "member_id",
    "event_seq",
    "created_at",
    "level",
    "points_micro",
    "base_micro",
    "remaining_micro",
)


def _fields(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


@contextmanager
def reading_grants(database: Database) -> Iterator[SqlGrants]:
    """Grant reads on one consistent snapshot that never blocks the writer (like `reading`)."""
    options: dict[str, Any] = {"zz_read_only": True}
    if not database.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with (
        database.engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        yield SqlGrants(connection, database.is_sqlite)
