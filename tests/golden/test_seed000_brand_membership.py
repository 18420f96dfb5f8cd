"""Seed 000 (RWA 会员, a coffee brand), mechanisms.md §7: coins, Bean Tokens, dividends, votes.

The seed's numbers: 1 coin per yuan; 1,000 coins make a token, fractions allowed ("50 元即可
兑换 0.05 枚"); spending 5,000 gives 5 tokens; a dividend pool of 100,000 over 1,000
tokens pays 500 to 5 tokens; a 35 yuan coffee leaves 965 yuan to the first token; referring
5 friends gives 0.5 token; holders of at least 10 tokens vote; the platform buys tokens
back at no less than 80% of their cost.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from zengzhi.domain.brand_rules import MICRO_PER_TOKEN, BrandRules, brand_rules_from
from zengzhi.domain.brand_tokens import (
    buy_back_tokens,
    convert_coins,
    settle_purchase,
    spend_to_next_token_fen,
)
from zengzhi.domain.entries import imbalance
from zengzhi.domain.governance import Ballot, open_proposal, tally
from zengzhi.domain.token_dividends import distribute_dividends, fund_dividend_pool
from zengzhi.domain.token_errors import BelowBuybackFloor
from zengzhi.presets import load_preset

YUAN = 100
TOKEN = MICRO_PER_TOKEN


@pytest.fixture
def rules() -> BrandRules:
    return brand_rules_from(load_preset("brand-membership"))


def test_spending_5000_gives_5000_coins_which_convert_to_5_tokens(rules: BrandRules) -> None:
    purchase = settle_purchase(rules, "amy", 5_000 * YUAN)
    conversion = convert_coins(rules, "amy", purchase.coins, purchase.coins)

    assert purchase.coins == 5_000
    assert conversion.tokens_micro == 5 * TOKEN
    assert all(imbalance(e) == {} for e in (*purchase.entries, conversion.entry))


def test_50_coins_convert_to_five_hundredths_of_a_token(rules: BrandRules) -> None:
    assert convert_coins(rules, "amy", 50, 50).tokens_micro == Fraction(5, 100) * TOKEN


def test_a_35_yuan_coffee_leaves_965_yuan_to_the_first_token(rules: BrandRules) -> None:
    coins = settle_purchase(rules, "amy", 35 * YUAN).coins

    assert coins == 35
    assert spend_to_next_token_fen(rules, coins) == 965 * YUAN


def test_a_100000_pool_over_1000_tokens_pays_500_to_5_tokens(rules: BrandRules) -> None:
    # 20% of a period's declared profit of 500,000 funds the pool
    funding = fund_dividend_pool(rules, 500_000 * YUAN)
    assert funding.fen == 100_000 * YUAN

    run = distribute_dividends(funding.fen, {"amy": 5 * TOKEN, "everyone else": 995 * TOKEN})

    assert dict(run.payouts)["amy"] == 500 * YUAN
    assert run.paid_fen + run.remainder_fen == funding.fen


def test_referring_5_friends_earns_half_a_token_and_10_percent_of_their_coins(
    rules: BrandRules,
) -> None:
    purchases = [
        settle_purchase(rules, f"friend{n}", 35 * YUAN, referrer="amy", first_purchase=True)
        for n in range(5)
    ]

    assert sum(p.referral_token_micro for p in purchases) == Fraction(1, 2) * TOKEN
    # 10% of 35 coins is 3.5, rounded down for the payee
    assert [p.referral_coins for p in purchases] == [3] * 5


def test_only_holders_of_at_least_10_tokens_vote_one_token_one_vote(rules: BrandRules) -> None:
    balances = {"ten": 10 * TOKEN, "almost": 10 * TOKEN - 1, "whale": 25 * TOKEN + 500_000}
    proposal = open_proposal(
        "origin", "Next bean origin", ("Yunnan", "Ethiopia"), balances, rules.vote_min_micro
    )

    assert dict(proposal.electorate) == {"ten": 10, "whale": 25}  # fractions do not vote
    result = tally(
        proposal,
        [Ballot("ten", "Yunnan"), Ballot("almost", "Yunnan"), Ballot("whale", "Ethiopia")],
    )
    assert dict(result.counts) == {"Yunnan": 10, "Ethiopia": 25}
    assert result.winner == "Ethiopia"
    assert result.ignored == (Ballot("almost", "Yunnan"),)


def test_the_buyback_floor_is_80_percent_of_a_tokens_coin_cost(rules: BrandRules) -> None:
    assert rules.token_cost_fen == 1_000 * YUAN  # 1,000 coins earned by 1,000 yuan of spend
    assert rules.buyback_floor_fen == 800 * YUAN

    at_floor = buy_back_tokens(rules, "amy", 5 * TOKEN, 5 * TOKEN)
    assert at_floor.payout_fen == 4_000 * YUAN
    assert imbalance(at_floor.entry) == {}
    with pytest.raises(BelowBuybackFloor):
        buy_back_tokens(rules, "amy", 5 * TOKEN, 5 * TOKEN, price_fen=Fraction(800 * YUAN - 1))
