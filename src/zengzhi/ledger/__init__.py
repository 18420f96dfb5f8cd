"""The double-entry ledger: transactions, balance rules, the hash chain and Merkle checkpoints.

Pure like the domain (standard library and `zengzhi.domain` only); the store persists what
this package computes and `verify` recomputes it from the stored rows.
"""

from zengzhi.ledger.audit import Audit, Problem, first_broken
from zengzhi.ledger.chain import GENESIS, chain_hash
from zengzhi.ledger.encoding import encode, encode_transaction
from zengzhi.ledger.merkle import (
    InclusionProof,
    inclusion_path,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)
from zengzhi.ledger.model import (
    Checkpoint,
    Leg,
    NegativeBalance,
    Transaction,
    UnbalancedTransaction,
    apply_legs,
    check_balanced,
    is_source,
    legs_of,
)

__all__ = [
    "GENESIS",
    "Audit",
    "Checkpoint",
    "InclusionProof",
    "Leg",
    "NegativeBalance",
    "Problem",
    "Transaction",
    "UnbalancedTransaction",
    "apply_legs",
    "chain_hash",
    "check_balanced",
    "encode",
    "encode_transaction",
    "first_broken",
    "inclusion_path",
    "is_source",
    "leaf_hash",
    "legs_of",
    "merkle_root",
    "verify_inclusion",
]
