"""An operator adds or deducts a member's locked grant points by hand (§4 back office).

Design and decided choices:
- An addition is locked GRANT_SUPPLY → MEMBER_LOCKED_POINTS as a new grant of its own
  (`grant_id` given by the app layer, `adjust:<operator>:<key>`), released like any grant:
  at the release rate of its base, which is the added points themselves (there is no
  order amount to take a base from), recorded in the payload so the grants projection
  and `verify` agree.
- A deduction goes back MEMBER_LOCKED_POINTS → GRANT_SUPPLY and comes off the member's
  open grants oldest first; the app layer decides which grants from the stored
  projection and records the split in the payload (`from_grants`), and `apply` re-checks
  that the split adds up to the deduction. Holdings refuses a deduction above what the
  member has locked (`insufficient_balance`) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, transfer
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.pool import Outcome, PoolEngine

Split = tuple[tuple[str, int], ...]  # (grant id, micro-points taken from it), oldest first


@register
@dataclass(frozen=True, slots=True)
class AdjustGrantPoints:
    """Add (positive) or deduct (negative) `delta_micro` of `member`'s locked grant points."""

    kind: ClassVar[str] = "grant_adjustment"
    member: str
    delta_micro: int
    reason: str  # the operator's reason, also in the audit log
    grant_id: str = ""  # an addition's new grant
    base_micro: int = 0  # an addition's release base
    level: str = ""  # an addition's level, for display
    from_grants: Split = ()  # a deduction's split over the member's grants

    def payload(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "delta_micro": self.delta_micro,
            "reason": self.reason,
            "grant_id": self.grant_id,
            "base_micro": self.base_micro,
            "level": self.level,
            "from_grants": [[g, a] for g, a in self.from_grants],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            str(payload["member"]),
            payload["delta_micro"],
            str(payload["reason"]),
            str(payload.get("grant_id", "")),
            payload.get("base_micro", 0),
            str(payload.get("level", "")),
            tuple((str(g), a) for g, a in payload.get("from_grants", ())),
        )

    def entry(self) -> Entry:
        delta = self.delta_micro
        if not self.reason.strip():
            raise InvalidAmount("a grant adjustment needs a reason")
        if type(delta) is not int or delta == 0:
            raise InvalidAmount(
                "a grant adjustment must be a non-zero whole number of micro-points"
            )
        supply = (AccountKind.GRANT_SUPPLY, None)
        locked = (AccountKind.MEMBER_LOCKED_POINTS, self.member)
        if delta > 0:
            if not self.grant_id or type(self.base_micro) is not int or self.base_micro < 1:
                raise InvalidAmount("an added grant needs its grant id and a positive release base")
            legs = transfer(Asset.GRANT_POINTS, delta, supply, locked)
        else:
            if any(type(a) is not int or a < 1 for _, a in self.from_grants) or (
                sum(a for _, a in self.from_grants) != -delta
            ):
                raise InvalidAmount("a deduction's split over the grants must add up to it")
            legs = transfer(Asset.GRANT_POINTS, -delta, locked, supply)
        return Entry(EntryKind.GRANT_ADJUSTMENT, self.member, legs)

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        entry = self.entry()
        holdings.apply([entry])  # refuses deducting more than the member has locked
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        out: dict[str, Any] = {
            "member": self.member,
            "delta_micro": self.delta_micro,
            "reason": self.reason,
        }
        if self.delta_micro > 0:
            out["grant_id"] = self.grant_id
        else:
            out["from_grants"] = [{"grant_id": g, "micro": a} for g, a in self.from_grants]
        return out
