"""Every mechanism module that registers commands, imported so stored events can be read.

A mechanism adds its module here (one line); `commands.command_from_payload` then knows
its kinds. Nothing else in this module: it exists for the imports' side effect.
"""

from __future__ import annotations

from zengzhi.domain import (
    brand_commands,  # §7 coins, tokens, dividends, buyback
    commands,
    grant_adjustments,  # §4 back office: operators add or deduct locked grant points
    grant_commands,  # §4/§5 grants, releases, payments and tips
    local_life_commands,  # §6 commission split
    stable_points,  # §2 two tokens
)

__all__ = [
    "brand_commands",
    "commands",
    "grant_adjustments",
    "grant_commands",
    "local_life_commands",
    "stable_points",
]
