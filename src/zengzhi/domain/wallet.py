"""Member wallet movements outside the pool's rules: withdrawals and operator adjustments.

A withdrawal is three steps, each one balanced entry: the requested cash is held
(member_cash → pending_withdrawal), then either paid out of the books on approval
(pending_withdrawal → paid_out) or returned on rejection (pending_withdrawal →
member_cash). An adjustment moves a member's cash against the adjustment-funding source,
or mints/burns their points against the points supply (so the price moves, visibly).
The engine tracks the member's cash and points, so a replay of these commands gives the
same positions.
"""

from __future__ import annotations

from dataclasses import dataclass

from zengzhi.domain.commands import MechanismCommand
from zengzhi.domain.daily_payout import PayDailyDividends, apply_daily_dividends
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting
from zengzhi.domain.errors import InvalidAmount, InvalidRule
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import Burn, Command, Inject, Outcome, PoolEngine, SellPoints, SettleOrder


@dataclass(frozen=True, slots=True)
class HoldCash:
    """A withdrawal was requested: hold `amount_fen` of the member's cash."""

    member: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class PayOut:
    """An approved withdrawal: the held cash leaves the books."""

    member: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ReturnCash:
    """A rejected withdrawal: the held cash goes back to the member's wallet."""

    member: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class AdjustCash:
    """An operator adds (positive) or takes (negative) cash from a member's wallet."""

    member: str
    delta_fen: int


@dataclass(frozen=True, slots=True)
class AdjustPoints:
    """An operator mints (positive) or burns (negative) a member's points."""

    member: str
    delta_micro: int


WalletCommand = HoldCash | PayOut | ReturnCash | AdjustCash | AdjustPoints
# issue 5: the §3 daily dividend; §2-§7: every mechanism's own commands
AnyCommand = Command | WalletCommand | PayDailyDividends | MechanismCommand

_CASH = Asset.CASH
_MEMBER_CASH = AccountKind.MEMBER_CASH
_PENDING = AccountKind.PENDING_WITHDRAWAL


def apply_command(
    engine: PoolEngine,
    command: AnyCommand,
    holdings: Holdings | None = None,
    config: EconomyConfig | None = None,
) -> Outcome:
    """Apply any command: to the engine, and to `holdings` for the accounts it keeps.

    Pool commands never touch an account `Holdings` keeps; a mechanism command needs the
    holdings and the economy's rules.
    """
    if isinstance(command, SettleOrder | SellPoints | Burn | Inject):
        return engine.apply(command)
    if isinstance(command, HoldCash | PayOut | ReturnCash | AdjustCash | AdjustPoints):
        outcome = apply_wallet(engine, command)
    elif isinstance(command, PayDailyDividends):
        outcome = apply_daily_dividends(engine, command)
    else:
        if holdings is None or config is None:
            raise InvalidRule(f"a {command.kind} command needs the holdings and the rules")
        return command.apply(engine, holdings, config)
    if holdings is not None:
        holdings.apply(outcome.entries)  # e.g. a pending withdrawal
    return outcome


def apply_wallet(engine: PoolEngine, command: WalletCommand) -> Outcome:
    if isinstance(command, AdjustPoints):
        return engine.adjust_points(command.member, command.delta_micro)
    member = command.member
    if isinstance(command, AdjustCash):
        delta = command.delta_fen
        if type(delta) is not int or delta == 0:
            raise InvalidAmount("a cash adjustment must be a non-zero whole number of fen")
        if delta > 0:
            engine.give_cash(member, delta)
        else:
            engine.take_cash(member, -delta)
        source = AccountKind.ADJUSTMENT_FUNDING
        legs = (Posting(source, None, _CASH, -delta), Posting(_MEMBER_CASH, member, _CASH, delta))
        return Outcome((Entry(EntryKind.ADJUSTMENT, member, legs),), ())
    amount = command.amount_fen
    if type(amount) is not int or amount <= 0:
        raise InvalidAmount(f"a withdrawal must be a positive whole number of fen, not {amount!r}")
    held = Posting(_PENDING, member, _CASH, amount)
    if isinstance(command, HoldCash):
        engine.take_cash(member, amount)
        legs = (Posting(_MEMBER_CASH, member, _CASH, -amount), held)
        return Outcome((Entry(EntryKind.WITHDRAWAL_HOLD, member, legs),), ())
    release = Posting(_PENDING, member, _CASH, -amount)
    if isinstance(command, PayOut):
        legs = (release, Posting(AccountKind.PAID_OUT, None, _CASH, amount))
        return Outcome((Entry(EntryKind.WITHDRAWAL_PAID, member, legs),), ())
    engine.give_cash(member, amount)
    legs = (release, Posting(_MEMBER_CASH, member, _CASH, amount))
    return Outcome((Entry(EntryKind.WITHDRAWAL_RETURNED, member, legs),), ())
