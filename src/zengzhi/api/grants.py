"""Locked grants and shared purchase over HTTP (§4, §5): members, operators, merchants."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, IdempotencyKey, MemberDep, OperatorDep, ServiceDep
from zengzhi.api.merchants import Merchant
from zengzhi.service import grants
from zengzhi.service.operators import require

router = APIRouter(tags=["grants"])


class PayIn(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=128)
    points_micro: int = Field(ge=1, le=2**62, description="Released micro-points to pay")


class TipIn(BaseModel):
    tip_id: str = Field(min_length=1, max_length=100, description="Your own id: retries tip once")
    member_id: str = Field(min_length=1, max_length=128)
    points_micro: int = Field(ge=1, le=2**62, description="Micro-points from your own points")


class GrantAdjustIn(BaseModel):
    amount_micro: int = Field(
        ge=-(2**52), le=2**52, description="Micro-points of locked grant; negative deducts"
    )
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/v1/economies/{economy_id}/members/{member_id}/grant-adjustments",
    summary="Add or deduct a member's locked grant points with a reason (audited)",
)
def adjust(
    economy_id: EconomyId,
    member_id: str,
    body: GrantAdjustIn,
    operator: OperatorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    require(service, operator, economy_id, "adjust")
    return grants.adjust(
        service, economy_id, operator, member_id, body.amount_micro, body.reason,
        idempotency_key or "",
    )  # fmt: skip


@router.get(
    "/v1/economies/{economy_id}/me/grants",
    summary="My locked and released points, the last day's release, level, star, health",
)
def my_grants(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return grants.member_grants(service, economy_id, member)


@router.post(
    "/v1/economies/{economy_id}/me/grants/pay",
    summary="Pay a merchant with released points (needs an Idempotency-Key)",
)
def pay(
    economy_id: EconomyId,
    body: PayIn,
    member: MemberDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return grants.pay(
        service, economy_id, member, idempotency_key or "", body.merchant_id, body.points_micro
    )


@router.get(
    "/v1/economies/{economy_id}/grants/days",
    summary="Each settled day's releases per kind (own, referral, team, peer), newest first",
)
def release_days(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    limit: int = Query(60, ge=1, le=1000),
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "reports")
    return grants.release_days(service, economy_id, limit)


@router.get(
    "/v1/economies/{economy_id}/grants/teams",
    summary="Members by team performance, with their star, level and health value",
)
def teams(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "see_members")
    return grants.team_performance(service, economy_id, limit)


@router.post("/v1/merchant/tips", summary="Tip a member from your own points (idempotent)")
def tip(body: TipIn, merchant: Merchant, service: ServiceDep) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return grants.tip(
        service, economy_id, merchant_id, body.tip_id, body.member_id, body.points_micro
    )
