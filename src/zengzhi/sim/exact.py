"""The reference runner: every order, sale, exit and burn goes through the domain engine.

A day, in this order (the kernel follows the same steps):
1. the day's orders in plan order: pool part = `EconomyConfig.pool_contribution` (rounded
   up), or for local life the pool part of the order's commission split (`sim.commission`:
   `split_commission`, as `settle_store_order` feeds it); then `PoolEngine.settle_order`
   (with its exit cascade). With `after_exit = "stop"`, a member whose points were all sold
   (or converted) places no more orders.
2. end of day, in join order, each watched member still holding points sells them all if:
   it is the bank-run day and the member runs; or they take profit and their points are
   worth ≥ multiple × cycle spend; or they panic and the price rose by less than their
   threshold since `window_days` ago (price before this step against that day's close).
   In a two-tokens economy (§2) a sale is the platform's buyback
   (`TwoTokenEconomy.buyback`, the pool's sale at P with the sell fee), and a member who
   converts (behaviour "convert") turns every point into stable points at P once they are
   worth ≥ multiple × cycle spend (`convert`), pays them to the shop (`pay`), and the shop
   cashes them out from the platform's own funds (`cash_out`).
3. on every 30th day, the monthly burn.
Local life's rewards (referral, promoter, agents) and position fees come from the same
commission split and are credited after the run, for the orders placed (`apply_commission`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from zengzhi.domain.entries import AccountKind, Entry, EntryKind
from zengzhi.domain.money import MICRO_PER_POINT
from zengzhi.domain.pool import Outcome, PoolEngine
from zengzhi.domain.stable_points import TwoTokenEconomy, stable_rules_from
from zengzhi.sim.commission import AGENCY, PROMOTION, Commission, commission_for, is_local_life
from zengzhi.sim.plan import CONVERT, PANIC, TAKE_PROFIT, Plan
from zengzhi.sim.result import D, M, RunResult, empty_arrays
from zengzhi.sim.scenario import Scenario

BURN_EVERY_DAYS = 30
SHOP = "shop"  # the merchant stable points are spent with (§2)


def run_exact(scenario: Scenario, plan: Plan) -> RunResult:
    """Run one seed's plan through `PoolEngine` and tally the books."""
    config = scenario.economy
    commission = commission_for(config, scenario.stores, plan) if is_local_life(config) else None
    engine = PoolEngine(config.pool)
    tokens = TwoTokenEconomy(engine, stable_rules_from(config)) if has_stable(scenario) else None
    daily, members = empty_arrays(plan.horizon_days, plan.n_members)
    tally = _Tally(daily, members)
    ids = [f"m{i}" for i in range(plan.n_members)]
    left = [False] * plan.n_members
    placed = np.zeros(plan.n_orders, dtype=np.bool_)
    stop_after_exit = scenario.repeat.after_exit == "stop"
    kinds = [kind_code(b.kind) for b in scenario.behaviours]
    run_day = scenario.bank_run.day if scenario.bank_run is not None else -1
    order_member = plan.order_member.tolist()
    order_amount = plan.order_amount.tolist()
    pool_parts = commission.pool_fen.tolist() if commission is not None else None
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
            placed[k] = True
            if i == joined:
                joined += 1
                row[D["arrivals"]] += 1
                members[i, M["join_day"]] = day
            pool = pool_parts[k] if pool_parts is not None else config.pool_contribution(amount)
            tally.record(engine.settle_order(ids[i], amount, pool), left)
            row[D["orders"]] += 1
            row[D["cash_in_fen"]] += amount
            row[D["pool_in_fen"]] += pool
            members[i, M["orders"]] += 1
            members[i, M["spent_fen"]] += amount
            members[i, M["pool_contribution_fen"]] += pool

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
            if not sell and kinds[g] in (TAKE_PROFIT, CONVERT):
                multiple = scenario.behaviours[g].multiple
                assert multiple is not None
                reached = state.points_micro * engine.pool_fen * multiple.denominator >= (
                    multiple.numerator * state.cycle_spend_fen * engine.points_micro
                )
                if reached and kinds[g] == CONVERT and tokens is not None:
                    tally.convert(i, tokens, ids[i], state.points_micro, left)
                    continue
                sell = reached
            if not sell and kinds[g] == PANIC:
                sell = triggered[g]
            if sell:
                sale = tokens.buyback(ids[i], None) if tokens else engine.sell(ids[i], None)
                tally.record(sale, left)

        if config.monthly_burn and (day + 1) % BURN_EVERY_DAYS == 0:
            tally.record(engine.burn(config.monthly_burn), left)

        closes.append(engine.price())
        row[D["pool_fen"]] = engine.pool_fen
        row[D["points_micro"]] = engine.points_micro
        close = closes[-1] * 1_000_000
        row[D["price_micro_yuan"]] = close.numerator // close.denominator
        row[D["holders"]] = sum(1 for m in engine.members() if m.points_micro)

    for m in engine.members():
        if m.member.startswith("m"):
            i = int(m.member[1:])
            members[i, M["points_micro"]] = m.points_micro
            members[i, M["cycle_spend_fen"]] = m.cycle_spend_fen
    result = RunResult(plan.seed, "exact", daily, members)
    if commission is not None:
        apply_commission(result, commission, plan, placed)
    return result


