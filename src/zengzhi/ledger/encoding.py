"""A canonical, length-prefixed byte encoding: one value, one byte string, no ambiguity.

Each value is a tag byte, an 8-byte big-endian length and the payload: `N` none, `I` an
integer as signed decimal ASCII, `S` UTF-8 text, `B` raw bytes, `L` a list (its payload
is the concatenation of its items' encodings). Two different values never encode alike,
so hashing the encoding commits to every field, including which ones are empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from zengzhi.ledger.model import Transaction

Value: TypeAlias = int | str | bytes | Sequence["Value"] | None

TRANSACTION_DOMAIN = "zengzhi.transaction.v1"

_NONE = b"N" + (0).to_bytes(8, "big")


def _frame(tag: bytes, payload: bytes) -> bytes:
    return tag + len(payload).to_bytes(8, "big") + payload


def encode(value: Value) -> bytes:
    """The canonical encoding of a value."""
    if value is None:
        return _NONE
    if isinstance(value, bool):
        raise TypeError("booleans are not part of the canonical encoding; use 0 or 1")
    if isinstance(value, int):
        return _frame(b"I", str(value).encode("ascii"))
    if isinstance(value, str):
        return _frame(b"S", value.encode("utf-8"))
    if isinstance(value, bytes):
        return _frame(b"B", value)
    return _frame(b"L", b"".join(encode(item) for item in value))


def encode_transaction(prev_hash: bytes, tx: Transaction) -> bytes:
    """Every field of a transaction and the hash of the one before it, canonically."""
    return encode(
        [
            TRANSACTION_DOMAIN,
            prev_hash,
            tx.economy_id,
            tx.seq,
            tx.event_seq,
            tx.kind,
            tx.member,
            tx.recorded_at,
            [[leg.kind, leg.holder, leg.asset, leg.amount] for leg in tx.legs],
        ]
    )
