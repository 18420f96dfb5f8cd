"""Two tokens (§2): members convert and pay, merchants exchange and cash out (signed),
operators buy back (role-checked, audited), anyone reads the economy's issued / cap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, IdempotencyKey, MemberDep, OperatorDep, ServiceDep
from zengzhi.api.merchants import Merchant
from zengzhi.service import stable
from zengzhi.service.operators import require

router = APIRouter(tags=["two tokens"])


class ConvertIn(BaseModel):
    points_micro: int = Field(ge=1, le=2**62, description="Appreciating micro-points to convert")


class PayIn(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=64, description="Who is paid")
    store_id: str | None = Field(None, max_length=128, description="One of the merchant's stores")
    stable_micro: int = Field(ge=1, le=2**62, description="Micro-stable-points to pay")


class MerchantMoveIn(BaseModel):
    request_id: str = Field(
        min_length=1, max_length=100, description="Your key: retries apply once"
    )
    stable_micro: int = Field(ge=1, le=2**62, description="Micro-stable-points")


class MerchantWithdrawIn(BaseModel):
    request_id: str = Field(
        min_length=1, max_length=100, description="Your key: retries apply once"
    )
    amount_fen: int = Field(ge=1, le=2**62)
    payout_account: str = Field(min_length=1, max_length=128, description="e.g. a bank account")


class BuybackIn(BaseModel):
    member_id: str | None = Field(None, max_length=128, description="The member selling, or")
    merchant_id: str | None = Field(None, max_length=64, description="the merchant selling")
    points_micro: int | None = Field(
        None, ge=1, le=2**62, description="Micro-points to buy back; omit for all"
    )


# -- anyone ----------------------------------------------------------------------------


@router.get(
    "/v1/economies/{economy_id}/two-tokens",
    summary="Price, points issued / the fixed total, treasury, stable points outstanding",
)
def overview(economy_id: EconomyId, service: ServiceDep) -> dict[str, Any]:
    return stable.overview(service, economy_id)


# -- members ---------------------------------------------------------------------------

ME = "/v1/economies/{economy_id}/me/stable"


@router.get(ME, summary="My stable points, points and cash")
def my_stable(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return stable.holder_balances(service, economy_id, member)


@router.get(f"{ME}/convert-quote", summary="What converting would give now (nothing moves)")
def convert_quote(
    economy_id: EconomyId,
    member: MemberDep,
    service: ServiceDep,
    points_micro: int = Query(ge=1, le=2**62),
) -> dict[str, Any]:
    return stable.convert_preview(service, economy_id, points_micro)


@router.post(
    f"{ME}/convert",
    summary="Convert appreciating points to stable points at the price (Idempotency-Key)",
)
def convert(
    economy_id: EconomyId,
    body: ConvertIn,
    member: MemberDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return stable.convert(service, economy_id, member, idempotency_key or "", body.points_micro)


@router.post(f"{ME}/payments", summary="Pay a merchant in stable points (Idempotency-Key)")
def pay(
    economy_id: EconomyId,
    body: PayIn,
    member: MemberDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return stable.pay(
        service, economy_id, member, idempotency_key or "", body.merchant_id, body.stable_micro,
        body.store_id,
    )  # fmt: skip


# -- merchants (signed) ----------------------------------------------------------------


@router.get("/v1/merchant/stable", summary="My stable points, points and cash")
def merchant_balances(merchant: Merchant, service: ServiceDep) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    found = stable.holder_balances(service, economy_id, stable.merchant_holder(merchant_id))
    return {**found, "merchant_id": merchant_id}


@router.get("/v1/merchant/stable/quote", summary="What exchanging or cashing out would give")
def merchant_quote(
    merchant: Merchant, service: ServiceDep, stable_micro: int = Query(ge=1, le=2**62)
) -> dict[str, Any]:
    return stable.merchant_quotes(service, merchant[0], stable_micro)


@router.post(
    "/v1/merchant/stable/exchange",
    summary="Exchange stable points back to appreciating points at the price",
)
def merchant_exchange(
    body: MerchantMoveIn, merchant: Merchant, service: ServiceDep
) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return stable.merchant_exchange(
        service, economy_id, merchant_id, body.request_id, body.stable_micro
    )


@router.post(
    "/v1/merchant/stable/cash-out",
    summary="Cash stable points out to my cash balance, less the settlement fee",
)
def merchant_cash_out(
    body: MerchantMoveIn, merchant: Merchant, service: ServiceDep
) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return stable.merchant_cash_out(
        service, economy_id, merchant_id, body.request_id, body.stable_micro
    )


@router.post(
    "/v1/merchant/withdrawals",
    status_code=status.HTTP_201_CREATED,
    summary="Withdraw my cash to a payout account (pending until an operator reviews it)",
)
def merchant_withdraw(
    body: MerchantWithdrawIn, merchant: Merchant, service: ServiceDep, response: Response
) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    found, created = stable.merchant_withdraw(
        service, economy_id, merchant_id, body.request_id, body.amount_fen, body.payout_account
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return found


# -- operators -------------------------------------------------------------------------


@router.post(
    "/v1/economies/{economy_id}/buybacks",
    summary="Buy a holder's points back at the price with the sell fee; they are burned",
)
def buy_back(
    economy_id: EconomyId,
    body: BuybackIn,
    operator: OperatorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    require(service, operator, economy_id, "buy_back")
    return stable.buy_back(
        service, economy_id, operator, idempotency_key or "", body.member_id, body.merchant_id,
        body.points_micro,
    )  # fmt: skip
