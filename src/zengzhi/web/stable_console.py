"""The consoles' two-token pages (issue 6 §2). The merchant's, at /merchant/stable: the stable
points members paid, and forms to exchange them back to points at the price or cash them
out (less the settlement fee). The same service functions as the signed API
(`service.stable`); each form carries a request id made when it is rendered, so a second
click applies once. The operator's: a buy-back form on a member's page in a two-token
economy (role `buy_back`, audited by the service)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.domain.errors import DomainError, InvalidAmount
from zengzhi.service import stable
from zengzhi.service.merchant_account import MerchantSession
from zengzhi.web.console import N_, Ctx, error_message, member_detail_page
from zengzhi.web.console import guarded as console_guarded
from zengzhi.web.member import points_from_text
from zengzhi.web.merchant_console import CSRF, _service, guarded, page

router = APIRouter(prefix="/merchant/stable", include_in_schema=False)
console_router = APIRouter(prefix="/console", include_in_schema=False)

BAD_STABLE = N_("Enter the stable points, e.g. 10 or 10.5 (at most 6 decimals).")
DONE = {
    "exchanged": N_("The stable points were exchanged back to points at the current price."),
    "cashed": N_("The stable points were cashed out to your cash balance."),
}


def _stable_page(request: Request, merchant: MerchantSession, **extra: Any) -> HTMLResponse:
    svc = _service(request)
    holder = stable.merchant_holder(merchant.merchant_id)
    return page(
        request,
        merchant,
        "merchant/stable.html",
        status_code=422 if extra.get("error") else 200,
        nav="stable",
        s=stable.holder_balances(svc, merchant.economy_id, holder),
        t=stable.overview(svc, merchant.economy_id),
        key=secrets.token_urlsafe(12),
        done=DONE.get(request.query_params.get("done", "")),
        **extra,
    )


@router.get("", response_class=HTMLResponse)
def stable_page(request: Request) -> Response:
    return guarded(request, lambda merchant: _stable_page(request, merchant))


@router.post("", dependencies=CSRF)
def move(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    action: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Exchange or cash out, once per form."""

    def work(merchant: MerchantSession) -> Response:
        svc = _service(request)
        try:
            try:
                micro = points_from_text(amount)
            except DomainError:
                raise InvalidAmount(BAD_STABLE) from None
            if action == "exchange":
                stable.merchant_exchange(svc, merchant.economy_id, merchant.merchant_id, key, micro)
                done = "exchanged"
            else:
                stable.merchant_cash_out(svc, merchant.economy_id, merchant.merchant_id, key, micro)
                done = "cashed"
        except DomainError as error:
            return _stable_page(request, merchant, error=error_message(error), amount=amount)
        return RedirectResponse(f"/merchant/stable?done={done}", status_code=303)

    return guarded(request, work)


# -- the operator console: buy a member's points back (role "buy_back", audited) ----------


@console_router.post("/{economy_id}/members/{member_id}/buyback", dependencies=CSRF)
def buy_back(
    request: Request,
    economy_id: str,
    member_id: str,
    key: Annotated[str, Form(min_length=8, max_length=100)],
    points: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def work(ctx: Ctx) -> Response:
        try:
            micro = points_from_text(points) if points.strip() else None
            stable.buy_back(ctx.svc, economy_id, ctx.operator, key, member_id, None, micro)
        except DomainError as error:
            return member_detail_page(
                ctx, member_id, buyback_error=error_message(error), buyback_points=points
            )
        return RedirectResponse(
            f"/console/{economy_id}/members/{member_id}?ok=bought_back", status_code=303
        )

    return console_guarded(request, economy_id, "buy_back", work)
