"""`zengzhi replay`: an event log in, the exact books out (spec/replay.md, a stable contract).

Parsing is strict: every line is checked before it is applied and any problem stops the
replay with the line number. The final state is only produced once the whole log applied.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from zengzhi.domain import (
    Burn,
    Command,
    DomainError,
    Inject,
    PoolEngine,
    PoolRules,
    SellPoints,
    SettleOrder,
    format_price,
    parse_ratio,
)

_CONFIG_FIELDS = {
    "kind",
    "points_ratio",
    "initial_price",
    "sell_fee",
    "exit_multiple",
    "issuance_cap_micro",
}
_EVENT_FIELDS: dict[str, set[str]] = {
    "order": {"kind", "member", "amount_fen", "pool_fen"},
    "sell": {"kind", "member", "points_micro"},
    "burn": {"kind", "rate"},
    "inject": {"kind", "amount_fen"},
}


class ReplayError(Exception):
    """A log line that cannot be read or applied; `line` is 1-based."""

    code = "replay_error"

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class ReplayResult:
    """The final state of a replay, shaped as the contract's output object."""

    engine: PoolEngine
    exits: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        engine = self.engine
        return {
            "pool_fen": engine.pool_fen,
            "points_micro": engine.points_micro,
            "price": format_price(engine.price()),
            "members": {
                m.member: {
                    "points_micro": m.points_micro,
                    "cash_fen": m.cash_fen,
                    "cycle_spend_fen": m.cycle_spend_fen,
                    "exits": m.exits,
                }
                for m in engine.members()
            },
            "exits": self.exits,
        }


def replay_lines(lines: Iterable[str]) -> ReplayResult:
    """Apply a whole log. Raises ReplayError naming the first bad line."""
    numbered = _non_blank(lines)
    first = next(numbered, None)
    if first is None:
        raise ReplayError(1, "the log is empty; its first line must be the config")
    line_no, text = first
    engine = PoolEngine(parse_config(_load(line_no, text), line_no))
    result = ReplayResult(engine)
    for line_no, text in numbered:
        command, member = parse_event(_load(line_no, text), line_no)
        if member is not None:
            engine.add_member(member)
        try:
            outcome = engine.apply(command)
        except DomainError as error:
            raise ReplayError(line_no, error.message) from None
        result.exits.extend(
            {
                "event": line_no,
                "member": e.member,
                "points_micro": e.points_micro,
                "payout_fen": e.payout_fen,
            }
            for e in outcome.exits
        )
    return result


def _non_blank(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def _load(line_no: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text, parse_float=_reject_float, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ReplayError(line_no, f"not valid JSON ({error.msg})") from None
    except ValueError as error:
        raise ReplayError(line_no, str(error)) from None
    if not isinstance(value, dict):
        raise ReplayError(line_no, "each line must be a JSON object")
    return value


def _reject_float(text: str) -> Any:
    raise ValueError(f"{text} is a JSON number with a fraction; write decimals as strings")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in a replay log")


def parse_config(obj: dict[str, Any], line_no: int = 1) -> PoolRules:
    """The first line: the pool's parameters."""
    if obj.get("kind") != "config":
        raise ReplayError(line_no, 'the first line must be the config ({"kind": "config", ...})')
    _check_fields(obj, _CONFIG_FIELDS, line_no)
    try:
        defaults = PoolRules()
        multiple: Fraction | None = defaults.exit_multiple
        if "exit_multiple" in obj:
            raw = obj["exit_multiple"]
            multiple = None if raw is None else parse_ratio(raw, "exit_multiple")
        cap = obj.get("issuance_cap_micro")
        if cap is not None:
            cap = _whole(cap, "issuance_cap_micro", line_no)
        return PoolRules(
            points_ratio=_ratio(obj, "points_ratio", defaults.points_ratio),
            initial_price=_ratio(obj, "initial_price", defaults.initial_price),
            sell_fee=_ratio(obj, "sell_fee", defaults.sell_fee),
            exit_multiple=multiple,
            issuance_cap_micro=cap,
        )
    except DomainError as error:
        raise ReplayError(line_no, error.message) from None


def _ratio(obj: dict[str, Any], name: str, default: Fraction) -> Fraction:
    return parse_ratio(obj[name], name) if name in obj else default


def parse_event(obj: dict[str, Any], line_no: int) -> tuple[Command, str | None]:
    """One event line as an engine command, plus the member it names (if any)."""
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in _EVENT_FIELDS:
        allowed = ", ".join(sorted(_EVENT_FIELDS))
        raise ReplayError(line_no, f"unknown event kind {kind!r}; expected one of {allowed}")
    _check_fields(obj, _EVENT_FIELDS[kind], line_no)
    if kind == "order":
        member = _member(obj, line_no)
        return (
            SettleOrder(
                member,
                _whole(obj.get("amount_fen"), "amount_fen", line_no),
                _whole(obj.get("pool_fen"), "pool_fen", line_no),
            ),
            member,
        )
    if kind == "sell":
        member = _member(obj, line_no)
        raw = obj.get("points_micro")
        points = None if raw == "all" else _whole(raw, "points_micro", line_no)
        return SellPoints(member, points), member
    if kind == "burn":
        try:
            rate = parse_ratio(obj.get("rate"), "rate")
        except DomainError as error:
            raise ReplayError(line_no, error.message) from None
        if not 0 <= rate <= 1:
            raise ReplayError(line_no, "a burn rate must be between 0 and 1")
        return Burn(rate), None
    return Inject(_whole(obj.get("amount_fen"), "amount_fen", line_no)), None


def _check_fields(obj: dict[str, Any], allowed: set[str], line_no: int) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ReplayError(line_no, f"unknown field(s) {', '.join(unknown)}")


def _member(obj: dict[str, Any], line_no: int) -> str:
    member = obj.get("member")
    if not isinstance(member, str) or not member:
        raise ReplayError(line_no, "member must be a non-empty string")
    return member


def _whole(value: Any, name: str, line_no: int) -> int:
    if type(value) is not int:
        raise ReplayError(line_no, f"{name} must be a whole number, not {value!r}")
    if value < 0:
        raise ReplayError(line_no, f"{name} must not be negative ({value})")
    return value
