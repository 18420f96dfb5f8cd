"""SQL for periodic settlement (issue 5): a day's orders, §3 positions, the jobs done.

Set-based: a day reads every position in one statement and writes them back in one
bulk statement (binary COPY on PostgreSQL), never one UPDATE per member.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, delete, func, insert, select

from zengzhi.domain.quota import SHARE_SCALE
from zengzhi.store import daily_tables as d
from zengzhi.store import tables as t
from zengzhi.store.copy_rows import copy_rows

if TYPE_CHECKING:
    from zengzhi.store.database import Database


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
        copy_rows(
            raw,
            "daily_positions (economy_id, member_id, quota_fen, shares_micro)",
            ["text", "text", "int8", "int8"],
            [(economy_id, m, q, sh) for m, q, sh in rows],
        )

    # -- reports (issue 5 §5: members' and operators' views) ------------------------

    def jobs(self, economy_id: str, kind: str, limit: int) -> list[Any]:
        """The latest settled periods, newest first."""
        j = d.daily_jobs.c
        return list(
            self._conn.execute(
                select(d.daily_jobs)
                .where(j.economy_id == economy_id, j.kind == kind)
                .order_by(j.period.desc())
                .limit(limit)
            )
        )

    def paid_by_event(self, economy_id: str, event_seqs: list[int]) -> dict[int, dict[str, int]]:
        """Per payout event: each transaction kind's amount moved into or out of the dividend
        pool (`daily_dividend_funding`, `..._pro_rata`, `..._tier`, `..._return`) and the
        number of payments (`payments`).

        Reads no leg per payee: the pool's own leg is the first or second of each of the
        day's transactions, and a pool's payments are its legs after the first (the last
        leg number, found from the primary key's end).
        """
        if not event_seqs:
            return {}
        x, p = t.transactions.c, t.postings.c
        last_leg = (
            select(func.max(p.leg))
            .where(p.economy_id == x.economy_id, p.tx_seq == x.seq)
            .scalar_subquery()
        )
        txs = self._conn.execute(
            select(x.seq, x.event_seq, x.kind, last_leg).where(
                x.economy_id == economy_id, x.event_seq.in_(event_seqs)
            )
        ).all()
        found: dict[int, dict[str, int]] = {seq: {"payments": 0} for seq in event_seqs}
        if not txs:
            return found
        of = {row[0]: row for row in txs}
        pool_legs = self._conn.execute(
            select(p.tx_seq, p.amount).where(
                p.economy_id == economy_id,
                p.tx_seq.in_(list(of)),
                p.leg.in_([0, 1]),
                p.kind == "daily_dividend_pool",
            )
        ).all()
        for tx_seq, amount in pool_legs:
            _, event, kind, _ = of[tx_seq]
            found[event][kind] = found[event].get(kind, 0) + abs(int(amount))
        for _, event, kind, legs in txs:
            if kind in ("daily_dividend_pro_rata", "daily_dividend_tier"):
                found[event]["payments"] += int(legs)  # legs 1..n are the payments
        return found

    def member_payouts(
        self, economy_id: str, member_id: str, event_seqs: list[int]
    ) -> dict[int, dict[str, int]]:
        """What one member received from each of the given payout events, by kind."""
        if not event_seqs:
            return {}
        x, p = t.transactions.c, t.postings.c
        rows = self._conn.execute(
            select(x.event_seq, x.kind, func.sum(p.amount))
            .join_from(
                t.postings,
                t.transactions,
                and_(p.economy_id == x.economy_id, p.tx_seq == x.seq),
            )
            .where(
                p.economy_id == economy_id,
                p.holder == member_id,
                p.kind == "member_cash",
                x.event_seq.in_(event_seqs),
            )
            .group_by(x.event_seq, x.kind)
        ).all()
        found: dict[int, dict[str, int]] = {}
        for seq, kind, total in rows:
            found.setdefault(seq, {})[kind] = int(total)
        return found

    def share_counts(self, economy_id: str) -> list[tuple[int, int, int]]:
        """(whole shares, members, members holding quota) per whole-share count."""
        p = d.daily_positions.c
        whole = (p.shares_micro // SHARE_SCALE).label("whole")
        with_quota = func.sum(case((p.quota_fen > 0, 1), else_=0))
        rows = self._conn.execute(
            select(whole, func.count(), with_quota)
            .where(p.economy_id == economy_id)
            .group_by(whole)
        ).all()
        return [(int(r[0]), int(r[1]), int(r[2] or 0)) for r in rows]

    def current_config(self, economy_id: str) -> str | None:
        """The economy's configuration in force now (None for an unknown economy)."""
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


@contextmanager
def daily_reading(database: Database) -> Iterator[SqlDaily]:
    """Reads for the §3 reports on one consistent snapshot that never blocks the writer."""
    options: dict[str, Any] = {"zz_read_only": True}
    if not database.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with (
        database.engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        yield SqlDaily(connection, database.is_sqlite)
