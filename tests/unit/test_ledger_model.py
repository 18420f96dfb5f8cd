"""The ledger's pure parts: balance rules, the canonical encoding, the chain, the audit."""

from __future__ import annotations

import pytest

from zengzhi.domain import AccountKind, Asset, Entry, EntryKind, Posting
from zengzhi.ledger import (
    GENESIS,
    Audit,
    Leg,
    NegativeBalance,
    Transaction,
    UnbalancedTransaction,
    apply_legs,
    chain_hash,
    check_balanced,
    encode,
    encode_transaction,
    legs_of,
)
from zengzhi.ledger.encoding import transaction_fields

POOL_IN = Leg("pool", "", "cash", 300)
FUNDING_OUT = Leg("order_funding", "", "cash", -300)


def _tx(seq: int, amount: int = 300, member: str | None = "m1") -> Transaction:
    legs = (Leg("order_funding", "", "cash", -amount), Leg("pool", "", "cash", amount))
    return Transaction("e1", seq, seq, "order", member, 1_000 * seq, legs)


def test_a_balanced_transaction_passes() -> None:
    check_balanced([POOL_IN, FUNDING_OUT])


def test_an_unbalanced_transaction_names_the_asset() -> None:
    with pytest.raises(UnbalancedTransaction, match="cash \\+1"):
        check_balanced([POOL_IN, Leg("order_funding", "", "cash", -299)])


def test_balances_are_per_asset() -> None:
    with pytest.raises(UnbalancedTransaction, match="points"):
        check_balanced([POOL_IN, Leg("points_supply", "", "points", -300)])


def test_only_sources_may_go_negative() -> None:
    balances: dict[tuple[str, str, str], int] = {}
    apply_legs(balances, [POOL_IN, FUNDING_OUT])
    assert balances[("order_funding", "", "cash")] == -300
    with pytest.raises(NegativeBalance, match="member_cash/m1"):
        apply_legs(balances, [Leg("member_cash", "m1", "cash", -1), Leg("pool", "", "cash", 1)])


def test_legs_of_an_entry_keep_the_engine_order_and_values() -> None:
    entry = Entry(
        EntryKind.ORDER,
        "m1",
        (
            Posting(AccountKind.POINTS_SUPPLY, None, Asset.POINTS, -5),
            Posting(AccountKind.MEMBER_POINTS, "m1", Asset.POINTS, 5),
        ),
    )
    assert legs_of(entry) == (
        Leg("points_supply", "", "points", -5),
        Leg("member_points", "m1", "points", 5),
    )


def test_the_encoding_is_length_prefixed_and_typed() -> None:
    assert encode("ab") == b"S" + (2).to_bytes(8, "big") + b"ab"
    assert encode(None) != encode("")
    assert encode(1) != encode("1")
    assert encode(["a", "b"]) != encode(["ab"])
    assert encode([["a"], "b"]) != encode(["a", ["b"]])
    with pytest.raises(TypeError):
        encode(True)


@pytest.mark.parametrize("member", [None, "", "会员-7"])
def test_the_fast_transaction_encoding_equals_the_generic_one(member: str | None) -> None:
    tx = _tx(7, member=member)
    assert encode_transaction(GENESIS, tx) == encode(transaction_fields(GENESIS, tx))


def test_a_payout_to_many_holders_encodes_as_the_generic_encoding_does() -> None:
    # above 64 legs the encoder takes its bulk path (a day's dividends to a million)
    legs = (
        Leg("daily_dividend_pool", "", "cash", -sum(range(1, 201))),
        *(Leg("member_cash", f"会员{i}", "cash", i) for i in range(1, 201)),
    )
    tx = Transaction("e", 9, 4, "daily_dividend_pro_rata", None, 123, legs)
    assert encode_transaction(GENESIS, tx) == encode(transaction_fields(GENESIS, tx))


def test_every_field_changes_the_hash() -> None:
    base = _tx(3)
    variants = [
        _tx(4),
        _tx(3, amount=301),
        _tx(3, member=None),
        Transaction("e2", 3, 3, "order", "m1", 3_000, base.legs),
        Transaction("e1", 3, 2, "order", "m1", 3_000, base.legs),
        Transaction("e1", 3, 3, "sale", "m1", 3_000, base.legs),
        Transaction("e1", 3, 3, "order", "m1", 3_001, base.legs),
        Transaction("e1", 3, 3, "order", "m1", 3_000, base.legs[::-1]),
    ]
    hashes = {chain_hash(GENESIS, tx) for tx in variants}
    assert chain_hash(GENESIS, base) not in hashes
    assert len(hashes) == len(variants)
    assert chain_hash(b"\x01" * 32, base) != chain_hash(GENESIS, base)


def _stored(n: int) -> list[tuple[Transaction, bytes]]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        tx = _tx(seq)
        prev = chain_hash(prev, tx)
        rows.append((tx, prev))
    return rows


def test_the_audit_accepts_an_untouched_chain() -> None:
    rows = _stored(5)
    audit = Audit("e1")
    for tx, digest in rows:
        audit.add(tx, digest)
    stored = {("order_funding", "", "cash"): -1500, ("pool", "", "cash"): 1500}
    assert audit.finish(5, rows[-1][1], stored) == []


def test_the_audit_names_an_altered_transaction() -> None:
    rows = _stored(5)
    rows[2] = (_tx(3, amount=999), rows[2][1])
    audit = Audit("e1")
    for tx, digest in rows:
        audit.add(tx, digest)
    problems = audit.finish(5, rows[-1][1], {})
    assert problems[0].seq == 3


def test_the_audit_names_a_missing_transaction() -> None:
    rows = _stored(5)
    del rows[1]
    audit = Audit("e1")
    for tx, digest in rows:
        audit.add(tx, digest)
    assert min(p.seq for p in audit.finish(5, rows[-1][1], {}) if p.seq) == 2
