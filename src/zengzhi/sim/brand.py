"""The coffee brand membership (RWA 会员, mechanisms.md §7) day by day, through the domain.

Every order mints the buyer's coins and the referrer's 10% of them, plus the referrer's
0.1 token on a referee's first purchase (`brand_tokens.settle_purchase`). At the end of
each day the members who convert (`[brand] convert_share`, drawn once per member) turn
all their coins into tokens (`convert_coins`, fractions allowed); the others redeem the
cheapest coupon of the catalogue as often as their coins allow (`redeem_coupon`), its face
value counted as value received. Every 30 days (a "month"; a week is 7 days, a quarter 91,
a year 365) the stores declare profit = `[brand] profit_margin` × the period's sales
(an assumption of the scenario: no rule says what the stores earn); the rules' share of it
funds the dividend pool (`fund_dividend_pool`), paid pro rata to the tokens held then
(`distribute_dividends`; the floors' remainder carries over). A dividend is attributed to
the period's buyers pro rata ("from later": those who joined after the recipient).

Selling (`buy_back_tokens` at the floor, 80% of a token's cost, from the platform's own
funds), checked after the day's dividends: on the bank-run day the runners sell all their
tokens; "take_profit" sells all once cash and value received plus the tokens at the floor
reach `multiple` × spent; "panic" sells all on a dividend day that paid less per token than
`threshold` × the floor price (a period's yield below the threshold). Tokens held are
"held value" at the floor price: the platform has promised to pay that on demand.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from zengzhi.domain.brand_rules import MICRO_PER_TOKEN, BrandRules, brand_rules_from
from zengzhi.domain.brand_tokens import (
    buy_back_tokens,
    convert_coins,
    redeem_coupon,
    settle_purchase,
)
from zengzhi.domain.token_dividends import distribute_dividends, fund_dividend_pool
from zengzhi.domain.token_errors import AmountTooSmall
from zengzhi.sim.daily import I64, Books, SystemResult, attribute, run_daily
from zengzhi.sim.plan import PANIC, TAKE_PROFIT, Plan
from zengzhi.sim.scenario import Scenario

PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91, "year": 365}


class BrandMembership:
    """§7's state: every member's coins and micro-tokens, the dividend pool's carry."""

    extra_columns: tuple[str, ...] = (
        "coins_minted",
        "tokens_minted_micro",
        "tokens_micro",  # end of day, outstanding
        "coupon_face_fen",
        "profit_declared_fen",
        "dividend_funded_fen",
        "dividend_paid_fen",
        "buyback_paid_fen",
        "buybacks",
    )

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.rules: BrandRules = brand_rules_from(scenario.economy)
        self.margin = scenario.brand.profit_margin
        self.period = PERIOD_DAYS[self.rules.dividend_period]
        n = plan.n_members
        self.ids = [f"m{i}" for i in range(n)]
        self.referrer = plan.member_referrer.tolist()
        self.coins = [0] * n
        self.tokens = [0] * n
        self.seen = [False] * n
        rng = np.random.default_rng([plan.seed, 7])  # its own stream: the plan is unchanged
        self.converts = (rng.random(n) < scenario.brand.convert_share).tolist()
        self.coupon = min(self.rules.coupons, key=lambda c: c.coins, default=None)
        self.kinds = [_kind(b.kind) for b in scenario.behaviours]
        self.behaviours = scenario.behaviours
        self.groups = plan.member_group.tolist()
        self.watch = plan.watch.tolist()  # members who ever sell: not holding, or running
        self.runs = plan.member_bank_run.tolist()
        self.run_day = scenario.bank_run.day if scenario.bank_run is not None else -1
        self.period_members: list[I64] = []
        self.period_amounts: list[I64] = []
        self.carried = 0
        self.minted_micro = 0
        self.bought_back = 0
        self.floor = self.rules.buyback_floor_fen  # per whole token

    def settle(self, books: Books, members: I64, amounts: I64) -> None:
        minted_coins = minted_tokens = 0
        touched: set[int] = set()
        for i, amount in zip(members.tolist(), amounts.tolist(), strict=True):
            r = self.referrer[i]
            touched.add(i)
            if r >= 0:
                touched.add(r)
            first = not self.seen[i]
            self.seen[i] = True
            purchase = settle_purchase(
                self.rules, self.ids[i], amount, self.ids[r] if r >= 0 else None, first
            )
            self.coins[i] += purchase.coins
            if r >= 0:
                self.coins[r] += purchase.referral_coins
                self.tokens[r] += purchase.referral_token_micro
            minted_coins += purchase.coins + purchase.referral_coins
            minted_tokens += purchase.referral_token_micro
        self.period_members.append(members)
        self.period_amounts.append(amounts)
        minted_tokens += self._use_coins(books, sorted(touched))
        self.minted_micro += minted_tokens
        books.add("coins_minted", minted_coins)
        books.add("tokens_minted_micro", minted_tokens)
        paid_per_token = None
        if (books.day + 1) % self.period == 0:
            paid_per_token = self._dividends(books)
        self._sell_back(books, paid_per_token)
        held = np.asarray(self.tokens, dtype=np.int64)
        value = self._at_floor(held)
        books.col("held_value_fen")[:] = value
        books.set("tokens_micro", int(held.sum()))
        books.set("promised_fen", int(value.sum()))  # the buyback floor, owed on demand
        books.set("promised_made_fen", int(self._at_floor(np.asarray([self.minted_micro]))[0]))

    def _use_coins(self, books: Books, touched: list[int]) -> int:
        """Converters turn every coin into tokens; the others redeem coupons.

        Coins are used up every day (a coupon redeemer keeps less than a coupon's worth),
        so only members who received coins today can have any to use.
        """
        minted = 0
        face = 0
        value = books.col("value_fen")
        for i in touched:
            coins = self.coins[i]
            if not coins:
                continue
            if self.converts[i]:
                conversion = convert_coins(self.rules, self.ids[i], coins, coins)
                self.coins[i] = 0
                self.tokens[i] += conversion.tokens_micro
                minted += conversion.tokens_micro
            elif self.coupon is not None:
                while self.coins[i] >= self.coupon.coins:
                    redeem_coupon(self.rules, self.ids[i], self.coupon.code, self.coins[i])
                    self.coins[i] -= self.coupon.coins
                    value[i] += self.coupon.face_fen
                    face += self.coupon.face_fen
        books.add("coupon_face_fen", face)
        books.add("value_out_fen", face)
        return minted

    def _dividends(self, books: Books) -> Fraction:
        """Fund the pool from the period's declared profit and pay it to token holders."""
        members = np.concatenate(self.period_members) if self.period_members else np.zeros(0)
        amounts = np.concatenate(self.period_amounts) if self.period_amounts else np.zeros(0)
        members, amounts = members.astype(np.int64), amounts.astype(np.int64)
        self.period_members, self.period_amounts = [], []
        sales = int(amounts.sum())
        profit = sales * self.margin.numerator // self.margin.denominator
        funding = fund_dividend_pool(self.rules, profit)
        pool = self.carried + funding.fen
        holdings = {self.ids[i]: t for i, t in enumerate(self.tokens) if t}
        run = distribute_dividends(pool, holdings)
        self.carried = run.remainder_fen
        books.add("profit_declared_fen", profit)
        books.add("dividend_funded_fen", funding.fen)
        books.add("dividend_paid_fen", run.paid_fen)
        if run.payouts:
            payees = np.asarray([int(h[1:]) for h, _ in run.payouts], dtype=np.int64)
            paid = np.asarray([fen for _, fen in run.payouts], dtype=np.int64)
            books.pay_cash(payees, paid, attributed=True)
            attribute(books, payees, paid, members, amounts)
        total = sum(holdings.values())
        # fen paid per whole token this period (for the panic rule)
        return Fraction(run.paid_fen * MICRO_PER_TOKEN, total) if total else Fraction(0)

    def _sell_back(self, books: Books, paid_per_token: Fraction | None) -> None:
        cash, value = books.col("cash_fen"), books.col("value_fen")
        spent = books.col("spent_fen")
        sellers = []
        for i in self.watch:
            if i >= books.joined:
                break
            held = self.tokens[i]
            if not held:
                continue
            g = self.groups[i]
            b = self.behaviours[g]
            sell = self.runs[i] and books.day == self.run_day
            if not sell and self.kinds[g] == TAKE_PROFIT and b.multiple is not None:
                worth = (int(cash[i]) + int(value[i])) * MICRO_PER_TOKEN + held * self.floor
                sell = worth >= b.multiple * int(spent[i]) * MICRO_PER_TOKEN
            if not sell and self.kinds[g] == PANIC and paid_per_token is not None:
                sell = paid_per_token < (b.threshold or 0) * self.floor
            if sell:
                sellers.append(i)
        payees, payouts = [], []
        for i in sellers:
            try:
                sale = buy_back_tokens(self.rules, self.ids[i], self.tokens[i], self.tokens[i])
            except AmountTooSmall:
                continue  # worth less than a fen at the floor: kept
            self.tokens[i] = 0
            self.bought_back += sale.tokens_micro
            payees.append(i)
            payouts.append(sale.payout_fen)
        if payees:
            who = np.asarray(payees, dtype=np.int64)
            fen = np.asarray(payouts, dtype=np.int64)
            books.pay_cash(who, fen)
            books.out(who)
            books.add("buyback_paid_fen", int(fen.sum()))
            books.add("buybacks", len(payees))

    def _at_floor(self, micro: I64) -> I64:
        """Tokens at the buyback floor, in fen (floored)."""
        per_token = self.floor
        out: I64 = micro * per_token.numerator // (per_token.denominator * MICRO_PER_TOKEN)
        return out

    def finish(self, books: Books) -> None:
        held = np.asarray(self.tokens, dtype=np.int64)
        books.total("tokens_minted_micro", self.minted_micro)
        books.total("tokens_left_micro", int(held.sum()))
        books.total("tokens_bought_back_micro", self.bought_back)
        books.total("buyback_floor_fen_per_token", int(self.floor))
        books.total("dividend_carried_fen", self.carried)
        books.total("coins_left", sum(self.coins))


def _kind(name: str) -> int:
    return {"take_profit": TAKE_PROFIT, "panic": PANIC}.get(name, 0)


def run_brand(scenario: Scenario, plan: Plan) -> SystemResult:
    """One seed of a brand-membership economy (§7)."""
    return run_daily(scenario, plan, BrandMembership(scenario, plan))
