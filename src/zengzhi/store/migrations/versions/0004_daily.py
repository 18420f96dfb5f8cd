"""Periodic settlement (issue 5): §3 quota and shares per member, one row per job run.

Revision ID: 0004
Revises: 0003

Also an index on settled orders by time: a day's sales are summed by a range scan.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_positions",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("quota_fen", sa.BigInteger(), nullable=False),
        sa.Column("shares_micro", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id", "member_id"],
            ["members.economy_id", "members.member_id"],
            name=op.f("fk_daily_positions_economy_id_member_id"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "member_id", name=op.f("pk_daily_positions")),
    )
    op.create_table(
        "daily_jobs",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("sales_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("done_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_daily_jobs_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "kind", "period", name=op.f("pk_daily_jobs")),
    )
    op.create_index(
        "ix_orders_economy_id_status_created_at", "orders", ["economy_id", "status", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_orders_economy_id_status_created_at", table_name="orders")
    op.drop_table("daily_jobs")
    op.drop_table("daily_positions")
