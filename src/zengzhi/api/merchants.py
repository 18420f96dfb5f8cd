"""The merchant API: every request signed with the merchant's API key (security/signing.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from zengzhi.api.deps import ServiceDep
from zengzhi.service import merchants

router = APIRouter(prefix="/v1/merchant", tags=["merchants"])


async def signed_merchant(request: Request, service: ServiceDep) -> tuple[str, str]:
    """(economy, merchant) of a signed, fresh request whose nonce was never used."""
    body = await request.body()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return await run_in_threadpool(
        merchants.authenticate_request, service, request.method, path, request.headers, body
    )


Merchant = Annotated[tuple[str, str], Depends(signed_merchant)]
OrderId = Annotated[str, Field(min_length=1, max_length=100)]


class OrderIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=100, description="Your own order id")
    amount_fen: int = Field(ge=1, le=2**52, description="What the member paid, in fen")
    member_id: str | None = Field(None, max_length=128)
    member_phone: str | None = Field(None, max_length=32)
    store_id: str | None = Field(None, max_length=128)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    summary="Report a paid order (idempotent by your order id; no rewards until settled)",
)
def report_order(
    body: OrderIn, merchant: Merchant, service: ServiceDep, response: Response
) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    order, created = merchants.report_order(
        service, economy_id, merchant_id, body.order_id, body.amount_fen,
        body.member_id, body.member_phone, body.store_id,
    )  # fmt: skip
    if not created:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders", summary="My orders, newest first")
def list_orders(
    merchant: Merchant,
    service: ServiceDep,
    status_filter: Literal["reported", "settled", "cancelled", "refunded"] | None = Query(
        None, alias="status"
    ),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    from zengzhi.service.merchants import order_json
    from zengzhi.store.service_repository import reading

    economy_id, merchant_id = merchant
    with reading(service.database) as store:
        rows = store.merchant_orders(economy_id, merchant_id, status_filter, limit, offset)
    return [order_json(r) for r in rows]


@router.post("/orders/{order_id}/settle", summary="Settle: the member's points are granted now")
def settle(order_id: str, merchant: Merchant, service: ServiceDep) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return merchants.settle(service, economy_id, merchant_id, order_id)


@router.post("/orders/{order_id}/cancel", summary="Cancel before settlement (no rewards)")
def cancel(order_id: str, merchant: Merchant, service: ServiceDep) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return merchants.close(service, economy_id, merchant_id, order_id, "cancelled")


@router.post(
    "/orders/{order_id}/refund",
    summary="Refund before settlement (no rewards); after settlement it is refused",
)
def refund(order_id: str, merchant: Merchant, service: ServiceDep) -> dict[str, Any]:
    economy_id, merchant_id = merchant
    return merchants.close(service, economy_id, merchant_id, order_id, "refunded")
