"""Local life (§6): each store's commission terms and region, and the regional agents.

`store_terms` holds what an operator set for a store: its commission on every order (an
exact fraction, "1/5"), the member who signed the store up (its promoter, paid 0.5% of
the store's turnover), the member who owns it (its QR code binds new members to them)
and its region. `region_agents` names the member holding each agent level of a region;
a region is written as its path: "广东" (province), "广东/深圳" (city),
"广东/深圳/南山" (district), so two districts of the same name in two cities never mix.
What a settled order was split by is recorded in the ledger's own command, not here.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKeyConstraint, String, Table

from zengzhi.store.tables import ID, NAME, metadata

REGION = String(200)

store_terms = Table(
    "store_terms",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("store_id", NAME, primary_key=True),
    Column("commission", String(64), nullable=False),  # exact "numerator/denominator"
    Column("promoter", NAME),  # a member id
    Column("owner_member", NAME),  # a member id: the store's QR code binds to them
    Column("province", String(64), nullable=False),
    Column("city", String(64), nullable=False),
    Column("district", String(64), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id", "store_id"], ["stores.economy_id", "stores.store_id"]),
)

region_agents = Table(
    "region_agents",
    metadata,
    Column("economy_id", ID, primary_key=True),
    Column("level", String(16), primary_key=True),  # district, city, province
    Column("region", REGION, primary_key=True),  # the region's path, see above
    Column("member_id", NAME, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    ForeignKeyConstraint(["economy_id", "member_id"], ["members.economy_id", "members.member_id"]),
)
