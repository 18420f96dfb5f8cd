"""Withdrawals and adjustments as engine commands: balanced, refused when impossible, and
the same after a round trip through the stored payload (what verify replays)."""

from __future__ import annotations

import pytest

from tests.factories import pool_rules
from zengzhi.app.codec import command_from_payload, command_to_payload
from zengzhi.domain.entries import imbalance
from zengzhi.domain.errors import InsufficientCash, InsufficientPoints, InvalidAmount, UnknownMember
from zengzhi.domain.pool import PoolEngine, SettleOrder
from zengzhi.domain.wallet import (
    AdjustCash,
    AdjustPoints,
    HoldCash,
    PayOut,
    ReturnCash,
    apply_command,
)
from zengzhi.presets import load_preset


def _engine() -> PoolEngine:
    engine = PoolEngine(load_preset("appreciating-pool").pool)
    engine.settle_order("m1", 10_000, 3_000)
    engine.sell("m1", 10_500_000)  # 1200 fen of cash
    return engine


def test_a_withdrawal_holds_then_pays_or_returns_the_cash() -> None:
    engine = _engine()
    assert engine.member("m1").cash_fen == 1_200
    for command in (HoldCash("m1", 1_000), PayOut("m1", 1_000), HoldCash("m1", 200)):
        outcome = apply_command(engine, command)
        assert all(not imbalance(e) for e in outcome.entries)
    assert engine.member("m1").cash_fen == 0
    apply_command(engine, ReturnCash("m1", 200))
    assert engine.member("m1").cash_fen == 200
    with pytest.raises(InsufficientCash):
        apply_command(engine, HoldCash("m1", 201))
    with pytest.raises(InvalidAmount):
        apply_command(engine, HoldCash("m1", 0))


def test_points_adjustments_move_the_price_and_cannot_overdraw() -> None:
    engine = _engine()
    price = engine.price()
    apply_command(engine, AdjustPoints("m1", 1_000_000))
    assert engine.price() < price  # more points over the same pool
    apply_command(engine, AdjustPoints("m1", -1_000_000))
    assert engine.price() == price
    with pytest.raises(InsufficientPoints):
        apply_command(engine, AdjustPoints("m1", -(10**12)))
    with pytest.raises(InsufficientCash):
        apply_command(engine, AdjustCash("m1", -1_201))


def test_stored_payloads_replay_to_the_same_commands() -> None:
    commands = [
        SettleOrder("m1", 1, 1),
        HoldCash("m1", 5),
        PayOut("m1", 5),
        ReturnCash("m1", 5),
        AdjustCash("m1", -3),
        AdjustPoints("m1", 7),
    ]
    for command in commands:
        assert command_from_payload(command_to_payload(command)) == command


def test_points_adjustments_refuse_zero_fractions_and_minting_past_the_cap() -> None:
    engine = PoolEngine(pool_rules(cap_points=1))
    with pytest.raises(InvalidAmount, match="non-zero whole"):
        engine.adjust_points("a", 0)
    with pytest.raises(InvalidAmount, match="non-zero whole"):
        engine.adjust_points("a", 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="issuance cap"):
        engine.adjust_points("a", 2_000_000)
    assert engine.points_micro == 0


def test_taking_every_point_back_keeps_the_last_price() -> None:
    engine = PoolEngine(pool_rules(exit_multiple=None))
    engine.settle_order("a", 100_000, 30_000)
    price = engine.price()
    engine.adjust_points("a", -engine.member("a").points_micro)
    assert engine.points_micro == 0
    assert engine.price() == price


def test_a_zero_cash_adjustment_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="non-zero whole"):
        apply_command(PoolEngine(pool_rules()), AdjustCash("a", 0))


def test_cash_cannot_be_taken_from_someone_who_is_not_a_member() -> None:
    with pytest.raises(UnknownMember, match="nobody"):
        apply_command(PoolEngine(pool_rules()), AdjustCash("nobody", -1))
