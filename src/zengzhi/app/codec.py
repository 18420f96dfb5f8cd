"""Exact text forms of what the store keeps: configurations, commands and replies.

Commands are stored in the replay log's event format (spec/replay.md), so the applied
events of an economy are themselves a replay log. Canonical JSON (sorted keys, no spaces)
makes equal values equal text, which is what fingerprints and repeated replies rely on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from zengzhi.domain import catalog, commands
from zengzhi.domain.daily_payout import PayDailyDividends
from zengzhi.domain.economy import EconomyConfig, config_from_mapping
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.pool import Burn, Inject, SellPoints, SettleOrder
from zengzhi.domain.rules import PoolRules
from zengzhi.domain.wallet import AdjustCash, AdjustPoints, AnyCommand, HoldCash, PayOut, ReturnCash

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: equal values give equal text."""
    return _CANONICAL.encode(value)


def decimal_text(value: Fraction) -> str:
    """A terminating fraction as an exact decimal string ("0.7"); refuses 1/3."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise InvalidRule(f"{value} has no exact decimal form")
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"


def config_to_mapping(config: EconomyConfig) -> dict[str, Any]:
    """The inverse of `config_from_mapping`: the configuration as TOML-shaped tables."""
    rules = config.pool
    pool: dict[str, Any] = {
        "points_ratio": decimal_text(rules.points_ratio),
        "initial_price": decimal_text(rules.initial_price),
        "sell_fee": decimal_text(rules.sell_fee),
        "exit_multiple": (
            "none" if rules.exit_multiple is None else decimal_text(rules.exit_multiple)
        ),
        "monthly_burn": decimal_text(config.monthly_burn),
        "pool_share": decimal_text(config.pool_share),
    }
    if rules.issuance_cap_micro is not None:
        pool["issuance_cap_micro"] = rules.issuance_cap_micro
    economy = {
        "name": config.name,
        "system": config.system,
        "timezone": config.timezone,
        "return_window_days": config.return_window_days,
    }
    # a section may be an array of tables (e.g. local life's tiers), not only a table
    sections = {k: dict(v) if isinstance(v, Mapping) else v for k, v in config.sections.items()}
    return {"economy": economy, "pool": pool, **sections}


def config_to_json(config: EconomyConfig) -> str:
    return canonical_json(config_to_mapping(config))


def config_from_json(text: str) -> EconomyConfig:
    return config_from_mapping(json.loads(text))


def command_to_payload(command: AnyCommand) -> dict[str, Any]:
    """A command as a replay-log event line (spec/replay.md)."""
    if isinstance(command, PayDailyDividends):
        return {
            "kind": "daily_dividend",
            "day": command.day,
            "pro_rata_pool_fen": command.pro_rata_pool_fen,
            "tier_pool_fen": command.tier_pool_fen,
            "pro_rata": [[m, fen] for m, fen in command.pro_rata],
            "tier": [[m, fen] for m, fen in command.tier],
        }
    if isinstance(command, HoldCash | PayOut | ReturnCash):
        return {"kind": _WALLET_KINDS[type(command)], "member": command.member,
                "amount_fen": command.amount_fen}  # fmt: skip
    if isinstance(command, AdjustCash):
        return {"kind": "adjust_cash", "member": command.member, "delta_fen": command.delta_fen}
    if isinstance(command, AdjustPoints):
        return {
            "kind": "adjust_points",
            "member": command.member,
            "delta_micro": command.delta_micro,
        }
    if isinstance(command, SettleOrder):
        return {
            "kind": "order",
            "member": command.member,
            "amount_fen": command.amount_fen,
            "pool_fen": command.pool_fen,
        }
    if isinstance(command, SellPoints):
        points: int | str = "all" if command.points_micro is None else command.points_micro
        return {"kind": "sell", "member": command.member, "points_micro": points}
    if isinstance(command, Burn):
        return {"kind": "burn", "rate": decimal_text(command.rate)}
    if isinstance(command, Inject):
        return {"kind": "inject", "amount_fen": command.amount_fen}
    return commands.to_payload(command)  # a mechanism's own command (§2-§7)


def command_from_payload(payload: Mapping[str, Any]) -> AnyCommand:
    """The inverse of `command_to_payload`."""
    kind = payload["kind"]
    for cls, name in _WALLET_KINDS.items():
        if kind == name:
            return cls(payload["member"], payload["amount_fen"])
    if kind == "adjust_cash":
        return AdjustCash(payload["member"], payload["delta_fen"])
    if kind == "adjust_points":
        return AdjustPoints(payload["member"], payload["delta_micro"])
    if kind == "order":
        return SettleOrder(payload["member"], payload["amount_fen"], payload["pool_fen"])
    if kind == "sell":
        raw = payload["points_micro"]
        return SellPoints(payload["member"], None if raw == "all" else int(raw))
    if kind == "burn":
        return Burn(Fraction(payload["rate"]))
    if kind == "inject":
        return Inject(payload["amount_fen"])
    if kind == "daily_dividend":
        return PayDailyDividends(
            payload["day"],
            payload["pro_rata_pool_fen"],
            payload["tier_pool_fen"],
            tuple((str(m), fen) for m, fen in payload["pro_rata"]),
            tuple((str(m), fen) for m, fen in payload["tier"]),
        )
    return commands.command_from_payload(payload)  # registered by the modules in `catalog`


assert catalog.__name__  # imported for its side effect: every mechanism's kinds registered


# issue 4 (service): withdrawals' three steps, as event kinds
_WALLET_KINDS: dict[type[HoldCash | PayOut | ReturnCash], str] = {
    HoldCash: "withdrawal_hold",
    PayOut: "withdrawal_paid",
    ReturnCash: "withdrawal_returned",
}


def replay_config_line(rules: PoolRules) -> dict[str, Any]:
    """The first line of a replay log for these pool rules."""
    return {
        "kind": "config",
        "points_ratio": decimal_text(rules.points_ratio),
        "initial_price": decimal_text(rules.initial_price),
        "sell_fee": decimal_text(rules.sell_fee),
        "exit_multiple": (
            None if rules.exit_multiple is None else decimal_text(rules.exit_multiple)
        ),
        "issuance_cap_micro": rules.issuance_cap_micro,
    }


def price_text(price: Fraction) -> str:
    """A price exactly, as "num/den", for state that must round-trip."""
    return f"{price.numerator}/{price.denominator}"
