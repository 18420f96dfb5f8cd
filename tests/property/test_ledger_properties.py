"""Properties of the ledger's pure parts, over generated values."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from zengzhi.ledger import encode, inclusion_path, merkle_root, verify_inclusion

values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.integers() | st.text(max_size=5) | st.binary(max_size=5),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=10,
)


@given(values, values)
def test_values_encode_alike_only_when_equal(a: Any, b: Any) -> None:
    assert (encode(a) == encode(b)) == (a == b)


@given(st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=40), st.data())
def test_every_proof_verifies_and_a_changed_leaf_does_not(
    leaves: list[bytes], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle_root(leaves)
    path = inclusion_path(leaves, index)
    assert verify_inclusion(leaves[index], index, len(leaves), path, root)
    assert not verify_inclusion(leaves[index] + b"x", index, len(leaves), path, root)
