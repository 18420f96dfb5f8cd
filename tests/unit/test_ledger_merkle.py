"""Merkle roots and inclusion proofs (RFC 9162), including a published test vector."""

from __future__ import annotations

import hashlib

import pytest

from zengzhi.ledger import inclusion_path, leaf_hash, merkle_root, verify_inclusion


def test_the_root_of_one_leaf_is_its_leaf_hash() -> None:
    assert merkle_root([b"a"]) == leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()


def test_the_empty_tree_has_the_hash_of_nothing() -> None:
    assert merkle_root([]) == hashlib.sha256(b"").digest()


def test_the_tree_splits_at_the_largest_power_of_two() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    left = hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle_root([b"a", b"b", b"c"]) == hashlib.sha256(b"\x01" + left + c).digest()


def test_the_certificate_transparency_vector() -> None:
    # the 8-leaf tree of the Certificate Transparency reference tests (merkle_tree_test.cc)
    leaves = [
        bytes.fromhex(h)
        for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                  "606162636465666768696a6b6c6d6e6f")
    ]  # fmt: skip
    expected = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert merkle_root(leaves).hex() == expected


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_every_leaf_has_a_proof(size: int) -> None:
    leaves = [bytes([n]) * 4 for n in range(size)]
    root = merkle_root(leaves)
    for index in range(size):
        path = inclusion_path(leaves, index)
        assert verify_inclusion(leaves[index], index, size, path, root)
        assert not verify_inclusion(b"forged", index, size, path, root)
        if size > 1:
            other = (index + 1) % size
            assert not verify_inclusion(leaves[index], other, size, path, root)


def test_a_leaf_outside_the_tree_has_no_proof() -> None:
    with pytest.raises(IndexError):
        inclusion_path([b"a"], 1)
    assert not verify_inclusion(b"a", 1, 1, [], merkle_root([b"a"]))
