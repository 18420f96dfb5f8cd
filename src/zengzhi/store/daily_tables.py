"""Periodic settlement state (issue 5): §3 member positions and the jobs run per period.

`daily_positions` holds each member's cyclic-purchase quota (fen) and shares
(micro-shares) as of the end of the last settled day: purchases accrue when their day is
settled, after that day's dividends, so a day always pays on the positions it started
with, also when missed days are caught up later. `daily_jobs` makes a period's settlement
happen once: its primary key (economy, kind, period) is written in the same database
transaction as the ledger event (idempotency key `daily:<kind>:<period>`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKeyConstraint, Index, String, Table

from zengzhi.store.tables import ID, NAME, metadata, orders

daily_positions = Table(
    "daily_positions",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("member_id", NAME, primary_key=True),
    Column("quota_fen", BigInteger, nullable=False),
    Column("shares_micro", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id", "member_id"], ["members.economy_id", "members.member_id"]),
)

daily_jobs = Table(
    "daily_jobs",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("kind", String(32), primary_key=True),  # "dividend"
    Column("period", String(16), primary_key=True),  # the local date, YYYY-MM-DD
    Column("event_seq", BigInteger, nullable=False),  # the ledger event that paid it
    Column("sales_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("done_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

# a day's sales are the settled orders of a time range: read by a range scan
Index(
    "ix_orders_economy_id_status_created_at",
    orders.c.economy_id,
    orders.c.status,
    orders.c.created_at,
)
