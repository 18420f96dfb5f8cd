"""The brand membership's commands (§7) over Holdings: what each moves, what each refuses
(changing nothing), and that each reads back from its stored payload."""

from __future__ import annotations

from datetime import date

import pytest

from zengzhi.app.brand import InvalidPeriod, period_end
from zengzhi.domain.brand_commands import (
    BrandPurchase,
    BuyBackTokens,
    ConvertCoins,
    PayTokenDividend,
    RedeemCoupon,
    SelfTransfer,
    TransferTokens,
    coins_of,
    dividend_pool_of,
    token_holders,
    tokens_of,
)
from zengzhi.domain.commands import MechanismCommand, command_from_payload, to_payload
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, imbalance
from zengzhi.domain.errors import DomainError, InvalidAmount
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.token_errors import BelowBuybackFloor, InsufficientBalance, UnknownCoupon
from zengzhi.presets import load_preset

YUAN = 100
TOKEN = 1_000_000
COINS = (AccountKind.MEMBER_COINS.value, Asset.COINS.value)
TOKENS = (AccountKind.MEMBER_TOKENS.value, Asset.TOKENS.value)


@pytest.fixture
def config() -> EconomyConfig:
    return load_preset("brand-membership")


def _holdings(
    coins: dict[str, int] | None = None, tokens: dict[str, int] | None = None
) -> Holdings:
    balances = {(COINS[0], m, COINS[1]): n for m, n in (coins or {}).items()}
    balances |= {(TOKENS[0], m, TOKENS[1]): n for m, n in (tokens or {}).items()}
    return Holdings(balances)


def _run(command: MechanismCommand, holdings: Holdings, config: EconomyConfig,
         engine: PoolEngine | None = None) -> dict[str, object]:  # fmt: skip
    engine = engine or PoolEngine(config.pool)
    outcome = command.apply(engine, holdings, config)
    assert all(imbalance(e) == {} for e in outcome.entries)
    assert command_from_payload(to_payload(command)) == command
    return command.summary(outcome)


