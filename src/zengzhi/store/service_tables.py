"""The service's tables (issue 4): people, credentials, merchant orders, reviews, audit.

Every table that belongs to an economy leads its key with `economy_id`, like the ledger's.
Operators are people who may work for several economies, so their accounts are global and
their roles are per economy. Times are microseconds since the Unix epoch (UTC).
Secrets are never stored in the clear: passwords as Argon2id hashes, SMS codes and session
tokens as keyed or plain SHA-256 digests, merchant secrets not at all (derived from the
server secret and the key id).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from zengzhi.store.tables import ID, NAME, metadata

PHONE = String(32)
ROLES = ("owner", "operator", "finance", "auditor")

operators = Table(
    "operators",
    metadata,
    Column("operator_id", ID, primary_key=True),
    Column("phone", PHONE, nullable=False, unique=True),
    Column("name", NAME, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

operator_roles = Table(
    "operator_roles",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("operator_id", ID, primary_key=True),
    Column("role", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
    ForeignKeyConstraint(["operator_id"], ["operators.operator_id"]),
)

member_accounts = Table(
    "member_accounts",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("member_id", NAME, primary_key=True),
    Column("phone", PHONE, nullable=False),
    Column("password_hash", Text),
    Column("referral_code", String(16), nullable=False),
    Column("referrer", NAME),  # the member whose code or link brought this one
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("economy_id", "phone"),
    UniqueConstraint("economy_id", "referral_code"),
    Index(None, "economy_id", "referrer"),
    ForeignKeyConstraint(["economy_id", "member_id"], ["members.economy_id", "members.member_id"]),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # "member" or "operator"
    Column("economy_id", ID, nullable=False),  # "" for operators (they span economies)
    Column("subject_id", NAME, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
)

sms_codes = Table(
    "sms_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("economy_id", ID, nullable=False),
    Column("phone", PHONE, nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
    Index(None, "economy_id", "phone", "created_at"),
    Index(None, "ip", "created_at"),
)

sms_locks = Table(
    "sms_locks",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("phone", PHONE, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", BigInteger, nullable=False),
)

merchant_keys = Table(
    "merchant_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("economy_id", ID, nullable=False),
    Column("merchant_id", NAME, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    ForeignKeyConstraint(
        ["economy_id", "merchant_id"], ["merchants.economy_id", "merchants.merchant_id"]
    ),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("key_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at", BigInteger, nullable=False),
    Index(None, "economy_id", "seen_at"),
)

MERCHANT_ORDER_STATUSES = ("reported", "settled", "cancelled", "refunded")

merchant_orders = Table(
    "merchant_orders",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("merchant_id", NAME, primary_key=True),
    Column("order_id", String(128), primary_key=True),  # the merchant's own order id
    Column("member_id", NAME, nullable=False),
    Column("store_id", NAME),
    Column("amount_fen", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the report, for idempotency
    Column("reported_at", BigInteger, nullable=False),
    Column("due_at", BigInteger, nullable=False),  # auto-settled after the return window
    Column("updated_at", BigInteger, nullable=False),
    Column("event_seq", BigInteger),  # the ledger event that settled it
    Index(None, "economy_id", "status", "due_at"),
    Index(None, "economy_id", "member_id"),
)

withdrawals = Table(
    "withdrawals",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("withdrawal_id", String(64), primary_key=True),
    Column("member_id", NAME, nullable=False),
    Column("idem_key", String(128), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("payout_account", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # pending, paid, rejected
    Column("requested_at", BigInteger, nullable=False),
    Column("reviewed_at", BigInteger),
    Column("reviewer", ID),
    Column("reference", String(128)),  # the payment reference on approval
    Column("note", Text),  # the reason on rejection
    UniqueConstraint("economy_id", "member_id", "idem_key"),
    Index(None, "economy_id", "status"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("economy_id", ID, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(160), nullable=False),  # "operator:ID", "merchant:ID", "system"
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON
    Index(None, "economy_id", "id"),
)

config_changes = Table(
    "config_changes",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("config", Text, nullable=False),
    Column("effective_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("operator_id", ID, nullable=False),
    Column("reason", Text, nullable=False),
    Column("applied_at", BigInteger),
    # the economy's last event before the version applied: later events follow it
    Column("from_event", BigInteger),
    Index(None, "economy_id", "applied_at", "effective_at"),
)

SERVICE_APPEND_ONLY = ("audit_log",)
