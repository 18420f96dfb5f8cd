"""The daily books: one loop for the systems without an appreciating pool (§3, §4, §5, §7).

Each system (`sim.cyclic`, `sim.grants`, `sim.brand`) applies its rules by calling the
pure domain functions on whole days of plain-int arrays (the domain's bulk form); this
module only runs the days and keeps the tallies every report needs, in the same shapes as
the pool's, so that the metrics answer the same questions for every system:

- "spent": what a member paid (orders).
- "cash": cash the member received (dividends, buybacks).
- "value": non-cash value credited to the member at the scenario's stated value (released
  points at `[points] value_yuan`, coupons at their face value). The report always says so.
- "held value": what the member holds and could turn into cash now (tokens at the buyback
  floor). "promised": what the rules still promise the member but nothing funds yet
  (cyclic purchase quota, locked points at their stated value).
- "attributed" / "from later": the part of the cash received whose funding the rules name
  (a dividend is a share of that day's or period's sales), and the part of it paid for by
  the purchases of members who joined after the recipient (pro rata to the funding sales).

A day runs: the day's orders (members who stopped after their exit place none), then the
system's end-of-day settlement (which sees that day's orders: grants release on their
first day, quota bought today takes part in today's dividends), then the books close: a
member "breaks even" on the first day cash + value reaches what they spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import Scenario

I64 = NDArray[np.int64]

DAILY_BASE = (
    "arrivals",
    "orders",
    "cash_in_fen",  # what members paid
    "cash_out_fen",  # cash paid to members
    "value_out_fen",  # non-cash value credited to members, at the stated value
    "promised_fen",  # end of day: promised to members, not yet funded (stated value)
    "promised_made_fen",  # end of day: everything ever promised (stated value)
    "owed_members",  # end of day: members still promised something or holding value
)
MEMBER_COLUMNS = (
    "join_day",
    "orders",
    "spent_fen",
    "cash_fen",
    "value_fen",
    "held_value_fen",  # at the end
    "promised_fen",  # at the end
    "outs",  # times fully paid out (quota used up, grants released, tokens sold back)
    "first_out_day",  # −1 never
    "breakeven_day",  # first day cash + value ≥ spent; −1 never
    "attributed_fen",  # cash whose funding the rules name
    "from_later_fen",  # of it, paid by the purchases of members who joined later
)
M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}


@dataclass(frozen=True, slots=True)
class SystemResult:
    """One seed's run of a daily system: series by day, totals by member, scalar totals."""

    seed: int
    engine: str
    system: str
    columns: tuple[str, ...]
    daily: I64
    members: I64
    totals: dict[str, int] = field(default_factory=dict)

    def day(self, column: str) -> I64:
        out: I64 = self.daily[:, self.columns.index(column)]
        return out

    def member(self, column: str) -> I64:
        out: I64 = self.members[:, M[column]]
        return out


