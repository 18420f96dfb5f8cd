"""The hash chain: each transaction's hash commits to its fields and to the previous hash.

Altering, removing, inserting or reordering any transaction changes the hash of that
transaction and of every later one, so a verifier names the first one that differs.
"""

from __future__ import annotations

import hashlib

from zengzhi.ledger.encoding import encode_transaction
from zengzhi.ledger.model import Transaction

GENESIS = bytes(32)  # the "previous hash" of an economy's first transaction


def chain_hash(prev_hash: bytes, tx: Transaction) -> bytes:
    """SHA-256 over the canonical encoding of (prev_hash, tx)."""
    return hashlib.sha256(encode_transaction(prev_hash, tx)).digest()
