"""Typed fields read out of an economy's raw preset sections (`EconomyConfig.sections`).

Each reader names the section and key in its error, so an operator can fix the file.
Ratios are exact decimal strings ("0.006"); counts are TOML integers (never booleans).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.money import parse_ratio

Table = Mapping[str, Any]


def section(config: EconomyConfig, name: str, allowed: set[str]) -> Table:
    """The `[name]` table of the configuration, refusing keys the mechanism does not know."""
    table = config.sections.get(name)
    if not isinstance(table, Mapping):
        raise InvalidRule(f"the {config.system} configuration needs a [{name}] table")
    only(table, allowed, f"[{name}]")
    return table


def table_list(config: EconomyConfig, name: str, allowed: set[str]) -> tuple[Table, ...]:
    """The `[[name]]` tables (none is an empty tuple), each refusing unknown keys."""
    raw: object = config.sections.get(name, ())
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InvalidRule(f"[[{name}]] must be a list of tables")
    tables: list[Table] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InvalidRule(f"[[{name}]] must be a list of tables")
        only(item, allowed, f"[[{name}]]")
        tables.append(item)
    return tuple(tables)


def only(table: Table, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InvalidRule(f"unknown key(s) in {where}: {', '.join(unknown)}")


def ratio(table: Table, key: str, where: str, default: Fraction | None = None) -> Fraction:
    """An exact, non-negative decimal; absent means `default` (required when None)."""
    if key not in table:
        if default is None:
            raise InvalidRule(f"{where} needs {key}")
        return default
    value = parse_ratio(table[key], f"{where} {key}")
    if value < 0:
        raise InvalidRule(f"{where} {key} must not be negative")
    return value


def fee(table: Table, key: str, where: str) -> Fraction:
    """A fee: at least 0 and below 1 (a fee of everything would pay nothing)."""
    value = ratio(table, key, where, Fraction(0))
    if value >= 1:
        raise InvalidRule(f"{where} {key} must be below 1")
    return value


def whole(table: Table, key: str, where: str, minimum: int, default: int | None = None) -> int:
    """A whole number at least `minimum`; absent means `default` (required when None)."""
    if key not in table:
        if default is None:
            raise InvalidRule(f"{where} needs {key}")
        return default
    value = table[key]
    if type(value) is not int or value < minimum:
        raise InvalidRule(f"{where} {key} must be a whole number of at least {minimum}")
    return value


def text(table: Table, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRule(f"{where} needs {key} as a non-empty string")
    return value.strip()


def micro(value: Fraction, what: str) -> int:
    """A decimal count of points or tokens as an exact number of millionths."""
    scaled = value * 1_000_000
    if scaled.denominator != 1:
        raise InvalidRule(f"{what} has more than six decimals")
    return int(scaled)
