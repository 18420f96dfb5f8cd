"""§6 local life: parsing [split] and [[agents]], refusals, referral binding, edge splits."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.local_life import (
    LocalLifeRules,
    Role,
    Store,
    StoreOrder,
    bind_referrer,
    local_life_rules_from,
    split_commission,
)
from zengzhi.domain.regional_agents import (
    AgentLevel,
    AgentRule,
    RegionAgents,
    agent_differential,
)
from zengzhi.domain.token_errors import InvalidReferral
from zengzhi.presets import load_preset

RULES = LocalLifeRules()
STORE = Store("s", "merchant", Fraction(1, 5))


def _config(**sections: Any) -> EconomyConfig:
    preset = load_preset("local-life")
    return replace(preset, sections={**preset.sections, **sections})


def test_the_preset_parses_to_the_seed_rates() -> None:
    rules = local_life_rules_from(load_preset("local-life"))
    assert rules == replace(RULES, agents=rules.agents)
    assert [(a.level, a.rate, a.fee_fen) for a in rules.agents] == [
        (AgentLevel.DISTRICT, Fraction(1, 1000), 5_000_000),
        (AgentLevel.CITY, Fraction(2, 1000), 10_000_000),
        (AgentLevel.PROVINCE, Fraction(3, 1000), 30_000_000),
    ]


SPLIT = load_preset("local-life").sections["split"]


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"split": None}, r"needs a \[split\] table"),
        ({"split": {**SPLIT, "bonus": "0.1"}}, "unknown key"),
        ({"split": {**SPLIT, "pool": "0.15"}}, "must equal the commission"),
        (
            {"split": {**SPLIT, "commission": "0", "platform": "0", "referral": "0", "pool": "0"}},
            "above 0",
        ),
        ({"split": {k: v for k, v in SPLIT.items() if k != "pool"}}, "needs pool"),
        ({"split": {**SPLIT, "store_promoter": "0.02"}}, "must not exceed referral"),
        ({"agents": "district"}, "list of tables"),
        ({"agents": ["district"]}, "list of tables"),
        ({"agents": [{"level": "county", "rate": "0.001"}]}, "district, city or province"),
        ({"agents": [{"level": "city", "rate": "0.001"}] * 2}, "only once"),
        (
            {
                "agents": [
                    {"level": "city", "rate": "0.002"},
                    {"level": "province", "rate": "0.001"},
                ]
            },
            "must not be below",
        ),
        ({"agents": [{"level": "city", "rate": "2"}]}, "between 0 and 1"),
        ({"agents": [{"level": "city", "rate": "0.001", "fee_fen": -1}]}, "fee_fen"),
        ({"agents": [{"level": "", "rate": "0.001"}]}, "non-empty"),
    ],
)
def test_a_bad_split_or_agent_table_is_refused_with_a_reason(
    sections: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRule, match=message):
        local_life_rules_from(_config(**sections))


def test_agent_rules_refuse_a_negative_position_price() -> None:
    with pytest.raises(InvalidRule):
        AgentRule(AgentLevel.CITY, Fraction(1, 1000), fee_fen=-5)


def test_agents_are_optional_and_then_nothing_is_paid_or_returned_for_them() -> None:
    preset = load_preset("local-life")
    sections = {k: v for k, v in preset.sections.items() if k != "agents"}
    rules = local_life_rules_from(replace(preset, sections=sections))
    split = split_commission(rules, StoreOrder("m", 100_000, STORE, (), RegionAgents("d")))
    assert rules.agents == ()
    assert Role.REGIONAL_AGENTS not in {r.role for r in split.returned}


def test_a_store_commission_outside_0_to_1_is_refused() -> None:
    with pytest.raises(InvalidRule):
        Store("s", "m", Fraction(3, 2))


def test_a_store_too_cheap_to_pay_the_rewards_is_refused() -> None:
    rules = local_life_rules_from(load_preset("local-life"))
    # rewards reach 1.3% of the order; the referral part is a tenth of the commission
    assert rules.min_store_commission == Fraction(13, 100)
    cheap = Store("s", "m", Fraction(12, 100))
    with pytest.raises(InvalidRule, match="could not pay the rewards"):
        split_commission(rules, StoreOrder("m", 100_000, cheap))
    split_commission(rules, StoreOrder("m", 100_000, replace(cheap, commission=Fraction(13, 100))))


def test_without_a_referral_part_any_commission_will_do() -> None:
    rules = LocalLifeRules(
        commission=Fraction(1, 10),
        platform=Fraction(1, 10),
        referral=Fraction(0),
        pool=Fraction(0),
        direct_referrer=Fraction(0),
        indirect_referrer=Fraction(0),
        store_promoter=Fraction(0),
    )
    assert rules.min_store_commission == 0
    split = split_commission(rules, StoreOrder("m", 100_000, Store("s", "m", Fraction(0))))
    assert split.commission_fen == 0
    assert split.entry.postings == ()


def test_a_store_with_another_commission_keeps_the_split_proportions() -> None:
    store = Store("s", "m", Fraction(3, 10))
    split = split_commission(RULES, StoreOrder("m", 100_000, store))
    assert (split.platform_fen, split.referral_fen, split.pool_fen) == (3_000, 3_000, 24_000)


@pytest.mark.parametrize("amount", [0, -1])
def test_an_order_must_have_an_amount(amount: int) -> None:
    with pytest.raises(InvalidAmount):
        split_commission(RULES, StoreOrder("m", amount, STORE))


@pytest.mark.parametrize("chain", [("m",), ("r", "m"), ("r", "r")])
def test_a_referral_chain_naming_the_member_or_repeating_is_refused(
    chain: tuple[str, ...],
) -> None:
    with pytest.raises(InvalidReferral):
        split_commission(RULES, StoreOrder("m", 100_000, STORE, chain))


def test_rewards_that_round_to_nothing_are_not_posted() -> None:
    split = split_commission(RULES, StoreOrder("m", 150, STORE, ("r1", "r2"), RegionAgents("d")))
    assert split.rewards == ()  # 0.45 fen, 0.3 fen, 0.15 fen all floor to 0
    assert split.commission_fen == 30
    assert split.platform_fen + split.pool_fen + split.returned_fen == 30


def test_an_agent_at_no_higher_rate_than_below_earns_nothing() -> None:
    rules = (
        AgentRule(AgentLevel.DISTRICT, Fraction(2, 1000)),
        AgentRule(AgentLevel.CITY, Fraction(2, 1000)),
    )
    split = agent_differential(100_000, rules, RegionAgents("d", "c"))
    assert [(p.agent, p.fen) for p in split.paid] == [("d", 200)]
    assert split.unclaimed_fen == 0
    assert agent_differential(100_000, (), RegionAgents("d")).unclaimed_fen == 0


def test_a_member_is_bound_to_the_first_referrer_they_arrived_through() -> None:
    assert bind_referrer("m", None, "r1") == "r1"
    assert bind_referrer("m", "r1", "r2") == "r1"
    assert bind_referrer("m", None, "m") is None
    assert bind_referrer("m", None, None) is None
