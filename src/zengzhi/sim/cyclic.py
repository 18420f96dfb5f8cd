"""Cyclic purchase (循环购, mechanisms.md §3) day by day, through the domain's rules.

Each day: the day's purchases accrue quota and shares to the buyers and their referrers
(`quota.accrue_purchases`), then the day's dividends (`daily_dividends.settle_dividends`):
the pro-rata pool (30% of the day's sales, by shares) and the tier pool (10%), every
payout capped by the member's quota and consuming it. Only members holding quota are
passed to `settle_dividends`: by its rule the others neither earn nor dilute, so the
result is the same and the day costs what the eligible members cost.

A member is "out" (出局) on a day their quota runs out; they keep their shares and take
part again only by buying again. Quota is a cap, not money: what is left of it is what the
rules promise and only future sales can fund ("promised"). Every dividend is funded by
that day's sales, so what each member received is attributed to that day's buyers pro
rata: the part paid by members who joined after the recipient is "from later".
There is nothing to sell: the scenario's selling behaviours and bank run have no effect.
"""

from __future__ import annotations

import numpy as np

from zengzhi.domain.daily_dividends import DividendRules, settle_dividends
from zengzhi.domain.quota import Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import ReferralTree
from zengzhi.sim.daily import I64, Books, SystemResult, as_ints, attribute, run_daily
from zengzhi.sim.plan import Plan
from zengzhi.sim.scenario import Scenario


class CyclicPurchase:
    """§3's state: every member's quota (fen) and shares (micro-shares)."""

    extra_columns: tuple[str, ...] = (
        "sales_fen",
        "pro_rata_pool_fen",
        "tier_pool_fen",
        "pro_rata_paid_fen",
        "tier_paid_fen",
        "returned_fen",  # dividend pools not paid out (quota caps, empty tiers): kept
        "quota_granted_fen",
        "eligible",  # members holding quota when the dividends were settled
        "outs",
    )

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        sections = scenario.economy.sections
        self.quota_rules = QuotaRules.from_sections(sections)
        self.dividend_rules = DividendRules.from_sections(sections)
        n = plan.n_members
        self.tree = ReferralTree(
            tuple(f"m{i}" for i in range(n)), tuple(plan.member_referrer.tolist())
        )
        self.quota = np.zeros(n, dtype=np.int64)
        self.shares = np.zeros(n, dtype=np.int64)
        self.granted = 0

    def settle(self, books: Books, members: I64, amounts: I64) -> None:
        if len(members):
            before = int(self.quota.sum())
            after = accrue_purchases(
                self.quota_rules,
                self.tree,
                Positions(tuple(self.quota.tolist()), tuple(self.shares.tolist())),
                members.tolist(),
                amounts.tolist(),
            )
            self.quota = as_ints(after.quota_fen)
            self.shares = as_ints(after.shares_micro)
            granted = int(self.quota.sum()) - before
            self.granted += granted
            books.add("quota_granted_fen", granted)
        sales = int(amounts.sum())
        eligible = np.flatnonzero(self.quota > 0)
        books.add("sales_fen", sales)
        books.add("eligible", len(eligible))
        if sales and len(eligible):
            day = settle_dividends(
                self.dividend_rules,
                sales,
                self.shares[eligible].tolist(),
                self.quota[eligible].tolist(),
            )
            pro_rata, tier = as_ints(day.pro_rata_paid), as_ints(day.tier_paid)
            paid = pro_rata + tier
            self.quota[eligible] = as_ints(day.quota_after)
            payees = np.flatnonzero(paid)
            books.pay_cash(eligible[payees], paid[payees], attributed=True)
            attribute(books, eligible[payees], paid[payees], members, amounts)
            books.add("pro_rata_pool_fen", day.pro_rata_pool_fen)
            books.add("tier_pool_fen", day.tier_pool_fen)
            books.add("pro_rata_paid_fen", int(pro_rata.sum()))
            books.add("tier_paid_fen", int(tier.sum()))
            books.add("returned_fen", day.returned_fen)
            used_up = eligible[self.quota[eligible] == 0]
            books.out(used_up)
            books.add("outs", len(used_up))
        books.col("promised_fen")[:] = self.quota
        books.set("promised_fen", int(self.quota.sum()))
        books.set("promised_made_fen", self.granted)

    def finish(self, books: Books) -> None:
        books.total("quota_granted_fen", self.granted)
        books.total("quota_left_fen", int(self.quota.sum()))
        books.total("shares_micro", int(self.shares.sum()))


def run_cyclic(scenario: Scenario, plan: Plan) -> SystemResult:
    """One seed of a cyclic-purchase economy."""
    return run_daily(scenario, plan, CyclicPurchase(scenario, plan))
