"""Local life's commission split for every order of a plan, through the domain (§6).

The split of an order (platform, pool, referral rewards, store promoter, regional agents,
what returns unpaid) depends on the order and on who holds each role when it settles,
never on the pool's state. So it is computed once per plan with
`zengzhi.domain.local_life.split_commission`, the only implementation of the rule: both
engines feed its pool part to the pool (exactly what `settle_store_order` does) and credit
its rewards to the members who hold the roles, for the orders they actually placed.

Who holds the roles is the scenario's `[local_life]` layout (`StoreLayout`): orders go to
a store drawn uniformly (an extra draw from the plan's seed); with `agents`, the first
members to join buy the agent positions (provinces, then cities, then districts) and pay
their `fee_fen` on the day they join; with `promoters`, the next members signed up one
store each. A role whose holder has not joined yet pays nobody: the domain returns that
share to the platform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.local_life import (
    LocalLifeRules,
    Role,
    Store,
    StoreOrder,
    local_life_rules_from,
    split_commission,
)
from zengzhi.domain.regional_agents import AgentLevel, RegionAgents
from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import StoreLayout

I64 = NDArray[np.int64]

# position codes in the members' "position" column
NO_POSITION, PROMOTER, DISTRICT, CITY, PROVINCE = 0, 1, 2, 3, 4
_LEVEL_CODE = {AgentLevel.DISTRICT: DISTRICT, AgentLevel.CITY: CITY, AgentLevel.PROVINCE: PROVINCE}
REFERRAL, PROMOTION, AGENCY = 0, 1, 2
_ROLE_KIND = {
    Role.DIRECT_REFERRER: REFERRAL,
    Role.INDIRECT_REFERRER: REFERRAL,
    Role.STORE_PROMOTER: PROMOTION,
    Role.DISTRICT_AGENT: AGENCY,
    Role.CITY_AGENT: AGENCY,
    Role.PROVINCE_AGENT: AGENCY,
}


@dataclass(frozen=True, slots=True)
class Commission:
    """Every order's split: its pool part, and one row per reward paid (by order index)."""

    pool_fen: I64  # per order
    reward_order: I64
    reward_member: I64
    reward_fen: I64
    reward_kind: I64  # REFERRAL, PROMOTION or AGENCY
    position: I64  # per member: NO_POSITION, PROMOTER or an agent level's code
    fee_fen: I64  # per member: the position fee they paid on joining
    platform_fen: int  # the platform's part of all commissions (incl. unpaid shares)


def is_local_life(config: EconomyConfig) -> bool:
    return config.system == "local_life"


def commission_for(config: EconomyConfig, layout: StoreLayout, plan: Plan) -> Commission:
    """Split every order of `plan` with the domain rule, roles held as `layout` says."""
    rules = local_life_rules_from(config)
    n = plan.n_members
    position = np.zeros(n, dtype=np.int64)
    fee = np.zeros(n, dtype=np.int64)
    region = _regions(layout)
    holders = _agent_holders(rules, layout, n, position, fee)
    first_promoter = sum(len(h) for h in holders.values())
    promoter_of = [-1] * layout.stores
    if layout.promoters:
        for s in range(layout.stores):
            if first_promoter + s < n:
                promoter_of[s] = first_promoter + s
                position[first_promoter + s] = PROMOTER
    commission = rules.commission  # every store takes the reference commission
    rng = np.random.default_rng([plan.seed, 6])  # a stream of its own: the plan is unchanged
    store_of = rng.integers(0, layout.stores, size=plan.n_orders).tolist()
    joined_upto = (np.maximum.accumulate(plan.order_member) + 1).tolist() if plan.n_orders else []
    referrer = plan.member_referrer.tolist()
    members = plan.order_member.tolist()
    amounts = plan.order_amount.tolist()
    ids = [f"m{i}" for i in range(n)]
    pool = np.zeros(plan.n_orders, dtype=np.int64)
    rows: list[tuple[int, int, int, int]] = []
    platform = 0
    for k in range(plan.n_orders):
        i, s, joined = members[k], store_of[k], joined_upto[k]
        promoter = promoter_of[s]
        store = Store(
            f"s{s}", "merchant", commission, ids[promoter] if 0 <= promoter < joined else None
        )
        district, city, province = region[s]
        agents = RegionAgents(
            district=_holder(holders, AgentLevel.DISTRICT, district, joined, ids),
            city=_holder(holders, AgentLevel.CITY, city, joined, ids),
            province=_holder(holders, AgentLevel.PROVINCE, province, joined, ids),
        )
        chain: list[str] = []
        r = referrer[i]
        while r >= 0 and len(chain) < 2:
            chain.append(ids[r])
            r = referrer[r]
        split = split_commission(rules, StoreOrder(ids[i], amounts[k], store, tuple(chain), agents))
        pool[k] = split.pool_fen
        platform += split.platform_fen + split.returned_fen
        rows += [(k, int(w.payee[1:]), w.fen, _ROLE_KIND[w.role]) for w in split.rewards]
    table = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    return Commission(
        pool_fen=pool,
        reward_order=table[:, 0].copy(),
        reward_member=table[:, 1].copy(),
        reward_fen=table[:, 2].copy(),
        reward_kind=table[:, 3].copy(),
        position=position,
        fee_fen=fee,
        platform_fen=platform,
    )


def _regions(layout: StoreLayout) -> list[tuple[int, int, int]]:
    """(district, city, province) of every store, each level spread evenly over the next."""
    out = []
    for s in range(layout.stores):
        district = s * layout.districts // layout.stores
        city = district * layout.cities // layout.districts
        out.append((district, city, city * layout.provinces // layout.cities))
    return out


def _agent_holders(
    rules: LocalLifeRules, layout: StoreLayout, n: int, position: I64, fee: I64
) -> dict[AgentLevel, list[int]]:
    """Member holding each region's position: the first to join, provinces first."""
    holders: dict[AgentLevel, list[int]] = {}
    if not layout.agents:
        return holders
    count = {
        AgentLevel.PROVINCE: layout.provinces,
        AgentLevel.CITY: layout.cities,
        AgentLevel.DISTRICT: layout.districts,
    }
    next_member = 0
    for rule in sorted(rules.agents, key=lambda r: -_LEVEL_CODE[r.level]):
        members = []
        for _ in range(count[rule.level]):
            if next_member < n:
                position[next_member] = _LEVEL_CODE[rule.level]
                fee[next_member] = rule.fee_fen
            members.append(next_member)
            next_member += 1
        holders[rule.level] = members
    return holders


def _holder(
    holders: dict[AgentLevel, list[int]],
    level: AgentLevel,
    region: int,
    joined: int,
    ids: list[str],
) -> str | None:
    members = holders.get(level)
    if not members:
        return None
    member = members[region]
    return ids[member] if member < joined else None
