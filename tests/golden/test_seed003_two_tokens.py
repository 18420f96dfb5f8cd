"""Seed 003 (股权电商 双通证), mechanisms.md §2: stable points at 1 yuan, treasury, buyback, cap.

The seed's own numbers: each order of 100 yuan puts 30 into the pool and mints points worth
21 at the price before it; after order 1 P = 1.4286 (21 points), after order 100
P = 5.1731 and member A's 21 points are worth 108.6351. Buyback at P with the 10% fee
burns the points and the fee stays in the pool.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import EntryKind, imbalance
from zengzhi.domain.money import MICRO_PER_POINT, format_price
from zengzhi.domain.pool import IssuanceCapReached, PoolEngine
from zengzhi.domain.stable_points import StableRules, TwoTokenEconomy, stable_rules_from
from zengzhi.presets import load_preset

POINT = MICRO_PER_POINT
STABLE = 1_000_000  # micro-stable-points per stable point


@pytest.fixture
def config() -> EconomyConfig:
    return load_preset("two-tokens")


def _economy(config: EconomyConfig, rules: StableRules | None = None) -> TwoTokenEconomy:
    return TwoTokenEconomy(PoolEngine(config.pool), rules or stable_rules_from(config))


def _seed_orders(economy: TwoTokenEconomy, config: EconomyConfig, count: int) -> None:
    for n in range(1, count + 1):
        amount = 100_00
        economy.engine.settle_order(f"c{n}", amount, config.pool_contribution(amount))


def test_the_preset_pegs_one_stable_point_at_one_yuan_and_buys_back_with_the_sell_fee(
    config: EconomyConfig,
) -> None:
    rules = stable_rules_from(config)
    assert rules.peg_fen == 100
    assert rules.buyback_fee == config.pool.sell_fee == Fraction(1, 10)
    assert config.pool.issuance_cap_micro == 100_000_000 * POINT


def test_converting_moves_points_to_the_treasury_at_the_price_and_leaves_it_unchanged(
    config: EconomyConfig,
) -> None:
    economy = _economy(config)
    _seed_orders(economy, config, 1)
    price, outstanding = economy.engine.price(), economy.engine.points_micro
    assert format_price(price) == "1.4286"

    outcome = economy.convert("c1", 21 * POINT)

    assert economy.stable_of("c1") == 30 * STABLE  # 21 points × 30/21 yuan
    assert economy.treasury_micro == 21 * POINT
    assert economy.engine.member("c1").points_micro == 0
    assert economy.engine.points_micro == outstanding  # not burned: still outstanding
    assert economy.engine.price() == price
    assert [e.kind for e in outcome.entries] == [EntryKind.STABLE_CONVERSION]
    assert all(imbalance(e) == {} for e in outcome.entries)


@pytest.mark.parametrize(
    ("convert_fee", "exchange_fee"), [("0", "0"), ("0.01", "0.02"), ("0.05", "0.1")]
)
def test_the_round_trip_through_stable_points_loses_only_the_configured_fees(
    config: EconomyConfig, convert_fee: str, exchange_fee: str
) -> None:
    rules = replace(
        stable_rules_from(config),
        convert_fee=Fraction(convert_fee),
        merchant_exchange_fee=Fraction(exchange_fee),
    )
    economy = _economy(config, rules)
    _seed_orders(economy, config, 1)
    price = economy.engine.price()

    economy.convert("c1", 21 * POINT)
    economy.pay("c1", "cafe", economy.stable_of("c1"))
    economy.exchange("cafe", economy.stable_of("cafe"))

    kept = (1 - rules.convert_fee) * (1 - rules.merchant_exchange_fee)
    assert economy.engine.member("cafe").points_micro == 21 * POINT * kept
    assert economy.treasury_micro == 21 * POINT * (1 - kept)  # the fees stay with the platform
    assert economy.engine.price() == price
    assert economy.stable_outstanding == 0


def test_a_merchant_cashes_stable_points_out_less_the_settlement_fee(
    config: EconomyConfig,
) -> None:
    economy = _economy(config)
    _seed_orders(economy, config, 1)
    economy.convert("c1", 21 * POINT)
    economy.pay("c1", "cafe", 30 * STABLE)

    outcome = economy.cash_out("cafe", 30 * STABLE)

    cash = [p for p in outcome.entries[0].postings if p.holder == "cafe" and p.amount > 0]
    assert cash[0].amount == 30_00 * (1 - economy.rules.merchant_cashout_fee) // 1  # 29.82
    assert cash[0].amount == 29_82
    assert economy.stable_outstanding == 0
    assert economy.treasury_micro == 21 * POINT  # the backing points stay with the platform


def test_buyback_burns_the_points_and_the_fee_reflow_raises_the_price(
    config: EconomyConfig,
) -> None:
    economy = _economy(config)
    _seed_orders(economy, config, 100)
    engine = economy.engine
    price, outstanding, pool = engine.price(), engine.points_micro, engine.pool_fen
    assert format_price(price) == "5.1731"
    # the seed values A's 21 points at the shown price: 21 × 5.1731 = 108.6351
    assert 21 * Fraction(format_price(price)) == Fraction("108.6351")
    assert format_price(21 * price, 2) == "108.63"
    a_points = engine.member("c1").points_micro
    assert a_points == 21 * POINT

    outcome = economy.buyback("c1", None)

    fee = config.pool.sell_fee
    assert [e.kind for e in outcome.entries] == [EntryKind.BUYBACK]
    assert engine.points_micro == outstanding - a_points  # burned
    paid = pool - engine.pool_fen
    assert paid == int(a_points * price * (1 - fee) / 10_000)  # 90% of 108.6351 yuan, floored
    rise = price * (1 + fee * Fraction(a_points, outstanding - a_points))
    assert engine.price() >= rise  # the floor of the payout keeps a part of a fen more
    assert format_price(engine.price()) == format_price(rise)


def test_the_fixed_total_issuance_ends_minting_but_orders_still_feed_the_pool(
    config: EconomyConfig,
) -> None:
    economy = _economy(config)
    cap = config.pool.issuance_cap_micro
    assert cap is not None
    # an order big enough to mint past 100,000,000 points at 1 yuan mints exactly the rest
    huge = economy.engine.settle_order("whale", 500_000_000_00, 150_000_000_00)
    assert economy.engine.issued_micro == cap
    assert IssuanceCapReached(cap) in huge.events

    pool_before = economy.engine.pool_fen
    economy.engine.settle_order("late", 100_00, config.pool_contribution(100_00))
    assert economy.engine.member("late").points_micro == 0
    assert economy.engine.pool_fen == pool_before + 30_00
    assert economy.engine.issued_micro == cap
