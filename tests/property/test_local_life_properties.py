"""§6 commission split under random rules and orders: exact to the fen, nobody negative."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain.entries import AccountKind, imbalance
from zengzhi.domain.local_life import LocalLifeRules, Store, StoreOrder, split_commission
from zengzhi.domain.regional_agents import AgentLevel, AgentRule, RegionAgents

UNIT = 100_000  # rates drawn in units of 0.001%


@st.composite
def rules_and_store(draw: st.DrawFn) -> tuple[LocalLifeRules, Store]:
    commission = draw(st.integers(1, UNIT))
    referral = draw(st.integers(0, commission))
    pool = draw(st.integers(0, commission - referral))
    budget = referral
    direct = draw(st.integers(0, budget))
    indirect = draw(st.integers(0, budget - direct))
    promoter = draw(st.integers(0, budget - direct - indirect))
    top = budget - direct - indirect - promoter
    rates = sorted(draw(st.lists(st.integers(0, top), min_size=3, max_size=3)))
    levels = draw(st.lists(st.sampled_from(list(AgentLevel)), unique=True, max_size=3))
    order = list(AgentLevel)
    agents = tuple(
        AgentRule(level, Fraction(rates[i], UNIT))
        for i, level in enumerate(sorted(levels, key=order.index))
    )
    rules = LocalLifeRules(
        commission=Fraction(commission, UNIT),
        platform=Fraction(commission - referral - pool, UNIT),
        referral=Fraction(referral, UNIT),
        pool=Fraction(pool, UNIT),
        direct_referrer=Fraction(direct, UNIT),
        indirect_referrer=Fraction(indirect, UNIT),
        store_promoter=Fraction(promoter, UNIT),
        agents=agents,
    )
    lowest = rules.min_store_commission * UNIT
    low = -(-lowest.numerator // lowest.denominator)
    store_commission = Fraction(draw(st.integers(low, UNIT)), UNIT)
    promoter_id = draw(st.sampled_from([None, "promoter"]))
    return rules, Store("store", "merchant", store_commission, promoter_id)


orders = st.builds(
    lambda amount, chain, agents: (amount, chain, agents),
    st.integers(1, 10**10),
    st.sampled_from([(), ("r1",), ("r1", "r2"), ("r1", "r2", "r3")]),
    st.builds(
        RegionAgents,
        st.sampled_from([None, "d"]),
        st.sampled_from([None, "c"]),
        st.sampled_from([None, "p"]),
    ),
)


@settings(max_examples=400, deadline=None)
@given(setup=rules_and_store(), order=orders)
def test_the_commission_splits_exactly_and_pays_nobody_a_negative_amount(
    setup: tuple[LocalLifeRules, Store], order: tuple[int, tuple[str, ...], RegionAgents]
) -> None:
    rules, store = setup
    amount, chain, agents = order
    split = split_commission(rules, StoreOrder("member", amount, store, chain, agents))

    assert imbalance(split.entry) == {}
    parts = split.platform_fen + split.pool_fen + split.rewards_fen + split.returned_fen
    assert parts == split.commission_fen
    assert split.rewards_fen + split.returned_fen == split.referral_fen
    assert all(r.fen > 0 for r in split.rewards)
    assert all(r.fen > 0 for r in split.returned)
    assert split.platform_fen >= 0
    for posting in split.entry.postings:
        if posting.account is AccountKind.COMMISSION_FUNDING:
            assert posting.amount == -split.commission_fen
        else:
            assert posting.amount > 0
    exact = amount * store.commission
    assert split.commission_fen - 1 < exact <= split.commission_fen  # rounded up, by < 1 fen
    nominal = amount * (rules.direct_referrer + rules.indirect_referrer + rules.store_promoter)
    assert split.rewards_fen <= nominal + amount * (rules.agents[-1].rate if rules.agents else 0)