def has_stable(scenario: Scenario) -> bool:
    """A two-tokens economy whose members convert (the only use of §2 the runs need)."""
    return "stable" in scenario.economy.sections and scenario.economy.system == "two_tokens"


def kind_code(name: str) -> int:
    return {"take_profit": TAKE_PROFIT, "panic": PANIC, "convert": CONVERT}.get(name, 0)


def apply_commission(
    result: RunResult, commission: Commission, plan: Plan, placed: NDArray[np.bool_]
) -> None:
    """Credit the split's rewards for the orders placed, and position fees on joining."""
    daily, members = result.daily, result.members
    keep = placed[commission.reward_order]
    order = commission.reward_order[keep]
    payee = commission.reward_member[keep]
    fen = commission.reward_fen[keep]
    kind = commission.reward_kind[keep]
    order_day = np.searchsorted(plan.day_start, order, side="right") - 1
    np.add.at(members[:, M["referral_fen"]], payee, fen)
    np.add.at(daily[:, D["referral_fen"]], order_day, fen)
    for code, column in ((PROMOTION, "promoter_fen"), (AGENCY, "agent_fen")):
        mask = kind == code
        np.add.at(daily[:, D[column]], order_day[mask], fen[mask])
    members[:, M["position"]] = commission.position
    joined = members[:, M["orders"]] > 0
    fees = np.where(joined, commission.fee_fen, 0)
    members[:, M["fees_fen"]] = fees
    paying = np.flatnonzero(fees)
    np.add.at(daily[:, D["fees_fen"]], members[paying, M["join_day"]], fees[paying])


class _Tally:
    """Adds the engine's entries to the day's row and the members' totals."""

    def __init__(self, daily: np.ndarray, members: np.ndarray) -> None:
        self.daily = daily
        self.members = members
        self.day = 0

    def convert(
        self, i: int, tokens: TwoTokenEconomy, member: str, points: int, left: list[bool]
    ) -> None:
        """All the member's points to stable points, spent in the shop, cashed out (§2)."""
        tokens.convert(member, points)
        stable = tokens.stable_of(member)
        tokens.pay(member, SHOP, stable)
        cash = tokens.cash_out(SHOP, stable)
        value = stable * tokens.rules.peg_fen // MICRO_PER_POINT  # the goods, at the peg
        self.daily[self.day, D["converted"]] += 1
        self.daily[self.day, D["value_fen"]] += value
        self.daily[self.day, D["platform_cash_out_fen"]] += _amount(
            cash.entries[0], AccountKind.MEMBER_CASH
        )
        self.members[i, M["value_fen"]] += value
        if self.members[i, M["first_out_day"]] < 0:
            self.members[i, M["first_out_day"]] = self.day
        left[i] = True

    def record(self, outcome: Outcome, left: list[bool]) -> None:
        for entry in outcome.entries:
            if entry.kind is EntryKind.BURN:
                self.daily[self.day, D["burned_micro"]] += _amount(entry, AccountKind.POINTS_SUPPLY)
            elif entry.kind in (EntryKind.SALE, EntryKind.EXIT, EntryKind.BUYBACK):
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
