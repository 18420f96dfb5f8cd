"""The operator console's local-life page (§6): stores' terms, regional agents, and the
commission split reports, through the same service functions and role checks as the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.domain.errors import DomainError
from zengzhi.service import local_life
from zengzhi.service.operators import actor
from zengzhi.web.console import N_, Ctx, error_message, guarded
from zengzhi.web.csrf import require_csrf

router = APIRouter(prefix="/console", include_in_schema=False)
CSRF = [Depends(require_csrf)]
ROLES = {
    "direct_referrer": N_("Direct referrer"),
    "indirect_referrer": N_("Indirect referrer"),
    "store_promoter": N_("Store promoter"),
    "district_agent": N_("District agent"),
    "city_agent": N_("City agent"),
    "province_agent": N_("Province agent"),
}
LEVELS = {"district": N_("District"), "city": N_("City"), "province": N_("Province")}
OK = {
    "terms": N_("The store's terms were saved."),
    "agent": N_("The agent was saved."),
}
Text = Annotated[str, Form(max_length=128)]


def _page(ctx: Ctx, **extra: Any) -> HTMLResponse:
    svc, economy_id = ctx.svc, ctx.economy_id
    return ctx.render(
        "console/local_life.html",
        nav="local_life",
        stores=local_life.stores(svc, economy_id),
        agents=local_life.agents(svc, economy_id),
        totals=local_life.split_totals(svc, economy_id),
        earnings=local_life.agent_earnings(svc, economy_id),
        role_names=ROLES,
        levels=LEVELS,
        done=OK.get(ctx.request.query_params.get("done", "")),
        **extra,
    )


@router.get("/{economy_id}/local-life", response_class=HTMLResponse)
def page(request: Request, economy_id: str) -> Response:
    return guarded(request, economy_id, "reports", _page)


@router.post("/{economy_id}/local-life/stores", dependencies=CSRF)
def set_terms(
    request: Request,
    economy_id: str,
    store_id: Text = "",
    merchant_id: Text = "",
    commission: Text = "",
    promoter: Text = "",
    owner_member: Text = "",
    province: Text = "",
    city: Text = "",
    district: Text = "",
) -> Response:
    def work(ctx: Ctx) -> Response:
        try:
            local_life.set_store_terms(
                ctx.svc, economy_id, actor(ctx.operator), store_id.strip(), merchant_id.strip(),
                commission, promoter=promoter.strip() or None,
                owner_member=owner_member.strip() or None,
                province=province, city=city, district=district,
            )  # fmt: skip
        except DomainError as error:
            form = {"store_id": store_id, "merchant_id": merchant_id, "commission": commission,
                    "promoter": promoter, "owner_member": owner_member, "province": province,
                    "city": city, "district": district}  # fmt: skip
            return _page(ctx, error=error_message(error), form=form)
        return RedirectResponse(f"/console/{economy_id}/local-life?done=terms", status_code=303)

    return guarded(request, economy_id, "manage_merchants", work)


@router.post("/{economy_id}/local-life/agents", dependencies=CSRF)
def set_agent(
    request: Request,
    economy_id: str,
    level: Text = "",
    member_id: Text = "",
    province: Text = "",
    city: Text = "",
    district: Text = "",
) -> Response:
    def work(ctx: Ctx) -> Response:
        try:
            local_life.set_agent(
                ctx.svc, economy_id, actor(ctx.operator), level, member_id.strip() or None,
                province, city, district,
            )  # fmt: skip
        except DomainError as error:
            return _page(ctx, error=error_message(error))
        return RedirectResponse(f"/console/{economy_id}/local-life?done=agent", status_code=303)

    return guarded(request, economy_id, "manage_merchants", work)
