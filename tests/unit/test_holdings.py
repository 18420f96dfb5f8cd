"""Balances outside the pool engine, the registry of mechanism commands and their dispatch."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.factories import pool_rules
from tests.mechanism_commands import CoinsForCash, GiveCoins
from zengzhi.app.codec import command_from_payload, command_to_payload
from zengzhi.app.verify import _compare_holdings
from zengzhi.domain.commands import command_from_payload as registered
from zengzhi.domain.commands import is_registered, register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting, transfer
from zengzhi.domain.errors import InvalidRule
from zengzhi.domain.holdings import Holdings, tracked
from zengzhi.domain.pool import PoolEngine
from zengzhi.domain.token_errors import InsufficientBalance
from zengzhi.domain.wallet import HoldCash, PayOut, apply_command

CONFIG = EconomyConfig("t", "brand_membership", pool_rules(), pool_share=Fraction(0))


def _coins(amount: int, holder: str = "ann") -> Entry:
    legs = transfer(
        Asset.COINS, amount, (AccountKind.COIN_SUPPLY, None), (AccountKind.MEMBER_COINS, holder)
    )
    return Entry(EntryKind.COINS_EARNED, holder, legs)


def test_holdings_keep_only_accounts_outside_the_engine_and_sources() -> None:
    assert tracked("member_coins")
    assert tracked("pending_withdrawal")
    assert not tracked("member_cash")
    assert not tracked("coin_supply")
    assert not tracked("pool")
    kept = Holdings({("member_cash", "ann", "cash"): 5, ("member_coins", "ann", "coins"): 0})
    assert list(kept.items()) == []
    kept.apply([_coins(7)])
    assert kept.balance(AccountKind.MEMBER_COINS, "ann", "coins") == 7
    assert kept.balance(AccountKind.COIN_SUPPLY, None, "coins") == 0  # a source: not kept


def test_an_overdraft_is_refused_and_nothing_moves() -> None:
    kept = Holdings({("member_coins", "ann", "coins"): 5, ("member_coins", "bob", "coins"): 1})
    give_and_take = [_coins(3, "bob"), _coins(-6, "ann")]
    with pytest.raises(InsufficientBalance, match=r"'ann'.s member coins account holds 5"):
        kept.apply(give_and_take)
    assert dict(kept.items()) == {
        ("member_coins", "ann", "coins"): 5,
        ("member_coins", "bob", "coins"): 1,
    }
    kept.apply([_coins(-5, "ann")])  # to exactly zero: the account drops out
    assert dict(kept.items()) == {("member_coins", "bob", "coins"): 1}
    pool_account = Posting(AccountKind.TOKEN_DIVIDEND_POOL, None, Asset.CASH, -1)
    with pytest.raises(InsufficientBalance, match="the economy's token dividend pool"):
        kept.apply([Entry(EntryKind.TOKEN_DIVIDEND, None, (pool_account,))])


def test_commands_round_trip_through_their_stored_form() -> None:
    for command in (GiveCoins("ann", 5), CoinsForCash("ann", 1, 2)):
        payload = command_to_payload(command)
        assert payload["kind"] == command.kind
        assert command_from_payload(payload) == command
    assert is_registered("test_give_coins")
    assert not is_registered("nothing")
    with pytest.raises(InvalidRule, match="unknown stored command kind 'nothing'"):
        registered({"kind": "nothing"})
    register(GiveCoins)  # registering the same class again is harmless

    class Impostor(GiveCoins):
        pass

    with pytest.raises(InvalidRule, match="two command classes claim"):
        register(Impostor)


def test_a_mechanism_command_needs_the_holdings_and_the_rules() -> None:
    engine = PoolEngine(pool_rules())
    with pytest.raises(InvalidRule, match="test_give_coins command needs"):
        apply_command(engine, GiveCoins("ann", 5))
    kept = Holdings()
    outcome = apply_command(engine, GiveCoins("ann", 5), kept, CONFIG)
    assert outcome.entries[0].kind is EntryKind.COINS_EARNED
    assert kept.balance("member_coins", "ann", "coins") == 5


def test_wallet_commands_move_the_holdings_they_touch() -> None:
    engine = PoolEngine(pool_rules())
    engine.give_cash("ann", 100)
    kept = Holdings()
    apply_command(engine, HoldCash("ann", 60), kept)
    assert kept.balance("pending_withdrawal", "ann", "cash") == 60
    apply_command(engine, PayOut("ann", 60), kept)
    assert kept.balance("pending_withdrawal", "ann", "cash") == 0
    assert kept.balance("paid_out", None, "cash") == 60
    apply_command(engine, HoldCash("ann", 10))  # without holdings: only the engine moves


def test_the_engine_names_its_newest_members_in_join_order() -> None:
    engine = PoolEngine(pool_rules())
    for member in ("a", "b", "c"):
        engine.add_member(member)
    assert engine.member_count == 3
    assert engine.newest_members(2) == ["b", "c"]
    assert engine.newest_members(0) == []
    assert engine.newest_members(5) == ["a", "b", "c"]


def test_verify_names_a_balance_the_replay_does_not_explain() -> None:
    kept = Holdings({("member_coins", "ann", "coins"): 5})
    found = _compare_holdings(kept, {("member_coins", "ann", "coins"): 6, ("pool", "", "cash"): 1})
    assert [p.what for p in found] == ["'ann''s member_coins coins holds 6, the replay gives 5"]
