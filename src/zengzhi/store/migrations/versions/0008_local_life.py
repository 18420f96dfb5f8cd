"""Local life (issue 6, §6): stores' commission terms and regions, regional agents.

Revision ID: 0008
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_terms",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=128), nullable=False),
        sa.Column("commission", sa.String(length=64), nullable=False),
        sa.Column("promoter", sa.String(length=128), nullable=True),
        sa.Column("owner_member", sa.String(length=128), nullable=True),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id", "store_id"],
            ["stores.economy_id", "stores.store_id"],
            name=op.f("fk_store_terms_economy_id_store_id"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "store_id", name=op.f("pk_store_terms")),
    )
    op.create_table(
        "region_agents",
        sa.Column("economy_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["economy_id", "member_id"],
            ["members.economy_id", "members.member_id"],
            name=op.f("fk_region_agents_economy_id_member_id"),
        ),
        sa.PrimaryKeyConstraint("economy_id", "level", "region", name=op.f("pk_region_agents")),
    )


def downgrade() -> None:
    op.drop_table("region_agents")
    op.drop_table("store_terms")
