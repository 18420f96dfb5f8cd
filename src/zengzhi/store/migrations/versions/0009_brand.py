"""Brand membership (issue 6 §7): coupons issued, dividend periods, proposals and ballots.

Revision ID: 0009
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.String(length=64)
_NAME = sa.String(length=128)


def _economy_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["economy_id"], ["economies.economy_id"], name=op.f(f"fk_{table}_economy_id")
    )


def _proposal_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["economy_id", "proposal_id"],
        ["brand_proposals.economy_id", "brand_proposals.proposal_id"],
        name=op.f(f"fk_{table}_economy_id_proposal_id"),
    )


def upgrade() -> None:
    op.create_table(
        "brand_coupons",
        sa.Column("economy_id", _ID, nullable=False),
        sa.Column("coupon_id", sa.String(length=200), nullable=False),
        sa.Column("member_id", _NAME, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("coins", sa.BigInteger(), nullable=False),
        sa.Column("face_fen", sa.BigInteger(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _economy_fk("brand_coupons"),
        sa.PrimaryKeyConstraint("economy_id", "coupon_id", name=op.f("pk_brand_coupons")),
    )
    op.create_table(
        "brand_dividends",
        sa.Column("economy_id", _ID, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("declared_profit_fen", sa.BigInteger(), nullable=False),
        sa.Column("funded_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("holders_paid", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("declared_by", _NAME, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _economy_fk("brand_dividends"),
        sa.PrimaryKeyConstraint("economy_id", "period", name=op.f("pk_brand_dividends")),
    )
    op.create_table(
        "brand_proposals",
        sa.Column("economy_id", _ID, nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("opens_at", sa.BigInteger(), nullable=False),
        sa.Column("closes_at", sa.BigInteger(), nullable=False),
        sa.Column("snapshot_tx_seq", sa.BigInteger(), nullable=False),
        sa.Column("snapshot_digest", sa.String(length=64), nullable=False),
        sa.Column("min_tokens_micro", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", _NAME, nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        _economy_fk("brand_proposals"),
        sa.PrimaryKeyConstraint("economy_id", "proposal_id", name=op.f("pk_brand_proposals")),
    )
    op.create_table(
        "brand_electorate",
        sa.Column("economy_id", _ID, nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", _NAME, nullable=False),
        sa.Column("tokens_micro", sa.BigInteger(), nullable=False),
        sa.Column("votes", sa.BigInteger(), nullable=False),
        _proposal_fk("brand_electorate"),
        sa.PrimaryKeyConstraint(
            "economy_id", "proposal_id", "member_id", name=op.f("pk_brand_electorate")
        ),
    )
    op.create_table(
        "brand_ballots",
        sa.Column("economy_id", _ID, nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", _NAME, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=200), nullable=False),
        sa.Column("votes", sa.BigInteger(), nullable=False),
        sa.Column("idem_key", sa.String(length=200), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("cast_at", sa.BigInteger(), nullable=False),
        _proposal_fk("brand_ballots"),
        sa.PrimaryKeyConstraint(
            "economy_id", "proposal_id", "member_id", name=op.f("pk_brand_ballots")
        ),
        sa.UniqueConstraint(
            "economy_id",
            "proposal_id",
            "seq",
            name=op.f("uq_brand_ballots_economy_id_proposal_id_seq"),
        ),
    )


def downgrade() -> None:
    op.drop_table("brand_ballots")
    op.drop_table("brand_electorate")
    op.drop_table("brand_proposals")
    op.drop_table("brand_dividends")
    op.drop_table("brand_coupons")
