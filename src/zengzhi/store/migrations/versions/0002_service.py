"""The service's tables (issue 4): operators and roles, member accounts, sessions, SMS
codes and locks, merchant keys and nonces, merchant orders, withdrawals, the audit log and
pending rule changes. The audit log is append-only, enforced by triggers like the ledger's.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=160), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_log_economy_id_id"), ["economy_id", "id"], unique=False
        )

    op.create_table(
        "config_changes",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("effective_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.BigInteger(), nullable=True),
        sa.Column("from_event", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("economy_id", "version", name=op.f("pk_config_changes")),
    )
    with op.batch_alter_table("config_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_config_changes_economy_id_applied_at_effective_at"),
            ["economy_id", "applied_at", "effective_at"],
            unique=False,
        )

    op.create_table(
        "merchant_orders",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("store_id", sa.String(length=128), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "economy_id", "merchant_id", "order_id", name=op.f("pk_merchant_orders")
        ),
    )
    with op.batch_alter_table("merchant_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merchant_orders_economy_id_member_id"),
            ["economy_id", "member_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_merchant_orders_economy_id_status_due_at"),
            ["economy_id", "status", "due_at"],
            unique=False,
        )

    op.create_table(
        "operators",
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("operator_id", name=op.f("pk_operators")),
        sa.UniqueConstraint("phone", name=op.f("uq_operators_phone")),
    )
    op.create_table(
        "request_nonces",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", "key_id", "nonce", name=op.f("pk_request_nonces")),
    )
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_nonces_economy_id_seen_at"),
            ["economy_id", "seen_at"],
            unique=False,
        )

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_table(
        "sms_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_codes")),
    )
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_codes_economy_id_phone_created_at"),
            ["economy_id", "phone", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sms_codes_ip_created_at"), ["ip", "created_at"], unique=False
        )

    op.create_table(
        "sms_locks",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", "phone", name=op.f("pk_sms_locks")),
    )
    op.create_table(
        "withdrawals",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("withdrawal_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("idem_key", sa.String(length=128), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payout_account", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.BigInteger(), nullable=False),
        sa.Column("reviewed_at", sa.BigInteger(), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("economy_id", "withdrawal_id", name=op.f("pk_withdrawals")),
        sa.UniqueConstraint(
            "economy_id",
            "member_id",
            "idem_key",
            name=op.f("uq_withdrawals_economy_id_member_id_idem_key"),
        ),
    )
    with op.batch_alter_table("withdrawals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_withdrawals_economy_id_status"), ["economy_id", "status"], unique=False
        )

    op.create_table(
        "operator_roles",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_operator_roles_economy_id")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.operator_id"], name=op.f("fk_operator_roles_operator_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "operator_id", name=op.f("pk_operator_roles")),
    )
    op.create_table(
        "member_accounts",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("referral_code", sa.String(length=16), nullable=False),
        sa.Column("referrer", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id", "member_id"],
            ["members.economy_id", "members.member_id"],
            name=op.f("fk_member_accounts_economy_id_member_id"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "member_id", name=op.f("pk_member_accounts")),
        sa.UniqueConstraint(
            "economy_id", "phone", name=op.f("uq_member_accounts_economy_id_phone")
        ),
        sa.UniqueConstraint(
            "economy_id", "referral_code", name=op.f("uq_member_accounts_economy_id_referral_code")
        ),
    )
    with op.batch_alter_table("member_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_accounts_economy_id_referrer"),
            ["economy_id", "referrer"],
            unique=False,
        )

    op.create_table(
        "merchant_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["economy_id", "merchant_id"],
            ["merchants.economy_id", "merchants.merchant_id"],
            name=op.f("fk_merchant_keys_economy_id_merchant_id"),
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_merchant_keys")),
    )

    if op.get_bind().dialect.name == "postgresql":
        # zz_refuse_change() comes with revision 0001
        op.execute(
            "CREATE TRIGGER zz_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION zz_refuse_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER zz_audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS zz_append_only ON audit_log")
    op.drop_table("merchant_keys")
    with op.batch_alter_table("member_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_accounts_economy_id_referrer"))

    op.drop_table("member_accounts")
    op.drop_table("operator_roles")
    with op.batch_alter_table("withdrawals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_withdrawals_economy_id_status"))

    op.drop_table("withdrawals")
    op.drop_table("sms_locks")
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_codes_ip_created_at"))
        batch_op.drop_index(batch_op.f("ix_sms_codes_economy_id_phone_created_at"))

    op.drop_table("sms_codes")
    op.drop_table("sessions")
    with op.batch_alter_table("request_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_nonces_economy_id_seen_at"))

    op.drop_table("request_nonces")
    op.drop_table("operators")
    with op.batch_alter_table("merchant_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_orders_economy_id_status_due_at"))
        batch_op.drop_index(batch_op.f("ix_merchant_orders_economy_id_member_id"))

    op.drop_table("merchant_orders")
    with op.batch_alter_table("config_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_config_changes_economy_id_applied_at_effective_at"))

    op.drop_table("config_changes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_economy_id_id"))

    op.drop_table("audit_log")
