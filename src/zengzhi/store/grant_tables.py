"""Locked grants (§4) and shared purchase (§5): each grant, each member's standing, each day.

`grants` is a projection of the ledger's `locked_grant` events (one row per grant, synced
by the release job from the events it has not seen yet), plus the points each grant still
has locked, which only the release job changes. `grant_members` is every member's
standing as of the last settled day (level, star, team performance, health value, what
they released that day by kind), for members' and operators' reads. `grant_days` holds
each settled day's totals per kind. Exactly-once uses `daily_jobs` (kind "release").
The referral tree is `members.referrer`; an index on (economy_id, referrer) makes a
member's descendants a recursive CTE of index lookups (benchmarks/referral_tree.py).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKeyConstraint, Index, Integer, String, Table

from zengzhi.store.tables import ID, NAME, members, metadata

grants = Table(
    "grants",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("grant_id", NAME, primary_key=True),  # the order id the grant comes from
    Column("member_id", NAME, nullable=False),
    Column("event_seq", BigInteger, nullable=False),  # the ledger event that locked it
    Column("created_at", BigInteger, nullable=False),
    Column("level", String(64), nullable=False),
    Column("points_micro", BigInteger, nullable=False),
    Column("base_micro", BigInteger, nullable=False),
    Column("remaining_micro", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id", "member_id"], ["members.economy_id", "members.member_id"]),
)
# the release job reads open grants by owner, oldest first; members read their own
Index(
    "ix_grants_economy_id_member_id_event_seq",
    grants.c.economy_id,
    grants.c.member_id,
    grants.c.event_seq,
)

grant_members = Table(
    "grant_members",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("member_id", NAME, primary_key=True),
    Column("day", String(16), nullable=False),  # the last settled day these figures are of
    Column("level", String(64), nullable=False),
    Column("star", Integer, nullable=False),
    Column("team_fen", BigInteger, nullable=False),
    Column("team_size", Integer, nullable=False),  # members below, all generations
    Column("health", BigInteger, nullable=False),
    Column("base_micro", BigInteger, nullable=False),
    Column("referral_micro", BigInteger, nullable=False),
    Column("team_micro", BigInteger, nullable=False),
    Column("peer_micro", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id", "member_id"], ["members.economy_id", "members.member_id"]),
)

grant_days = Table(
    "grant_days",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("day", String(16), primary_key=True),
    Column("event_seq", BigInteger, nullable=False),
    Column("sales_fen", BigInteger, nullable=False),
    Column("base_micro", BigInteger, nullable=False),
    Column("referral_micro", BigInteger, nullable=False),
    Column("team_micro", BigInteger, nullable=False),
    Column("peer_micro", BigInteger, nullable=False),
    Column("forfeited_micro", BigInteger, nullable=False),  # acceleration nobody could take
    Column("members", Integer, nullable=False),  # members who released something
    ForeignKeyConstraint(["economy_id"], ["economies.economy_id"]),
)

# descendants by recursive CTE: each step is an index lookup of (economy_id, referrer)
Index("ix_members_economy_id_referrer", members.c.economy_id, members.c.referrer)
