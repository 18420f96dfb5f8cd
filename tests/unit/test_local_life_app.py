"""How the app layer gathers a split's data: the referral chain and the regions' paths."""

from __future__ import annotations

from zengzhi.app.local_life import referrers, region_paths


def test_the_chain_is_the_direct_then_the_indirect_referrer() -> None:
    assert referrers("bob", ("alice", "olga")) == ("alice", "olga")
    assert referrers("olga", ("pat", None)) == ("pat",)
    assert referrers("pat", (None, None)) == ()


def test_a_loop_in_the_tree_never_pays_the_buyer_or_anyone_twice() -> None:
    assert referrers("bob", ("alice", "bob")) == ("alice",)
    assert referrers("bob", ("alice", "alice")) == ("alice",)
    assert referrers("bob", ("bob", "alice")) == ()


def test_a_region_names_each_level_by_its_path_and_stops_at_a_blank() -> None:
    assert region_paths("广东", "深圳", "南山") == {
        "province": "广东", "city": "广东/深圳", "district": "广东/深圳/南山",
    }  # fmt: skip
    assert region_paths("广东", "", "南山") == {"province": "广东"}
    assert region_paths("", "", "") == {}
