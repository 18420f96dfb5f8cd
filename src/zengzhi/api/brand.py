"""Brand membership (§7) over HTTP: a member's coins, tokens and votes; operators'
dividends, buybacks and proposals; the published proposals and results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, IdempotencyKey, MemberDep, OperatorDep, ServiceDep
from zengzhi.service import brand

members = APIRouter(prefix="/v1/economies/{economy_id}/me/brand", tags=["brand membership"])
operators = APIRouter(prefix="/v1/economies/{economy_id}/brand", tags=["brand membership"])
public = APIRouter(prefix="/v1/public/economies/{economy_id}", tags=["public"])

_BIG = 2**62


class ConvertIn(BaseModel):
    coins: int = Field(ge=1, le=_BIG, description="Coins to convert (1,000 make one token)")


class CouponIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, description="A coupon of the catalogue")


class GiveIn(BaseModel):
    to_member_id: str = Field(min_length=1, max_length=128)
    tokens_micro: int = Field(ge=1, le=_BIG, description="Micro-tokens (10⁻⁶ token)")


class VoteIn(BaseModel):
    option: str = Field(min_length=1, max_length=200)


class DividendIn(BaseModel):
    period: str = Field(min_length=1, max_length=16, examples=["2026-10"])
    declared_profit_fen: int = Field(ge=0, le=_BIG, description="The period's store profit")


class BuybackIn(BaseModel):
    member_id: str = Field(min_length=1, max_length=128)
    tokens_micro: int = Field(ge=1, le=_BIG)
    price_fen: int | None = Field(
        None, ge=0, le=_BIG, description="Fen per whole token; omit to pay the floor"
    )


class ProposalIn(BaseModel):
    proposal_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    options: list[str] = Field(min_length=2, max_length=20)
    hours: int = Field(ge=1, le=24 * 90, description="How long voting stays open")


# -- members ------------------------------------------------------------------------------


@members.get("", summary="My coins, tokens, tier, cost basis, dividends, coupons and votes")
def my_brand(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return brand.member_view(service, economy_id, member)


@members.post("/convert", summary="Convert coins to Bean Tokens (needs an Idempotency-Key)")
def convert(economy_id: EconomyId, body: ConvertIn, member: MemberDep, service: ServiceDep,
            idempotency_key: IdempotencyKey = None) -> dict[str, Any]:  # fmt: skip
    return brand.convert(service, economy_id, member, idempotency_key, body.coins)


@members.post("/coupons", summary="Spend coins on a coupon (needs an Idempotency-Key)")
def redeem(economy_id: EconomyId, body: CouponIn, member: MemberDep, service: ServiceDep,
           idempotency_key: IdempotencyKey = None) -> dict[str, Any]:  # fmt: skip
    return brand.redeem(service, economy_id, member, idempotency_key, body.code)


@members.post("/give", summary="Give tokens to another member (needs an Idempotency-Key)")
def give(economy_id: EconomyId, body: GiveIn, member: MemberDep, service: ServiceDep,
         idempotency_key: IdempotencyKey = None) -> dict[str, Any]:  # fmt: skip
    return brand.give(
        service, economy_id, member, idempotency_key, body.to_member_id, body.tokens_micro
    )


@members.post(
    "/proposals/{proposal_id}/vote", summary="Vote with my snapshotted tokens (Idempotency-Key)"
)
def vote(
    economy_id: EconomyId,
    proposal_id: str,
    body: VoteIn,
    member: MemberDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return brand.vote(service, economy_id, member, proposal_id, body.option, idempotency_key)


# -- operators ----------------------------------------------------------------------------


@operators.post("/dividends", summary="Declare a period's store profit and pay its dividend")
def declare(economy_id: EconomyId, body: DividendIn, operator: OperatorDep,
            service: ServiceDep) -> dict[str, Any]:  # fmt: skip
    return brand.declare_dividend(
        service, economy_id, operator, body.period, body.declared_profit_fen
    )


@operators.get("/dividends", summary="Dividend periods paid, newest first")
def list_dividends(economy_id: EconomyId, operator: OperatorDep,
                   service: ServiceDep) -> list[dict[str, Any]]:  # fmt: skip
    return brand.dividends(service, economy_id, operator)


@operators.post("/buybacks", summary="Buy a member's tokens back, at no less than the floor")
def buy_back(economy_id: EconomyId, body: BuybackIn, operator: OperatorDep, service: ServiceDep,
             idempotency_key: IdempotencyKey = None) -> dict[str, Any]:  # fmt: skip
    return brand.buy_back(
        service, economy_id, operator, idempotency_key, body.member_id, body.tokens_micro,
        body.price_fen,
    )  # fmt: skip


@operators.post(
    "/proposals", status_code=status.HTTP_201_CREATED, summary="Open a proposal (snapshot now)"
)
def open_proposal(economy_id: EconomyId, body: ProposalIn, operator: OperatorDep,
                  service: ServiceDep, response: Response) -> dict[str, Any]:  # fmt: skip
    found, created = brand.open_proposal(
        service, economy_id, operator, body.proposal_id, body.title, body.options, body.hours
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return found


@operators.post("/proposals/{proposal_id}/close", summary="Publish the result (window over)")
def close_proposal(economy_id: EconomyId, proposal_id: str, operator: OperatorDep,
                   service: ServiceDep) -> dict[str, Any]:  # fmt: skip
    return brand.close_proposal(service, economy_id, operator, proposal_id)


# -- public -------------------------------------------------------------------------------


@public.get("/proposals", summary="Proposals, electorates, ballots and results (pseudonymous)")
def proposals(economy_id: EconomyId, service: ServiceDep) -> list[dict[str, Any]]:
    return brand.published(service, economy_id)


@public.get("/proposals/{proposal_id}", summary="One proposal with its audit")
def proposal(economy_id: EconomyId, proposal_id: str, service: ServiceDep) -> dict[str, Any]:
    return brand.published(service, economy_id, proposal_id)[0]
