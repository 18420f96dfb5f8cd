"""Properties of a cyclic-purchase day (§3): exact pools, quota never overdrawn, books balance."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from zengzhi.domain.daily_dividends import DividendRules, Tier, settle_dividends
from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.quota import SHARE_SCALE, Positions, QuotaRules, accrue_purchases
from zengzhi.domain.referral_tree import NO_PARENT, ReferralTree

percent = st.integers(min_value=0, max_value=100).map(lambda p: Fraction(p, 1000))


@st.composite
def dividend_rules(draw: st.DrawFn) -> DividendRules:
    bounds = sorted(draw(st.sets(st.integers(0, 600), min_size=2, max_size=8)))
    tiers = []
    for t, (low, high) in enumerate(zip(bounds[::2], bounds[1::2], strict=False)):
        tiers.append(Tier(f"V{t + 1}", low, high, draw(percent)))
    tier_share = sum((tier.share for tier in tiers), Fraction(0)) + draw(percent)
    return DividendRules(draw(percent), tier_share, tuple(tiers))


positions = st.lists(
    st.tuples(
        st.integers(0, 700 * SHARE_SCALE),  # shares
        st.one_of(st.just(0), st.integers(0, 10**7)),  # quota, often none
    ),
    max_size=40,
)


@given(dividend_rules(), st.integers(0, 10**9), positions)
def test_payouts_plus_returned_remainders_are_exactly_the_days_pools(
    rules: DividendRules, sales: int, rows: list[tuple[int, int]]
) -> None:
    shares = [s for s, _ in rows]
    quota = [q for _, q in rows]
    day = settle_dividends(rules, sales, shares, quota)
    assert day.paid_fen + day.returned_fen == day.pool_fen
    assert day.returned_fen >= 0
    assert day.pool_fen <= sales


@given(dividend_rules(), st.integers(0, 10**9), positions)
def test_quota_never_goes_negative_and_payouts_never_exceed_it(
    rules: DividendRules, sales: int, rows: list[tuple[int, int]]
) -> None:
    shares = [s for s, _ in rows]
    quota = [q for _, q in rows]
    day = settle_dividends(rules, sales, shares, quota)
    for before, after, pro, tier in zip(
        quota, day.quota_after, day.pro_rata_paid, day.tier_paid, strict=True
    ):
        assert after >= 0
        assert pro >= 0
        assert tier >= 0
        assert pro + tier == before - after


@given(dividend_rules(), st.integers(0, 10**9), positions)
def test_every_dividend_entry_balances_and_the_pool_account_ends_empty(
    rules: DividendRules, sales: int, rows: list[tuple[int, int]]
) -> None:
    day = settle_dividends(rules, sales, [s for s, _ in rows], [q for _, q in rows])
    entries = day.entries([f"m{i}" for i in range(len(rows))])
    assert all(imbalance(entry) == {} for entry in entries)
    left = sum(
        p.amount
        for e in entries
        for p in e.postings
        if p.account is AccountKind.DAILY_DIVIDEND_POOL
    )
    assert left == 0


@given(
    st.lists(st.integers(-1, 30), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 10**8)), max_size=30),
)
def test_purchases_credit_the_buyer_and_the_direct_referrer_exactly(
    raw_parents: list[int], orders: list[tuple[int, int]]
) -> None:
    n = len(raw_parents)
    # referrers always joined earlier: no loops
    parents = tuple(p if 0 <= p < i else NO_PARENT for i, p in enumerate(raw_parents))
    tree = ReferralTree(tuple(f"m{i}" for i in range(n)), parents)
    rules = QuotaRules(
        shares_per_yuan_referred=Fraction(1, 2000), quota_per_yuan_referred=Fraction(1, 10)
    )
    start = Positions((0,) * n, (0,) * n)
    buyers = [b % n for b, _ in orders]
    amounts = [a for _, a in orders]
    after = accrue_purchases(rules, tree, start, buyers, amounts)
    referred = [parents[b] != NO_PARENT for b in buyers]
    assert sum(after.quota_fen) == sum(
        rules.quota_for(a) + ref * rules.referral_quota_for(a)
        for a, ref in zip(amounts, referred, strict=True)
    )
    assert sum(after.shares_micro) == sum(
        rules.shares_for(a) + ref * rules.referral_shares_for(a)
        for a, ref in zip(amounts, referred, strict=True)
    )
