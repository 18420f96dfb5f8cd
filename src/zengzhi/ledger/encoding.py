"""A canonical, length-prefixed byte encoding: one value, one byte string, no ambiguity.

Each value is a tag byte, an 8-byte big-endian length and the payload: `N` none, `I` an
integer as signed decimal ASCII, `S` UTF-8 text, `B` raw bytes, `L` a list (its payload
is the concatenation of its items' encodings). Two different values never encode alike,
so hashing the encoding commits to every field, including which ones are empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from zengzhi.ledger.model import Leg, Transaction

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


def transaction_fields(prev_hash: bytes, tx: Transaction) -> list[Value]:
    """What the hash of a transaction commits to, in order."""
    return [
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


# Frames of the short strings that recur in every transaction (kinds, assets, holders).
_TEXT_FRAMES: dict[str, bytes] = {}
_ACCOUNT_FRAMES: dict[tuple[str, str, str], bytes] = {}
_CACHE_LIMIT = 1 << 17
_HASH_PREFIX = b"B" + (32).to_bytes(8, "big")


def _text(value: str) -> bytes:
    frame = _TEXT_FRAMES.get(value)
    if frame is None:
        frame = _frame(b"S", value.encode("utf-8"))
        if len(_TEXT_FRAMES) < _CACHE_LIMIT:
            _TEXT_FRAMES[value] = frame
    return frame


def _account(kind: str, holder: str, asset: str) -> bytes:
    key = (kind, holder, asset)
    frame = _ACCOUNT_FRAMES.get(key)
    if frame is None:
        frame = _text(kind) + _text(holder) + _text(asset)
        if len(_ACCOUNT_FRAMES) < _CACHE_LIMIT:
            _ACCOUNT_FRAMES[key] = frame
    return frame


def _int(value: int) -> bytes:
    digits = str(value).encode("ascii")
    return b"I" + len(digits).to_bytes(8, "big") + digits


def encode_transaction(prev_hash: bytes, tx: Transaction) -> bytes:
    """`encode(transaction_fields(prev_hash, tx))`, computed without the generic walk.

    The writer hashes every transaction inside the write path, so this is the hot loop;
    a test checks it against the generic encoding.
    """
    if len(tx.legs) > _BIG:
        all_legs = _many_legs(tx.legs)
    else:
        legs = []
        for leg in tx.legs:
            inner = _account(leg.kind, leg.holder, leg.asset) + _int(leg.amount)
            legs.append(b"L" + len(inner).to_bytes(8, "big") + inner)
        all_legs = b"".join(legs)
    body = b"".join(
        (
            _text(TRANSACTION_DOMAIN),
            _HASH_PREFIX + prev_hash if len(prev_hash) == 32 else _frame(b"B", prev_hash),
            _text(tx.economy_id),
            _int(tx.seq),
            _int(tx.event_seq),
            _text(tx.kind),
            _NONE if tx.member is None else _text(tx.member),
            _int(tx.recorded_at),
            b"L" + len(all_legs).to_bytes(8, "big") + all_legs,
        )
    )
    return b"L" + len(body).to_bytes(8, "big") + body


_BIG = 64  # legs above which a transaction is a bulk payout (a day's dividends)


def _many_legs(legs: Sequence[Leg]) -> bytes:
    """The legs' encodings for a transaction with very many holders (a payout to millions).

    Same bytes as the loop in `encode_transaction`; holders are distinct here, so the
    frame caches would only churn: each frame is built inline from its parts instead.
    """
    frames: dict[str, bytes] = {}
    parts: list[bytes] = []
    append = parts.append
    for leg in legs:
        kind = frames.get(leg.kind) or frames.setdefault(leg.kind, _text(leg.kind))
        asset = frames.get(leg.asset) or frames.setdefault(leg.asset, _text(leg.asset))
        holder = leg.holder.encode("utf-8")
        digits = str(leg.amount).encode("ascii")
        size = len(kind) + len(asset) + len(holder) + len(digits) + 18
        append(b"L" + size.to_bytes(8, "big") + kind + b"S" + len(holder).to_bytes(8, "big"))
        append(holder + asset + b"I" + len(digits).to_bytes(8, "big") + digits)
    return b"".join(parts)
