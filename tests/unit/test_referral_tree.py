"""The referral tree as arrays: built from a parent map, walked upwards, summed per team."""

from __future__ import annotations

import pytest

from zengzhi.domain.errors import UnknownMember
from zengzhi.domain.referral_tree import NO_PARENT, ReferralCycle, ReferralTree


def _chain() -> ReferralTree:
    return ReferralTree.from_parent_map({"A": None, "B": "A", "C": "B", "D": "C"})


def test_a_parent_map_becomes_parent_indices_in_the_maps_order() -> None:
    tree = _chain()
    assert tree.parents == (NO_PARENT, 0, 1, 2)
    assert tree.index("C") == 2
    assert tree.depths == (0, 1, 2, 3)


def test_ancestors_walk_up_to_the_top_or_to_a_number_of_generations() -> None:
    tree = _chain()
    assert list(tree.ancestors(3)) == [2, 1, 0]
    assert list(tree.ancestors(3, max_depth=2)) == [2, 1]
    assert list(tree.ancestors(0)) == []


def test_team_totals_sum_the_whole_downline_with_or_without_the_member() -> None:
    tree = ReferralTree.from_parent_map({"A": None, "B": "A", "C": "A", "D": "B"})
    own = [1, 10, 100, 1000]
    assert tree.team_totals(own, include_own=False) == [1110, 1000, 0, 0]
    assert tree.team_totals(own, include_own=True) == [1111, 1010, 100, 1000]


def test_a_member_listed_before_their_referrer_is_fine() -> None:
    tree = ReferralTree.from_parent_map({"B": "A", "A": None})
    assert tree.depths == (1, 0)
    assert tree.bottom_up() == [0, 1]


def test_a_referral_loop_is_refused() -> None:
    with pytest.raises(ReferralCycle):
        ReferralTree.from_parent_map({"A": "C", "B": "A", "C": "B"})


def test_a_referrer_who_is_not_a_member_is_refused() -> None:
    with pytest.raises(UnknownMember, match="'X'"):
        ReferralTree.from_parent_map({"A": "X"})


@pytest.mark.parametrize(
    ("ids", "parents"),
    [(("A", "B"), (NO_PARENT,)), (("A", "A"), (NO_PARENT, NO_PARENT)), (("A",), (5,))],
)
def test_malformed_arrays_are_refused(ids: tuple[str, ...], parents: tuple[int, ...]) -> None:
    with pytest.raises(UnknownMember):
        ReferralTree(ids, parents)


def test_an_unknown_member_has_no_index_and_team_totals_need_one_amount_each() -> None:
    tree = _chain()
    with pytest.raises(UnknownMember):
        tree.index("Z")
    with pytest.raises(UnknownMember):
        tree.team_totals([1, 2], include_own=False)
