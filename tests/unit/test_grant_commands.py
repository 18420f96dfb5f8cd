"""The §4/§5 commands as the writer and `verify` apply them: re-checked, all or nothing."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories import pool_rules
from zengzhi.domain.commands import command_from_payload, to_payload
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, EntryKind, imbalance
from zengzhi.domain.errors import InsufficientPoints, InvalidAmount
from zengzhi.domain.grant_commands import (
    LockGrant,
    PayWithPoints,
    ReleaseGrantsDay,
    TipPoints,
    release_amounts,
)
from zengzhi.domain.health import TippingDisabled
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.token_errors import InsufficientBalance
from zengzhi.presets import load_preset

POINT = 1_000_000
LOCKED = (str(AccountKind.MEMBER_LOCKED_POINTS), "a", str(Asset.GRANT_POINTS))
RELEASED = (str(AccountKind.MEMBER_RELEASED_POINTS), "a", str(Asset.GRANT_POINTS))
MERCHANT = (str(AccountKind.MERCHANT_GRANT_POINTS), "shop", str(Asset.GRANT_POINTS))


def _engine() -> PoolEngine:
    return PoolEngine(pool_rules())


def _shared() -> EconomyConfig:
    return load_preset("shared-purchase")


def test_a_grant_locks_its_points_and_reads_back_from_its_payload() -> None:
    holdings = Holdings()
    grant = LockGrant("a", "o1", 7_500 * POINT, 3_000 * POINT, "初级会员")
    outcome = grant.apply(_engine(), holdings, load_preset("locked-grants"))
    assert holdings.balance(AccountKind.MEMBER_LOCKED_POINTS, "a", Asset.GRANT_POINTS) == (
        7_500 * POINT
    )
    assert grant.summary(outcome)["locked_micro"] == 7_500 * POINT
    assert command_from_payload(to_payload(grant)) == grant


@pytest.mark.parametrize(("points", "base"), [(0, 1), (1, 0), (True, 1)])
def test_a_grant_of_nothing_is_refused(points: int, base: int) -> None:
    with pytest.raises(InvalidAmount):
        LockGrant("a", "o1", points, base, "").apply(_engine(), Holdings(), _shared())


def test_a_release_day_is_one_balanced_transaction_per_kind() -> None:
    holdings = Holdings({LOCKED: 100, ("member_locked_points", "b", "grant_points"): 100})
    day = ReleaseGrantsDay("2026-03-01", (("a", 36), ("b", 36)), (("a", 18),), (), (("b", 1),))
    outcome = day.apply(_engine(), holdings, _shared())
    assert [e.kind for e in outcome.entries] == [
        EntryKind.GRANT_RELEASE,
        EntryKind.REFERRAL_ACCELERATION,
        EntryKind.PEER_REWARD,
    ]
    assert all(not imbalance(e) for e in outcome.entries)
    assert holdings.balance(AccountKind.MEMBER_RELEASED_POINTS, "a", Asset.GRANT_POINTS) == 54
    assert day.summary(outcome) == {
        "day": "2026-03-01",
        "released_micro": {"base": 72, "referral": 18, "team": 0, "peer": 1},
        "members": 2,
    }
    assert command_from_payload(to_payload(day)) == day


def test_a_release_beyond_what_is_locked_changes_nothing() -> None:
    holdings = Holdings({LOCKED: 50})
    day = ReleaseGrantsDay("2026-03-01", (("a", 36),), (("a", 18),))
    with pytest.raises(InsufficientBalance):
        day.apply(_engine(), holdings, _shared())
    assert holdings.balance(AccountKind.MEMBER_LOCKED_POINTS, "a", Asset.GRANT_POINTS) == 50


@pytest.mark.parametrize(
    "base", [(("a", 0),), (("a", -1),), (("a", 1), ("a", 1))], ids=["zero", "negative", "twice"]
)
def test_a_malformed_release_is_refused(base: tuple[tuple[str, int], ...]) -> None:
    with pytest.raises(InvalidAmount):
        ReleaseGrantsDay("2026-03-01", base).apply(_engine(), Holdings({LOCKED: 9}), _shared())


def test_release_amounts_name_members_with_something_only() -> None:
    assert release_amounts(["a", "b"], [0, 5]) == (("b", 5),)
    with pytest.raises(InvalidAmount):
        release_amounts(["a"], [1, 2])


def test_a_member_pays_a_merchant_who_tips_another_member() -> None:
    holdings = Holdings({RELEASED: 100})
    pay = PayWithPoints("a", "shop", 60)
    assert pay.summary(pay.apply(_engine(), holdings, _shared()))["paid_micro"] == 60
    assert command_from_payload(to_payload(pay)) == pay
    tip = TipPoints("shop", "b", 40)
    assert tip.summary(tip.apply(_engine(), holdings, _shared()))["tipped_micro"] == 40
    assert command_from_payload(to_payload(tip)) == tip
    assert holdings.balance(AccountKind.MERCHANT_GRANT_POINTS, "shop", Asset.GRANT_POINTS) == 20
    with pytest.raises(InsufficientBalance):
        PayWithPoints("a", "shop", 41).apply(_engine(), holdings, _shared())
    with pytest.raises(InvalidAmount):
        PayWithPoints("a", "shop", 0).apply(_engine(), holdings, _shared())


def test_a_merchant_cannot_tip_more_than_it_holds_nor_when_tipping_is_off() -> None:
    holdings = Holdings({MERCHANT: 10})
    with pytest.raises(InsufficientPoints):
        TipPoints("shop", "b", 11).apply(_engine(), holdings, _shared())
    config = _shared()
    off = dataclasses.replace(config, sections={**config.sections, "tipping": {"enabled": False}})
    with pytest.raises(TippingDisabled):
        TipPoints("shop", "b", 1).apply(_engine(), holdings, off)
    with pytest.raises(InvalidAmount):
        TipPoints("shop", "b", 0).apply(_engine(), holdings, config)
