"""The reference runner: every order, sale, exit and burn goes through the domain engine.

A day, in this order (the kernel follows the same steps):
1. the day's orders in plan order: pool part = `EconomyConfig.pool_contribution` (rounded
   up), `PoolEngine.settle_order` (with its exit cascade); referral rewards, when the
   economy has them, are floor(amount × rate) to the direct and indirect referrer. With
   `after_exit = "stop"`, a member whose points were all sold places no more orders.
2. end of day, in join order, each watched member still holding points sells them all if:
   it is the bank-run day and the member runs; or they take profit and their points are
   worth ≥ multiple × cycle spend; or they panic and the price rose by less than their
   threshold since `window_days` ago (price before this step against that day's close).
3. on every 30th day, the monthly burn.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from zengzhi.domain.entries import AccountKind, Entry, EntryKind
from zengzhi.domain.pool import Outcome, PoolEngine
from zengzhi.sim.model import model_of
from zengzhi.sim.plan import PANIC, TAKE_PROFIT, Plan
from zengzhi.sim.result import D, M, RunResult, empty_arrays
from zengzhi.sim.scenario import Scenario

BURN_EVERY_DAYS = 30


def run_exact(scenario: Scenario, plan: Plan) -> RunResult:
    """Run one seed's plan through `PoolEngine` and tally the books."""
    config = scenario.economy
    model = model_of(config)
    engine = PoolEngine(config.pool)
    daily, members = empty_arrays(plan.horizon_days, plan.n_members)
    tally = _Tally(daily, members)
    ids = [f"m{i}" for i in range(plan.n_members)]
    left = [False] * plan.n_members
    stop_after_exit = scenario.repeat.after_exit == "stop"
    kinds = [_kind(b.kind) for b in scenario.behaviours]
    run_day = scenario.bank_run.day if scenario.bank_run is not None else -1
    order_member = plan.order_member.tolist()
    order_amount = plan.order_amount.tolist()
    referrer = plan.member_referrer.tolist()
    groups = plan.member_group.tolist()
    runs = plan.member_bank_run.tolist()
    watch = plan.watch.tolist()
    closes: list[Fraction] = []
    joined = 0
    for day in range(plan.horizon_days):
        tally.day = day
        row = daily[day]
        for k in range(int(plan.day_start[day]), int(plan.day_start[day + 1])):
            i, amount = order_member[k], order_amount[k]
            if stop_after_exit and left[i]:
                continue
            if i == joined:
                joined += 1
                row[D["arrivals"]] += 1
                members[i, M["join_day"]] = day
            pool = config.pool_contribution(amount)
            tally.record(engine.settle_order(ids[i], amount, pool), left)
            row[D["orders"]] += 1
            row[D["cash_in_fen"]] += amount
            row[D["pool_in_fen"]] += pool
            members[i, M["orders"]] += 1
            members[i, M["spent_fen"]] += amount
            members[i, M["pool_contribution_fen"]] += pool
            _pay_referrals(
                i, amount, referrer, model.direct_referral, model.indirect_referral, tally
            )

        price = engine.price()
        triggered = []
        for b in scenario.behaviours:
            fired = False
            if b.kind == "panic" and b.threshold is not None and day - b.window_days >= 0:
                fired = price < (1 + b.threshold) * closes[day - b.window_days]
            triggered.append(fired)
        for i in watch:
            if i >= joined:
                break
            state = engine.member(ids[i])
            if not state.points_micro:
                continue
            g = groups[i]
            sell = runs[i] and day == run_day
            if not sell and kinds[g] == TAKE_PROFIT:
                multiple = scenario.behaviours[g].multiple
                assert multiple is not None
                sell = state.points_micro * engine.pool_fen * multiple.denominator >= (
                    multiple.numerator * state.cycle_spend_fen * engine.points_micro
                )
            if not sell and kinds[g] == PANIC:
                sell = triggered[g]
            if sell:
                tally.record(engine.sell(ids[i], None), left)

        if model.monthly_burn and (day + 1) % BURN_EVERY_DAYS == 0:
            tally.record(engine.burn(model.monthly_burn), left)

        closes.append(engine.price())
        row[D["pool_fen"]] = engine.pool_fen
        row[D["points_micro"]] = engine.points_micro
        close = closes[-1] * 1_000_000
        row[D["price_micro_yuan"]] = close.numerator // close.denominator
        row[D["holders"]] = sum(1 for m in engine.members() if m.points_micro)

    for m in engine.members():
        i = int(m.member[1:])
        members[i, M["points_micro"]] = m.points_micro
        members[i, M["cycle_spend_fen"]] = m.cycle_spend_fen
    return RunResult(plan.seed, "exact", daily, members)


def _kind(name: str) -> int:
    return {"take_profit": TAKE_PROFIT, "panic": PANIC}.get(name, 0)


def _pay_referrals(
    i: int, amount: int, referrer: list[int], direct: Fraction, indirect: Fraction, tally: _Tally
) -> None:
    """Referral rewards come from the store commission, not the pool; rounded down."""
    first = referrer[i]
    if first < 0 or not direct:
        return
    tally.referral(first, amount * direct.numerator // direct.denominator)
    second = referrer[first]
    if second >= 0 and indirect:
        tally.referral(second, amount * indirect.numerator // indirect.denominator)


class _Tally:
    """Adds the engine's entries to the day's row and the members' totals."""

    def __init__(self, daily: np.ndarray, members: np.ndarray) -> None:
        self.daily = daily
        self.members = members
        self.day = 0

    def referral(self, member: int, fen: int) -> None:
        self.daily[self.day, D["referral_fen"]] += fen
        self.members[member, M["referral_fen"]] += fen

    def record(self, outcome: Outcome, left: list[bool]) -> None:
        for entry in outcome.entries:
            if entry.kind is EntryKind.BURN:
                self.daily[self.day, D["burned_micro"]] += _amount(entry, AccountKind.POINTS_SUPPLY)
            elif entry.kind in (EntryKind.SALE, EntryKind.EXIT):
                assert entry.member is not None
                i = int(entry.member[1:])
                payout = _amount(entry, AccountKind.MEMBER_CASH)
                forced = entry.kind is EntryKind.EXIT
                self.daily[self.day, D["exits" if forced else "sales"]] += 1
                self.daily[self.day, D["exit_payout_fen" if forced else "sale_payout_fen"]] += (
                    payout
                )
                self.members[i, M["exits" if forced else "sales"]] += 1
                self.members[i, M["received_fen"]] += payout
                if self.members[i, M["first_out_day"]] < 0:
                    self.members[i, M["first_out_day"]] = self.day
                left[i] = True


def _amount(entry: Entry, account: AccountKind) -> int:
    return sum(p.amount for p in entry.postings if p.account is account)
