"""Merkle trees over transaction hashes, as in RFC 9162 (Certificate Transparency 2.0).

Leaves and inner nodes are hashed with different prefixes (0x00, 0x01) so that a leaf can
never pass for a node. A tree over n leaves splits at the largest power of two below n.
An inclusion proof is the list of sibling hashes from a leaf up to the root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The root over the leaf data (each leaf is hashed with `leaf_hash`)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [leaf_hash(leaf) for leaf in leaves]
    return _root_of_hashes(level)


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root_of_hashes(hashes[:k]), _root_of_hashes(hashes[k:]))


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path proving leaf `index` is in the tree over `leaves`."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    return _path(index, [leaf_hash(leaf) for leaf in leaves])


def _path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) <= 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(index, hashes[:k]), _root_of_hashes(hashes[k:])]
    return [*_path(index - k, hashes[k:]), _root_of_hashes(hashes[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `path` prove `leaf` sits at `index` of the tree `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Proof that one transaction's hash is in a checkpoint's Merkle root."""

    economy_id: str
    seq: int
    tx_hash: bytes
    checkpoint: int
    index: int
    size: int
    path: tuple[bytes, ...]
    root: bytes

    def verify(self) -> bool:
        return verify_inclusion(self.tx_hash, self.index, self.size, self.path, self.root)

    def to_json(self) -> dict[str, Any]:
        """The proof as the public API serves it: hashes as lowercase hex."""
        return {
            "economy_id": self.economy_id,
            "seq": self.seq,
            "leaf": self.tx_hash.hex(),
            "checkpoint": self.checkpoint,
            "index": self.index,
            "size": self.size,
            "path": [h.hex() for h in self.path],
            "root": self.root.hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InclusionProof:
        """Read a proof in the API's layout; ValueError/KeyError/TypeError if malformed."""
        ints = [data[k] for k in ("seq", "checkpoint", "index", "size")]
        if not all(type(v) is int for v in ints) or not isinstance(data["economy_id"], str):
            raise TypeError("seq, checkpoint, index and size must be whole numbers")
        path = data["path"]
        if not isinstance(path, list):
            raise TypeError("path must be a list of hex hashes")
        return cls(
            data["economy_id"],
            ints[0],
            _hash32(data["leaf"]),
            ints[1],
            ints[2],
            ints[3],
            tuple(_hash32(h) for h in path),
            _hash32(data["root"]),
        )


def _hash32(text: Any) -> bytes:
    value = bytes.fromhex(text) if isinstance(text, str) else b""
    if len(value) != 32:
        raise ValueError(f"{text!r} is not a 32-byte hex hash")
    return value
