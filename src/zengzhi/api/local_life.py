"""Local life (§6) over HTTP: store terms and agents (operators), reports for operators,
members (their referral rewards) and merchants (their stores, signed like every merchant
request)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, MemberDep, OperatorDep, ServiceDep
from zengzhi.api.merchants import Merchant
from zengzhi.service import local_life
from zengzhi.service.operators import actor, require

router = APIRouter(tags=["local life"])
ECONOMY = "/v1/economies/{economy_id}/local-life"
Region = Field("", max_length=64)


class StoreTermsIn(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=64, description="The store's merchant")
    commission: str = Field(
        min_length=1, max_length=32, description='Share of each order, e.g. "0.2" or "1/5"'
    )
    name: str = Field("", max_length=128)
    promoter: str | None = Field(None, max_length=128, description="Member who signed it up")
    owner_member: str | None = Field(
        None, max_length=128, description="Member its QR code binds new members to"
    )
    province: str = Region
    city: str = Region
    district: str = Region


class AgentIn(BaseModel):
    member_id: str | None = Field(
        None, max_length=128, description="The agent (a member); null removes the agent"
    )
    province: str = Field(min_length=1, max_length=64)
    city: str = Region
    district: str = Region


@router.put(f"{ECONOMY}/stores/{{store_id}}", summary="Set a store's commission, promoter, region")
def put_store(
    economy_id: EconomyId,
    store_id: str,
    body: StoreTermsIn,
    operator: OperatorDep,
    service: ServiceDep,
) -> dict[str, Any]:
    require(service, operator, economy_id, "manage_merchants")
    return local_life.set_store_terms(
        service, economy_id, actor(operator), store_id, body.merchant_id, body.commission,
        name=body.name, promoter=body.promoter, owner_member=body.owner_member,
        province=body.province, city=body.city, district=body.district,
    )  # fmt: skip


@router.get(f"{ECONOMY}/stores", summary="Stores with their local-life terms")
def get_stores(
    economy_id: EconomyId, operator: OperatorDep, service: ServiceDep
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "read")
    return local_life.stores(service, economy_id)


@router.put(f"{ECONOMY}/agents/{{level}}", summary="Name (or remove) a region's agent")
def put_agent(
    economy_id: EconomyId,
    level: Literal["district", "city", "province"],
    body: AgentIn,
    operator: OperatorDep,
    service: ServiceDep,
) -> dict[str, Any]:
    require(service, operator, economy_id, "manage_merchants")
    return local_life.set_agent(
        service, economy_id, actor(operator), level, body.member_id,
        body.province, body.city, body.district,
    )  # fmt: skip


@router.get(f"{ECONOMY}/agents", summary="Regional agents")
def get_agents(
    economy_id: EconomyId, operator: OperatorDep, service: ServiceDep
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "read")
    return local_life.agents(service, economy_id)


@router.get(f"{ECONOMY}/reports/splits", summary="Commission split totals per day and store")
def split_report(
    economy_id: EconomyId, operator: OperatorDep, service: ServiceDep
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "reports")
    return local_life.split_totals(service, economy_id)


@router.get(f"{ECONOMY}/reports/agents", summary="What each regional agent earned")
def agent_report(
    economy_id: EconomyId, operator: OperatorDep, service: ServiceDep
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "reports")
    return local_life.agent_earnings(service, economy_id)


@router.get(
    "/v1/economies/{economy_id}/me/referral-rewards",
    summary="My rewards from local-life orders (as referrer, promoter or agent)",
    tags=["members"],
)
def my_rewards(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return local_life.member_rewards(service, economy_id, member)


@router.get(
    "/v1/merchant/local-life/stores",
    summary="My stores: terms, QR link, settled orders, turnover, commission",
    tags=["merchants"],
)
def merchant_stores(merchant: Merchant, service: ServiceDep) -> list[dict[str, Any]]:
    economy_id, merchant_id = merchant
    return local_life.merchant_stores(service, economy_id, merchant_id)
