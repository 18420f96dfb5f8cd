"""§2 stable points: parsing [stable], refusals that change nothing, state round trips."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import (
    InsufficientPoints,
    InvalidAmount,
    InvalidRule,
    UnknownMember,
)
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.rules import PoolRules
from zengzhi.domain.stable_points import (
    StableRules,
    TwoTokenEconomy,
    TwoTokenState,
    stable_rules_from,
)
from zengzhi.domain.token_errors import AmountTooSmall, InsufficientBalance, TreasuryShortfall
from zengzhi.presets import load_preset

POINT = 1_000_000


def _config(stable: Any) -> EconomyConfig:
    preset = load_preset("two-tokens")
    return replace(preset, sections={**preset.sections, "stable": stable})


def _economy(rules: StableRules | None = None, sell_fee: str = "0.1") -> TwoTokenEconomy:
    pool = PoolRules(sell_fee=Fraction(sell_fee), exit_multiple=None)
    economy = TwoTokenEconomy(PoolEngine(pool), rules or StableRules(buyback_fee=pool.sell_fee))
    economy.engine.settle_order("ann", 100_00, 30_00)  # 21 points at 1 yuan; P = 30/21
    return economy


@pytest.mark.parametrize(
    ("stable", "message"),
    [
        (None, "needs a [stable] table"),
        ({"peg": 100}, "unknown key"),
        ({"buyback_fee": "0.2"}, "must equal [pool] sell_fee"),
        ({"peg_fen": 0}, "peg_fen"),
        ({"peg_fen": True}, "peg_fen"),
        ({"convert_fee": "1"}, "below 1"),
        ({"merchant_cashout_fee": "-0.1"}, "must not be negative"),
        ({"convert_fee": 0.1}, "decimal string"),
    ],
)
def test_a_bad_stable_section_is_refused_with_a_reason(stable: Any, message: str) -> None:
    with pytest.raises(InvalidRule, match=message.replace("[", r"\[")):
        stable_rules_from(_config(stable))


def test_buyback_fee_defaults_to_the_pool_sell_fee() -> None:
    assert stable_rules_from(_config({})).buyback_fee == Fraction(1, 10)


@pytest.mark.parametrize(
    "kwargs", [{"peg_fen": 0}, {"convert_fee": Fraction(1)}, {"buyback_fee": Fraction(-1)}]
)
def test_stable_rules_refuse_impossible_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidRule):
        StableRules(**kwargs)


def test_converting_more_points_than_held_is_refused_and_changes_nothing() -> None:
    economy = _economy()
    before = economy.state()
    with pytest.raises(InsufficientPoints):
        economy.convert("ann", 21 * POINT + 1)
    with pytest.raises(InvalidAmount):
        economy.convert("ann", 0)
    with pytest.raises(InsufficientPoints):  # a holder with no settled order holds none
        economy.convert("nobody", 1)
    assert economy.state() == before


def test_converting_to_less_than_a_micro_stable_point_is_refused() -> None:
    economy = _economy(StableRules(peg_fen=1_000_000, buyback_fee=Fraction(1, 10)))
    with pytest.raises(AmountTooSmall):
        economy.convert("ann", 1)
    assert economy.treasury_micro == 0


def test_paying_more_stable_points_than_held_is_refused() -> None:
    economy = _economy()
    economy.convert("ann", 21 * POINT)
    with pytest.raises(InsufficientBalance):
        economy.pay("ann", "cafe", 30 * POINT + 1)
    assert economy.stable_of("cafe") == 0


def test_exchanging_or_cashing_out_dust_is_refused() -> None:
    economy = _economy(
        StableRules(merchant_exchange_fee=Fraction(99, 100), buyback_fee=Fraction(1, 10))
    )
    economy.convert("ann", 21 * POINT)
    economy.pay("ann", "cafe", 2)
    with pytest.raises(AmountTooSmall):
        economy.exchange("cafe", 1)  # 0.0001 fen less 99% buys no micro-point
    with pytest.raises(AmountTooSmall):
        economy.cash_out("cafe", 2)  # 0.0002 fen
    assert economy.stable_of("cafe") == 2


def test_an_exchange_the_treasury_cannot_cover_is_refused_and_changes_nothing() -> None:
    economy = _economy()
    # a state where stable points exist that no conversion backs (e.g. an operator grant)
    state = TwoTokenState(economy.state().pool, (("cafe", 10 * POINT),))
    restored = TwoTokenEconomy.restore(economy.engine.rules, economy.rules, state)
    with pytest.raises(TreasuryShortfall, match="cash the stable points out"):
        restored.exchange("cafe", 10 * POINT)
    assert restored.state() == state


def test_an_exchange_counts_the_face_value_as_the_merchants_spend() -> None:
    economy = _economy()
    economy.convert("ann", 21 * POINT)
    economy.pay("ann", "cafe", 30 * POINT)
    economy.exchange("cafe", 30 * POINT)
    assert economy.engine.member("cafe").cycle_spend_fen == 30_00


def test_buying_back_from_an_unknown_member_is_refused_and_enrols_nobody() -> None:
    economy = _economy()
    before = economy.state()
    with pytest.raises(UnknownMember):
        economy.buyback("nobody", None)
    assert economy.state() == before


def test_buyback_is_refused_when_the_pool_sell_fee_has_moved_away() -> None:
    economy = _economy()
    economy.engine.change_rules(replace(economy.engine.rules, sell_fee=Fraction(1, 5)))
    with pytest.raises(InvalidRule, match="buyback fee"):
        economy.buyback("ann", None)


def test_state_and_restore_keep_the_treasury_and_stable_balances() -> None:
    economy = _economy()
    economy.convert("ann", 7 * POINT)
    economy.pay("ann", "cafe", POINT)

    restored = TwoTokenEconomy.restore(economy.engine.rules, economy.rules, economy.state())

    assert restored.state() == economy.state()
    assert restored.treasury_micro == 7 * POINT
    assert restored.stable_of("cafe") == POINT
    assert restored.stable_outstanding == economy.stable_outstanding


def test_the_pool_reserve_refuses_impossible_moves() -> None:
    engine = PoolEngine(PoolRules())
    engine.settle_order("ann", 100_00, 30_00)
    with pytest.raises(UnknownMember):
        engine.move_to_reserve("nobody", 1)
    with pytest.raises(InsufficientPoints):
        engine.move_to_reserve("ann", 21 * POINT + 1)
    with pytest.raises(InsufficientPoints):
        engine.move_from_reserve("ann", 1, 0)
    engine.move_to_reserve("ann", POINT)
    outcome = engine.move_from_reserve("bo", POINT, 1_00)
    assert outcome.entries == ()
    assert engine.reserve_micro == 0
    assert engine.member("bo").points_micro == POINT
