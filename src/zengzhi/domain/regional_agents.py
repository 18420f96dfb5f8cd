"""Regional agents (区代/市代/省代) paid as a differential (级差) up the chain (§6, seed 004).

Design, every choice marked (decided) where the rulebook leaves room:

- Levels walk up district → city → province; each level's rate is a share of the order
  amount ([[agents]]: 0.1%, 0.2%, 0.3%). A level missing from the configuration has no rate.
- Walking up, each region's agent receives floor(A × (its rate − the highest rate already
  paid below it)), so with all three present each earns 0.1%.
- (decided) A level with no agent in the order's region pays nobody, and its difference
  rolls up: the next agent above receives its rate minus what was actually paid below,
  which includes the missing level's share (no district agent: the city agent earns 0.2%).
  What no agent above collects (empty top levels) is unclaimed and returns to the platform.
- (decided) Rates must not fall going up the chain; otherwise a higher level would earn
  nothing. Each level appears at most once.
- `fee_fen` records the price of the position (seed 004 sells them for 50,000–300,000
  yuan); the split does not use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.money import payee_floor
from zengzhi.domain.section_fields import Table, ratio, text, whole


class AgentLevel(StrEnum):
    """The regions an agent can hold, from the smallest up."""

    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"


_ORDER = (AgentLevel.DISTRICT, AgentLevel.CITY, AgentLevel.PROVINCE)


@dataclass(frozen=True, slots=True)
class AgentRule:
    """One level's rate of every order amount in its region, and the position's price."""

    level: AgentLevel
    rate: Fraction
    fee_fen: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise InvalidRule(f"the {self.level} agent rate must be between 0 and 1")
        if type(self.fee_fen) is not int or self.fee_fen < 0:
            raise InvalidRule(
                f"the {self.level} agent fee_fen must be a whole, non-negative number"
            )


@dataclass(frozen=True, slots=True)
class RegionAgents:
    """Who holds each level for the region of an order (None: nobody holds it)."""

    district: str | None = None
    city: str | None = None
    province: str | None = None

    def at(self, level: AgentLevel) -> str | None:
        if level is AgentLevel.DISTRICT:
            return self.district
        if level is AgentLevel.CITY:
            return self.city
        return self.province


@dataclass(frozen=True, slots=True)
class AgentPay:
    level: AgentLevel
    agent: str
    fen: int


@dataclass(frozen=True, slots=True)
class AgentSplit:
    """What the agents are paid (non-zero amounts only) and what nobody above claimed."""

    paid: tuple[AgentPay, ...]
    unclaimed_fen: int


def check_agent_rules(rules: Sequence[AgentRule]) -> tuple[AgentRule, ...]:
    """The rules ordered district → province; each level once, rates not falling going up."""
    ordered = sorted(rules, key=lambda r: _ORDER.index(r.level))
    levels = [r.level for r in ordered]
    if len(set(levels)) != len(levels):
        raise InvalidRule("each agent level (district, city, province) may appear only once")
    for lower, upper in pairwise(ordered):
        if upper.rate < lower.rate:
            raise InvalidRule(
                f"the {upper.level} agent rate must not be below the {lower.level} rate: "
                "agents are paid as a differential up the chain"
            )
    return tuple(ordered)


def agent_rules_from(tables: Sequence[Table]) -> tuple[AgentRule, ...]:
    """Parse [[agents]] tables (level, rate, fee_fen)."""
    rules = []
    for table in tables:
        name = text(table, "level", "[[agents]]")
        if name not in {level.value for level in AgentLevel}:
            raise InvalidRule(f"[[agents]] level must be district, city or province, not {name!r}")
        where = f"[[agents]] {name}"
        rules.append(
            AgentRule(
                level=AgentLevel(name),
                rate=ratio(table, "rate", where),
                fee_fen=whole(table, "fee_fen", where, 0, 0),
            )
        )
    return check_agent_rules(rules)


def agent_differential(
    amount_fen: int, rules: tuple[AgentRule, ...], agents: RegionAgents
) -> AgentSplit:
    """Pay the region's agents on an order of `amount_fen`, walking up the chain."""
    highest = Fraction(0)
    paid: list[AgentPay] = []
    for rule in rules:
        agent = agents.at(rule.level)
        if agent is None or rule.rate <= highest:
            continue
        share = amount_fen * (rule.rate - highest)
        highest = rule.rate
        fen = payee_floor(share.numerator, share.denominator)
        if fen:
            paid.append(AgentPay(rule.level, agent, fen))
    top = rules[-1].rate if rules else Fraction(0)
    left = amount_fen * (top - highest)
    return AgentSplit(tuple(paid), payee_floor(left.numerator, left.denominator))
