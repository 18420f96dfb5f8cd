"""Locked grants and shared purchase in the service (§4, §5): what members, operators and
merchants see and do. Members see their locked and released points, the last settled
day's release by kind, their level, star and health value, and the economy's risk
notice; never a forecast of earnings.
"""

from __future__ import annotations

from typing import Any

from zengzhi.app.codec import config_from_json
from zengzhi.app.grant_adjustments import adjust_grant_points
from zengzhi.app.grant_records import DayTotals, MemberStanding
from zengzhi.app.releases import SYSTEMS, grant_config, pay_with_points, tip_points
from zengzhi.domain.entries import AccountKind, Asset
from zengzhi.service.context import Service
from zengzhi.service.errors import InvalidInput, NotFound
from zengzhi.store.grant_repository import SqlGrants, reading_grants

_ASSET = Asset.GRANT_POINTS.value


def _system(store: SqlGrants, economy_id: str) -> tuple[str, dict[str, Any]]:
    text = store.config_json(economy_id)
    if text is None:
        raise NotFound("no such economy")
    config = config_from_json(text)
    return config.system, dict(config.sections.get("disclosure", {}))


def member_grants(svc: Service, economy_id: str, member_id: str) -> dict[str, Any]:
    """A member's grants: balances, the last day's release, level, star, health, each grant."""
    with reading_grants(svc.database) as store:
        system, disclosure = _system(store, economy_id)
        locked = store.balance(
            economy_id, AccountKind.MEMBER_LOCKED_POINTS.value, member_id, _ASSET
        )
        released = store.balance(
            economy_id, AccountKind.MEMBER_RELEASED_POINTS.value, member_id, _ASSET
        )
        standing = store.standing(economy_id, member_id)
        grants = store.member_grants(economy_id, member_id)
    return {
        "economy_id": economy_id,
        "member_id": member_id,
        "system": system,
        "grants_apply": system in SYSTEMS,
        "locked_micro": locked,
        "released_micro": released,
        "last_release": _release(standing),
        "level": standing.level if standing else "",
        "star": standing.star if standing else 0,
        "team_performance_fen": standing.team_fen if standing else 0,
        "team_size": standing.team_size if standing else 0,
        "health": standing.health if standing else 0,
        "grants": [
            {
                "grant_id": g.grant_id,
                "granted_at": g.created_at,
                "level": g.level,
                "points_micro": g.points_micro,
                "release_base_micro": g.base_micro,
                "locked_micro": g.remaining_micro,
            }
            for g in grants
        ],
        "risk": disclosure.get("risk_text", ""),
    }


def _release(standing: MemberStanding | None) -> dict[str, Any] | None:
    if standing is None:
        return None
    kinds = {
        "base": standing.base_micro,
        "referral": standing.referral_micro,
        "team": standing.team_micro,
        "peer": standing.peer_micro,
    }
    return {"day": standing.day, "total_micro": sum(kinds.values()), "by_kind_micro": kinds}


def release_days(svc: Service, economy_id: str, limit: int) -> list[dict[str, Any]]:
    """Each settled day's release totals per kind, newest first."""
    with reading_grants(svc.database) as store:
        _system(store, economy_id)
        days = store.days(economy_id, limit)
    return [_day_json(d) for d in days]


def _day_json(d: DayTotals) -> dict[str, Any]:
    return {
        "day": d.day,
        "event": d.event_seq,
        "sales_fen": d.sales_fen,
        "released_micro": {
            "base": d.base_micro,
            "referral": d.referral_micro,
            "team": d.team_micro,
            "peer": d.peer_micro,
        },
        "forfeited_micro": d.forfeited_micro,
        "members_released": d.members,
    }


def team_performance(svc: Service, economy_id: str, limit: int) -> list[dict[str, Any]]:
    """Members by team performance (as of the last settled day), with star and health."""
    with reading_grants(svc.database) as store:
        _system(store, economy_id)
        rows = store.top_teams(economy_id, limit)
    return [
        {
            "member_id": r.member_id,
            "day": r.day,
            "team_performance_fen": r.team_fen,
            "team_size": r.team_size,
            "star": r.star,
            "level": r.level,
            "health": r.health,
        }
        for r in rows
    ]


def _key(key: str) -> str:
    if not key or len(key) > 100:
        raise InvalidInput("send an Idempotency-Key header (1-100 characters) with this request")
    return key


def tip(
    svc: Service, economy_id: str, merchant_id: str, key: str, member_id: str, points_micro: int
) -> dict[str, Any]:
    """A merchant tips a member from its own points; idempotent by the merchant's key."""
    request_id = f"{merchant_id}:{_key(key)}"

    def work(uow: Any) -> dict[str, Any]:
        grant_config(uow.ledger, economy_id)
        if not uow.grants.party_exists(economy_id, "members", member_id):
            raise NotFound("no such member")
        reply = tip_points(
            uow, svc.engines, economy_id, request_id, merchant_id, member_id, points_micro,
            svc.now(),
        )  # fmt: skip
        result = reply.result()
        result["replayed"] = reply.replayed
        return result

    return svc.run(work)


def pay(
    svc: Service, economy_id: str, member_id: str, key: str, merchant_id: str, points_micro: int
) -> dict[str, Any]:
    """A member pays a merchant with released points; idempotent by the member's key."""
    request_id = f"{member_id}:{_key(key)}"

    def work(uow: Any) -> dict[str, Any]:
        grant_config(uow.ledger, economy_id)
        if not uow.grants.party_exists(economy_id, "merchants", merchant_id):
            raise NotFound("no such merchant")
        reply = pay_with_points(
            uow, svc.engines, economy_id, request_id, member_id, merchant_id, points_micro,
            svc.now(),
        )  # fmt: skip
        result = reply.result()
        result["replayed"] = reply.replayed
        return result

    return svc.run(work)


def adjust(
    svc: Service,
    economy_id: str,
    operator_id: str,
    member_id: str,
    delta_micro: int,
    reason: str,
    key: str,
) -> dict[str, Any]:
    """An operator's audited addition to or deduction from a member's locked grant points.

    Idempotent by the operator's key; the audit row is written with the change, once.
    """
    if type(delta_micro) is not int or delta_micro == 0:
        raise InvalidInput("a grant adjustment is a non-zero whole number of micro-points")
    if not reason.strip():
        raise InvalidInput("a grant adjustment needs a reason")
    request_id = f"{operator_id}:{_key(key)}"

    def work(uow: Any) -> dict[str, Any]:
        grant_config(uow.ledger, economy_id)
        if not uow.grants.party_exists(economy_id, "members", member_id):
            raise NotFound("no such member")
        now = svc.now()
        reply = adjust_grant_points(
            uow, svc.engines, economy_id, request_id, member_id, delta_micro, reason.strip(), now
        )
        result = reply.result()
        if not reply.replayed:
            uow.service.audit(
                economy_id, now, f"operator:{operator_id}", "member.grant_adjusted", member_id,
                {"delta_micro": delta_micro, "reason": reason.strip(), "event": reply.event_seq},
            )  # fmt: skip
        result["replayed"] = reply.replayed
        return result

    return svc.run(work)
