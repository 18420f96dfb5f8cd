"""SQL for periodic settlement (issue 5): a day's orders, §3 positions, the jobs done.

Set-based: a day reads every position in one statement and writes them back in one
bulk statement (binary COPY on PostgreSQL), never one UPDATE per member.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select

from zengzhi.store import daily_tables as d
from zengzhi.store import tables as t


class SqlDaily:
    def __init__(self, connection: Connection, is_sqlite: bool) -> None:
        self._conn = connection
        self._sqlite = is_sqlite

    # -- jobs ---------------------------------------------------------------------

    def job(self, economy_id: str, kind: str, period: str) -> Any:
        j = d.daily_jobs.c
        return self._conn.execute(
            select(d.daily_jobs).where(
                j.economy_id == economy_id, j.kind == kind, j.period == period
            )
        ).first()

    def last_period(self, economy_id: str, kind: str) -> str | None:
        j = d.daily_jobs.c
        last: str | None = self._conn.execute(
            select(func.max(j.period)).where(j.economy_id == economy_id, j.kind == kind)
        ).scalar()
        return last

    def add_job(
        self,
        economy_id: str,
        kind: str,
        period: str,
        event_seq: int,
        sales_fen: int,
        paid_fen: int,
        now: int,
    ) -> None:
        # the primary key refuses a second run of the same period
        self._conn.execute(
            insert(d.daily_jobs).values(
                economy_id=economy_id,
                kind=kind,
                period=period,
                event_seq=event_seq,
                sales_fen=sales_fen,
                paid_fen=paid_fen,
                done_at=now,
            )
        )

    # -- orders -------------------------------------------------------------------

    def first_settled_at(self, economy_id: str) -> int | None:
        o = t.orders.c
        first: int | None = self._conn.execute(
            select(func.min(o.created_at)).where(o.economy_id == economy_id, o.status == "settled")
        ).scalar()
        return first

    def settled_between(self, economy_id: str, start: int, end: int) -> list[tuple[str, int]]:
        """(member, amount) of the orders settled in [start, end), in settlement order."""
        o = t.orders.c
        rows = self._conn.execute(
            select(o.member_id, o.amount_fen)
            .where(
                and_(
                    o.economy_id == economy_id,
                    o.status == "settled",
                    o.created_at >= start,
                    o.created_at < end,
                )
            )
            .order_by(o.event_seq)
        ).all()
        return [(r[0], r[1]) for r in rows]

    # -- members and positions ----------------------------------------------------

    def referred(self, economy_id: str) -> dict[str, str]:
        """member -> referrer, for members whose referrer is another member of the economy.

        Only the referred, so that a day's settlement reads no row per unreferred member.
        """
        m = t.members.alias("m")
        r = t.members.alias("r")
        rows = self._conn.execute(
            select(m.c.member_id, m.c.referrer)
            .join(r, and_(r.c.economy_id == m.c.economy_id, r.c.member_id == m.c.referrer))
            .where(m.c.economy_id == economy_id, m.c.referrer != m.c.member_id)
        ).all()
        return {row[0]: row[1] for row in rows}

    def config_history(self, economy_id: str) -> list[tuple[int, str]]:
        """(in force from, configuration) per version, oldest first: version 1 from the start.

        A later version is in force from its `effective_at`, once it has been applied.
        """
        from zengzhi.store.service_tables import config_changes

        c, k = t.economy_configs.c, config_changes.c
        rows = self._conn.execute(
            select(c.version, c.config, k.effective_at, k.applied_at)
            .join_from(
                t.economy_configs,
                config_changes,
                (k.economy_id == c.economy_id) & (k.version == c.version),
                isouter=True,
            )
            .where(c.economy_id == economy_id)
            .order_by(c.version)
        ).all()
        history = []
        for row in rows:
            if row.version == 1:
                history.append((0, row.config))
            elif row.applied_at is not None and row.effective_at is not None:
                history.append((row.effective_at, row.config))
        return history

    def referrers(self, economy_id: str) -> dict[str, str | None]:
        """Every member and their referrer, by member id."""
        m = t.members.c
        rows = self._conn.execute(
            select(m.member_id, m.referrer).where(m.economy_id == economy_id).order_by(m.member_id)
        ).all()
        return {r[0]: r[1] for r in rows}

    def positions(self, economy_id: str) -> dict[str, tuple[int, int]]:
        """member -> (quota fen, micro-shares), in member id order."""
        p = d.daily_positions.c
        if not self._sqlite:  # a million rows: the driver's tuples, not SQLAlchemy rows
            raw: Any = self._conn.connection.driver_connection
            with raw.cursor() as cursor:
                cursor.execute(
                    "SELECT member_id, quota_fen, shares_micro FROM daily_positions"
                    " WHERE economy_id = %s ORDER BY member_id",
                    (economy_id,),
                )
                return {m: (q, sh) for m, q, sh in cursor.fetchall()}
        rows = self._conn.execute(
            select(p.member_id, p.quota_fen, p.shares_micro)
            .where(p.economy_id == economy_id)
            .order_by(p.member_id)
        ).all()
        return {r[0]: (r[1], r[2]) for r in rows}

    def position(self, economy_id: str, member_id: str) -> tuple[int, int]:
        p = d.daily_positions.c
        row = self._conn.execute(
            select(p.quota_fen, p.shares_micro).where(
                p.economy_id == economy_id, p.member_id == member_id
            )
        ).first()
        return (0, 0) if row is None else (row[0], row[1])

    def replace_positions(self, economy_id: str, rows: list[tuple[str, int, int]]) -> None:
        """Write every member's position at once: one DELETE, then one bulk insert."""
        self._conn.execute(
            delete(d.daily_positions).where(d.daily_positions.c.economy_id == economy_id)
        )
        if not rows:
            return
        if self._sqlite:
            self._conn.exec_driver_sql(
                "INSERT INTO daily_positions (economy_id, member_id, quota_fen, shares_micro)"
                " VALUES (?, ?, ?, ?)",
                [(economy_id, m, q, s) for m, q, s in rows],
            )
            return
        raw: Any = self._conn.connection.driver_connection
        sql = (
            "COPY daily_positions (economy_id, member_id, quota_fen, shares_micro)"
            " FROM STDIN (FORMAT BINARY)"
        )
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(["text", "text", "int8", "int8"])
            write = copy.write_row
            for m, q, sh in rows:
                write((economy_id, m, q, sh))
