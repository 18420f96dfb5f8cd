"""Seed 004 (本地生活), mechanisms.md §6: the store commission split, referrals and agents.

The seed's numbers: an order of 1,000 in a store taking 20% → 20 platform profit,
20 for referral rewards, 160 into the pool, points worth 112 minted (48 of the 160 is
increment that mints nothing); P = 1.43, 1.68, 1.87 after orders 1–3 (112, 78, 67 points);
direct 0.3%, indirect 0.2%, store promoter 0.5%, agents 0.1/0.2/0.3% as a differential;
member 1 exits at 1.2× when P = 10.71, paid 960 with 240 reflowing.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.local_life import (
    LocalLifeRules,
    Reward,
    Role,
    Store,
    StoreOrder,
    local_life_rules_from,
    settle_store_order,
    split_commission,
)
from zengzhi.domain.money import MICRO_PER_POINT, format_price
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.regional_agents import RegionAgents
from zengzhi.presets import load_preset

YUAN = 100
ORDER = 1_000 * YUAN
ALL_AGENTS = RegionAgents(district="d-agent", city="c-agent", province="p-agent")


@pytest.fixture
def config() -> EconomyConfig:
    return load_preset("local-life")


@pytest.fixture
def rules(config: EconomyConfig) -> LocalLifeRules:
    return local_life_rules_from(config)


@pytest.fixture
def store(rules: LocalLifeRules) -> Store:
    return Store("noodles", "merchant", rules.commission, promoter="promoter")


def _paid(rewards: tuple[Reward, ...]) -> dict[str, int]:
    return {r.payee: r.fen for r in rewards}


def test_a_1000_order_splits_20_platform_20_referral_160_pool(
    rules: LocalLifeRules, store: Store
) -> None:
    split = split_commission(rules, StoreOrder("m", ORDER, store, ("r1", "r2"), ALL_AGENTS))

    assert split.commission_fen == 200 * YUAN
    assert split.platform_fen == 20 * YUAN
    assert split.referral_fen == 20 * YUAN
    assert split.pool_fen == 160 * YUAN
    assert split.platform_fen + split.pool_fen + split.rewards_fen + split.returned_fen == (
        split.commission_fen
    )
    assert imbalance(split.entry) == {}


def test_the_two_referrers_earn_03_and_02_percent_and_the_promoter_05(
    rules: LocalLifeRules, store: Store
) -> None:
    split = split_commission(rules, StoreOrder("m", ORDER, store, ("r1", "r2", "r3")))

    paid = _paid(split.rewards)
    assert paid["r1"] == 3 * YUAN
    assert paid["r2"] == 2 * YUAN
    assert "r3" not in paid  # only two generations earn
    assert paid["promoter"] == 5 * YUAN


def test_agents_are_paid_the_differential_up_the_chain(rules: LocalLifeRules, store: Store) -> None:
    split = split_commission(rules, StoreOrder("m", ORDER, store, (), ALL_AGENTS))

    paid = _paid(split.rewards)
    # 0.1% − 0, 0.2% − 0.1%, 0.3% − 0.2% of 1,000
    assert (paid["d-agent"], paid["c-agent"], paid["p-agent"]) == (1 * YUAN, 1 * YUAN, 1 * YUAN)


def test_a_missing_district_agent_rolls_its_share_up_to_the_city_agent(
    rules: LocalLifeRules, store: Store
) -> None:
    agents = RegionAgents(city="c-agent", province="p-agent")
    split = split_commission(rules, StoreOrder("m", ORDER, store, (), agents))

    paid = _paid(split.rewards)
    assert (paid["c-agent"], paid["p-agent"]) == (2 * YUAN, 1 * YUAN)


def test_what_nobody_claims_returns_to_the_platform_recorded(
    rules: LocalLifeRules, config: EconomyConfig
) -> None:
    store = Store("noodles", "merchant", rules.commission)  # no promoter
    agents = RegionAgents(district="d-agent")  # no city or province agent
    split = split_commission(rules, StoreOrder("m", ORDER, store, (), agents))

    returned = {r.role: r.fen for r in split.returned}
    assert returned == {
        Role.DIRECT_REFERRER: 3 * YUAN,
        Role.INDIRECT_REFERRER: 2 * YUAN,
        Role.STORE_PROMOTER: 5 * YUAN,
        Role.REGIONAL_AGENTS: 2 * YUAN,  # 0.3% − the district's 0.1%
        Role.REFERRAL_REMAINDER: 7 * YUAN,  # 2% − (0.3 + 0.2 + 0.5 + 0.3)%
    }
    unpaid = [p for p in split.entry.postings if p.account is AccountKind.PLATFORM_UNPAID]
    assert unpaid[0].amount == sum(returned.values())


def test_the_pool_part_mints_points_worth_112_and_48_is_increment(
    config: EconomyConfig, rules: LocalLifeRules, store: Store
) -> None:
    engine = PoolEngine(config.pool)
    settled = settle_store_order(engine, rules, StoreOrder("m1", ORDER, store))

    assert engine.pool_fen == 160 * YUAN
    assert engine.member("m1").points_micro == 112 * MICRO_PER_POINT  # at 1 yuan a point
    increment = settled.split.pool_fen * (1 - config.pool.points_ratio)
    assert increment == 48 * YUAN
    assert all(imbalance(e) == {} for e in settled.entries)


def test_three_orders_raise_the_price_to_143_168_187(
    config: EconomyConfig, rules: LocalLifeRules, store: Store
) -> None:
    engine = PoolEngine(config.pool)
    prices, minted, totals = [], [], []
    for n in (1, 2, 3):
        settle_store_order(engine, rules, StoreOrder(f"m{n}", ORDER, store))
        prices.append(format_price(engine.price(), 2))
        minted.append(round(Fraction(engine.member(f"m{n}").points_micro, MICRO_PER_POINT)))
        totals.append(round(Fraction(engine.points_micro, MICRO_PER_POINT)))

    assert prices == ["1.43", "1.68", "1.87"]
    assert minted == [112, 78, 67]
    assert totals == [112, 190, 257]


def test_member_1_exits_at_12x_when_the_price_reaches_1071(
    config: EconomyConfig, rules: LocalLifeRules, store: Store
) -> None:
    engine = PoolEngine(config.pool)
    settle_store_order(engine, rules, StoreOrder("m1", ORDER, store))
    # financing lifts the pool to 1,200 over member 1's 112 points: P = 10.71
    outcome = engine.inject(1_200 * YUAN - engine.pool_fen)

    assert format_price(Fraction(1_200, 112), 2) == "10.71"
    [exit_] = outcome.exits
    assert exit_.member == "m1"
    assert exit_.payout_fen == 960 * YUAN
    assert engine.pool_fen == 240 * YUAN  # the reflow stays in the pool
