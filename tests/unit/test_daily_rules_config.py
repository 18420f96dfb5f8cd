"""The §3-§5 rule sections are read exactly, and every wrong value is refused by name."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from zengzhi.domain.daily_dividends import DividendRules, Tier
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.health import HealthLevel, SharedPurchaseRules
from zengzhi.domain.locked_grants import GrantLevel, LockedGrantRules
from zengzhi.domain.quota import QuotaRules
from zengzhi.domain.team import StarLevel, TeamRules
from zengzhi.presets import load_preset

Sections = dict[str, Any]


def _preset(name: str) -> Sections:
    return copy.deepcopy(dict(load_preset(name).sections))


def _set(path: str, value: object) -> Callable[[Sections], None]:
    """A change to the sections: 'a.b' sets a key, 'a.b[0].c' a key of a row; None deletes."""

    def change(sections: Sections) -> None:
        *parents, last = path.split(".")
        target: Any = sections
        for part in parents:
            name, _, row = part.partition("[")
            target = target[name]
            if row:
                target = target[int(row.rstrip("]"))]
        if value is None:
            del target[last]
        else:
            target[last] = value

    return change


def _read_cyclic(sections: Sections) -> None:
    QuotaRules.from_sections(sections)
    DividendRules.from_sections(sections)


def _read_locked(sections: Sections) -> None:
    LockedGrantRules.from_sections(sections)
    TeamRules.from_sections(sections)


CYCLIC: list[tuple[str, object, str]] = [
    ("quota.multiple", 2, "decimal string"),
    ("quota.multiple", "-1", "multiple must not be negative"),
    ("quota.multiple", None, "quota.multiple is required"),
    ("quota.yuan_per_share", 0, "at least 1"),
    ("quota.yuan_per_share", None, "quota.yuan_per_share is required"),
    ("quota.yuan_per_share", "1000", "whole number"),
    ("quota.yuan_per_share", True, "whole number"),
    ("quota.extra", 1, "unknown key(s) in [quota]: extra"),
    ("referral.generations", -1, "at least 0"),
    ("referral.shares_per_yuan_referred", "-0.1", "must not be negative"),
    ("dividend.static_share", "1.5", "between 0 and 1"),
    ("dividend.static_share", "0.95", "cannot exceed the day's sales"),
    ("dividend.variant", "other", "dividend.variant must be one of"),
    ("dividend.dynamic_share", "0.05", "add up to more than the tier pool"),
    ("dividend.tiers", [], "needs at least one row"),
    ("dividend.tiers", ["V1"], "must be a table"),
    ("dividend.tiers[0].name", "", "non-empty string"),
    ("dividend.tiers[1].min_shares", 100, "overlaps tier V1"),
    ("dividend.tiers[0].max_shares", 10, "max_shares is below min_shares"),
    ("dividend.tiers[0].max_shares", None, "overlaps"),  # only the last may be open-ended
    ("dividend.tiers[0].share", "2", "between 0 and 1"),
]


@pytest.mark.parametrize(("path", "value", "message"), CYCLIC)
def test_a_wrong_cyclic_purchase_value_is_refused_by_name(
    path: str, value: object, message: str
) -> None:
    sections = _preset("cyclic-purchase")
    _set(path, value)(sections)
    with pytest.raises(InvalidRule, match=re.escape(message)):
        _read_cyclic(sections)


def test_the_quota_section_is_required() -> None:
    with pytest.raises(InvalidRule, match=r"needs a \[quota\] table"):
        QuotaRules.from_sections({})


def test_referral_is_optional_and_defaults_to_nothing_but_the_direct_referrer() -> None:
    sections = _preset("cyclic-purchase")
    del sections["referral"]
    rules = QuotaRules.from_sections(sections)
    assert (rules.shares_per_yuan_referred, rules.generations) == (Fraction(0), 1)


def test_the_last_tier_may_be_open_ended() -> None:
    sections = _preset("cyclic-purchase")
    del sections["dividend"]["tiers"][2]["max_shares"]
    rules = DividendRules.from_sections(sections)
    assert rules.tier_of(10_000 * 1_000_000) == 2


LOCKED: list[tuple[str, object, str]] = [
    ("grant.release_rate", "0", "above 0"),
    ("grant.shop_spend_ratio", "1.5", "shop_spend_ratio"),
    ("grant.levels[1].min_amount_fen", 100, "rising min_amount_fen"),
    ("grant.levels[0].min_amount_fen", 0, "amount must be > 0"),
    ("grant.levels[0].multiple", "-1", "multiple >= 0"),
    ("grant.levels[0].extra", 1, "unknown key(s) in [grant.levels]"),
    ("referral.acceleration", "0.5", "list of decimal strings"),
    ("referral.acceleration", ["1.5"], "between 0 and 1"),
    ("team.peer_reward", "2", "peer_reward"),
    ("team.max_depth", -1, "at least 0"),
    ("team.count_own_orders", "yes", "true or false"),
    ("team.stars[1].rate", "0.05", "must rise"),
    ("team.stars[1].performance_fen", 100, "must rise"),
    ("team.stars[6].rate", "1.5", "at most 1"),
]


@pytest.mark.parametrize(("path", "value", "message"), LOCKED)
def test_a_wrong_locked_grants_value_is_refused_by_name(
    path: str, value: object, message: str
) -> None:
    sections = _preset("locked-grants")
    _set(path, value)(sections)
    with pytest.raises(InvalidRule, match=re.escape(message)):
        _read_locked(sections)


def test_a_locked_grants_economy_needs_levels() -> None:
    with pytest.raises(InvalidRule, match="at least one level"):
        LockedGrantRules(Fraction(1, 100), ())


SHARED: list[tuple[str, object, str]] = [
    ("grant.issuance_ratio", "-1", "issuance_ratio"),
    ("grant.halving_days", 0, "at least 1"),
    ("health.per_referred_buyer", -5, "at least 0"),
    ("health.levels[0].min_health", 5, "start at min_health = 0"),
    ("health.levels[2].min_health", 10, "rising min_health"),
    ("health.levels[1].release_rate", "0", "release_rate must be in (0, 1]"),
    ("tipping.enabled", 1, "true or false"),
]


@pytest.mark.parametrize(("path", "value", "message"), SHARED)
def test_a_wrong_shared_purchase_value_is_refused_by_name(
    path: str, value: object, message: str
) -> None:
    sections = _preset("shared-purchase")
    _set(path, value)(sections)
    with pytest.raises(InvalidRule, match=re.escape(message)):
        SharedPurchaseRules.from_sections(sections)


def test_rules_built_directly_are_checked_too() -> None:
    with pytest.raises(InvalidRule):
        DividendRules(Fraction(-1), Fraction(0), ())
    with pytest.raises(InvalidRule):
        DividendRules(Fraction(0), Fraction(0), (), variant="other")
    with pytest.raises(InvalidRule):
        DividendRules(Fraction(0), Fraction(1), (Tier("V", -1, None, Fraction(0)),))
    with pytest.raises(InvalidRule):
        QuotaRules(multiple=Fraction(-1))
    with pytest.raises(InvalidRule):
        QuotaRules(yuan_per_share=0)
    with pytest.raises(InvalidRule):
        QuotaRules(generations=-1)
    with pytest.raises(InvalidRule):
        LockedGrantRules(Fraction(1, 100), (GrantLevel("L", 1, Fraction(1)),), (Fraction(2),))
    with pytest.raises(InvalidRule):
        TeamRules((StarLevel("S", 1, Fraction(1, 10)),), max_depth=-1)
    with pytest.raises(InvalidRule):
        SharedPurchaseRules(Fraction(1), 365, -1, (HealthLevel("H", 0, Fraction(1, 100)),))
    with pytest.raises(InvalidRule):
        SharedPurchaseRules(Fraction(-1), 365, 0, (HealthLevel("H", 0, Fraction(1, 100)),))
    with pytest.raises(InvalidRule):
        SharedPurchaseRules(Fraction(1), 0, 0, (HealthLevel("H", 0, Fraction(1, 100)),))
