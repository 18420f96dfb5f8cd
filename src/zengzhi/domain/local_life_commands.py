"""The local-life commission split as a stored command (§6, seed 004).

`SplitStoreCommission` follows a settled store order (`SettleOrderRequest` carries the
order's pool part as its `pool_fen`). Everything `split_commission` needs that lives
outside the engine and the holdings (the store's commission and promoter, the member's
two referrers, the region's agents) was looked up by the app layer when the order settled
and is recorded here, so replaying the command re-creates the same postings; the rules
([split], [[agents]]) come from the configuration in force. The entry books the whole
commission: the platform's part, the pool part (into ORDER_FUNDING, which the order's own
entry draws into the pool), each reward into the payee's cash wallet, and what nobody
could claim into PLATFORM_UNPAID.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Self

from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.local_life import (
    CommissionSplit,
    LocalLifeRules,
    Role,
    Store,
    StoreOrder,
    local_life_rules_from,
    split_commission,
)
from zengzhi.domain.pool import Outcome, PoolEngine
from zengzhi.domain.regional_agents import RegionAgents

_PARSED: list[tuple[EconomyConfig, LocalLifeRules]] = []  # the last configuration's rules


def _rules(config: EconomyConfig) -> LocalLifeRules:
    """[split] and [[agents]] of `config`, parsed once per configuration object: a batch
    of orders shares one, and parsing costs more than splitting."""
    if _PARSED and _PARSED[0][0] is config:
        return _PARSED[0][1]
    rules = local_life_rules_from(config)
    _PARSED[:] = [(config, rules)]
    return rules


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


@register
@dataclass(frozen=True, slots=True)
class SplitStoreCommission:
    """One store order's commission split, with the data it was decided from."""

    kind: ClassVar[str] = "local_life_split"
    member: str
    amount_fen: int
    store_id: str
    merchant: str
    commission: Fraction  # the store's commission on this order, exact
    promoter: str | None = None
    referrers: tuple[str, ...] = ()  # the member's direct then indirect referrer
    district_agent: str | None = None
    city_agent: str | None = None
    province_agent: str | None = None

    def order(self) -> StoreOrder:
        store = Store(self.store_id, self.merchant, self.commission, self.promoter)
        agents = RegionAgents(self.district_agent, self.city_agent, self.province_agent)
        return StoreOrder(self.member, self.amount_fen, store, self.referrers, agents)

    def split(self, config: EconomyConfig) -> CommissionSplit:
        return split_commission(_rules(config), self.order())

    def payload(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "amount_fen": self.amount_fen,
            "store_id": self.store_id,
            "merchant": self.merchant,
            "commission": str(self.commission),  # "1/5": exact, read back by Fraction()
            "promoter": self.promoter,
            "referrers": list(self.referrers),
            "district_agent": self.district_agent,
            "city_agent": self.city_agent,
            "province_agent": self.province_agent,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        try:
            commission = Fraction(str(payload["commission"]))
        except (ValueError, ZeroDivisionError) as error:
            raise InvalidRule(f"a stored commission is not a number: {error}") from None
        return cls(
            member=str(payload["member"]),
            amount_fen=payload["amount_fen"],
            store_id=str(payload["store_id"]),
            merchant=str(payload["merchant"]),
            commission=commission,
            promoter=_optional(payload.get("promoter")),
            referrers=tuple(str(r) for r in payload.get("referrers", ())),
            district_agent=_optional(payload.get("district_agent")),
            city_agent=_optional(payload.get("city_agent")),
            province_agent=_optional(payload.get("province_agent")),
        )

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        if len(self.referrers) > 2:
            raise InvalidRule("only the direct and the indirect referrer take part in a split")
        split = self.split(config)
        holdings.apply([split.entry])  # platform profit and unpaid: nothing can go negative
        for reward in split.rewards:  # only now the engine changes (and enrolls payees)
            engine.give_cash(reward.payee, reward.fen)
        return Outcome((split.entry,), ())

    def roles(self) -> tuple[tuple[str, str | None], ...]:
        """Who could be paid, in the order the split pays them (its rewards' order)."""
        chain = (*self.referrers, None, None)
        return (
            (Role.DIRECT_REFERRER.value, chain[0]),
            (Role.INDIRECT_REFERRER.value, chain[1]),
            (Role.STORE_PROMOTER.value, self.promoter),
            (Role.DISTRICT_AGENT.value, self.district_agent),
            (Role.CITY_AGENT.value, self.city_agent),
            (Role.PROVINCE_AGENT.value, self.province_agent),
        )

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        (entry,) = outcome.entries
        by_kind: dict[str, int] = {}
        rewards: list[dict[str, Any]] = []
        roles = iter(self.roles())
        for p in entry.postings:
            by_kind[p.account.value] = by_kind.get(p.account.value, 0) + p.amount
            if p.account is AccountKind.MEMBER_CASH:
                # rewards are posted in the roles' order, zero ones left out: the next
                # role naming this payee is the one paid (a zero reward of the same payee
                # just before it cannot be told apart, and moves nothing either way)
                role = next(r for r, payee in roles if payee == p.holder)
                rewards.append({"role": role, "payee": p.holder, "fen": p.amount})
        return {
            "store_id": self.store_id,
            "merchant": self.merchant,
            "member": self.member,
            "amount_fen": self.amount_fen,
            "commission_fen": -by_kind.get(AccountKind.COMMISSION_FUNDING.value, 0),
            "platform_fen": by_kind.get(AccountKind.PLATFORM_PROFIT.value, 0),
            "pool_fen": by_kind.get(AccountKind.ORDER_FUNDING.value, 0),
            "rewards": rewards,
            "returned_fen": by_kind.get(AccountKind.PLATFORM_UNPAID.value, 0),
        }
