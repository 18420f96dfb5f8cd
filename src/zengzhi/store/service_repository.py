"""All of the service's SQL (issue 4): accounts, credentials, orders, withdrawals, audit.

Used on the connection of a unit of work (writes) or of a read-only transaction (reads).
Statements name their economy wherever the row belongs to one; the exceptions are global
by nature and say so: operator accounts, sessions looked up by their token's hash, and
merchant keys looked up by key id (whose row then names the economy).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, Table, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from zengzhi.store import service_tables as s
from zengzhi.store import tables as t

if TYPE_CHECKING:
    from zengzhi.store.database import Database


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SqlService:
    """The service's repository on one connection."""

    def __init__(self, connection: Connection, is_sqlite: bool) -> None:
        self._conn = connection
        self._is_sqlite = is_sqlite

    def _insert_new(self, table: Table, values: dict[str, Any]) -> bool:
        """Insert unless a row with the same key or unique value exists; True if inserted."""
        insert = sqlite_insert if self._is_sqlite else postgresql_insert
        key = table.primary_key.columns.values()[0]
        added = self._conn.execute(
            insert(table).values(**values).on_conflict_do_nothing().returning(key)
        ).first()
        return added is not None

    # -- economies ---------------------------------------------------------------------

    def economy_exists(self, economy_id: str) -> bool:
        c = t.economies.c
        return (
            self._conn.execute(select(c.economy_id).where(c.economy_id == economy_id)).first()
            is not None
        )

    def economy_ids(self) -> list[str]:
        """Every economy (for the auto-settle task, which visits each one)."""
        return list(self._conn.execute(select(t.economies.c.economy_id)).scalars())

    def economy_row(self, economy_id: str) -> Row[Any] | None:
        c = t.economies.c
        return self._conn.execute(select(t.economies).where(c.economy_id == economy_id)).first()

    def config_text(self, economy_id: str, version: int) -> str:
        c = t.economy_configs.c
        text: str = self._conn.execute(
            select(c.config).where(c.economy_id == economy_id, c.version == version)
        ).scalar_one()
        return text

    # -- operators (global accounts) and their roles (per economy) ----------------------

    def add_operator(
        self, operator_id: str, phone: str, name: str, password_hash: str, now: int
    ) -> bool:
        return self._insert_new(
            s.operators,
            {
                "operator_id": operator_id,
                "phone": phone,
                "name": name,
                "password_hash": password_hash,
                "created_at": now,
            },
        )

    def operator_by_phone(self, phone: str) -> Row[Any] | None:
        """Global: an operator's login phone identifies them across economies."""
        return self._conn.execute(select(s.operators).where(s.operators.c.phone == phone)).first()

    def operator(self, operator_id: str) -> Row[Any] | None:
        c = s.operators.c
        return self._conn.execute(select(s.operators).where(c.operator_id == operator_id)).first()

    def set_operator_password(self, operator_id: str, password_hash: str) -> None:
        c = s.operators.c
        self._conn.execute(
            update(s.operators)
            .where(c.operator_id == operator_id)
            .values(password_hash=password_hash)
        )

    def set_role(self, economy_id: str, operator_id: str, role: str, now: int) -> None:
        c = s.operator_roles.c
        done = self._conn.execute(
            update(s.operator_roles)
            .where(c.economy_id == economy_id, c.operator_id == operator_id)
            .values(role=role)
        )
        if done.rowcount == 0:
            self._conn.execute(
                s.operator_roles.insert().values(
                    economy_id=economy_id, operator_id=operator_id, role=role, created_at=now
                )
            )

    def role(self, economy_id: str, operator_id: str) -> str | None:
        c = s.operator_roles.c
        role: str | None = self._conn.execute(
            select(c.role).where(c.economy_id == economy_id, c.operator_id == operator_id)
        ).scalar()
        return role

    def roles(self, operator_id: str) -> dict[str, str]:
        """Every economy this operator works for (economy_id is the key of the result)."""
        c = s.operator_roles.c
        rows = self._conn.execute(select(c.economy_id, c.role).where(c.operator_id == operator_id))
        return {r.economy_id: r.role for r in rows}

    def operators_of(self, economy_id: str) -> list[Row[Any]]:
        r, o = s.operator_roles.c, s.operators.c
        return list(
            self._conn.execute(
                select(o.operator_id, o.name, o.phone, r.role)
                .join_from(s.operator_roles, s.operators, r.operator_id == o.operator_id)
                .where(r.economy_id == economy_id)
                .order_by(o.operator_id)
            )
        )

    # -- member accounts ----------------------------------------------------------------

    def add_member_account(
        self,
        economy_id: str,
        member_id: str,
        phone: str,
        password_hash: str | None,
        referral_code: str,
        referrer: str | None,
        now: int,
    ) -> bool:
        """False when the phone (or, unluckily, the code) is taken in this economy."""
        return self._insert_new(
            s.member_accounts,
            {
                "economy_id": economy_id,
                "member_id": member_id,
                "phone": phone,
                "password_hash": password_hash,
                "referral_code": referral_code,
                "referrer": referrer,
                "created_at": now,
            },
        )

    def member_by_phone(self, economy_id: str, phone: str) -> Row[Any] | None:
        c = s.member_accounts.c
        return self._conn.execute(
            select(s.member_accounts).where(c.economy_id == economy_id, c.phone == phone)
        ).first()

    def member_by_code(self, economy_id: str, code: str) -> Row[Any] | None:
        c = s.member_accounts.c
        return self._conn.execute(
            select(s.member_accounts).where(c.economy_id == economy_id, c.referral_code == code)
        ).first()

    def member_account(self, economy_id: str, member_id: str) -> Row[Any] | None:
        c = s.member_accounts.c
        return self._conn.execute(
            select(s.member_accounts).where(c.economy_id == economy_id, c.member_id == member_id)
        ).first()

    def set_member_password(self, economy_id: str, member_id: str, password_hash: str) -> None:
        c = s.member_accounts.c
        self._conn.execute(
            update(s.member_accounts)
            .where(c.economy_id == economy_id, c.member_id == member_id)
            .values(password_hash=password_hash)
        )

    def referees(self, economy_id: str, member_ids: list[str]) -> list[Row[Any]]:
        """Members brought by any of `member_ids`, with their positions."""
        if not member_ids:
            return []
        a, m = s.member_accounts.c, t.members.c
        return list(
            self._conn.execute(
                select(a.member_id, a.referrer, a.created_at, m.cycle_spend_fen, m.points_micro)
                .join_from(
                    s.member_accounts,
                    t.members,
                    and_(m.economy_id == a.economy_id, m.member_id == a.member_id),
                )
                .where(a.economy_id == economy_id, a.referrer.in_(member_ids))
                .order_by(a.created_at, a.member_id)
            )
        )

    def member_list(self, economy_id: str, limit: int, offset: int) -> list[Row[Any]]:
        a, m = s.member_accounts.c, t.members.c
        return list(
            self._conn.execute(
                select(
                    a.member_id, a.phone, a.referrer, a.referral_code, a.created_at,
                    m.points_micro, m.cash_fen, m.cycle_spend_fen, m.exits,
                )
                .join_from(
                    s.member_accounts,
                    t.members,
                    and_(m.economy_id == a.economy_id, m.member_id == a.member_id),
                )
                .where(a.economy_id == economy_id)
                .order_by(a.created_at, a.member_id)
                .limit(limit)
                .offset(offset)
            )
        )  # fmt: skip

    def position(self, economy_id: str, member_id: str) -> Row[Any] | None:
        m = t.members.c
        return self._conn.execute(
            select(t.members).where(m.economy_id == economy_id, m.member_id == member_id)
        ).first()

    def balance(self, economy_id: str, kind: str, holder: str, asset: str) -> int:
        b = t.balances.c
        value: int | None = self._conn.execute(
            select(b.balance).where(
                b.economy_id == economy_id, b.kind == kind, b.holder == holder, b.asset == asset
            )
        ).scalar()
        return value or 0

    def member_history(
        self, economy_id: str, member_id: str, limit: int, before: int | None
    ) -> list[tuple[Row[Any], list[Any]]]:
        """The member's transactions, newest first, with the legs that touch them."""
        p, x = t.postings.c, t.transactions.c
        seqs = select(p.tx_seq).where(p.economy_id == economy_id, p.holder == member_id).distinct()
        if before is not None:
            seqs = seqs.where(p.tx_seq < before)
        wanted = list(self._conn.execute(seqs.order_by(p.tx_seq.desc()).limit(limit)).scalars())
        if not wanted:
            return []
        txs = self._conn.execute(
            select(t.transactions)
            .where(x.economy_id == economy_id, x.seq.in_(wanted))
            .order_by(x.seq.desc())
        ).all()
        legs: dict[int, list[Any]] = {}
        for leg in self._conn.execute(
            select(p.tx_seq, p.kind, p.asset, p.amount)
            .where(p.economy_id == economy_id, p.tx_seq.in_(wanted), p.holder == member_id)
            .order_by(p.tx_seq, p.leg)
        ):
            legs.setdefault(leg.tx_seq, []).append(leg)
        return [(tx, legs.get(tx.seq, [])) for tx in txs]

    # -- sessions (looked up by the token's hash, global) ---------------------------------

    def add_session(
        self, token_hash: str, kind: str, economy_id: str, subject: str, now: int, expires: int
    ) -> None:
        self._conn.execute(
            s.sessions.insert().values(
                token_hash=token_hash,
                kind=kind,
                economy_id=economy_id,
                subject_id=subject,
                created_at=now,
                expires_at=expires,
            )
        )

    def session(self, token_hash: str) -> Row[Any] | None:
        c = s.sessions.c
        return self._conn.execute(select(s.sessions).where(c.token_hash == token_hash)).first()

    def revoke_session(self, token_hash: str, now: int) -> None:
        c = s.sessions.c
        self._conn.execute(
            update(s.sessions).where(c.token_hash == token_hash).values(revoked_at=now)
        )

    def revoke_sessions_of(self, economy_id: str, kind: str, subject: str, now: int) -> None:
        c = s.sessions.c
        self._conn.execute(
            update(s.sessions)
            .where(
                c.economy_id == economy_id,
                c.kind == kind,
                c.subject_id == subject,
                c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    # -- SMS codes and locks ---------------------------------------------------------------

    def add_code(
        self,
        economy_id: str,
        phone: str,
        purpose: str,
        digest: str,
        ip: str,
        now: int,
        expires: int,
    ) -> None:
        self._conn.execute(
            s.sms_codes.insert().values(
                economy_id=economy_id,
                phone=phone,
                purpose=purpose,
                digest=digest,
                ip=ip,
                created_at=now,
                expires_at=expires,
            )
        )

    def codes_sent_to(self, economy_id: str, phone: str, since: int) -> int:
        c = s.sms_codes.c
        count: int = self._conn.execute(
            select(func.count()).where(
                c.economy_id == economy_id, c.phone == phone, c.created_at >= since
            )
        ).scalar_one()
        return count

    def codes_asked_from(self, ip: str, since: int) -> int:
        """Global per address: one client may try many economies."""
        c = s.sms_codes.c
        count: int = self._conn.execute(
            select(func.count()).where(c.ip == ip, c.created_at >= since)
        ).scalar_one()
        return count

    def live_codes(self, economy_id: str, phone: str, purpose: str, now: int) -> list[Row[Any]]:
        c = s.sms_codes.c
        return list(
            self._conn.execute(
                select(s.sms_codes).where(
                    c.economy_id == economy_id,
                    c.phone == phone,
                    c.purpose == purpose,
                    c.used_at.is_(None),
                    c.expires_at > now,
                )
            )
        )

    def use_code(self, economy_id: str, code_id: int, now: int) -> None:
        c = s.sms_codes.c
        self._conn.execute(
            update(s.sms_codes)
            .where(c.economy_id == economy_id, c.id == code_id)
            .values(used_at=now)
        )

    def lock_of(self, economy_id: str, phone: str) -> Row[Any] | None:
        c = s.sms_locks.c
        return self._conn.execute(
            select(s.sms_locks).where(c.economy_id == economy_id, c.phone == phone)
        ).first()

    def set_lock(self, economy_id: str, phone: str, failures: int, locked_until: int) -> None:
        c = s.sms_locks.c
        done = self._conn.execute(
            update(s.sms_locks)
            .where(c.economy_id == economy_id, c.phone == phone)
            .values(failures=failures, locked_until=locked_until)
        )
        if done.rowcount == 0:
            self._conn.execute(
                s.sms_locks.insert().values(
                    economy_id=economy_id,
                    phone=phone,
                    failures=failures,
                    locked_until=locked_until,
                )
            )

    # -- merchant keys and nonces ------------------------------------------------------------

    def add_key(self, key_id: str, economy_id: str, merchant_id: str, now: int) -> None:
        self._conn.execute(
            s.merchant_keys.insert().values(
                key_id=key_id, economy_id=economy_id, merchant_id=merchant_id, created_at=now
            )
        )

    def key(self, key_id: str) -> Row[Any] | None:
        """Global by key id; the row names the economy and merchant it belongs to."""
        c = s.merchant_keys.c
        return self._conn.execute(select(s.merchant_keys).where(c.key_id == key_id)).first()

    def revoke_key(self, economy_id: str, key_id: str, now: int) -> bool:
        c = s.merchant_keys.c
        done = self._conn.execute(
            update(s.merchant_keys)
            .where(c.economy_id == economy_id, c.key_id == key_id, c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return done.rowcount == 1

    def merchant_exists(self, economy_id: str, merchant_id: str) -> bool:
        c = t.merchants.c
        row = self._conn.execute(
            select(c.merchant_id).where(c.economy_id == economy_id, c.merchant_id == merchant_id)
        ).first()
        return row is not None

    def use_nonce(self, economy_id: str, key_id: str, nonce: str, now: int, horizon: int) -> bool:
        """Remember a nonce; False if it was already used. Forgets nonces older than horizon."""
        c = s.request_nonces.c
        self._conn.execute(
            s.request_nonces.delete().where(c.economy_id == economy_id, c.seen_at < horizon)
        )
        return self._insert_new(
            s.request_nonces,
            {"economy_id": economy_id, "key_id": key_id, "nonce": nonce, "seen_at": now},
        )

    # -- merchant orders ------------------------------------------------------------------------

    def merchant_order(self, economy_id: str, merchant_id: str, order_id: str) -> Row[Any] | None:
        c = s.merchant_orders.c
        return self._conn.execute(
            select(s.merchant_orders).where(
                c.economy_id == economy_id, c.merchant_id == merchant_id, c.order_id == order_id
            )
        ).first()

    def add_merchant_order(self, values: dict[str, Any]) -> bool:
        assert values["economy_id"]  # rows always carry their economy
        return self._insert_new(s.merchant_orders, values)

    def set_order_status(
        self,
        economy_id: str,
        merchant_id: str,
        order_id: str,
        status: str,
        now: int,
        event_seq: int | None = None,
        expect: str = "reported",
    ) -> bool:
        """Move an order on from `expect`; False if it was no longer in that state."""
        c = s.merchant_orders.c
        done = self._conn.execute(
            update(s.merchant_orders)
            .where(
                c.economy_id == economy_id,
                c.merchant_id == merchant_id,
                c.order_id == order_id,
                c.status == expect,
            )
            .values(status=status, updated_at=now, event_seq=event_seq)
        )
        return done.rowcount == 1

    def merchant_orders(
        self, economy_id: str, merchant_id: str, status: str | None, limit: int, offset: int
    ) -> list[Row[Any]]:
        c = s.merchant_orders.c
        query = select(s.merchant_orders).where(
            c.economy_id == economy_id, c.merchant_id == merchant_id
        )
        if status is not None:
            query = query.where(c.status == status)
        return list(
            self._conn.execute(
                query.order_by(c.reported_at.desc(), c.order_id).limit(limit).offset(offset)
            )
        )

    def due_orders(self, economy_id: str, now: int, limit: int) -> list[Row[Any]]:
        c = s.merchant_orders.c
        return list(
            self._conn.execute(
                select(s.merchant_orders)
                .where(c.economy_id == economy_id, c.status == "reported", c.due_at <= now)
                .order_by(c.due_at, c.merchant_id, c.order_id)
                .limit(limit)
            )
        )

    # -- withdrawals ------------------------------------------------------------------------------

    def add_withdrawal(self, values: dict[str, Any]) -> None:
        assert values["economy_id"]
        self._conn.execute(s.withdrawals.insert().values(**values))

    def withdrawal(self, economy_id: str, withdrawal_id: str) -> Row[Any] | None:
        c = s.withdrawals.c
        return self._conn.execute(
            select(s.withdrawals).where(
                c.economy_id == economy_id, c.withdrawal_id == withdrawal_id
            )
        ).first()

    def withdrawal_by_key(self, economy_id: str, member_id: str, key: str) -> Row[Any] | None:
        c = s.withdrawals.c
        return self._conn.execute(
            select(s.withdrawals).where(
                c.economy_id == economy_id, c.member_id == member_id, c.idem_key == key
            )
        ).first()

    def withdrawals_of(
        self, economy_id: str, status: str | None, member_id: str | None, limit: int
    ) -> list[Row[Any]]:
        c = s.withdrawals.c
        query = select(s.withdrawals).where(c.economy_id == economy_id)
        if status is not None:
            query = query.where(c.status == status)
        if member_id is not None:
            query = query.where(c.member_id == member_id)
        return list(self._conn.execute(query.order_by(c.requested_at.desc()).limit(limit)))

    def review_withdrawal(
        self,
        economy_id: str,
        withdrawal_id: str,
        status: str,
        now: int,
        reviewer: str,
        reference: str | None,
        note: str | None,
    ) -> bool:
        c = s.withdrawals.c
        done = self._conn.execute(
            update(s.withdrawals)
            .where(
                c.economy_id == economy_id,
                c.withdrawal_id == withdrawal_id,
                c.status == "pending",
            )
            .values(
                status=status, reviewed_at=now, reviewer=reviewer, reference=reference, note=note
            )
        )
        return done.rowcount == 1

    # -- audit log (append-only) ---------------------------------------------------------------

    def audit(
        self, economy_id: str, now: int, actor: str, action: str, subject: str, details: Any
    ) -> None:
        self._conn.execute(
            s.audit_log.insert().values(
                economy_id=economy_id,
                at=now,
                actor=actor,
                action=action,
                subject=subject,
                details=_json(details),
            )
        )

    def audit_entries(self, economy_id: str, limit: int, after: int) -> list[Row[Any]]:
        c = s.audit_log.c
        return list(
            self._conn.execute(
                select(s.audit_log)
                .where(c.economy_id == economy_id, c.id > after)
                .order_by(c.id)
                .limit(limit)
            )
        )

    # -- rule changes ------------------------------------------------------------------------------

    def add_config_change(self, values: dict[str, Any]) -> None:
        assert values["economy_id"]
        self._conn.execute(s.config_changes.insert().values(**values))

    def next_config_version(self, economy_id: str) -> int:
        c, k = t.economy_configs.c, s.config_changes.c
        stored = self._conn.execute(
            select(func.max(c.version)).where(c.economy_id == economy_id)
        ).scalar()
        pending = self._conn.execute(
            select(func.max(k.version)).where(k.economy_id == economy_id)
        ).scalar()
        return max(stored or 0, pending or 0) + 1

    def config_changes(self, economy_id: str) -> list[Row[Any]]:
        c = s.config_changes.c
        return list(
            self._conn.execute(
                select(s.config_changes).where(c.economy_id == economy_id).order_by(c.version)
            )
        )

    def due_config_changes(self, economy_id: str, now: int) -> list[Row[Any]]:
        c = s.config_changes.c
        return list(
            self._conn.execute(
                select(s.config_changes)
                .where(c.economy_id == economy_id, c.applied_at.is_(None), c.effective_at <= now)
                .order_by(c.version)
            )
        )

    def activate_config(self, economy_id: str, version: int, config: str, now: int) -> None:
        """Make `version` the economy's configuration (the ledger's config tables)."""
        self._conn.execute(
            t.economy_configs.insert().values(
                economy_id=economy_id, version=version, config=config, created_at=now
            )
        )
        e, c = t.economies.c, s.config_changes.c
        self._conn.execute(
            update(t.economies).where(e.economy_id == economy_id).values(config_version=version)
        )
        last_event = self._conn.execute(
            select(e.event_seq).where(e.economy_id == economy_id)
        ).scalar_one()
        self._conn.execute(
            update(s.config_changes)
            .where(c.economy_id == economy_id, c.version == version)
            .values(applied_at=now, from_event=last_event)
        )

    # -- reports -----------------------------------------------------------------------

    def applied_events(
        self, economy_id: str, kinds: tuple[str, ...], since: int
    ) -> Iterator[Row[Any]]:
        e = t.events.c
        return iter(
            self._conn.execute(
                select(e.seq, e.kind, e.result, e.recorded_at)
                .where(
                    e.economy_id == economy_id,
                    e.status == "applied",
                    e.kind.in_(kinds),
                    e.recorded_at >= since,
                )
                .order_by(e.seq)
            )
        )

    def transactions_of_kind(self, economy_id: str, kinds: tuple[str, ...]) -> list[Row[Any]]:
        x, p = t.transactions.c, t.postings.c
        return list(
            self._conn.execute(
                select(x.seq, x.kind, x.member, x.recorded_at, p.kind.label("account"), p.asset,
                       p.amount, p.holder)
                .join_from(
                    t.transactions,
                    t.postings,
                    and_(p.economy_id == x.economy_id, p.tx_seq == x.seq),
                )
                .where(x.economy_id == economy_id, x.kind.in_(kinds))
                .order_by(x.seq, p.leg)
            )
        )  # fmt: skip

    def minted_by_event(self, economy_id: str, seqs: list[int]) -> dict[int, int]:
        """Points each settlement event minted (its recorded reply), for the merchant console."""
        if not seqs:
            return {}
        e = t.events.c
        rows = self._conn.execute(
            select(e.seq, e.result).where(e.economy_id == economy_id, e.seq.in_(seqs))
        )
        return {int(r.seq): int(json.loads(r.result).get("minted_micro", 0)) for r in rows}

    def merchant_order_rows(self, economy_id: str) -> list[Row[Any]]:
        c = s.merchant_orders.c
        return list(
            self._conn.execute(
                select(s.merchant_orders).where(c.economy_id == economy_id).order_by(c.reported_at)
            )
        )

    def referral_edges(self, economy_id: str) -> list[Row[Any]]:
        a, m = s.member_accounts.c, t.members.c
        return list(
            self._conn.execute(
                select(a.member_id, a.referrer, a.created_at, m.cycle_spend_fen, m.points_micro)
                .join_from(
                    s.member_accounts,
                    t.members,
                    and_(m.economy_id == a.economy_id, m.member_id == a.member_id),
                )
                .where(a.economy_id == economy_id)
                .order_by(a.member_id)
            )
        )

    # -- the consoles (issue 7): a merchant's keys and stores, the audit log newest first ----

    def merchant_row(self, economy_id: str, merchant_id: str) -> Row[Any] | None:
        c = t.merchants.c
        return self._conn.execute(
            select(t.merchants).where(c.economy_id == economy_id, c.merchant_id == merchant_id)
        ).first()

    def merchant_keys(self, economy_id: str, merchant_id: str) -> list[Row[Any]]:
        c = s.merchant_keys.c
        return list(
            self._conn.execute(
                select(s.merchant_keys)
                .where(c.economy_id == economy_id, c.merchant_id == merchant_id)
                .order_by(c.created_at.desc(), c.key_id)
            )
        )

    def stores_of(self, economy_id: str, merchant_id: str) -> list[Row[Any]]:
        c = t.stores.c
        return list(
            self._conn.execute(
                select(t.stores)
                .where(c.economy_id == economy_id, c.merchant_id == merchant_id)
                .order_by(c.created_at, c.store_id)
            )
        )

    def audit_entries_before(
        self, economy_id: str, limit: int, before: int | None
    ) -> list[Row[Any]]:
        """The audit log newest first (ids below `before` when given)."""
        c = s.audit_log.c
        query = select(s.audit_log).where(c.economy_id == economy_id)
        if before is not None:
            query = query.where(c.id < before)
        return list(self._conn.execute(query.order_by(c.id.desc()).limit(limit)))


@contextmanager
def reading(database: Database) -> Iterator[SqlService]:
    """Reads on one consistent snapshot that never blocks the writer (like Database.snapshot)."""
    options: dict[str, Any] = {"zz_read_only": True}
    if not database.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with (
        database.engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        yield SqlService(connection, database.is_sqlite)
