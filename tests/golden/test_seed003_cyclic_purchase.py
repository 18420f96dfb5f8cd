"""Seed 003 §二 (循环购): the documents' worked numbers for quota, shares and daily dividends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.entries import AccountKind, Asset, EntryKind, imbalance
from zengzhi.domain.quota import SHARE_SCALE, Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.presets import load_preset

YUAN = 100  # fen


def _sections() -> Mapping[str, Any]:
    return load_preset("cyclic-purchase").sections


def test_buying_1000_yuan_gives_2000_of_quota_and_one_share() -> None:
    rules = QuotaRules.from_sections(_sections())
    assert rules.quota_for(1000 * YUAN) == 2000 * YUAN
    assert rules.shares_for(1000 * YUAN) == 1 * SHARE_SCALE


def test_a_referrer_earns_shares_on_the_referees_purchase() -> None:
    rules = QuotaRules.from_sections(_sections())
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    start = Positions((0, 0), (0, 0))
    after = accrue_purchases(rules, tree, start, buyers=[1], amounts_fen=[1000 * YUAN])
    # the preset: half a share per 1,000 yuan referred; B gets the purchase's own share
    assert after.shares_micro == (SHARE_SCALE // 2, SHARE_SCALE)
    assert after.quota_fen == (0, 2000 * YUAN)


def test_ten_of_a_hundred_shares_take_300_of_a_3000_static_pool_and_consume_quota() -> None:
    rules = DividendRules.from_sections(_sections())
    # A holds 10 of 100 shares and 2,000 of quota; nine others hold 10 shares each
    shares = [10 * SHARE_SCALE] * 10
    quota = [2000 * YUAN] * 10
    day = settle_dividends(rules, 10_000 * YUAN, shares, quota)
    assert day.pro_rata_pool_fen == 3000 * YUAN  # 30% of a 10,000-yuan day
    assert day.pro_rata_paid[0] == 300 * YUAN
    assert day.quota_after[0] == 1700 * YUAN


def test_a_tier_with_nobody_in_it_returns_its_part_to_the_platform() -> None:
    rules = DividendRules.from_sections(_sections())
    # one member in V3 (300 shares), nobody in V1 or V2
    day = settle_dividends(rules, 10_000 * YUAN, [300 * SHARE_SCALE], [10_000 * YUAN])
    assert day.tier_heads == (0, 0, 1)
    assert day.tier_paid == (600 * YUAN,)  # alone in V3: the whole 6% of sales
    # V1's 1% and V2's 3% of 10,000 go back; the static pool went entirely to the member
    assert day.returned_fen == 400 * YUAN


def test_members_of_one_tier_split_its_part_equally() -> None:
    rules = DividendRules.from_sections(_sections())
    day = settle_dividends(rules, 10_000 * YUAN, [60 * SHARE_SCALE, 90 * SHARE_SCALE], [10**9] * 2)
    assert day.tier_paid == (50 * YUAN, 50 * YUAN)  # V1's 1% = 100 yuan, split in two


def test_a_payout_is_capped_by_the_quota_left_and_the_rest_goes_back() -> None:
    rules = DividendRules.from_sections(_sections())
    shares = [10 * SHARE_SCALE] * 10
    quota = [120 * YUAN] + [2000 * YUAN] * 9
    day = settle_dividends(rules, 10_000 * YUAN, shares, quota)
    assert day.pro_rata_paid[0] == 120 * YUAN
    assert day.quota_after[0] == 0
    # 180 of A's 300 plus the whole (empty) tier pool of 1,000 go back
    assert day.returned_fen == 180 * YUAN + 1000 * YUAN


def test_the_days_entries_fund_pay_and_return_so_the_pool_account_ends_at_zero() -> None:
    rules = DividendRules.from_sections(_sections())
    shares = [10 * SHARE_SCALE] * 10
    quota = [120 * YUAN] + [2000 * YUAN] * 9
    day = settle_dividends(rules, 10_000 * YUAN, shares, quota)
    entries = day.entries([f"m{i}" for i in range(10)])
    assert all(imbalance(e) == {} for e in entries)
    pool = sum(
        p.amount
        for e in entries
        for p in e.postings
        if p.account is AccountKind.DAILY_DIVIDEND_POOL and p.asset is Asset.CASH
    )
    assert pool == 0
    returned = [e for e in entries if e.kind is EntryKind.DAILY_DIVIDEND_RETURN]
    assert [p.amount for p in returned[0].postings] == [-1180 * YUAN, 1180 * YUAN]


def _energy_sections() -> dict[str, Any]:
    # seed 003's extension: 30% dynamic by contribution, 10% static by contribution tiers
    tiers = [
        {"name": "V1", "min_shares": 0, "max_shares": 10, "share": "0.01"},
        {"name": "V2", "min_shares": 11, "max_shares": 20, "share": "0.02"},
        {"name": "V3", "min_shares": 21, "max_shares": 30, "share": "0.03"},
        {"name": "V4", "min_shares": 31, "share": "0.04"},
    ]
    return {
        "quota": {"multiple": "2", "yuan_per_share": 1000},
        "dividend": {
            "variant": "energy_contribution",
            "static_share": "0.10",
            "dynamic_share": "0.30",
            "tiers": tiers,
        },
    }


def test_energy_variant_pays_one_of_a_hundred_contribution_300_of_a_30000_pool() -> None:
    sections = _energy_sections()
    quota_rules = QuotaRules.from_sections(sections)
    # A bought 1,000 yuan: 2,000 of energy and 1 contribution; so did 99 others
    energy = [quota_rules.quota_for(1000 * YUAN)] * 100
    contribution = [quota_rules.shares_for(1000 * YUAN)] * 100
    day = settle_dividends(
        DividendRules.from_sections(sections), 100_000 * YUAN, contribution, energy
    )
    assert day.pro_rata_pool_fen == 30_000 * YUAN
    assert day.pro_rata_paid[0] == 300 * YUAN


def test_energy_variant_splits_the_v1_pool_of_1000_among_100_members_as_10_each() -> None:
    sections = _energy_sections()
    day = settle_dividends(
        DividendRules.from_sections(sections),
        100_000 * YUAN,
        [1 * SHARE_SCALE] * 100,
        [2000 * YUAN] * 100,
    )
    assert day.tier_heads == (100, 0, 0, 0)
    assert set(day.tier_paid) == {10 * YUAN}
