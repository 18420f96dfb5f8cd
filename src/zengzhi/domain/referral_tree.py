"""The referral tree as plain arrays: member i's referrer is `parents[i]` (or NO_PARENT).

Design: a day's settlement walks the tree for millions of members, so the tree is two
parallel tuples (ids and parent indices) rather than a node object per member; every
operation is an O(n) pass over integers, never recursion (chains can be deep). The store
will later supply the same arrays from its tables. Each member has at most one referrer,
bound once (mechanisms.md §6): a referral loop is refused when the tree is built.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from zengzhi.domain.errors import DomainError, UnknownMember

NO_PARENT = -1


class ReferralCycle(DomainError):
    """Referrers that refer each other round in a loop: nobody would be at the top."""

    code = "referral_cycle"


@dataclass(frozen=True, slots=True)
class ReferralTree:
    """Members by index; `parents[i]` is the index of i's referrer or NO_PARENT."""

    ids: tuple[str, ...]
    parents: tuple[int, ...]
    depths: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if len(self.parents) != n:
            raise UnknownMember("the referral tree needs exactly one parent entry per member")
        index = {member: i for i, member in enumerate(self.ids)}
        if len(index) != n:
            raise UnknownMember("a member appears twice in the referral tree")
        for p in self.parents:
            if p != NO_PARENT and not 0 <= p < n:
                raise UnknownMember(f"referrer index {p} is not a member of this tree")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "depths", _depths(self.parents))

    @classmethod
    def from_parent_map(cls, parent_of: Mapping[str, str | None]) -> ReferralTree:
        """Build from {member: referrer or None}; every referrer must be a member too."""
        ids = tuple(parent_of)
        index = {member: i for i, member in enumerate(ids)}
        parents = []
        for member, referrer in parent_of.items():
            if referrer is None:
                parents.append(NO_PARENT)
            elif referrer in index:
                parents.append(index[referrer])
            else:
                raise UnknownMember(f"{member!r} names referrer {referrer!r}, who is not a member")
        return cls(ids, tuple(parents))

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, member: str) -> int:
        found = self._index.get(member)
        if found is None:
            raise UnknownMember(f"no member {member!r} in the referral tree")
        return found

    def ancestors(self, i: int, max_depth: int = 0) -> Iterator[int]:
        """i's referrer, then theirs, up to the top (or `max_depth` generations if > 0)."""
        depth = 0
        p = self.parents[i]
        while p != NO_PARENT and (max_depth == 0 or depth < max_depth):
            yield p
            depth += 1
            p = self.parents[p]

    def bottom_up(self) -> list[int]:
        """Every member, deepest first: each member comes before its referrer."""
        return sorted(range(len(self.ids)), key=self.depths.__getitem__, reverse=True)

    def team_totals(self, own: Sequence[int], include_own: bool) -> list[int]:
        """Sum of `own` over each member's whole downline (and the member, if asked)."""
        if len(own) != len(self.ids):
            raise UnknownMember("team totals need exactly one amount per member")
        totals = list(own)
        for i in self.bottom_up():
            p = self.parents[i]
            if p != NO_PARENT:
                totals[p] += totals[i]
        if not include_own:
            totals = [total - mine for total, mine in zip(totals, own, strict=True)]
        return totals


def _depths(parents: tuple[int, ...]) -> tuple[int, ...]:
    """Depth of every member (0 at the top), refusing loops; O(n), no recursion."""
    n = len(parents)
    depths = [-1] * n
    on_path = [False] * n
    for start in range(n):
        path: list[int] = []
        i = start
        while i != NO_PARENT and depths[i] < 0:
            if on_path[i]:
                raise ReferralCycle("the referral tree has a loop: referrers refer each other")
            on_path[i] = True
            path.append(i)
            i = parents[i]
        depth = -1 if i == NO_PARENT else depths[i]
        for j in reversed(path):
            depth += 1
            depths[j] = depth
            on_path[j] = False
    return tuple(depths)