def test_a_referred_first_purchase_pays_coins_a_tenth_and_a_token(config: EconomyConfig) -> None:
    holdings = Holdings()
    summary = _run(BrandPurchase("ben", 35 * YUAN, "rex", True), holdings, config)
    assert summary == {"member": "ben", "coins": 35, "referrer": "rex", "referral_coins": 3,
                       "referral_token_micro": TOKEN // 10}  # fmt: skip
    assert (coins_of(holdings, "ben"), coins_of(holdings, "rex")) == (35, 3)
    assert tokens_of(holdings, "rex") == TOKEN // 10


def test_a_purchase_of_less_than_a_yuan_earns_nothing(config: EconomyConfig) -> None:
    holdings = Holdings()
    summary = _run(BrandPurchase("amy", 99), holdings, config)
    assert (summary["coins"], summary["referral_coins"]) == (0, 0)
    assert list(holdings.items()) == []


def test_5000_coins_convert_to_5_tokens_and_50_to_five_hundredths(config: EconomyConfig) -> None:
    holdings = _holdings(coins={"amy": 5_050})
    assert _run(ConvertCoins("amy", 5_000), holdings, config)["tokens_micro"] == 5 * TOKEN
    assert _run(ConvertCoins("amy", 50), holdings, config)["tokens_micro"] == TOKEN * 5 // 100
    assert (coins_of(holdings, "amy"), tokens_of(holdings, "amy")) == (0, 5_050_000)


def test_converting_more_coins_than_held_changes_nothing(config: EconomyConfig) -> None:
    holdings = _holdings(coins={"amy": 10})
    with pytest.raises(InsufficientBalance):
        ConvertCoins("amy", 11).apply(PoolEngine(config.pool), holdings, config)
    assert coins_of(holdings, "amy") == 10


def test_a_coupon_burns_its_coins_and_an_unknown_one_is_refused(config: EconomyConfig) -> None:
    holdings = _holdings(coins={"dan": 400})
    assert _run(RedeemCoupon("dan", "coffee"), holdings, config)["coins"] == 350
    assert coins_of(holdings, "dan") == 50
    with pytest.raises(UnknownCoupon):
        RedeemCoupon("dan", "tea").apply(PoolEngine(config.pool), holdings, config)


def test_a_dividend_pays_500_to_5_of_1000_tokens_in_cash(config: EconomyConfig) -> None:
    holdings = _holdings(coins={"amy": 7}, tokens={"amy": 5 * TOKEN, "eve": 995 * TOKEN})
    engine = PoolEngine(config.pool)
    summary = _run(PayTokenDividend("2026-10", 500_000 * YUAN), holdings, config, engine)
    assert summary == {"period": "2026-10", "declared_profit_fen": 500_000 * YUAN,
                       "funded_fen": 100_000 * YUAN, "paid_fen": 100_000 * YUAN,
                       "holders_paid": 2}  # fmt: skip
    assert engine.member("amy").cash_fen == 500 * YUAN
    assert dividend_pool_of(holdings) == 0
    assert token_holders(holdings) == {"amy": 5 * TOKEN, "eve": 995 * TOKEN}


def test_a_dividends_remainder_is_carried_to_the_next_period(config: EconomyConfig) -> None:
    holdings = _holdings(tokens={"a": TOKEN, "b": TOKEN, "c": TOKEN})
    engine = PoolEngine(config.pool)
    first = _run(PayTokenDividend("2026-10", 50), holdings, config, engine)  # 10 fen over 3
    assert (first["funded_fen"], first["paid_fen"]) == (10, 9)
    assert dividend_pool_of(holdings) == 1
    second = _run(PayTokenDividend("2026-11", 40), holdings, config, engine)  # 8 + 1 carried
    assert second["paid_fen"] == 9
    assert dividend_pool_of(holdings) == 0


def test_a_period_without_profit_or_holders_pays_nothing(config: EconomyConfig) -> None:
    holdings = Holdings()
    summary = _run(PayTokenDividend("2026-10", 0), holdings, config)
    assert (summary["funded_fen"], summary["paid_fen"], summary["holders_paid"]) == (0, 0, 0)


def test_a_buyback_pays_at_least_the_floor_and_burns_the_tokens(config: EconomyConfig) -> None:
    holdings = _holdings(tokens={"amy": 6 * TOKEN})
    engine = PoolEngine(config.pool)
    at_floor = _run(BuyBackTokens("amy", 5 * TOKEN), holdings, config, engine)
    assert at_floor["payout_fen"] == 4_000 * YUAN  # 80% of 1,000 yuan a token
    above = _run(BuyBackTokens("amy", TOKEN, 90_000), holdings, config, engine)
    assert above["payout_fen"] == 900 * YUAN
    assert tokens_of(holdings, "amy") == 0
    assert engine.member("amy").cash_fen == 4_900 * YUAN


def test_a_buyback_below_the_floor_changes_nothing(config: EconomyConfig) -> None:
    holdings = _holdings(tokens={"amy": TOKEN})
    engine = PoolEngine(config.pool)
    with pytest.raises(BelowBuybackFloor):
        BuyBackTokens("amy", TOKEN, 79_999).apply(engine, holdings, config)
    assert tokens_of(holdings, "amy") == TOKEN
    assert not engine.has_member("amy")


def test_tokens_move_between_members(config: EconomyConfig) -> None:
    holdings = _holdings(tokens={"fay": 12 * TOKEN})
    _run(TransferTokens("fay", "amy", 12 * TOKEN), holdings, config)
    assert (tokens_of(holdings, "fay"), tokens_of(holdings, "amy")) == (0, 12 * TOKEN)


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (TransferTokens("fay", "amy", 13 * TOKEN), InsufficientBalance),
        (TransferTokens("fay", "fay", TOKEN), SelfTransfer),
        (TransferTokens("fay", "amy", 0), InvalidAmount),
    ],
)
def test_a_refused_transfer_changes_nothing(
    config: EconomyConfig, command: TransferTokens, error: type[DomainError]
) -> None:
    holdings = _holdings(tokens={"fay": 12 * TOKEN})
    with pytest.raises(error):
        command.apply(PoolEngine(config.pool), holdings, config)
    assert tokens_of(holdings, "fay") == 12 * TOKEN


@pytest.mark.parametrize(
    ("kind", "period", "end"),
    [
        ("month", "2026-10", date(2026, 11, 1)),
        ("month", "2026-12", date(2027, 1, 1)),
        ("quarter", "2026-Q4", date(2027, 1, 1)),
        ("quarter", "2026-Q1", date(2026, 4, 1)),
        ("year", "2026", date(2027, 1, 1)),
        ("week", "2026-W01", date(2026, 1, 5)),
    ],
)
def test_a_period_ends_the_day_after_its_last(kind: str, period: str, end: date) -> None:
    assert period_end(kind, period) == end


@pytest.mark.parametrize(
    ("kind", "period"),
    [("month", "2026-13"), ("month", "October"), ("week", "2025-W53"), ("year", "9999")],
)
def test_a_badly_named_period_is_refused(kind: str, period: str) -> None:
    with pytest.raises(InvalidPeriod):
        period_end(kind, period)
