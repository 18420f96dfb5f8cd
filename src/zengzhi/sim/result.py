"""What one run produces: integer time series per day and integer totals per member.

Both the exact runner and the kernel fill exactly these columns, so a parity test can
compare them value for value. Cash is fen, points micro-points, the price micro-yuan per
point rounded down (for charts; the books never round it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DAILY_COLUMNS = (
    "arrivals",  # members whose first order settled that day
    "orders",  # orders settled
    "cash_in_fen",  # what members paid
    "pool_in_fen",  # the pool's part of it
    "sales",  # voluntary full sales (take profit, panic, bank run)
    "sale_payout_fen",
    "exits",  # forced exits
    "exit_payout_fen",
    "referral_fen",  # referral rewards paid outside the pool
    "burned_micro",
    "pool_fen",  # end of day
    "points_micro",  # end of day, outstanding
    "price_micro_yuan",  # end of day, floor(price × 10^6)
    "holders",  # members holding points at the end of the day
    # added with §2 and §6 (filled outside the kernel's loop, same in both engines)
    "fees_fen",  # agent position fees paid to the platform (§6)
    "promoter_fen",  # store promoters' rewards (part of referral_fen)
    "agent_fen",  # regional agents' rewards (part of referral_fen)
    "converted",  # members who converted all their points to stable points (§2)
    "value_fen",  # stable points spent in the shop, at the peg (§2): goods, not cash
    "platform_cash_out_fen",  # merchants' stable points cashed out from platform funds (§2)
)
MEMBER_COLUMNS = (
    "join_day",
    "orders",
    "spent_fen",
    "pool_contribution_fen",
    "received_fen",  # cash paid to the member by the pool (sales and exits)
    "referral_fen",  # referral rewards received (local life: and promoter, agent rewards)
    "exits",
    "sales",
    "first_out_day",  # first day all their points were sold (forced or not); −1 never
    "points_micro",  # held at the end
    "cycle_spend_fen",  # at the end
    "fees_fen",  # position fee paid (§6 agents), counted in what the member spent
    "value_fen",  # non-cash value received: stable points spent at the peg (§2)
    "position",  # 0 none, 1 store promoter, 2 district, 3 city, 4 province agent (§6)
)
D = {name: i for i, name in enumerate(DAILY_COLUMNS)}
M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}


@dataclass(frozen=True, slots=True)
class RunResult:
    """One seed's run: `daily` is (days × DAILY_COLUMNS), `members` (members × MEMBER_COLUMNS)."""

    seed: int
    engine: str
    daily: NDArray[np.int64]
    members: NDArray[np.int64]

    def day(self, column: str) -> NDArray[np.int64]:
        return self.daily[:, D[column]]

    def member(self, column: str) -> NDArray[np.int64]:
        return self.members[:, M[column]]


def empty_arrays(days: int, members: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    daily = np.zeros((days, len(DAILY_COLUMNS)), dtype=np.int64)
    per_member = np.zeros((members, len(MEMBER_COLUMNS)), dtype=np.int64)
    per_member[:, M["first_out_day"]] = -1
    return daily, per_member
