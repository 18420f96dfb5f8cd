"""What the simulator models of an economy, and what it says plainly that it does not.

The simulator has rules for the appreciating pool (mechanisms.md §1) and for the direct and
indirect referral rewards of local life (§6, paid from the store commission, outside the
pool). Every other section of a configuration is listed in `not_modelled` with a sentence
the report prints, so nothing is silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.money import parse_ratio

# system -> sections whose rules the simulator applies
_MODELLED_SECTIONS: dict[str, set[str]] = {"local_life": {"split"}}

_SECTION_NOTES: dict[str, str] = {
    "split": "the store promoter's 0.5% and the platform's share"
    " (only the referral rewards are modelled)",
    "agents": "regional agents (区代/市代/省代) and the fees paid for those positions",
    "stable": "stable points (恒定积分), conversions, merchant cash-out and buyback",
    "quota": "cyclic purchase quota (分红额度)",
    "dividend": "daily or periodic dividends (分红) and their tiers",
    "referral": "referral shares, acceleration or tokens",
    "grant": "locked grants released daily (释放)",
    "team": "team (star) acceleration paid as a differential up the referral chain (级差)",
    "health": "health value and its release speeds",
    "tipping": "merchant tipping of points",
    "coins": "coins and their conversion to tokens",
    "tiers": "membership tiers",
    "governance": "token governance",
    "buyback": "the buyback floor",
}


@dataclass(frozen=True, slots=True)
class Model:
    """The simulated part of an economy: exact rules and the list of what is left out."""

    has_pool: bool
    pool_share: Fraction
    monthly_burn: Fraction
    direct_referral: Fraction
    indirect_referral: Fraction
    not_modelled: tuple[tuple[str, str], ...]

    @property
    def complete(self) -> bool:
        return not self.not_modelled


def model_of(config: EconomyConfig) -> Model:
    """Read the parts of `config` the simulator applies; name every other part."""
    direct = indirect = Fraction(0)
    modelled = _MODELLED_SECTIONS.get(config.system, set())
    if "split" in modelled:
        split: Any = config.sections.get("split", {})
        direct = _rate(split, "direct_referrer")
        indirect = _rate(split, "indirect_referrer")
    missing = []
    for name in sorted(config.sections):
        if name in modelled and name != "split":
            continue
        note = _SECTION_NOTES.get(name, f"the [{name}] section")
        if name == "split" and "split" not in modelled:
            note = "the commission split"
        missing.append((name, note))
    return Model(
        has_pool=config.pool_share > 0,
        pool_share=config.pool_share,
        monthly_burn=config.monthly_burn,
        direct_referral=direct,
        indirect_referral=indirect,
        not_modelled=tuple(missing),
    )


def _rate(table: Any, key: str) -> Fraction:
    if not hasattr(table, "get") or table.get(key) is None:
        return Fraction(0)
    return parse_ratio(table.get(key), f"split.{key}")
