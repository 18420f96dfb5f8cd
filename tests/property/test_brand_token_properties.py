"""§7 under random inputs: dividends add up exactly; no token votes twice; entries balance."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from zengzhi.domain.brand_rules import MICRO_PER_TOKEN, BrandRules
from zengzhi.domain.brand_tokens import buy_back_tokens, convert_coins, settle_purchase
from zengzhi.domain.entries import imbalance
from zengzhi.domain.governance import Ballot, open_proposal, tally
from zengzhi.domain.token_dividends import distribute_dividends

holdings = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 10**12), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(pool=st.integers(0, 10**12), held=holdings)
def test_dividend_payouts_plus_the_carried_remainder_equal_the_pool(
    pool: int, held: dict[str, int]
) -> None:
    run = distribute_dividends(pool, held)
    total = sum(held.values())

    assert run.paid_fen + run.remainder_fen == pool
    assert all(fen > 0 for _, fen in run.payouts)
    for holder, fen in run.payouts:
        assert fen <= Fraction(pool * held[holder], total) < fen + 1  # floored, by < 1 fen
    assert run.remainder_fen < max(1, len(held)) or total == 0
    assert all(imbalance(e) == {} for e in run.entries)


VOTERS = ("a", "b", "c", "d", "e", "f")
OPTIONS = ("yes", "no", "later")
ballots = st.lists(
    st.builds(Ballot, st.sampled_from(VOTERS), st.sampled_from((*OPTIONS, "bogus"))),
    max_size=40,
)
balances = st.dictionaries(st.sampled_from(VOTERS), st.integers(0, 50 * MICRO_PER_TOKEN))


@settings(max_examples=300, deadline=None)
@given(
    held=balances, cast=ballots, moves=st.lists(st.tuples(st.sampled_from(VOTERS), st.integers()))
)
def test_a_tally_never_counts_a_token_twice(
    held: dict[str, int], cast: list[Ballot], moves: list[tuple[str, int]]
) -> None:
    proposal = open_proposal("p", "question", OPTIONS, held, 10 * MICRO_PER_TOKEN)
    result = tally(proposal, cast)

    # every eligible voter counts once, with what they held at opening
    voted = {b.voter for b in cast if b.option in OPTIONS and b.voter in dict(proposal.electorate)}
    assert result.votes_cast == sum(held[v] // MICRO_PER_TOKEN for v in voted)
    assert result.votes_cast <= result.eligible_votes
    assert result.voters == len(voted)
    # casting the same ballots again changes no count
    again = tally(proposal, cast + cast)
    assert (again.counts, again.voters, again.winner) == (
        result.counts,
        result.voters,
        result.winner,
    )
    # moving tokens after the proposal opened changes nothing: the electorate is a snapshot
    for voter, amount in moves:
        held[voter] = abs(amount) % (60 * MICRO_PER_TOKEN)
    assert tally(proposal, cast) == result


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(1, 10**9),
    per_yuan=st.integers(1, 5),
    per_token=st.sampled_from([1, 10, 1000, 1_000_000]),
    share=st.integers(0, 100),
    referred=st.booleans(),
    first=st.booleans(),
)
def test_purchases_conversions_and_buybacks_balance_and_pay_nobody_negative(
    amount: int, per_yuan: int, per_token: int, share: int, referred: bool, first: bool
) -> None:
    rules = BrandRules(
        coins_per_yuan=per_yuan,
        coins_per_token=per_token,
        referral_coin_share=Fraction(share, 100),
    )
    purchase = settle_purchase(rules, "m", amount, "ref" if referred else None, first)
    entries = list(purchase.entries)
    assert purchase.referral_coins <= purchase.coins * rules.referral_coin_share
    if purchase.coins:
        conversion = convert_coins(rules, "m", purchase.coins, purchase.coins)
        assert conversion.tokens_micro * per_token == purchase.coins * MICRO_PER_TOKEN
        entries.append(conversion.entry)
        bought = buy_back_tokens(rules, "m", conversion.tokens_micro, conversion.tokens_micro)
        assert bought.payout_fen >= 0
        assert bought.payout_fen <= conversion.tokens_micro * rules.buyback_floor_fen / 10**6
        entries.append(bought.entry)
    assert all(imbalance(e) == {} for e in entries)
