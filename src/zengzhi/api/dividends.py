"""Daily dividends (issue 5 §5): a member's own view and the operators' report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from zengzhi.api.deps import EconomyId, MemberDep, OperatorDep, ServiceDep
from zengzhi.service import dividends
from zengzhi.service.operators import require

router = APIRouter(tags=["dividends"])


@router.get(
    "/v1/economies/{economy_id}/me/dividends",
    tags=["members"],
    summary="My quota left, shares, last settled day's dividend and history (cyclic purchase)",
)
def my_dividends(
    economy_id: EconomyId,
    member: MemberDep,
    service: ServiceDep,
    days: int = Query(30, ge=1, le=366, description="How many settled days of history"),
) -> dict[str, Any]:
    return dividends.member_dividends(service, economy_id, member, days)


@router.get(
    "/v1/economies/{economy_id}/dividends",
    tags=["operators"],
    summary="Each settled day's sales, pools, paid and returned; tier membership now",
)
def dividend_report(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    days: int = Query(30, ge=1, le=366, description="How many settled days"),
) -> dict[str, Any]:
    require(service, operator, economy_id, "read")
    return dividends.dividend_report(service, economy_id, days)
