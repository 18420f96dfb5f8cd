"""The ledger's tables, and the triggers that keep the books honest.

Revision ID: 0001
Revises:

Triggers: append-only tables refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE). On
PostgreSQL a deferred constraint trigger checks at commit that every transaction the batch
added has postings summing to zero per asset, and postings can be added only to
transactions beyond the committed head. SQLite has no deferred triggers; there the same
balance check runs when the writer advances the economy's head, the last statement of
every batch.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("head_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", "number", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "economies",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("tx_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("checkpoint_every", sa.Integer(), nullable=False),
        sa.Column("checkpoints", sa.BigInteger(), nullable=False),
        sa.Column("pool_fen", sa.BigInteger(), nullable=False),
        sa.Column("points_micro", sa.BigInteger(), nullable=False),
        sa.Column("issued_micro", sa.BigInteger(), nullable=False),
        sa.Column("last_price", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", name=op.f("pk_economies")),
    )
    op.create_table(
        "events",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("idem_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN ('applied', 'rejected')", name=op.f("ck_events_status")),
        sa.PrimaryKeyConstraint("economy_id", "seq", name=op.f("pk_events")),
        sa.UniqueConstraint("economy_id", "idem_key", name=op.f("uq_events_economy_id_idem_key")),
    )
    op.create_table(
        "orders",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=True),
        sa.Column("store_id", sa.String(length=128), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("pool_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN ('reported', 'settled', 'cancelled', 'refunded')",
            name=op.f("ck_orders_status"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "order_id", name=op.f("pk_orders")),
    )
    op.create_table(
        "postings",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("tx_seq", sa.BigInteger(), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("asset", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", "tx_seq", "leg", name=op.f("pk_postings")),
    )
    op.create_table(
        "transactions",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("member", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("economy_id", "seq", name=op.f("pk_transactions")),
    )
    op.create_table(
        "accounts",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("asset", sa.String(length=32), nullable=False),
        sa.Column("is_source", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_accounts_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "kind", "holder", "asset", name=op.f("pk_accounts")),
    )
    op.create_table(
        "economy_configs",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_economy_configs_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "version", name=op.f("pk_economy_configs")),
    )
    op.create_table(
        "members",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("referrer", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("join_seq", sa.BigInteger(), nullable=True),
        sa.Column("points_micro", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cycle_spend_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("exits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("exit_key", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_members_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "member_id", name=op.f("pk_members")),
        sa.UniqueConstraint("economy_id", "join_seq", name=op.f("uq_members_economy_id_join_seq")),
        postgresql_with={"fillfactor": 80},
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_members_economy_id_exit_key"), ["economy_id", "exit_key"], unique=False
        )

    op.create_table(
        "merchants",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("referrer", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_merchants_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "merchant_id", name=op.f("pk_merchants")),
    )
    op.create_table(
        "balances",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("asset", sa.String(length=32), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("is_source", sa.Boolean(), nullable=False),
        sa.CheckConstraint("is_source OR balance >= 0", name=op.f("ck_balances_not_negative")),
        sa.ForeignKeyConstraint(
            ["economy_id", "kind", "holder", "asset"],
            ["accounts.economy_id", "accounts.kind", "accounts.holder", "accounts.asset"],
            name=op.f("fk_balances_economy_id_kind_holder_asset"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "kind", "holder", "asset", name=op.f("pk_balances")),
        postgresql_with={"fillfactor": 80},
    )
    op.create_table(
        "stores",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("referrer", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id", "merchant_id"],
            ["merchants.economy_id", "merchants.merchant_id"],
            name=op.f("fk_stores_economy_id_merchant_id"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "store_id", name=op.f("pk_stores")),
    )

    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


APPEND_ONLY = ("economy_configs", "accounts", "events", "transactions", "postings", "checkpoints")
_REFUSAL = "rows of {table} are append-only: record a correction as a new transaction"


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION zz_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'rows of % are append-only: record a correction as a new transaction',
                TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER zz_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION zz_refuse_change()"
        )
    # Balance at commit: one set-based check per batch. The writer advances the economy's
    # tx_seq once per batch, so a deferred constraint trigger on that row checks every
    # transaction of the batch (a per-posting row trigger costs ~7 µs a leg, too much).
    op.execute(
        """
        CREATE FUNCTION zz_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT tx_seq, asset, sum(amount) AS total INTO bad FROM postings
             WHERE economy_id = NEW.economy_id AND tx_seq > OLD.tx_seq AND tx_seq <= NEW.tx_seq
             GROUP BY tx_seq, asset HAVING sum(amount) <> 0 ORDER BY tx_seq LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'transaction % of economy % does not balance: % sums to %',
                    bad.tx_seq, NEW.economy_id, bad.asset, bad.total
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER zz_balanced AFTER UPDATE OF tx_seq ON economies "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zz_check_balanced()"
    )
    # Postings may only be added to transactions beyond the committed head: a recorded
    # transaction never gains a leg.
    op.execute(
        """
        CREATE FUNCTION zz_postings_append() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT a.economy_id, a.tx_seq INTO bad FROM added a
              JOIN economies e ON e.economy_id = a.economy_id
             WHERE a.tx_seq <= e.tx_seq LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'transaction % of economy % is recorded: it cannot gain postings',
                    bad.tx_seq, bad.economy_id USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER zz_postings_append AFTER INSERT ON postings REFERENCING NEW TABLE AS "
        "added FOR EACH STATEMENT EXECUTE FUNCTION zz_postings_append()"
    )


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        refusal = _REFUSAL.format(table=table)
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER zz_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
            )
    op.execute(
        """
        CREATE TRIGGER zz_balanced BEFORE UPDATE OF tx_seq ON economies
        WHEN EXISTS (
            SELECT 1 FROM postings
             WHERE economy_id = NEW.economy_id AND tx_seq > OLD.tx_seq AND tx_seq <= NEW.tx_seq
             GROUP BY tx_seq, asset HAVING sum(amount) <> 0
        )
        BEGIN SELECT RAISE(ABORT, 'a transaction does not balance: postings must sum to zero');
        END
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS zz_append_only ON {table}")
        op.execute("DROP TRIGGER IF EXISTS zz_balanced ON economies")
        op.execute("DROP TRIGGER IF EXISTS zz_postings_append ON postings")
        op.execute("DROP FUNCTION IF EXISTS zz_check_balanced()")
        op.execute("DROP FUNCTION IF EXISTS zz_postings_append()")
        op.execute("DROP FUNCTION IF EXISTS zz_refuse_change()")
    op.drop_table("stores")
    op.drop_table("balances")
    op.drop_table("merchants")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_economy_id_exit_key"))

    op.drop_table("members")
    op.drop_table("economy_configs")
    op.drop_table("accounts")
    op.drop_table("transactions")
    op.drop_table("postings")
    op.drop_table("orders")
    op.drop_table("events")
    op.drop_table("economies")
    op.drop_table("checkpoints")
