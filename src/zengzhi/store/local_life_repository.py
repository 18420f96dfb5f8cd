"""SQL for local life (§6): store terms, regional agents, the referral chain, split records.

The split of each order is read back from the ledger's own record (the events of kind
`local_life_split`, whose reply names every part), so reports add up to the books.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, and_, delete, select, update

from zengzhi.store import local_life_tables as ll
from zengzhi.store import service_tables as s
from zengzhi.store import tables as t

if TYPE_CHECKING:
    from zengzhi.store.database import Database

SPLIT_KIND = "local_life_split"


class SqlLocalLife:
    def __init__(self, connection: Connection, is_sqlite: bool) -> None:
        self._conn = connection
        self._sqlite = is_sqlite

    # -- the economy ---------------------------------------------------------------

    def economy_row(self, economy_id: str) -> Row[Any] | None:
        c = t.economies.c
        return self._conn.execute(select(t.economies).where(c.economy_id == economy_id)).first()

    def config_text(self, economy_id: str, version: int) -> str:
        c = t.economy_configs.c
        text: str = self._conn.execute(
            select(c.config).where(c.economy_id == economy_id, c.version == version)
        ).scalar_one()
        return text

    # -- stores ---------------------------------------------------------------------

    def store(self, economy_id: str, store_id: str) -> Row[Any] | None:
        c = t.stores.c
        return self._conn.execute(
            select(t.stores).where(c.economy_id == economy_id, c.store_id == store_id)
        ).first()

    def terms(self, economy_id: str, store_id: str) -> Row[Any] | None:
        c = ll.store_terms.c
        return self._conn.execute(
            select(ll.store_terms).where(c.economy_id == economy_id, c.store_id == store_id)
        ).first()

    def all_terms(self, economy_id: str) -> list[Row[Any]]:
        c = ll.store_terms.c
        query = select(ll.store_terms, t.stores.c.merchant_id, t.stores.c.external_ref).join(
            t.stores,
            and_(t.stores.c.economy_id == c.economy_id, t.stores.c.store_id == c.store_id),
        )
        return list(
            self._conn.execute(query.where(c.economy_id == economy_id).order_by(c.store_id))
        )

    def set_terms(self, values: dict[str, Any]) -> None:
        c = ll.store_terms.c
        where = and_(c.economy_id == values["economy_id"], c.store_id == values["store_id"])
        if self._conn.execute(update(ll.store_terms).where(where).values(**values)).rowcount:
            return
        self._conn.execute(ll.store_terms.insert().values(**values))

    # -- agents ---------------------------------------------------------------------

    def agent(self, economy_id: str, level: str, region: str) -> str | None:
        c = ll.region_agents.c
        found: str | None = self._conn.execute(
            select(c.member_id).where(
                c.economy_id == economy_id, c.level == level, c.region == region
            )
        ).scalar()
        return found

    def agents(self, economy_id: str) -> list[Row[Any]]:
        c = ll.region_agents.c
        return list(
            self._conn.execute(
                select(ll.region_agents)
                .where(c.economy_id == economy_id)
                .order_by(c.level, c.region)
            )
        )

    def set_agent(self, economy_id: str, level: str, region: str, member: str, now: int) -> None:
        c = ll.region_agents.c
        where = and_(c.economy_id == economy_id, c.level == level, c.region == region)
        values = {"member_id": member, "updated_at": now}
        if self._conn.execute(update(ll.region_agents).where(where).values(**values)).rowcount:
            return
        self._conn.execute(
            ll.region_agents.insert().values(
                economy_id=economy_id, level=level, region=region, **values
            )
        )

    def remove_agent(self, economy_id: str, level: str, region: str) -> bool:
        c = ll.region_agents.c
        where = and_(c.economy_id == economy_id, c.level == level, c.region == region)
        return bool(self._conn.execute(delete(ll.region_agents).where(where)).rowcount)

    # -- members --------------------------------------------------------------------

    def is_member(self, economy_id: str, member_id: str) -> bool:
        c = s.member_accounts.c
        found = self._conn.execute(
            select(c.member_id).where(c.economy_id == economy_id, c.member_id == member_id)
        ).first()
        return found is not None

    def referral_chains(
        self, economy_id: str, members: Collection[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Each member's referrer and that referrer's referrer, in one statement per 500."""
        a, b = s.member_accounts.alias("a"), s.member_accounts.alias("b")
        found: dict[str, tuple[str | None, str | None]] = {}
        ordered = sorted(members)
        for start in range(0, len(ordered), 500):
            rows = self._conn.execute(
                select(a.c.member_id, a.c.referrer, b.c.referrer)
                .select_from(
                    a.outerjoin(
                        b, and_(b.c.economy_id == a.c.economy_id, b.c.member_id == a.c.referrer)
                    )
                )
                .where(
                    a.c.economy_id == economy_id, a.c.member_id.in_(ordered[start : start + 500])
                )
            )
            found.update({r[0]: (r[1], r[2]) for r in rows})
        return found

    def referral_code(self, economy_id: str, member_id: str) -> str | None:
        c = s.member_accounts.c
        found: str | None = self._conn.execute(
            select(c.referral_code).where(c.economy_id == economy_id, c.member_id == member_id)
        ).scalar()
        return found

    # -- the ledger's record of splits ---------------------------------------------------

    def splits(self, economy_id: str, since: int = 0, until: int | None = None) -> list[Row[Any]]:
        """Applied splits (payload, result, recorded_at) in event order."""
        c = t.events.c
        query = select(c.seq, c.payload, c.result, c.recorded_at).where(
            c.economy_id == economy_id,
            c.kind == SPLIT_KIND,
            c.status == "applied",
            c.recorded_at >= since,
        )
        if until is not None:
            query = query.where(c.recorded_at < until)
        return list(self._conn.execute(query.order_by(c.seq)))

    def merchant_store_ids(self, economy_id: str, merchant_id: str) -> list[str]:
        c = t.stores.c
        rows = self._conn.execute(
            select(c.store_id).where(c.economy_id == economy_id, c.merchant_id == merchant_id)
        )
        return [r.store_id for r in rows]


@contextmanager
def local_life_reading(database: Database) -> Iterator[SqlLocalLife]:
    """Reads on one consistent snapshot (like service_repository.reading)."""
    options: dict[str, Any] = {"zz_read_only": True}
    if not database.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with (
        database.engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        yield SqlLocalLife(connection, database.is_sqlite)
