"""The member populations of the base and stress scenarios, per system.

Every preset meets the same people, except where its rules would make them meaningless:
a locked-grants economy grants nothing below its lowest level (3,000 yuan), so its
members buy at the levels' amounts; a coffee brand's members buy a coffee a week; in a
two-tokens economy some members convert their points to stable points instead of selling.
"""

from __future__ import annotations

import copy
from typing import Any

_COMMON: dict[str, Any] = {
    "orders": {"size": "lognormal", "median_yuan": "300", "sigma": 0.8},
    "repeat": {"share": 0.5, "mean_interval_days": 45},
    "referral": {"share_referred": 0.6},
    "behaviour": [
        {"kind": "hold", "share": 0.7},
        {"kind": "take_profit", "share": 0.2, "multiple": "1.5"},
        {"kind": "panic", "share": 0.1, "threshold": "0.002", "window_days": 14},
    ],
}

_BY_SYSTEM: dict[str, dict[str, Any]] = {
    "locked_grants": {
        "orders": {
            "size": "empirical",
            "table": [
                {"amount_yuan": "3000", "weight": 70},
                {"amount_yuan": "9000", "weight": 20},
                {"amount_yuan": "27000", "weight": 8},
                {"amount_yuan": "51000", "weight": 2},
            ],
        },
    },
    "brand_membership": {
        "orders": {"size": "lognormal", "median_yuan": "35", "sigma": 0.4},
        "repeat": {"share": 0.7, "mean_interval_days": 7},
    },
    "two_tokens": {
        "behaviour": [
            {"kind": "hold", "share": 0.6},
            {"kind": "convert", "share": 0.1, "multiple": "0"},
            {"kind": "take_profit", "share": 0.2, "multiple": "1.5"},
            {"kind": "panic", "share": 0.1, "threshold": "0.002", "window_days": 14},
        ],
    },
}

DESCRIPTION = (
    "Every member population: order sizes lognormal around 300 yuan; half the members buy "
    "again every 45 days on average; 60% arrive through a referrer; 70% hold, 20% sell "
    "once what they hold is worth 1.5× what they spent, 10% sell when the price rose less "
    "than 0.2% in 14 days (brand membership: when a month's dividend per token is below "
    "0.2% of the buyback floor). Except: locked-grants members buy at the levels' amounts "
    "(3,000 yuan 70%, 9,000 20%, 27,000 8%, 51,000 2%); brand members buy a coffee (about "
    "35 yuan), 70% of them again every 7 days on average; in two tokens 10% of the members "
    "instead convert their points to stable points at the end of every day and shop with "
    "them. Cyclic purchase, locked grants and shared purchase have nothing to sell: "
    "behaviours and bank runs change nothing there."
)


def population(system: str) -> dict[str, Any]:
    """`orders`, `repeat`, `referral` and `behaviour` tables for a system's members."""
    tables = copy.deepcopy(_COMMON)
    tables.update(copy.deepcopy(_BY_SYSTEM.get(system, {})))
    return tables
