"""The member app's two-token pages (issue 6 §2) at /m/stable: the stable balance, convert
with a confirmation (price, fee, what is received), pay a merchant.

Same pattern as the sale pages in web/member.py: every page calls the service functions
the JSON API calls (`service.stable`), forms carry an idempotency key made when the form
is rendered, so a second click or a re-sent form applies once. Nothing here decides a rule.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.domain.errors import DomainError
from zengzhi.service import stable
from zengzhi.service.accounts import Principal
from zengzhi.web.member import (
    BAD_POINTS,
    N_,
    Csrf,
    Refusal,
    member_of,
    member_page,
    plain,
    points_from_text,
    refusal,
    request_service,
    to_join,
)

router = APIRouter(prefix="/m/stable", include_in_schema=False)

BAD_STABLE = N_("Enter the stable points to pay, e.g. 10 or 10.5 (at most 6 decimals).")
BAD_MERCHANT = N_("Enter the merchant's id as the shop shows it.")
MESSAGES = {
    "insufficient_balance": N_("You do not hold that many stable points."),
    "unknown_merchant": N_("There is no such merchant or store here. Check the id."),
    "amount_too_small": N_("That is too little to give anything after rounding."),
    "no_stable_points": N_("This economy has no stable points."),
}


def _stable_page(
    request: Request,
    who: Principal,
    *,
    error: Refusal | None = None,
    points: str = "",
    merchant: str = "",
    amount: str = "",
    done: dict[str, Any] | None = None,
) -> HTMLResponse:
    svc = request_service(request)
    found = stable.holder_balances(svc, who.economy_id, who.subject)
    tokens = stable.overview(svc, who.economy_id)
    return member_page(
        request,
        who,
        "stable.html",
        status_code=422 if error else 200,
        s=found,
        t=tokens,
        convert_fee=plain(stable.stable_rules_for(svc, who.economy_id).convert_fee * 100),
        key=secrets.token_urlsafe(16),
        error=error,
        points=points,
        merchant=merchant,
        amount=amount,
        done=done,
    )


def _refusal(error: DomainError, bad_amount: str) -> Refusal:
    return refusal(error, {**MESSAGES, "invalid_amount": bad_amount})


@router.get("", response_class=HTMLResponse)
def stable_home(
    request: Request,
    paid: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    to: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The balance and both forms; in an economy without stable points, an error page."""
    who = member_of(request)
    if who is None:
        return to_join()
    done = {"paid": {"stable_micro": paid, "merchant_id": to}} if paid else None
    return _stable_page(request, who, done=done)


@router.post("/convert/confirm", response_class=HTMLResponse, dependencies=[Csrf])
def convert_confirm(request: Request, points: Annotated[str, Form(max_length=40)] = "") -> Response:
    """The quote before converting: price, fee and the stable points received. Nothing moves."""
    who = member_of(request)
    if who is None:
        return to_join()
    svc = request_service(request)
    try:
        micro = points_from_text(points)
        quote = stable.convert_preview(svc, who.economy_id, micro)
        held = stable.holder_balances(svc, who.economy_id, who.subject)["points_micro"]
    except DomainError as error:
        return _stable_page(request, who, error=_refusal(error, BAD_POINTS), points=points)
    return member_page(
        request,
        who,
        "stable_confirm.html",
        quote=quote,
        held=held,
        fee_percent=plain(stable.stable_rules_for(svc, who.economy_id).convert_fee * 100),
        key=secrets.token_urlsafe(16),
    )


@router.post("/convert", response_class=HTMLResponse, dependencies=[Csrf])
def convert_commit(
    request: Request,
    points_micro: Annotated[int, Form(ge=1, le=2**62)],
    key: Annotated[str, Form(min_length=8, max_length=64)],
) -> Response:
    """Convert, once per key: a second click shows the first conversion."""
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        result = stable.convert(
            request_service(request), who.economy_id, who.subject, key, points_micro
        )
    except DomainError as error:
        return _stable_page(request, who, error=_refusal(error, BAD_POINTS))
    return _stable_page(request, who, done={"converted": result})


@router.post("/pay", response_class=HTMLResponse, dependencies=[Csrf])
def pay(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    merchant: Annotated[str, Form(max_length=64)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        if not merchant.strip():
            return _stable_page(
                request, who, error=Refusal(BAD_MERCHANT), merchant=merchant, amount=amount
            )
        try:
            micro = points_from_text(amount)
        except DomainError:
            return _stable_page(
                request, who, error=Refusal(BAD_STABLE), merchant=merchant, amount=amount
            )
        result = stable.pay(
            request_service(request), who.economy_id, who.subject, key, merchant.strip(), micro
        )
    except DomainError as error:
        shown = _refusal(error, BAD_STABLE)
        return _stable_page(request, who, error=shown, merchant=merchant, amount=amount)
    # after a post, a redirect: reloading never pays twice
    query = urlencode({"paid": result["stable_micro"], "to": result["merchant_id"]})
    return RedirectResponse(f"/m/stable?{query}", status_code=303)
