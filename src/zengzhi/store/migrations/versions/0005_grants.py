"""Locked grants and shared purchase (issue 5, §4/§5): grants, standings, release days.

Revision ID: 0005
Revises: 0004

Also an index on members by referrer: a member's downline is a recursive CTE over it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_MEMBER_FK = (["economy_id", "member_id"], ["members.economy_id", "members.member_id"])


def upgrade() -> None:
    op.create_table(
        "grants",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=128), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("points_micro", sa.BigInteger(), nullable=False),
        sa.Column("base_micro", sa.BigInteger(), nullable=False),
        sa.Column("remaining_micro", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(*_MEMBER_FK, name=op.f("fk_grants_economy_id_member_id")),
        sa.PrimaryKeyConstraint("economy_id", "grant_id", name=op.f("pk_grants")),
    )
    op.create_index(
        "ix_grants_economy_id_member_id_event_seq",
        "grants",
        ["economy_id", "member_id", "event_seq"],
    )
    op.create_table(
        "grant_members",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("star", sa.Integer(), nullable=False),
        sa.Column("team_fen", sa.BigInteger(), nullable=False),
        sa.Column("team_size", sa.Integer(), nullable=False),
        sa.Column("health", sa.BigInteger(), nullable=False),
        sa.Column("base_micro", sa.BigInteger(), nullable=False),
        sa.Column("referral_micro", sa.BigInteger(), nullable=False),
        sa.Column("team_micro", sa.BigInteger(), nullable=False),
        sa.Column("peer_micro", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(*_MEMBER_FK, name=op.f("fk_grant_members_economy_id_member_id")),
        sa.PrimaryKeyConstraint("economy_id", "member_id", name=op.f("pk_grant_members")),
    )
    op.create_table(
        "grant_days",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=16), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("sales_fen", sa.BigInteger(), nullable=False),
        sa.Column("base_micro", sa.BigInteger(), nullable=False),
        sa.Column("referral_micro", sa.BigInteger(), nullable=False),
        sa.Column("team_micro", sa.BigInteger(), nullable=False),
        sa.Column("peer_micro", sa.BigInteger(), nullable=False),
        sa.Column("forfeited_micro", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id"], ["economies.economy_id"], name=op.f("fk_grant_days_economy_id")
        ),
        sa.PrimaryKeyConstraint("economy_id", "day", name=op.f("pk_grant_days")),
    )
    op.create_index("ix_members_economy_id_referrer", "members", ["economy_id", "referrer"])


def downgrade() -> None:
    op.drop_index("ix_members_economy_id_referrer", table_name="members")
    op.drop_table("grant_days")
    op.drop_table("grant_members")
    op.drop_index("ix_grants_economy_id_member_id_event_seq", table_name="grants")
    op.drop_table("grants")
