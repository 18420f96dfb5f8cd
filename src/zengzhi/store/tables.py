"""The schema, in SQLAlchemy 2 Core. Every table leads its keys with `economy_id`.

Leading with the economy lets a distributed PostgreSQL (Citus) shard every table by it and
keeps one economy's rows together. Amounts are 64-bit integers (fen, micro-points); times
are microseconds since the Unix epoch (UTC) so that they hash the same on every database.
Accounts are (kind, holder, asset) with kinds and assets as strings, so a new mechanism
adds accounts, not columns. Append-only tables (configurations, accounts, events,
transactions, postings, checkpoints) refuse UPDATE and DELETE through triggers created by
the migrations; corrections are new transactions.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)
NAME = String(128)

economies = Table(
    "economies",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Column("config_version", Integer, nullable=False),
    # the writer's sequence numbers and chain head, advanced by every batch
    Column("event_seq", BigInteger, nullable=False),
    Column("tx_seq", BigInteger, nullable=False),
    Column("head_hash", LargeBinary(32), nullable=False),
    Column("checkpoint_every", Integer, nullable=False),
    Column("checkpoints", BigInteger, nullable=False),
    # the engine state needed to continue: pool, outstanding and issued points, last price
    Column("pool_fen", BigInteger, nullable=False),
    Column("points_micro", BigInteger, nullable=False),
    Column("issued_micro", BigInteger, nullable=False),
    Column("last_price", Text, nullable=False),  # exact rational "numerator/denominator"
)

economy_configs = Table(
    "economy_configs",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("config", Text, nullable=False),  # canonical JSON of the configuration tables
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

members = Table(
    "members",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("member_id", NAME, primary_key=True),
    Column("external_ref", NAME),  # e.g. the phone number, later
    Column("referrer", NAME),
    Column("created_at", BigInteger, nullable=False),
    # the engine's position of the member; join_seq is null until the first order
    Column("join_seq", BigInteger),
    Column("points_micro", BigInteger, nullable=False, server_default="0"),
    Column("cash_fen", BigInteger, nullable=False, server_default="0"),
    Column("cycle_spend_fen", BigInteger, nullable=False, server_default="0"),
    Column("exits", Integer, nullable=False, server_default="0"),
    # floor(exit threshold × 2^24) clamped to 63 bits: members due for a forced exit first
    Column("exit_key", BigInteger),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
    UniqueConstraint("economy_id", "join_seq"),
    Index(None, "economy_id", "exit_key"),
    postgresql_with={"fillfactor": 80},  # room on each page for in-place (HOT) updates
)

merchants = Table(
    "merchants",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("merchant_id", NAME, primary_key=True),
    Column("external_ref", NAME),
    Column("referrer", NAME),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

stores = Table(
    "stores",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("store_id", NAME, primary_key=True),
    Column("merchant_id", NAME, nullable=False),
    Column("external_ref", NAME),
    Column("referrer", NAME),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["economy_id", "merchant_id"], ["merchants.economy_id", "merchants.merchant_id"]
    ),
)

accounts = Table(
    "accounts",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("holder", NAME, primary_key=True),  # "" for the economy's own accounts
    Column("asset", String(32), primary_key=True),
    Column("is_source", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

balances = Table(
    "balances",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("holder", NAME, primary_key=True),
    Column("asset", String(32), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    # copied from the account so that the CHECK can see it
    Column("is_source", Boolean, nullable=False),
    CheckConstraint("is_source OR balance >= 0", name="not_negative"),
    ForeignKeyConstraint(
        ["economy_id", "kind", "holder", "asset"],
        ["accounts.economy_id", "accounts.kind", "accounts.holder", "accounts.asset"],
    ),
    postgresql_with={"fillfactor": 80},  # every batch updates balances: keep updates HOT
)

events = Table(
    "events",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("idem_key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),  # the engine command, a replay-log line
    Column("status", String(16), nullable=False),
    Column("result", Text, nullable=False),  # the reply, returned again on a retry
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("recorded_at", BigInteger, nullable=False),
    UniqueConstraint("economy_id", "idem_key"),
    CheckConstraint("status IN ('applied', 'rejected')", name="status"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("event_seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("member", NAME),
    Column("recorded_at", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# No foreign keys from postings: they would cost a lookup per leg on the hot path, and
# `zengzhi verify` recomputes every leg against the chain and the balances anyway.
postings = Table(
    "postings",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("tx_seq", BigInteger, primary_key=True),
    Column("leg", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("holder", NAME, nullable=False),
    Column("asset", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # the explorer's account pages (migration 0003): member legs by holder
    Index(
        "ix_postings_holder",
        "economy_id",
        "holder",
        "tx_seq",
        postgresql_where=text("holder <> ''"),
        sqlite_where=text("holder <> ''"),
    ),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("number", BigInteger, primary_key=True),
    Column("first_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("head_hash", LargeBinary(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

ORDER_STATUSES = ("reported", "settled", "cancelled", "refunded")

orders = Table(
    "orders",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("order_id", String(128), primary_key=True),  # the merchant's order id
    Column("member_id", NAME, nullable=False),
    Column("merchant_id", NAME),
    Column("store_id", NAME),
    Column("amount_fen", BigInteger, nullable=False),
    Column("pool_fen", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("event_seq", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    CheckConstraint("status IN ('reported', 'settled', 'cancelled', 'refunded')", name="status"),
)

APPEND_ONLY = ("economy_configs", "accounts", "events", "transactions", "postings", "checkpoints")
