"""Seed 002 (共享购): release speed by health value, halving issuance, merchant tips.

The seed gives no numbers; these use the preset's (H0 0.1%, H1 0.2%, H2 0.3%, H3 0.5% of a
grant a day; 10 health per referred buyer; issuance halving every 365 days).
"""

from __future__ import annotations

import pytest

from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.errors import InsufficientPoints
from zengzhi.domain.health import (
    SharedPurchaseRules,
    health_after_first_purchases,
    settle_health_day,
    tip_entry,
)
from zengzhi.domain.locked_grants import GrantBook
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.presets import load_preset

YUAN = 100  # fen
POINT = 1_000_000  # micro-points


def _rules() -> SharedPurchaseRules:
    return SharedPurchaseRules.from_sections(load_preset("shared-purchase").sections)


def test_release_speed_rises_with_the_health_level() -> None:
    rules = _rules()
    granted = rules.grant_for(10_000 * YUAN, day=0)
    assert granted == 10_000 * POINT
    # four members, each with one 10,000-point grant, at health 0, 10, 50 and 100
    book = GrantBook((0, 1, 2, 3), (granted,) * 4, (granted,) * 4, 4)
    day = settle_health_day(rules, book, [0, 10, 50, 100])
    assert day.base == (10 * POINT, 20 * POINT, 30 * POINT, 50 * POINT)


def test_referring_a_buyer_raises_health_and_so_the_release() -> None:
    rules = _rules()
    tree = ReferralTree.from_parent_map({"A": None, "B": "A"})
    health = health_after_first_purchases(rules, tree, [0, 0], first_buyers=[1])
    assert health == [10, 0]
    granted = rules.grant_for(10_000 * YUAN, day=0)
    book = GrantBook((0,), (granted,), (granted,), 2)
    assert settle_health_day(rules, book, health).base == (20 * POINT, 0)


def test_issuance_halves_after_every_365_days_from_launch() -> None:
    rules = _rules()
    assert rules.grant_for(1000 * YUAN, day=364) == 1000 * POINT
    assert rules.grant_for(1000 * YUAN, day=365) == 500 * POINT
    assert rules.grant_for(1000 * YUAN, day=730) == 250 * POINT


def test_a_merchant_tips_points_out_of_its_own_points() -> None:
    entry = tip_entry(_rules(), "shop", "A", 5 * POINT, merchant_holds=8 * POINT)
    assert imbalance(entry) == {}
    moves = {(p.account, p.holder): p.amount for p in entry.postings}
    assert moves == {
        (AccountKind.MERCHANT_GRANT_POINTS, "shop"): -5 * POINT,
        (AccountKind.MEMBER_RELEASED_POINTS, "A"): 5 * POINT,
    }


def test_a_merchant_cannot_tip_more_than_it_holds() -> None:
    with pytest.raises(InsufficientPoints):
        tip_entry(_rules(), "shop", "A", 9 * POINT, merchant_holds=8 * POINT)
