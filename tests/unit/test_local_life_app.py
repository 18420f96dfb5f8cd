"""How the app layer gathers a split's data: the referral chain and the regions' paths."""

from __future__ import annotations

from typing import Any

from zengzhi.app.local_life import referrers, region_paths


class Chain:
    """A referral tree as the member accounts hold it: member -> referrer."""

    def __init__(self, up: dict[str, str]) -> None:
        self.up = up

    def terms(self, economy_id: str, store_id: str) -> Any:
        return None

    def agent(self, economy_id: str, level: str, region: str) -> str | None:
        return None

    def referrer_of(self, economy_id: str, member_id: str) -> str | None:
        return self.up.get(member_id)


def test_the_chain_is_the_direct_then_the_indirect_referrer() -> None:
    tree = Chain({"bob": "alice", "alice": "olga", "olga": "pat"})
    assert referrers(tree, "e", "bob") == ("alice", "olga")
    assert referrers(tree, "e", "olga") == ("pat",)
    assert referrers(tree, "e", "pat") == ()


def test_a_loop_in_the_tree_never_pays_the_buyer_or_anyone_twice() -> None:
    assert referrers(Chain({"bob": "alice", "alice": "bob"}), "e", "bob") == ("alice",)
    assert referrers(Chain({"bob": "alice", "alice": "alice"}), "e", "bob") == ("alice",)


def test_a_region_names_each_level_by_its_path_and_stops_at_a_blank() -> None:
    assert region_paths("广东", "深圳", "南山") == {
        "province": "广东", "city": "广东/深圳", "district": "广东/深圳/南山",
    }  # fmt: skip
    assert region_paths("广东", "", "南山") == {"province": "广东"}
    assert region_paths("", "", "") == {}
