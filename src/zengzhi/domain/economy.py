"""An economy's configuration: which mechanisms it runs and with which parameters.

Configurations are immutable values; a rule change is a new configuration (a new version
in the store). Mechanism-specific sections beyond the pool are kept as raw tables in
`sections` until the mechanism that reads them parses them into its own typed rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.money import parse_ratio
from zengzhi.domain.rules import PoolRules

SYSTEMS = frozenset(
    {
        "appreciating_pool",  # §1 (seeds 001-004)
        "two_tokens",  # §2 (seed 003)
        "cyclic_purchase",  # §3 (seed 003)
        "locked_grants",  # §4 (seed 003)
        "shared_purchase",  # §5 (seed 002)
        "local_life",  # §6 (seed 004)
        "brand_membership",  # §7 (seed 000)
    }
)


@dataclass(frozen=True, slots=True)
class EconomyConfig:
    """One economy's rules. `pool_share` is the part of each order amount that feeds the pool."""

    name: str
    system: str
    pool: PoolRules
    pool_share: Fraction
    monthly_burn: Fraction = Fraction(0)
    timezone: str = "Asia/Shanghai"
    return_window_days: int = 7
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.system not in SYSTEMS:
            raise InvalidRule(f"unknown system {self.system!r}; expected one of {sorted(SYSTEMS)}")
        if not 0 <= self.pool_share <= 1:
            raise InvalidRule("pool_share must be between 0 and 1 of the order amount")
        if not 0 <= self.monthly_burn <= 1:
            raise InvalidRule("monthly_burn must be between 0 and 1")
        if self.return_window_days < 0:
            raise InvalidRule("return_window_days must not be negative")

    def pool_contribution(self, amount_fen: int) -> int:
        """The pool's part of an order, rounded up: rounding favours the pool (decided)."""
        share = self.pool_share * amount_fen
        return -((-share.numerator) // share.denominator)


def config_from_mapping(data: Mapping[str, Any]) -> EconomyConfig:
    """Build a configuration from a parsed preset (TOML tables), refusing unknown keys."""
    economy = _table(data, "economy")
    # systems without an appreciating pool (e.g. cyclic purchase) omit [pool]: nothing feeds it
    pool = _table(data, "pool") if "pool" in data else {"pool_share": "0", "exit_multiple": None}
    _only(economy, {"name", "system", "timezone", "return_window_days"}, "economy")
    _only(
        pool,
        {
            "points_ratio",
            "initial_price",
            "sell_fee",
            "exit_multiple",
            "issuance_cap_micro",
            "monthly_burn",
            "pool_share",
        },
        "pool",
    )
    defaults = PoolRules()
    raw_multiple = pool.get("exit_multiple", "3")
    multiple = None
    if raw_multiple not in (None, "none"):
        multiple = parse_ratio(raw_multiple, "exit_multiple")
    cap = pool.get("issuance_cap_micro")
    if cap is not None and (type(cap) is not int or cap < 0):
        raise InvalidRule("pool.issuance_cap_micro must be a whole, non-negative number")
    rules = PoolRules(
        points_ratio=_ratio(pool, "points_ratio", defaults.points_ratio),
        initial_price=_ratio(pool, "initial_price", defaults.initial_price),
        sell_fee=_ratio(pool, "sell_fee", defaults.sell_fee),
        exit_multiple=multiple,
        issuance_cap_micro=cap,
    )
    window = economy.get("return_window_days", 7)
    if type(window) is not int:
        raise InvalidRule("economy.return_window_days must be a whole number of days")
    name, system = economy.get("name"), economy.get("system")
    if not isinstance(name, str) or not isinstance(system, str):
        raise InvalidRule("economy.name and economy.system are required strings")
    return EconomyConfig(
        name=name,
        system=system,
        pool=rules,
        pool_share=parse_ratio(pool.get("pool_share"), "pool.pool_share"),
        monthly_burn=_ratio(pool, "monthly_burn", Fraction(0)),
        timezone=str(economy.get("timezone", "Asia/Shanghai")),
        return_window_days=window,
        sections={k: v for k, v in data.items() if k not in {"economy", "pool"}},
    )


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name)
    if not isinstance(table, Mapping):
        raise InvalidRule(f"the configuration needs a [{name}] table")
    return table


def _only(table: Mapping[str, Any], allowed: set[str], name: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InvalidRule(f"unknown key(s) in [{name}]: {', '.join(unknown)}")


def _ratio(table: Mapping[str, Any], key: str, default: Fraction) -> Fraction:
    return parse_ratio(table[key], key) if key in table else default
