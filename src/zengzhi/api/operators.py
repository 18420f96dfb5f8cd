"""The operator API: each endpoint checks the caller's role in the economy it names."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from zengzhi.api.deps import EconomyId, IdempotencyKey, OperatorDep, ServiceDep
from zengzhi.service import accounts, merchants, operators, reports
from zengzhi.service.errors import Forbidden, InvalidInput
from zengzhi.service.operators import require
from zengzhi.store.service_repository import reading

router = APIRouter(tags=["operators"])


class Ack(BaseModel):
    code: str = Field(max_length=64, description="The finding's code")
    reason: str = Field(max_length=500, description="Why it is accepted")


class EconomyIn(BaseModel):
    economy_id: str = Field(min_length=1, max_length=64)
    preset: str = Field(max_length=64, examples=["appreciating-pool", "local-life"])
    acknowledgements: list[Ack] = Field(default_factory=list, max_length=20)


class OperatorIn(BaseModel):
    phone: str = Field(max_length=32)
    name: str = Field("", max_length=128)
    password: str | None = Field(None, max_length=200, description="For a new operator account")
    role: Literal["owner", "operator", "finance", "auditor"]


class MerchantIn(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=128)


class AdjustIn(BaseModel):
    asset: Literal["cash", "points"]
    amount: int = Field(
        ge=-(2**52), le=2**52, description="Fen or micro-points; negative takes away"
    )
    reason: str = Field(min_length=1, max_length=500)


class ApproveIn(BaseModel):
    reference: str = Field(min_length=1, max_length=128, description="The payment's reference")


class RejectIn(BaseModel):
    note: str = Field(min_length=1, max_length=500, description="Why, shown to the member")


class RulesIn(BaseModel):
    changes: dict[str, dict[str, Any]] = Field(
        description='Tables and keys to change, e.g. {"pool": {"sell_fee": "0.25"}}'
    )
    effective_at: int | None = Field(
        None, ge=0, le=2**62, description="Microseconds since the epoch; now if omitted"
    )
    reason: str = Field(min_length=1, max_length=500)
    acknowledgements: list[Ack] = Field(default_factory=list, max_length=20)


@router.get("/v1/operators/me", summary="Who I am and where I work")
def me(operator: OperatorDep, service: ServiceDep) -> dict[str, Any]:
    with reading(service.database) as store:
        row = store.operator(operator)
        roles = store.roles(operator)
    return {"operator_id": operator, "name": row.name if row else "", "roles": roles}


@router.post(
    "/v1/economies",
    status_code=status.HTTP_201_CREATED,
    summary="Create an economy from a preset (owners only); you become its owner",
)
def create_economy(body: EconomyIn, operator: OperatorDep, service: ServiceDep) -> dict[str, Any]:
    with reading(service.database) as store:
        if "owner" not in store.roles(operator).values():
            raise Forbidden("only an owner of an economy may create another")
    acks = [a.model_dump() for a in body.acknowledgements]
    return service.run(
        lambda uow: operators.create_economy_from_preset(
            service, uow, body.economy_id, body.preset, operator, service.now(), acks
        )
    )


@router.get("/v1/economies/{economy_id}", summary="The economy: rules, version, totals")
def economy(economy_id: EconomyId, operator: OperatorDep, service: ServiceDep) -> dict[str, Any]:
    require(service, operator, economy_id, "read")
    return operators.economy_summary(service, economy_id)


@router.post(
    "/v1/economies/{economy_id}/rules",
    status_code=status.HTTP_201_CREATED,
    summary="Change rules: a new configuration version from a time on (checked, audited)",
)
def change_rules(
    economy_id: EconomyId, body: RulesIn, operator: OperatorDep, service: ServiceDep
) -> dict[str, Any]:
    require(service, operator, economy_id, "change_rules")
    acks = [a.model_dump() for a in body.acknowledgements]
    return operators.change_rules(
        service, economy_id, operator, body.changes, body.effective_at, body.reason, acks
    )


@router.get("/v1/economies/{economy_id}/operators", summary="Operators and their roles")
def list_operators(
    economy_id: EconomyId, operator: OperatorDep, service: ServiceDep
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "read")
    with reading(service.database) as store:
        rows = store.operators_of(economy_id)
    return [{"operator_id": r.operator_id, "name": r.name, "role": r.role} for r in rows]


@router.post(
    "/v1/economies/{economy_id}/operators",
    status_code=status.HTTP_201_CREATED,
    summary="Give a person a role here (creates their operator account if new)",
)
def add_operator(
    economy_id: EconomyId, body: OperatorIn, operator: OperatorDep, service: ServiceDep
) -> dict[str, Any]:
    require(service, operator, economy_id, "manage_operators")

    def work(uow: Any) -> dict[str, Any]:
        now = service.now()
        phone = accounts.normalise_phone(body.phone)
        existing = uow.service.operator_by_phone(phone)
        if existing is None:
            if not body.password:
                raise InvalidInput("a new operator needs a password")
            target = accounts.create_operator(service, uow, phone, body.name, body.password, now)
        else:
            target = existing.operator_id
        operators.grant_role(
            service, uow, economy_id, target, body.role, f"operator:{operator}", now
        )
        return {"operator_id": target, "role": body.role}

    return service.run(work)


@router.post(
    "/v1/economies/{economy_id}/merchants",
    status_code=status.HTTP_201_CREATED,
    summary="Add a merchant",
)
def add_merchant(
    economy_id: EconomyId, body: MerchantIn, operator: OperatorDep, service: ServiceDep
) -> dict[str, str]:
    require(service, operator, economy_id, "manage_merchants")
    service.run(
        lambda uow: merchants.create_merchant(
            service, uow, economy_id, body.merchant_id, body.name, f"operator:{operator}",
            service.now(),
        )
    )  # fmt: skip
    return {"merchant_id": body.merchant_id}


@router.post(
    "/v1/economies/{economy_id}/merchants/{merchant_id}/keys",
    status_code=status.HTTP_201_CREATED,
    summary="A new API key for a merchant: the secret is shown only now",
)
def add_key(
    economy_id: EconomyId, merchant_id: str, operator: OperatorDep, service: ServiceDep
) -> dict[str, str]:
    require(service, operator, economy_id, "manage_merchants")
    key_id, secret = service.run(
        lambda uow: merchants.create_key(
            service, uow, economy_id, merchant_id, f"operator:{operator}", service.now()
        )
    )
    return {"key_id": key_id, "secret": secret, "merchant_id": merchant_id}


@router.delete(
    "/v1/economies/{economy_id}/merchant-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a merchant API key",
)
def revoke_key(
    economy_id: EconomyId, key_id: str, operator: OperatorDep, service: ServiceDep
) -> Response:
    require(service, operator, economy_id, "manage_merchants")
    service.run(
        lambda uow: merchants.revoke_key(
            service, uow, economy_id, key_id, f"operator:{operator}", service.now()
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/economies/{economy_id}/members", summary="Members and their positions")
def list_members(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    role = require(service, operator, economy_id, "see_members")
    return operators.members(service, economy_id, role, limit, offset)


@router.post(
    "/v1/economies/{economy_id}/members/{member_id}/adjustments",
    summary="Adjust a member's cash or points with a reason (audited ledger transaction)",
)
def adjust(
    economy_id: EconomyId,
    member_id: str,
    body: AdjustIn,
    operator: OperatorDep,
    service: ServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    require(service, operator, economy_id, "adjust")
    return operators.adjust(
        service, economy_id, operator, member_id, body.asset, body.amount, body.reason,
        idempotency_key or "",
    )  # fmt: skip


@router.get("/v1/economies/{economy_id}/withdrawals", summary="Withdrawals, newest first")
def list_withdrawals(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    status_filter: Literal["pending", "paid", "rejected"] | None = Query(None, alias="status"),
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "see_members")
    from zengzhi.service import wallet

    return wallet.withdrawals(service, economy_id, None, status_filter, 1000)


@router.post(
    "/v1/economies/{economy_id}/withdrawals/{withdrawal_id}/approve",
    summary="Approve: the held cash is paid out (record the payment reference)",
)
def approve(
    economy_id: EconomyId,
    withdrawal_id: str,
    body: ApproveIn,
    operator: OperatorDep,
    service: ServiceDep,
) -> dict[str, Any]:
    require(service, operator, economy_id, "review_withdrawals")
    return operators.review_withdrawal(
        service, economy_id, operator, withdrawal_id, True, body.reference, None
    )


@router.post(
    "/v1/economies/{economy_id}/withdrawals/{withdrawal_id}/reject",
    summary="Reject: the held cash goes back to the member's wallet",
)
def reject(
    economy_id: EconomyId,
    withdrawal_id: str,
    body: RejectIn,
    operator: OperatorDep,
    service: ServiceDep,
) -> dict[str, Any]:
    require(service, operator, economy_id, "review_withdrawals")
    return operators.review_withdrawal(
        service, economy_id, operator, withdrawal_id, False, None, body.note
    )


@router.post(
    "/v1/economies/{economy_id}/orders/settle-due",
    summary="Settle now every order whose return window has passed",
)
def settle_due(economy_id: EconomyId, operator: OperatorDep, service: ServiceDep) -> dict[str, int]:
    require(service, operator, economy_id, "settle")
    return {"settled": merchants.settle_due_in(service, economy_id)}


@router.get("/v1/economies/{economy_id}/audit", summary="The audit log, oldest first")
def audit(
    economy_id: EconomyId,
    operator: OperatorDep,
    service: ServiceDep,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(200, ge=1, le=1000),
) -> list[dict[str, Any]]:
    require(service, operator, economy_id, "audit")
    return operators.audit_log(service, economy_id, limit, after)


@router.get(
    "/v1/economies/{economy_id}/reports/{report}",
    summary="Reports as JSON, or CSV with ?format=csv",
    response_model=None,
)
def report(
    economy_id: EconomyId,
    report: Literal["pool", "orders", "payouts", "exits", "members", "referrals", "teams"],
    operator: OperatorDep,
    service: ServiceDep,
    format: Literal["json", "csv"] = "json",
) -> Response | list[dict[str, Any]]:
    require(service, operator, economy_id, "reports")
    rows = reports.build(service, economy_id, report)
    if format == "csv":
        return Response(
            reports.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{economy_id}-{report}.csv"'},
        )
    return rows
