"""§2's registered commands: stored and read back by kind, applied through the generic
command path (engine + Holdings + the economy's rules), refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zengzhi.domain.commands import command_from_payload, to_payload
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, EntryKind
from zengzhi.domain.errors import DomainError, InsufficientPoints, InvalidAmount, UnknownMember
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.stable_points import (
    BuyBack,
    CashOutStable,
    ConvertToStable,
    ExchangeStable,
    PayStable,
    TwoTokenEconomy,
    stable_rules_from,
)
from zengzhi.domain.token_errors import InsufficientBalance
from zengzhi.domain.wallet import apply_command
from zengzhi.presets import load_preset

POINT = 1_000_000
CAFE = "merchant:cafe"


@pytest.fixture
def config() -> EconomyConfig:
    return load_preset("two-tokens")  # convert and exchange free, cash-out 0.6%, fee 10%


def _setup(config: EconomyConfig) -> tuple[PoolEngine, Holdings]:
    engine = PoolEngine(config.pool)
    engine.settle_order("ann", 100_00, 30_00)  # 21 points; P = 30/21
    return engine, Holdings()


def _state(engine: PoolEngine, holdings: Holdings) -> tuple[Any, ...]:
    return engine.state(), engine.reserve_micro, sorted(holdings.items())


COMMANDS = [
    ConvertToStable("ann", 21 * POINT),
    PayStable("ann", CAFE, 30 * POINT, "store-1"),
    PayStable("ann", CAFE, POINT),
    ExchangeStable(CAFE, 10 * POINT),
    CashOutStable(CAFE, 10 * POINT),
    BuyBack(CAFE, None),
    BuyBack("ann", 5 * POINT),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.kind)
def test_each_command_reads_back_from_its_stored_payload(command: Any) -> None:
    assert command_from_payload(to_payload(command)) == command


def test_the_whole_cycle_through_the_generic_path_keeps_books_and_treasury_equal(
    config: EconomyConfig,
) -> None:
    engine, holdings = _setup(config)
    summaries = []
    for command in (
        ConvertToStable("ann", 21 * POINT),
        PayStable("ann", CAFE, 30 * POINT, "store-1"),
        ExchangeStable(CAFE, 20 * POINT),
        CashOutStable(CAFE, 10 * POINT),
        BuyBack(CAFE, None),
    ):
        outcome = apply_command(engine, command, holdings, config)
        summaries.append(command.summary(outcome))
        treasury = holdings.balance(AccountKind.TREASURY_POINTS, None, Asset.POINTS)
        assert treasury == engine.reserve_micro  # the account and the engine's reserve agree
    convert, pay, exchange, cash_out, buyback = summaries
    assert convert == {"member": "ann", "points_micro": 21 * POINT, "stable_micro": 30 * POINT}
    assert pay == {"payer": "ann", "payee": CAFE, "store": "store-1", "stable_micro": 30 * POINT}
    assert exchange == {"holder": CAFE, "stable_micro": 20 * POINT, "points_micro": 14 * POINT}
    assert cash_out == {"holder": CAFE, "stable_micro": 10 * POINT, "cash_fen": 9_94}
    # 14 points at 30/21 = 20 yuan, less the 10% sell fee; the cash-out's 9.94 was there
    assert buyback == {"holder": CAFE, "burned_micro": 14 * POINT, "cash_fen": 18_00}
    assert engine.member(CAFE).cash_fen == 9_94 + 18_00
    assert engine.points_micro == 7 * POINT  # only the treasury's points are left
    assert engine.reserve_micro == 7 * POINT


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (PayStable("ann", "ann", POINT), InvalidAmount),  # paying oneself
        (PayStable("ann", CAFE, 0), InvalidAmount),
        (PayStable("ann", CAFE, 31 * POINT), InsufficientBalance),
        (ConvertToStable("nobody", POINT), InsufficientPoints),  # holds none
        (ExchangeStable(CAFE, POINT), InsufficientBalance),
        (CashOutStable(CAFE, -1), InvalidAmount),
        (BuyBack("nobody", None), UnknownMember),
        (BuyBack("ann", 0), InvalidAmount),
        (BuyBack("bo", None), InvalidAmount),  # holds no points
    ],
)
def test_a_refused_command_changes_nothing(
    config: EconomyConfig, command: Any, error: type[DomainError]
) -> None:
    engine, holdings = _setup(config)
    apply_command(engine, ConvertToStable("ann", 21 * POINT), holdings, config)
    engine.give_cash("bo", 1)  # a holder without points
    before = _state(engine, holdings)
    with pytest.raises(error):
        apply_command(engine, command, holdings, config)
    assert _state(engine, holdings) == before


def test_a_buyback_entry_is_a_buyback_not_a_sale(config: EconomyConfig) -> None:
    engine, holdings = _setup(config)
    outcome = apply_command(engine, BuyBack("ann", 7 * POINT), holdings, config)
    assert [e.kind for e in outcome.entries] == [EntryKind.BUYBACK]


def test_the_in_memory_economy_exposes_its_holdings(config: EconomyConfig) -> None:
    economy = TwoTokenEconomy(PoolEngine(config.pool), stable_rules_from(config))
    economy.engine.settle_order("ann", 100_00, 30_00)
    economy.convert("ann", 21 * POINT)
    assert economy.holdings.balance(AccountKind.MEMBER_STABLE, "ann", Asset.STABLE) == 30 * POINT
