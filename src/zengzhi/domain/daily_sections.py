"""Reading the §3-§5 sections of an economy configuration (raw TOML tables) exactly.

Each reader names the offending key as `table.key` so an operator can find it. Decimals
must be strings (read exactly, never through a float); whole numbers must be TOML
integers. Unknown keys in a table a mechanism owns are refused: a typo in a money
parameter must not silently fall back to a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.money import parse_ratio

Table = Mapping[str, Any]


def table(sections: Mapping[str, Any], name: str) -> Table:
    """A required table, e.g. `[quota]`."""
    found = sections.get(name)
    if not isinstance(found, Mapping):
        raise InvalidRule(f"the configuration needs a [{name}] table")
    return found


def optional_table(sections: Mapping[str, Any], name: str) -> Table:
    """A table that may be absent (read as empty)."""
    if name not in sections:
        return {}
    return table(sections, name)


def only(found: Table, allowed: set[str], name: str) -> None:
    """Refuse keys this mechanism does not know."""
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise InvalidRule(f"unknown key(s) in [{name}]: {', '.join(unknown)}")


def ratio(found: Table, key: str, name: str, default: Fraction | None = None) -> Fraction:
    """A decimal written as a string; required unless a default is given."""
    if key not in found:
        if default is None:
            raise InvalidRule(f"{name}.{key} is required")
        return default
    return parse_ratio(found[key], f"{name}.{key}")


def fraction_between(
    found: Table, key: str, name: str, default: Fraction | None = None, high: int = 1
) -> Fraction:
    """A decimal from 0 to `high` inclusive (shares of sales, rates)."""
    value = ratio(found, key, name, default)
    if not 0 <= value <= high:
        raise InvalidRule(f"{name}.{key} must be between 0 and {high}, not {value}")
    return value


def whole(found: Table, key: str, name: str, default: int | None = None, minimum: int = 0) -> int:
    """A whole number (TOML integer, not a boolean) of at least `minimum`."""
    if key not in found:
        if default is None:
            raise InvalidRule(f"{name}.{key} is required")
        return default
    value = found[key]
    if type(value) is not int:
        raise InvalidRule(f"{name}.{key} must be a whole number, not {value!r}")
    if value < minimum:
        raise InvalidRule(f"{name}.{key} must be at least {minimum}, not {value}")
    return value


def flag(found: Table, key: str, name: str, default: bool) -> bool:
    """A true/false switch."""
    value = found.get(key, default)
    if not isinstance(value, bool):
        raise InvalidRule(f"{name}.{key} must be true or false, not {value!r}")
    return value


def text(found: Table, key: str, name: str) -> str:
    """A required, non-empty string such as a tier's name."""
    value = found.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRule(f"{name}.{key} must be a non-empty string")
    return value


def rows(found: Table, key: str, name: str) -> list[Table]:
    """A required, non-empty array of tables, e.g. `[[dividend.tiers]]`."""
    value = found.get(key)
    if not isinstance(value, list) or not value:
        raise InvalidRule(f"[[{name}.{key}]] needs at least one row")
    if not all(isinstance(row, Mapping) for row in value):
        raise InvalidRule(f"every [[{name}.{key}]] row must be a table")
    return value


def ratio_list(found: Table, key: str, name: str) -> tuple[Fraction, ...]:
    """An array of decimal strings, each between 0 and 1 (may be empty or absent)."""
    value = found.get(key, [])
    if not isinstance(value, list):
        raise InvalidRule(f'{name}.{key} must be a list of decimal strings such as ["0.5"]')
    result = tuple(parse_ratio(item, f"{name}.{key}") for item in value)
    if any(not 0 <= item <= 1 for item in result):
        raise InvalidRule(f"every {name}.{key} must be between 0 and 1")
    return result
