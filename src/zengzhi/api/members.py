"""A member's own endpoints: profile, wallet, history, selling, withdrawals, team."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, IdempotencyKey, MemberDep, ServiceDep
from zengzhi.service import wallet

router = APIRouter(prefix="/v1/economies/{economy_id}/me", tags=["members"])


class SellIn(BaseModel):
    points_micro: int | None = Field(
        None, ge=1, le=2**62, description="Micro-points to sell; omit to sell all"
    )


class WithdrawIn(BaseModel):
    amount_fen: int = Field(ge=1, le=2**62)
    payout_account: str = Field(min_length=1, max_length=128, description="e.g. a bank account")


@router.get("", summary="My profile (my referral code and link)")
def profile(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return wallet.profile(service, economy_id, member)


@router.get("/wallet", summary="Points, their value now, cash, cycle spend, the exit line")
def my_wallet(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return wallet.wallet(service, economy_id, member)


@router.get("/history", summary="My ledger transactions, newest first")
def my_history(
    economy_id: EconomyId,
    member: MemberDep,
    service: ServiceDep,
    limit: int = Query(50, ge=1, le=500),
    before: int | None = Query(None, ge=1, le=2**62, description="Transactions before this one"),
) -> list[dict[str, Any]]:
    return wallet.history(service, economy_id, member, limit, before)


@router.post("/sell", summary="Sell points back to the pool (needs an Idempotency-Key)")
def sell(
    economy_id: EconomyId,
    body: SellIn,
    member: MemberDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return wallet.sell(service, economy_id, member, idempotency_key or "", body.points_micro)


@router.post(
    "/withdrawals",
    status_code=status.HTTP_201_CREATED,
    summary="Withdraw cash to a payout account (pending until reviewed)",
)
def withdraw(
    economy_id: EconomyId,
    body: WithdrawIn,
    member: MemberDep,
    service: ServiceDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    found, created = wallet.withdraw(
        service, economy_id, member, idempotency_key or "", body.amount_fen, body.payout_account
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return found


@router.get("/withdrawals", summary="My withdrawals")
def my_withdrawals(
    economy_id: EconomyId, member: MemberDep, service: ServiceDep
) -> list[dict[str, Any]]:
    return wallet.withdrawals(service, economy_id, member, None)


@router.get("/referral", summary="My referral code and link")
def referral(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, str]:
    found = wallet.profile(service, economy_id, member)
    return {"referral_code": found["referral_code"], "referral_link": found["referral_link"]}


@router.get("/team", summary="Members who joined through me (ids only, never phones)")
def my_team(economy_id: EconomyId, member: MemberDep, service: ServiceDep) -> dict[str, Any]:
    return wallet.team(service, economy_id, member)
