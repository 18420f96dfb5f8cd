"""A settled day's dividends as one replayable command: credits, balance, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import pool_rules
from zengzhi.domain import InvalidAmount, PoolEngine, imbalance
from zengzhi.domain.daily_dividends import DividendDay
from zengzhi.domain.daily_payout import PayDailyDividends, apply_daily_dividends, payout_of
from zengzhi.domain.entries import EntryKind
from zengzhi.domain.wallet import apply_command


def _pay(engine: PoolEngine, **changes: Any) -> list[EntryKind]:
    fields: dict[str, Any] = {
        "day": "2026-11-22",
        "pro_rata_pool_fen": 300_000,
        "tier_pool_fen": 100_000,
        "pro_rata": (("a", 30_000),),
        "tier": (("b", 10_000),),
    }
    fields.update(changes)
    outcome = apply_daily_dividends(engine, PayDailyDividends(**fields))
    assert all(imbalance(entry) == {} for entry in outcome.entries)
    return [entry.kind for entry in outcome.entries]


def test_payees_are_credited_and_the_rest_returns_to_the_platform() -> None:
    engine = PoolEngine(pool_rules())
    kinds = _pay(engine)
    assert engine.member("a").cash_fen == 30_000
    assert engine.member("b").cash_fen == 10_000
    assert kinds == [
        EntryKind.DAILY_DIVIDEND_FUNDING,
        EntryKind.DAILY_DIVIDEND_PRO_RATA,
        EntryKind.DAILY_DIVIDEND_TIER,
        EntryKind.DAILY_DIVIDEND_RETURN,
    ]


def test_a_day_paid_in_full_returns_nothing_and_an_empty_day_moves_nothing() -> None:
    engine = PoolEngine(pool_rules())
    full = _pay(engine, pro_rata_pool_fen=30_000, tier_pool_fen=10_000)
    assert EntryKind.DAILY_DIVIDEND_RETURN not in full
    assert _pay(engine, pro_rata_pool_fen=0, tier_pool_fen=0, pro_rata=(), tier=()) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pro_rata_pool_fen": -1}, "dividend pool"),
        ({"tier_pool_fen": 1.5}, "dividend pool"),
        ({"pro_rata": (("a", 0),)}, "positive whole"),
        ({"tier": (("b", -5),)}, "positive whole"),
        ({"pro_rata_pool_fen": 10, "tier_pool_fen": 10}, "exceed its pools"),
    ],
)
def test_impossible_payouts_are_refused_and_credit_nobody(
    changes: dict[str, Any], message: str
) -> None:
    engine = PoolEngine(pool_rules())
    with pytest.raises(InvalidAmount, match=message):
        _pay(engine, **changes)
    assert not engine.has_member("a")


def _day() -> DividendDay:
    return DividendDay(
        sales_fen=1_000_000,
        pro_rata_pool_fen=300_000,
        tier_pool_fen=100_000,
        pro_rata_paid=(30_000, 0),
        tier_paid=(0, 10_000),
        quota_after=(170_000, 90_000),
        tier_heads=(1,),
        returned_fen=360_000,
    )


def test_a_settled_day_names_its_payees_by_member_id() -> None:
    command = payout_of("2026-11-22", _day(), ["a", "b"])
    assert command.pro_rata == (("a", 30_000),)
    assert command.tier == (("b", 10_000),)
    assert command.payees() == ["a", "b"]
    assert command.paid_fen == 40_000


def test_a_payout_needs_one_member_id_per_position() -> None:
    with pytest.raises(InvalidAmount, match="one member id per position"):
        payout_of("2026-11-22", _day(), ["a"])


def test_the_wallet_dispatch_applies_a_day_of_dividends() -> None:
    engine = PoolEngine(pool_rules())
    command = payout_of("2026-11-22", _day(), ["a", "b"])
    outcome = apply_command(engine, command)
    assert engine.member("a").cash_fen == 30_000
    assert len(outcome.entries) == 4