class Books:
    """The tallies of a run; systems add to them through these methods."""

    def __init__(self, plan: Plan, extra: tuple[str, ...]) -> None:
        self.columns = DAILY_BASE + extra
        self._col = {name: i for i, name in enumerate(self.columns)}
        self.daily = np.zeros((plan.horizon_days, len(self.columns)), dtype=np.int64)
        self.members = np.zeros((plan.n_members, len(MEMBER_COLUMNS)), dtype=np.int64)
        self.members[:, M["first_out_day"]] = -1
        self.members[:, M["breakeven_day"]] = -1
        self.left = np.zeros(plan.n_members, dtype=np.bool_)
        self.joined = 0
        self.day = 0
        self.totals: dict[str, int] = {}

    def col(self, name: str) -> I64:
        out: I64 = self.members[:, M[name]]
        return out

    def add(self, column: str, amount: int) -> None:
        """Add to today's value of a daily column."""
        self.daily[self.day, self._col[column]] += amount

    def set(self, column: str, value: int) -> None:
        self.daily[self.day, self._col[column]] = value

    def total(self, name: str, amount: int) -> None:
        self.totals[name] = self.totals.get(name, 0) + amount

    def pay_cash(self, who: I64, fen: I64, attributed: bool = False) -> None:
        """Cash to members (parallel arrays; a member may appear more than once)."""
        np.add.at(self.col("cash_fen"), who, fen)
        if attributed:
            np.add.at(self.col("attributed_fen"), who, fen)
        self.add("cash_out_fen", int(fen.sum()))

    def from_later(self, who: I64, fen: I64) -> None:
        np.add.at(self.col("from_later_fen"), who, fen)

    def out(self, who: I64) -> None:
        """These members were fully paid out today (and stop buying, if the scenario says)."""
        if len(who) == 0:
            return
        np.add.at(self.col("outs"), who, 1)
        first = self.col("first_out_day")
        fresh = who[first[who] < 0]
        first[fresh] = self.day
        self.left[who] = True

    def orders(self, members: I64, amounts: I64) -> None:
        """Book the day's orders (already filtered) and count who joined today."""
        if len(members) == 0:
            return
        orders = self.col("orders")
        new = np.unique(members[orders[members] == 0])
        self.col("join_day")[new] = self.day
        np.add.at(orders, members, 1)
        np.add.at(self.col("spent_fen"), members, amounts)
        self.add("arrivals", len(new))
        self.add("orders", len(members))
        self.add("cash_in_fen", int(amounts.sum()))
        self.joined = max(self.joined, int(members.max()) + 1)

    def close(self) -> None:
        """End of day: first break-even days, and the members still owed something."""
        n = self.joined
        got = self.col("cash_fen")[:n] + self.col("value_fen")[:n]
        spent = self.col("spent_fen")[:n]
        breakeven = self.col("breakeven_day")[:n]
        hit = (breakeven < 0) & (spent > 0) & (got >= spent)
        breakeven[hit] = self.day
        owed = (self.col("promised_fen")[:n] > 0) | (self.col("held_value_fen")[:n] > 0)
        self.set("owed_members", int(owed.sum()))


class DailySystem(Protocol):
    """A system's rules applied day by day through the domain functions."""

    extra_columns: tuple[str, ...]

    def settle(self, books: Books, members: I64, amounts: I64) -> None:
        """The day's orders (plan order) are booked; apply the system's rules for the day."""

    def finish(self, books: Books) -> None:
        """After the last day: fill the members' end-of-run columns and the totals."""


def run_daily(scenario: Scenario, plan: Plan, system: DailySystem) -> SystemResult:
    """Run every day of `plan` through `system`."""
    books = Books(plan, system.extra_columns)
    stop = scenario.repeat.after_exit == "stop"
    for day in range(plan.horizon_days):
        books.day = day
        a, b = int(plan.day_start[day]), int(plan.day_start[day + 1])
        members, amounts = plan.order_member[a:b], plan.order_amount[a:b]
        if stop and len(members):
            keep = ~books.left[members]
            members, amounts = members[keep], amounts[keep]
        books.orders(members, amounts)
        system.settle(books, members, amounts)
        books.close()
    system.finish(books)
    return SystemResult(
        seed=plan.seed,
        engine="exact",
        system=scenario.economy.system,
        columns=books.columns,
        daily=books.daily,
        members=books.members,
        totals=books.totals,
    )


def later_sales(members: I64, amounts: I64, payees: I64) -> I64:
    """For each payee: the sales in (members, amounts) made by members who joined later.

    Members are numbered in join order, so "joined later" is "a higher index".
    """
    order = np.argsort(members, kind="stable")
    sorted_members = members[order]
    cumulative = np.concatenate(([0], np.cumsum(amounts[order])))
    upto = np.searchsorted(sorted_members, payees, side="right")
    out: I64 = cumulative[-1] - cumulative[upto]
    return out


def attribute(books: Books, payees: I64, paid: I64, members: I64, amounts: I64) -> None:
    """Cash `paid` to `payees` funded pro rata by the sales (members, amounts): how much of
    it came from members who joined after each payee (floored: a description, not a book).
    """
    total = int(amounts.sum())
    if total == 0 or len(payees) == 0:
        return
    later = later_sales(members, amounts, payees)
    if int(paid.max(initial=0)) * int(later.max(initial=0)) < 2**63:
        share: I64 = paid * later // total  # exact: no product can wrap
    else:  # a very large day: the same floor in Python's unbounded integers
        exact = [p * q // total for p, q in zip(paid.tolist(), later.tolist(), strict=True)]
        share = np.asarray(exact, dtype=np.int64)
    books.from_later(payees, share)


def as_ints(values: Any) -> I64:
    """A domain tuple of ints as an int64 array."""
    out: I64 = np.asarray(values, dtype=np.int64)
    return out
