"""An index for the public explorer: a member's (pseudonymous) history by holder.

Revision ID: 0003
Revises: 0001

The explorer's account page lists the transactions touching one holder's accounts,
newest first. Without this index that is a scan of every posting of the economy. Partial
(member legs only, holder <> ''): the economy's own accounts are read by sequence range
through the primary key. Costs the writer one index entry per member leg.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHERE = sa.text("holder <> ''")


def upgrade() -> None:
    op.create_index(
        "ix_postings_holder",
        "postings",
        ["economy_id", "holder", "tx_seq"],
        postgresql_where=_WHERE,
        sqlite_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_postings_holder", table_name="postings")
