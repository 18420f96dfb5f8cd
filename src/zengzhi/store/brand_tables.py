"""Brand membership (§7) state that is not money: coupons issued, dividend periods run,
proposals, their snapshotted electorate and their ballots.

Money moves only through the ledger; these tables index what members and operators see
and hold governance, which moves no money. Ballots are made tamper-evident by a hash chain
per proposal that starts at the snapshot's digest (see `app/brand_governance.py`); the
published result carries the chain's head, and the snapshot names the ledger transaction
it was taken after, so anyone can recompute the electorate from the public ledger.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from zengzhi.store.tables import ID, NAME, metadata

brand_coupons = Table(
    "brand_coupons",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("coupon_id", String(200), primary_key=True),  # the redemption's request key
    Column("member_id", NAME, nullable=False),
    Column("code", String(64), nullable=False),
    Column("coins", BigInteger, nullable=False),
    Column("face_fen", BigInteger, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

brand_dividends = Table(
    "brand_dividends",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("period", String(16), primary_key=True),  # e.g. 2026-10 for a monthly period
    Column("declared_profit_fen", BigInteger, nullable=False),
    Column("funded_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("holders_paid", Integer, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("declared_by", NAME, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

brand_proposals = Table(
    "brand_proposals",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("proposal_id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("options", Text, nullable=False),  # JSON list, in the order offered
    Column("fingerprint", String(64), nullable=False),  # of what the operator asked
    Column("opens_at", BigInteger, nullable=False),
    Column("closes_at", BigInteger, nullable=False),
    Column("snapshot_tx_seq", BigInteger, nullable=False),  # balances after this transaction
    Column("snapshot_digest", String(64), nullable=False),
    Column("min_tokens_micro", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # open, closed
    Column("result", Text),  # the published tally (JSON) once closed
    Column("head_hash", String(64)),  # the ballot chain's head when closed
    Column("created_by", NAME, nullable=False),
    Column("closed_at", BigInteger),
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

brand_electorate = Table(
    "brand_electorate",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("proposal_id", String(64), primary_key=True),
    Column("member_id", NAME, primary_key=True),
    Column("tokens_micro", BigInteger, nullable=False),
    Column("votes", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["economy_id", "proposal_id"], ["brand_proposals.economy_id", "brand_proposals.proposal_id"]
    ),
)

brand_ballots = Table(
    "brand_ballots",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("proposal_id", String(64), primary_key=True),
    Column("member_id", NAME, primary_key=True),  # one ballot per member and proposal
    Column("seq", Integer, nullable=False),  # position in the proposal's chain, from 1
    Column("option", String(200), nullable=False),
    Column("votes", BigInteger, nullable=False),
    Column("idem_key", String(200), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("cast_at", BigInteger, nullable=False),
    UniqueConstraint("economy_id", "proposal_id", "seq"),
    ForeignKeyConstraint(
        ["economy_id", "proposal_id"], ["brand_proposals.economy_id", "brand_proposals.proposal_id"]
    ),
)
