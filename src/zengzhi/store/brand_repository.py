"""SQL for brand membership (§7): coupons, dividend periods, proposals, electorate, ballots,
and the ledger reads the brand views need (referrers, settled orders, token balances)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, insert, select, update

from zengzhi.domain.entries import AccountKind, Asset, EntryKind
from zengzhi.store import brand_tables as b
from zengzhi.store import tables as t
from zengzhi.store.service_repository import SqlService

if TYPE_CHECKING:
    from zengzhi.store.database import Database


@contextmanager
def brand_reading(database: Database) -> Iterator[tuple[SqlService, SqlBrand]]:
    """Reads on one consistent snapshot that never blocks the writer (like `reading`)."""
    options: dict[str, Any] = {"zz_read_only": True}
    if not database.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with (
        database.engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        yield SqlService(connection, database.is_sqlite), SqlBrand(connection, database.is_sqlite)


class SqlBrand:
    def __init__(self, connection: Connection, is_sqlite: bool) -> None:
        self._conn = connection
        self._sqlite = is_sqlite

    # -- members and orders ---------------------------------------------------------

    def referrer(self, economy_id: str, member_id: str) -> str | None:
        m = t.members.c
        found: str | None = self._conn.execute(
            select(m.referrer).where(m.economy_id == economy_id, m.member_id == member_id)
        ).scalar()
        return found

    def settled_orders(self, economy_id: str, member_id: str) -> list[tuple[str, int, int]]:
        """(ledger order id, event seq, amount) of the member's settled orders, oldest first."""
        o = t.orders.c
        rows = self._conn.execute(
            select(o.order_id, o.event_seq, o.amount_fen)
            .where(o.economy_id == economy_id, o.member_id == member_id, o.status == "settled")
            .order_by(o.event_seq)
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def spend(self, economy_id: str, member_id: str) -> int:
        o = t.orders.c
        total: int | None = self._conn.execute(
            select(func.sum(o.amount_fen)).where(
                o.economy_id == economy_id, o.member_id == member_id, o.status == "settled"
            )
        ).scalar()
        return int(total or 0)

    def balance(self, economy_id: str, kind: str, holder: str, asset: str) -> int:
        c = t.balances.c
        value: int | None = self._conn.execute(
            select(c.balance).where(
                c.economy_id == economy_id, c.kind == kind, c.holder == holder, c.asset == asset
            )
        ).scalar()
        return value or 0

    def token_balances(self, economy_id: str) -> dict[str, int]:
        """Every member's micro-tokens now, by member id."""
        c = t.balances.c
        rows = self._conn.execute(
            select(c.holder, c.balance)
            .where(
                c.economy_id == economy_id,
                c.kind == AccountKind.MEMBER_TOKENS.value,
                c.asset == Asset.TOKENS.value,
                c.balance != 0,
            )
            .order_by(c.holder)
        ).all()
        return {r[0]: r[1] for r in rows}

    def token_balances_at(self, economy_id: str, tx_seq: int) -> dict[str, int]:
        """Every member's micro-tokens after transaction `tx_seq`, from the postings."""
        p = t.postings.c
        rows = self._conn.execute(
            select(p.holder, func.sum(p.amount))
            .where(
                p.economy_id == economy_id,
                p.kind == AccountKind.MEMBER_TOKENS.value,
                p.tx_seq <= tx_seq,
            )
            .group_by(p.holder)
            .order_by(p.holder)
        ).all()
        return {r[0]: int(r[1]) for r in rows if int(r[1])}

    def cash_received(self, economy_id: str, member_id: str, tx_kind: str) -> int:
        """Cash the member received in transactions of `tx_kind` (e.g. token dividends)."""
        p, x = t.postings.c, t.transactions.c
        total: int | None = self._conn.execute(
            select(func.sum(p.amount))
            .select_from(
                t.postings.join(
                    t.transactions, and_(x.economy_id == p.economy_id, x.seq == p.tx_seq)
                )
            )
            .where(
                p.economy_id == economy_id,
                p.holder == member_id,
                p.kind == AccountKind.MEMBER_CASH.value,
                x.kind == tx_kind,
            )
        ).scalar()
        return int(total or 0)

    def dividends_received(self, economy_id: str, member_id: str) -> int:
        return self.cash_received(economy_id, member_id, EntryKind.TOKEN_DIVIDEND.value)

    # -- coupons --------------------------------------------------------------------

    def add_coupon(self, values: dict[str, Any]) -> None:
        self._conn.execute(insert(b.brand_coupons).values(**values))

    def coupon(self, economy_id: str, coupon_id: str) -> Any:
        c = b.brand_coupons.c
        return self._conn.execute(
            select(b.brand_coupons).where(c.economy_id == economy_id, c.coupon_id == coupon_id)
        ).first()

    def coupons(self, economy_id: str, member_id: str) -> list[Any]:
        c = b.brand_coupons.c
        return list(
            self._conn.execute(
                select(b.brand_coupons)
                .where(c.economy_id == economy_id, c.member_id == member_id)
                .order_by(c.event_seq.desc())
            ).all()
        )

    # -- dividend periods -----------------------------------------------------------

    def dividend(self, economy_id: str, period: str) -> Any:
        d = b.brand_dividends.c
        return self._conn.execute(
            select(b.brand_dividends).where(d.economy_id == economy_id, d.period == period)
        ).first()

    def add_dividend(self, values: dict[str, Any]) -> None:
        self._conn.execute(insert(b.brand_dividends).values(**values))

    def dividends(self, economy_id: str) -> list[Any]:
        d = b.brand_dividends.c
        return list(
            self._conn.execute(
                select(b.brand_dividends)
                .where(d.economy_id == economy_id)
                .order_by(d.period.desc())
            ).all()
        )

    # -- proposals ------------------------------------------------------------------

    def proposal(self, economy_id: str, proposal_id: str, lock: bool = False) -> Any:
        p = b.brand_proposals.c
        query = select(b.brand_proposals).where(
            p.economy_id == economy_id, p.proposal_id == proposal_id
        )
        if lock and not self._sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
            query = query.with_for_update()
        return self._conn.execute(query).first()

    def proposals(self, economy_id: str) -> list[Any]:
        p = b.brand_proposals.c
        return list(
            self._conn.execute(
                select(b.brand_proposals)
                .where(p.economy_id == economy_id)
                .order_by(p.opens_at.desc(), p.proposal_id)
            ).all()
        )

    def add_proposal(self, values: dict[str, Any], electorate: list[tuple[str, int, int]]) -> None:
        self._conn.execute(insert(b.brand_proposals).values(**values))
        if electorate:
            self._conn.execute(
                insert(b.brand_electorate),
                [
                    {
                        "economy_id": values["economy_id"],
                        "proposal_id": values["proposal_id"],
                        "member_id": member,
                        "tokens_micro": held,
                        "votes": votes,
                    }
                    for member, held, votes in electorate
                ],
            )

    def electorate(self, economy_id: str, proposal_id: str) -> list[Any]:
        e = b.brand_electorate.c
        return list(
            self._conn.execute(
                select(b.brand_electorate)
                .where(e.economy_id == economy_id, e.proposal_id == proposal_id)
                .order_by(e.member_id)
            ).all()
        )

    def close_proposal(
        self, economy_id: str, proposal_id: str, result: str, head_hash: str, now: int
    ) -> None:
        p = b.brand_proposals.c
        self._conn.execute(
            update(b.brand_proposals)
            .where(p.economy_id == economy_id, p.proposal_id == proposal_id)
            .values(status="closed", result=result, head_hash=head_hash, closed_at=now)
        )

    # -- ballots --------------------------------------------------------------------

    def ballots(self, economy_id: str, proposal_id: str) -> list[Any]:
        c = b.brand_ballots.c
        return list(
            self._conn.execute(
                select(b.brand_ballots)
                .where(c.economy_id == economy_id, c.proposal_id == proposal_id)
                .order_by(c.seq)
            ).all()
        )

    def ballot(self, economy_id: str, proposal_id: str, member_id: str) -> Any:
        c = b.brand_ballots.c
        return self._conn.execute(
            select(b.brand_ballots).where(
                c.economy_id == economy_id,
                c.proposal_id == proposal_id,
                c.member_id == member_id,
            )
        ).first()

    def add_ballot(self, values: dict[str, Any]) -> None:
        self._conn.execute(insert(b.brand_ballots).values(**values))
