"""Local life: a store order's commission split exactly to the fen (mechanisms.md §6, seed 004).

Design, every choice marked (decided) where the rulebook leaves room:

- [split] rates are shares of the ORDER AMOUNT at the reference commission (20%: platform
  2%, referral 2%, pool 16%), and must add up to it. (decided) A store with another
  commission c keeps the proportions: each part is its rate × c / commission of the amount.
- (decided) Commission C = ceil(A × c) and pool part = ceil(A × c × pool / commission):
  rounding favours the platform and the pool, as `EconomyConfig.pool_contribution` does
  (for a store at the reference commission the two agree when [pool] pool_share equals
  [split] pool). Referral budget R = floor(A × c × referral / commission). The platform
  part is C − pool − R: its share plus every rounding remainder.
- Rewards are shares of the order amount paid out of the referral budget, each floored to
  the fen: the member's direct referrer 0.3% and indirect referrer 0.2% on every order in
  any store (the chain is a tuple of ancestor ids, nearest first; further ancestors earn
  nothing here); the store's promoter 0.5% of the store's turnover, i.e. of each of its
  orders; the region's agents by differential (`regional_agents`).
- (decided) The rewards come out of the referral part, never the platform's: [split] must
  satisfy direct + indirect + promoter + top agent rate ≤ referral, and a store whose
  commission is too low for its referral part to pay them all is refused (InvalidRule).
- (decided) What the budget does not pay goes back to the platform in PLATFORM_UNPAID, each
  part recorded in `returned` with its reason: a missing referrer or promoter (their
  floored share), agent levels nobody above claimed, and the unallocated rest of the
  budget (0.7% of the order at the seed's rates, plus rounding). So, exactly to the fen,
  C = platform + pool + rewards + returned.
- The entry moves C out of the store's COMMISSION_FUNDING; the pool part is credited to
  ORDER_FUNDING, which the PoolEngine's ORDER entry then draws into the pool.
  `settle_store_order` runs both: points worth points_ratio × the pool part are minted at
  the price before the order (seed: 112 of 160; the other 48 mints nothing) and the
  member's cycle spend grows by the order amount.
- Members are bound to the first referrer they arrived through (`bind_referrer`); a
  referral chain that names the member or repeats someone is refused (InvalidReferral).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.money import payee_floor
from zengzhi.domain.pool import Outcome, PoolEngine
from zengzhi.domain.regional_agents import (
    AgentLevel,
    AgentRule,
    RegionAgents,
    agent_differential,
    agent_rules_from,
    check_agent_rules,
)
from zengzhi.domain.section_fields import ratio, section, table_list
from zengzhi.domain.token_errors import InvalidReferral


class Role(StrEnum):
    """Why a part of the commission went where it went."""

    DIRECT_REFERRER = "direct_referrer"
    INDIRECT_REFERRER = "indirect_referrer"
    STORE_PROMOTER = "store_promoter"
    DISTRICT_AGENT = "district_agent"
    CITY_AGENT = "city_agent"
    PROVINCE_AGENT = "province_agent"
    REGIONAL_AGENTS = "regional_agents"  # agent levels nobody above claimed
    REFERRAL_REMAINDER = "referral_remainder"  # the budget's unallocated part and rounding


_AGENT_ROLE = {
    AgentLevel.DISTRICT: Role.DISTRICT_AGENT,
    AgentLevel.CITY: Role.CITY_AGENT,
    AgentLevel.PROVINCE: Role.PROVINCE_AGENT,
}


@dataclass(frozen=True, slots=True)
class LocalLifeRules:
    """[split] and [[agents]]: shares of the order amount at the reference commission."""

    commission: Fraction = Fraction(1, 5)
    platform: Fraction = Fraction(1, 50)
    referral: Fraction = Fraction(1, 50)
    pool: Fraction = Fraction(4, 25)
    direct_referrer: Fraction = Fraction(3, 1000)
    indirect_referrer: Fraction = Fraction(2, 1000)
    store_promoter: Fraction = Fraction(5, 1000)
    agents: tuple[AgentRule, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.commission <= 1:
            raise InvalidRule("[split] commission must be above 0 and at most 1")
        if self.platform + self.referral + self.pool != self.commission:
            raise InvalidRule("[split] platform + referral + pool must equal the commission")
        object.__setattr__(self, "agents", check_agent_rules(self.agents))
        if self.reward_rate > self.referral:
            raise InvalidRule(
                "[split] direct_referrer + indirect_referrer + store_promoter + the top agent "
                "rate must not exceed referral: the rewards are paid out of it"
            )

    @property
    def reward_rate(self) -> Fraction:
        """The most an order can owe in rewards, as a share of its amount."""
        top_agent = self.agents[-1].rate if self.agents else Fraction(0)
        return self.direct_referrer + self.indirect_referrer + self.store_promoter + top_agent

    @property
    def min_store_commission(self) -> Fraction:
        """The lowest commission whose referral part still pays every reward."""
        if self.referral == 0:
            return Fraction(0)
        return self.reward_rate * self.commission / self.referral


def local_life_rules_from(config: EconomyConfig) -> LocalLifeRules:
    """Parse [split] and [[agents]] from an economy configuration."""
    rewards = {"direct_referrer", "indirect_referrer", "store_promoter"}
    table = section(config, "split", {"commission", "platform", "referral", "pool"} | rewards)
    where = "[split]"
    return LocalLifeRules(
        commission=ratio(table, "commission", where),
        platform=ratio(table, "platform", where),
        referral=ratio(table, "referral", where),
        pool=ratio(table, "pool", where),
        direct_referrer=ratio(table, "direct_referrer", where, Fraction(0)),
        indirect_referrer=ratio(table, "indirect_referrer", where, Fraction(0)),
        store_promoter=ratio(table, "store_promoter", where, Fraction(0)),
        agents=agent_rules_from(table_list(config, "agents", {"level", "rate", "fee_fen"})),
    )


@dataclass(frozen=True, slots=True)
class Store:
    """A merchant's store: its commission on each order and who signed it up."""

    store_id: str
    merchant: str
    commission: Fraction
    promoter: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.commission <= 1:
            raise InvalidRule(f"store {self.store_id!r}: commission must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class StoreOrder:
    """A settled order in a store. `referrers`: the member's ancestors, nearest first."""

    member: str
    amount_fen: int
    store: Store
    referrers: tuple[str, ...] = ()
    agents: RegionAgents = field(default_factory=RegionAgents)


@dataclass(frozen=True, slots=True)
class Reward:
    role: Role
    payee: str
    fen: int


@dataclass(frozen=True, slots=True)
class Returned:
    """A part of the referral budget that went back to the platform, and why."""

    role: Role
    fen: int


@dataclass(frozen=True, slots=True)
class CommissionSplit:
    """Where every fen of one order's commission went; `entry` books it."""

    commission_fen: int
    platform_fen: int
    pool_fen: int
    referral_fen: int
    rewards: tuple[Reward, ...]
    returned: tuple[Returned, ...]
    entry: Entry

    @property
    def rewards_fen(self) -> int:
        return sum(r.fen for r in self.rewards)

    @property
    def returned_fen(self) -> int:
        return sum(r.fen for r in self.returned)


def split_commission(rules: LocalLifeRules, order: StoreOrder) -> CommissionSplit:
    """Split one order's commission: platform, pool, rewards, and what returns unpaid."""
    amount, store = order.amount_fen, order.store
    if type(amount) is not int or amount <= 0:
        raise InvalidAmount(f"the order amount must be a whole number of fen above 0: {amount!r}")
    if store.commission < rules.min_store_commission:
        raise InvalidRule(
            f"store {store.store_id!r} takes {store.commission} commission, below "
            f"{rules.min_store_commission}: its referral part could not pay the rewards"
        )
    _check_chain(order.member, order.referrers)
    taken = amount * store.commission  # the commission in fen, exact
    commission = _ceil(taken)
    pool = _ceil(taken * rules.pool / rules.commission)
    budget = _floor(taken * rules.referral / rules.commission)
    rewards: list[Reward] = []
    returned: list[Returned] = []
    chain = order.referrers
    candidates = (
        (Role.DIRECT_REFERRER, chain[0] if chain else None, rules.direct_referrer),
        (Role.INDIRECT_REFERRER, chain[1] if len(chain) > 1 else None, rules.indirect_referrer),
        (Role.STORE_PROMOTER, store.promoter, rules.store_promoter),
    )
    for role, payee, rate in candidates:
        fen = _floor(amount * rate)
        if payee is not None:
            rewards.append(Reward(role, payee, fen))
        else:
            returned.append(Returned(role, fen))
    agents = agent_differential(amount, rules.agents, order.agents)
    rewards += (Reward(_AGENT_ROLE[p.level], p.agent, p.fen) for p in agents.paid)
    returned.append(Returned(Role.REGIONAL_AGENTS, agents.unclaimed_fen))
    accounted = sum(r.fen for r in rewards) + sum(r.fen for r in returned)
    returned.append(Returned(Role.REFERRAL_REMAINDER, budget - accounted))
    paid = tuple(r for r in rewards if r.fen)
    platform = commission - pool - budget
    legs = [
        (AccountKind.COMMISSION_FUNDING, store.store_id, -commission),
        (AccountKind.PLATFORM_PROFIT, None, platform),
        (AccountKind.ORDER_FUNDING, None, pool),
        *((AccountKind.MEMBER_CASH, r.payee, r.fen) for r in paid),
        (AccountKind.PLATFORM_UNPAID, None, budget - sum(r.fen for r in paid)),
    ]
    postings = tuple(Posting(kind, holder, Asset.CASH, fen) for kind, holder, fen in legs if fen)
    entry = Entry(EntryKind.COMMISSION_SPLIT, order.member, postings)
    unpaid = tuple(r for r in returned if r.fen)
    return CommissionSplit(commission, platform, pool, budget, paid, unpaid, entry)


@dataclass(frozen=True, slots=True)
class StoreSettlement:
    """The commission split and the pool's outcome (points minted, exits) for one order."""

    split: CommissionSplit
    outcome: Outcome

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (self.split.entry, *self.outcome.entries)


def settle_store_order(
    engine: PoolEngine, rules: LocalLifeRules, order: StoreOrder
) -> StoreSettlement:
    """Split the commission, then feed its pool part to the engine as the order's contribution."""
    split = split_commission(rules, order)
    outcome = engine.settle_order(order.member, order.amount_fen, split.pool_fen)
    return StoreSettlement(split, outcome)


def bind_referrer(member: str, current: str | None, arriving_via: str | None) -> str | None:
    """The member's referrer after arriving through `arriving_via`'s code or link.

    The first binding holds for good; arriving through one's own code binds nobody.
    """
    if current is not None:
        return current
    if arriving_via is None or arriving_via == member:
        return None
    return arriving_via


def _check_chain(member: str, referrers: tuple[str, ...]) -> None:
    if member in referrers:
        raise InvalidReferral(f"member {member!r} cannot be their own referrer")
    if len(set(referrers)) != len(referrers):
        raise InvalidReferral("a referral chain cannot name the same referrer twice")


def _floor(value: Fraction | int) -> int:
    exact = Fraction(value)
    return payee_floor(exact.numerator, exact.denominator)


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)
