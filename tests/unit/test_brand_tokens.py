"""§7 brand membership: parsing the preset, refusals, tiers, coupons, dividends' edges."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from zengzhi.domain.brand_rules import BrandRules, Coupon, Tier, brand_rules_from
from zengzhi.domain.brand_tokens import (
    buy_back_tokens,
    convert_coins,
    redeem_coupon,
    settle_purchase,
    spend_to_next_token_fen,
    tier_for,
)
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, imbalance
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.token_dividends import distribute_dividends, fund_dividend_pool
from zengzhi.domain.token_errors import (
    AmountTooSmall,
    InsufficientBalance,
    InvalidReferral,
    UnknownCoupon,
)
from zengzhi.presets import load_preset

TOKEN = 1_000_000
PRESET = load_preset("brand-membership")
RULES = brand_rules_from(PRESET)


def _config(**sections: Any) -> EconomyConfig:
    return replace(PRESET, sections={**PRESET.sections, **sections})


def test_the_preset_parses_to_the_seed_rules() -> None:
    assert RULES.coins_per_yuan == 1
    assert RULES.coins_per_token == 1000
    assert RULES.dividend_share == Fraction(1, 5)
    assert RULES.dividend_period == "month"
    assert RULES.referral_coin_share == Fraction(1, 10)
    assert RULES.first_purchase_token_micro == TOKEN // 10
    assert RULES.tiers == (Tier("gold", 500_000), Tier("platinum", 2_000_000))
    assert RULES.vote_min_micro == 10 * TOKEN
    assert RULES.buyback_floor_of_cost == Fraction(4, 5)
    assert RULES.coupons == (Coupon("coffee", 350, 3500),)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"coins": None}, r"needs a \[coins\] table"),
        ({"coins": {"per_yuan": 0, "coins_per_token": 1000}}, "per_yuan"),
        ({"coins": {"per_yuan": 1, "coins_per_token": 3}}, "divide 1,000,000"),
        ({"dividend": {"profit_share": "1.5", "period": "month"}}, "between 0 and 1"),
        ({"dividend": {"profit_share": "0.2", "period": "fortnight"}}, "period"),
        ({"referral": {"coin_share": "0.1", "first_purchase_token": "0.0000001"}}, "six decimals"),
        ({"tiers": [{"name": "gold", "min_spend_fen": 1}] * 2}, "distinct"),
        ({"tiers": [{"name": "gold"}]}, "needs min_spend_fen"),
        ({"coupons": [{"code": "c", "coins": 1, "face_fen": 1}] * 2}, "distinct codes"),
        ({"coupons": [{"code": "c", "coins": 0, "face_fen": 1}]}, "coins"),
        ({"governance": {"min_tokens": "10", "quorum": "1"}}, "unknown key"),
    ],
)
def test_a_bad_brand_section_is_refused_with_a_reason(
    sections: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRule, match=message):
        brand_rules_from(_config(**sections))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_purchase_token_micro": -1}, "must not be negative"),
        ({"coins_per_yuan": 0}, "per_yuan"),
    ],
)
def test_impossible_brand_rules_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRule, match=message):
        BrandRules(**kwargs)


def test_tiers_follow_cumulative_spend() -> None:
    assert tier_for(RULES, 499_999) is None
    assert tier_for(RULES, 500_000) == Tier("gold", 500_000)
    assert tier_for(RULES, 2_000_000) == Tier("platinum", 2_000_000)


def test_under_one_yuan_earns_no_coins_but_a_first_purchase_still_earns_the_token() -> None:
    purchase = settle_purchase(RULES, "m", 50, referrer="r", first_purchase=True)
    assert (purchase.coins, purchase.referral_coins) == (0, 0)
    assert purchase.referral_token_micro == TOKEN // 10
    assert len(purchase.entries) == 1
    assert settle_purchase(RULES, "m", 50).entries == ()


def test_purchases_are_refused_without_an_amount_or_with_oneself_as_referrer() -> None:
    with pytest.raises(InvalidAmount):
        settle_purchase(RULES, "m", 0)
    with pytest.raises(InvalidReferral):
        settle_purchase(RULES, "m", 100, referrer="m")


def test_a_repeat_purchase_earns_the_referrer_coins_but_no_token() -> None:
    purchase = settle_purchase(RULES, "m", 100_00, referrer="r")
    assert (purchase.referral_coins, purchase.referral_token_micro) == (10, 0)


def test_converting_more_coins_than_held_or_none_is_refused() -> None:
    with pytest.raises(InsufficientBalance):
        convert_coins(RULES, "m", 51, 50)
    with pytest.raises(InvalidAmount):
        convert_coins(RULES, "m", 0, 50)


def test_the_spend_to_the_next_token_rounds_up_to_whole_yuan() -> None:
    rules = replace(RULES, coins_per_yuan=3)
    assert spend_to_next_token_fen(rules, 0) == 334 * 100  # 1,000 coins at 3 per yuan
    assert spend_to_next_token_fen(RULES, 1_200) == 0


def test_a_coupon_burns_its_coins() -> None:
    entry = redeem_coupon(RULES, "m", "coffee", 400)
    burned = [p for p in entry.postings if p.account is AccountKind.COIN_SUPPLY]
    assert burned[0].amount == 350
    assert imbalance(entry) == {}
    with pytest.raises(InsufficientBalance):
        redeem_coupon(RULES, "m", "coffee", 349)
    with pytest.raises(UnknownCoupon):
        redeem_coupon(RULES, "m", "tea", 400)


def test_a_buyback_may_pay_more_than_the_floor_but_not_dust() -> None:
    above = buy_back_tokens(RULES, "m", TOKEN, TOKEN, price_fen=Fraction(900_00))
    assert above.payout_fen == 900_00
    with pytest.raises(AmountTooSmall):
        buy_back_tokens(RULES, "m", 1, TOKEN)  # 0.08 fen
    with pytest.raises(InsufficientBalance):
        buy_back_tokens(RULES, "m", 2 * TOKEN, TOKEN)


def test_a_period_without_profit_funds_nothing_and_a_loss_is_refused() -> None:
    assert fund_dividend_pool(RULES, 0).entries == ()
    with pytest.raises(InvalidAmount):
        fund_dividend_pool(RULES, -1)
    funding = fund_dividend_pool(RULES, 12_345)
    assert funding.fen == 2_469
    assert funding.entries[0].postings[1].account is AccountKind.TOKEN_DIVIDEND_POOL


def test_with_no_tokens_outstanding_the_whole_pool_is_carried() -> None:
    run = distribute_dividends(1_000, {"m": 0})
    assert (run.payouts, run.remainder_fen, run.entries) == ((), 1_000, ())


def test_the_floors_remainder_stays_in_the_pool() -> None:
    run = distribute_dividends(100, {"a": 1, "b": 1, "c": 1})
    assert run.payouts == (("a", 33), ("b", 33), ("c", 33))
    assert run.remainder_fen == 1
    pool_leg = run.entries[0].postings[0]
    assert (pool_leg.account, pool_leg.asset, pool_leg.amount) == (
        AccountKind.TOKEN_DIVIDEND_POOL,
        Asset.CASH,
        -99,
    )


@pytest.mark.parametrize(("pool", "holdings"), [(-1, {}), (10, {"m": -1})])
def test_impossible_dividend_inputs_are_refused(pool: int, holdings: dict[str, int]) -> None:
    with pytest.raises(InvalidAmount):
        distribute_dividends(pool, holdings)
