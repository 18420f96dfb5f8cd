"""The commands of locked grants (§4) and shared purchase (§5), as replayable events.

Design and decided choices:
- `LockGrant` is an order's effect: the grant decided by the app layer from the rules
  (§4: level by single purchase; §5: the day's issuance ratio) is recorded in the payload
  and locked GRANT_SUPPLY → MEMBER_LOCKED_POINTS. The grant's own record (base, remaining,
  day) is a projection the store keeps beside the ledger.
- `ReleaseGrantsDay` is one day's release of an economy, decided by
  `grant_release.settle_locked_day` or `health.settle_health_day` from stored grants,
  the referral tree and stars or health values, none of which the engine keeps; the
  payload holds the decision (per kind, who released how much) and `apply` re-checks it
  against the holdings: nobody releases more than they have locked.
- A day's release is written as one transaction per kind of release with one pair of
  postings per member, not one transaction per member: a day of a million members is
  four transactions.
- `PayWithPoints` (§5, seed 002 "用户可用积分回购商品"): a member pays a merchant with
  released points; this is how a merchant comes to hold points it can tip (decided:
  nothing is minted for merchants). `TipPoints` gives them on to a member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from zengzhi.domain.commands import register
from zengzhi.domain.economy import EconomyConfig
from zengzhi.domain.entries import AccountKind, Asset, Entry, EntryKind, Posting, transfer
from zengzhi.domain.errors import InvalidAmount
from zengzhi.domain.health import SharedPurchaseRules, tip_entry
from zengzhi.domain.holdings import Holdings
from zengzhi.domain.locked_grants import grant_entry
from zengzhi.domain.pool import Outcome, PoolEngine

Amounts = tuple[tuple[str, int], ...]  # (member, micro-points), members with something only

# the kinds of a day's release, in the order they are taken (grant_release.py)
RELEASE_KINDS: tuple[EntryKind, ...] = (
    EntryKind.GRANT_RELEASE,
    EntryKind.REFERRAL_ACCELERATION,
    EntryKind.TEAM_ACCELERATION,
    EntryKind.PEER_REWARD,
)
RELEASE_NAMES: tuple[str, ...] = ("base", "referral", "team", "peer")


def _whole(value: object, what: str, minimum: int = 0) -> int:
    if type(value) is not int or value < minimum:
        raise InvalidAmount(f"{what} must be a whole number of at least {minimum}")
    return value


@register
@dataclass(frozen=True, slots=True)
class LockGrant:
    """Lock `points_micro` for `member`, released later at a rate of `base_micro` a day."""

    kind: ClassVar[str] = "locked_grant"
    member: str
    grant_id: str  # the order id the grant comes from
    points_micro: int
    base_micro: int
    level: str  # §4: the level's name; §5: the health-free issuance ("" when none)

    def payload(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "grant_id": self.grant_id,
            "points_micro": self.points_micro,
            "base_micro": self.base_micro,
            "level": self.level,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(
            str(payload["member"]),
            str(payload["grant_id"]),
            payload["points_micro"],
            payload["base_micro"],
            str(payload["level"]),
        )

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        _whole(self.base_micro, "a grant's release base", 1)
        entry = grant_entry(self.member, _whole(self.points_micro, "a grant", 1))
        holdings.apply([entry])
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "member": self.member,
            "grant_id": self.grant_id,
            "locked_micro": self.points_micro,
            "level": self.level,
        }


@register
@dataclass(frozen=True, slots=True)
class ReleaseGrantsDay:
    """One local day's releases: per kind (base, referral, team, peer), who released what."""

    kind: ClassVar[str] = "grant_release_day"
    day: str
    base: Amounts
    referral: Amounts = ()
    team: Amounts = ()
    peer: Amounts = ()

    def by_kind(self) -> tuple[Amounts, Amounts, Amounts, Amounts]:
        return (self.base, self.referral, self.team, self.peer)

    def totals(self) -> dict[str, int]:
        return {
            name: sum(a for _, a in amounts)
            for name, amounts in zip(RELEASE_NAMES, self.by_kind(), strict=True)
        }

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"day": self.day}
        for name, amounts in zip(RELEASE_NAMES, self.by_kind(), strict=True):
            out[name] = [[m, a] for m, a in amounts]
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        def read(name: str) -> Amounts:
            return tuple((str(m), a) for m, a in payload.get(name, ()))

        return cls(str(payload["day"]), read("base"), read("referral"), read("team"), read("peer"))

    def entries(self) -> list[Entry]:
        """One entry per kind, each moving every member's amount locked → released."""
        out: list[Entry] = []
        locked, released = AccountKind.MEMBER_LOCKED_POINTS, AccountKind.MEMBER_RELEASED_POINTS
        asset = Asset.GRANT_POINTS
        for kind, amounts in zip(RELEASE_KINDS, self.by_kind(), strict=True):
            postings: list[Posting] = []
            for member, amount in amounts:
                _whole(amount, "a release", 1)
                postings.append(Posting(locked, member, asset, -amount))
                postings.append(Posting(released, member, asset, amount))
            if postings:
                out.append(Entry(kind, None, tuple(postings)))
        return out

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        for amounts in self.by_kind():
            if len({m for m, _ in amounts}) != len(amounts):
                raise InvalidAmount(f"day {self.day}: a member appears twice in one release kind")
        entries = self.entries()
        holdings.apply(entries)  # nobody releases more than they still have locked
        return Outcome(tuple(entries), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        members = {m for amounts in self.by_kind() for m, _ in amounts}
        return {"day": self.day, "released_micro": self.totals(), "members": len(members)}


def release_amounts(member_ids: Sequence[str], amounts: Sequence[int]) -> Amounts:
    """(member, amount) for every member with a non-zero amount, by position."""
    if len(member_ids) != len(amounts):
        raise InvalidAmount("release amounts need exactly one member id per member")
    return tuple((m, a) for m, a in zip(member_ids, amounts, strict=True) if a)


@register
@dataclass(frozen=True, slots=True)
class PayWithPoints:
    """A member pays a merchant with released grant points (§5 "积分回购商品")."""

    kind: ClassVar[str] = "grant_points_payment"
    member: str
    merchant: str
    points_micro: int

    def payload(self) -> dict[str, Any]:
        return {"member": self.member, "merchant": self.merchant, "points_micro": self.points_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(str(payload["member"]), str(payload["merchant"]), payload["points_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        amount = _whole(self.points_micro, "a payment in points", 1)
        legs = transfer(
            Asset.GRANT_POINTS,
            amount,
            (AccountKind.MEMBER_RELEASED_POINTS, self.member),
            (AccountKind.MERCHANT_GRANT_POINTS, self.merchant),
        )
        entry = Entry(EntryKind.GRANT_POINTS_PAYMENT, self.member, legs)
        holdings.apply([entry])  # refuses paying with points the member does not have
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {"member": self.member, "merchant": self.merchant, "paid_micro": self.points_micro}


@register
@dataclass(frozen=True, slots=True)
class TipPoints:
    """A merchant tips a member out of the merchant's own grant points (§5)."""

    kind: ClassVar[str] = "merchant_tip"
    merchant: str
    member: str
    points_micro: int

    def payload(self) -> dict[str, Any]:
        return {"merchant": self.merchant, "member": self.member, "points_micro": self.points_micro}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        return cls(str(payload["merchant"]), str(payload["member"]), payload["points_micro"])

    def apply(self, engine: PoolEngine, holdings: Holdings, config: EconomyConfig) -> Outcome:
        rules = SharedPurchaseRules.from_sections(config.sections)
        holds = holdings.balance(
            AccountKind.MERCHANT_GRANT_POINTS, self.merchant, Asset.GRANT_POINTS
        )
        amount = _whole(self.points_micro, "a tip", 1)
        entry = tip_entry(rules, self.merchant, self.member, amount, holds)
        holdings.apply([entry])
        return Outcome((entry,), ())

    def summary(self, outcome: Outcome) -> dict[str, Any]:
        return {"merchant": self.merchant, "member": self.member, "tipped_micro": self.points_micro}
