"""The merchant console (issue 7 §3): API keys, stores with their QR codes, orders.

A merchant logs in with one of its API keys (key id + secret, see
service/merchant_account.py); the session lives in an HttpOnly cookie scoped to /merchant
and ends when that key is revoked. A new key's secret is shown on the page that creates
it and never again (the server does not store it). QR codes are inline SVG from segno.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.app.codec import config_from_json
from zengzhi.domain.errors import DomainError
from zengzhi.service import Service, accounts, local_life, merchant_account, merchants
from zengzhi.service.errors import NotFound, Unauthenticated
from zengzhi.service.merchant_account import MerchantSession
from zengzhi.service.merchants import order_json
from zengzhi.store.service_repository import reading
from zengzhi.web.console import N_, error_message
from zengzhi.web.csrf import require_csrf
from zengzhi.web.explorer import Formats
from zengzhi.web.templating import render

router = APIRouter(prefix="/merchant", include_in_schema=False)

COOKIE = "zz_merchant"
CSRF = [Depends(require_csrf)]
PAGE = 50
ORDER_STATUS = {
    "reported": N_("Awaiting settlement"),
    "settled": N_("Settled: points granted"),
    "cancelled": N_("Cancelled"),
    "refunded": N_("Refunded"),
}
OK_MESSAGES = {
    "revoked": N_("The key was revoked: requests signed with it are refused from now on."),
    "store_added": N_("The store was added."),
    "settled": N_("The order was settled: the member's points were granted."),
    "cancelled": N_("The order was cancelled: it earns nothing."),
    "refunded": N_("The order was refunded: it earns nothing."),
}
# why an order action was refused, in the reader's language (the service's text follows)
ORDER_REFUSALS = {
    "already_settled": N_(
        "This order is settled and its points were granted: it can no longer be refunded"
        " or cancelled."
    ),
    "order_closed": N_("This order was cancelled or refunded: it can no longer be settled."),
}
CLOSING = {"cancel": "cancelled", "refund": "refunded"}  # console action -> order status


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no file, no external service)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2)
    return out.getvalue().decode()


def guarded(request: Request, work: Callable[[MerchantSession], Response]) -> Response:
    svc = _service(request)
    try:
        merchant = merchant_account.session_merchant(svc, request.cookies.get(COOKIE))
    except Unauthenticated:
        return RedirectResponse("/merchant/login", status_code=303)
    try:
        return work(merchant)
    except DomainError as error:
        status = 403 if error.code == "forbidden" else 404 if "not_found" in error.code else 422
        return page(request, merchant, "merchant/refused.html", status_code=status,
                    error=error_message(error))  # fmt: skip


def page(
    request: Request, merchant: MerchantSession, template: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    svc = _service(request)
    with reading(svc.database) as store:
        row = store.economy_row(merchant.economy_id)
        version = row.config_version if row is not None else 1
        config = config_from_json(store.config_text(merchant.economy_id, version))
    return render(
        request,
        template,
        status_code=status_code,
        merchant=merchant,
        economy_name=config.name,
        has_stable="stable" in config.sections,  # a two-token economy (issue 6 §2)
        fmt=Formats(config.timezone),
        ok=OK_MESSAGES.get(request.query_params.get("ok", "")),
        **extra,
    )


# -- logging in and out ----------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "merchant/login.html", error=None, key_id="")


@router.post("/login", dependencies=CSRF)
def login(
    request: Request,
    key_id: Annotated[str, Form(max_length=64)] = "",
    secret: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    svc = _service(request)
    try:
        session = merchant_account.login_with_key(svc, key_id, secret)
    except DomainError as error:
        return render(request, "merchant/login.html", status_code=401,
                      error=error_message(error), key_id=key_id)  # fmt: skip
    response = RedirectResponse("/merchant", status_code=303)
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=svc.settings.session_ttl_seconds,
        path="/merchant",
        httponly=True,
        secure=svc.settings.session_cookie_secure,
        samesite="lax",
    )
    return response


@router.post("/logout", dependencies=CSRF)
def logout(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        accounts.logout(_service(request), token)
    response = RedirectResponse("/merchant/login", status_code=303)
    response.delete_cookie(COOKIE, path="/merchant")
    return response


# -- orders ---------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def orders(
    request: Request,
    status: Annotated[str | None, Query(max_length=16)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    wanted = status if status in ORDER_STATUS else None

    def work(merchant: MerchantSession) -> Response:
        svc = _service(request)
        with reading(svc.database) as store:  # the merchant API's own listing
            rows = store.merchant_orders(
                merchant.economy_id, merchant.merchant_id, wanted, PAGE, offset
            )
            minted = store.minted_by_event(
                merchant.economy_id, [r.event_seq for r in rows if r.event_seq is not None]
            )
        return page(request, merchant, "merchant/orders.html", nav="orders",
                    rows=[order_json(r) for r in rows], status=wanted, statuses=ORDER_STATUS,
                    offset=offset, page_size=PAGE, minted=minted)  # fmt: skip

    return guarded(request, work)


def _refused(request: Request, merchant: MerchantSession, error: DomainError) -> HTMLResponse:
    message = error_message(error)
    message["headline"] = ORDER_REFUSALS.get(error.code, message["headline"])
    status = 404 if "not_found" in error.code else 409
    return page(request, merchant, "merchant/refused.html", status_code=status, error=message)


def _done(order_id: str, status: str) -> RedirectResponse:
    # back to the list, at the order's row, which now shows its new state
    return RedirectResponse(f"/merchant?ok={status}#order-{order_id}", status_code=303)


@router.post("/orders/{order_id}/settle", dependencies=CSRF)
def settle_order(request: Request, order_id: str) -> Response:
    """The signed API's own settle: a second click answers from the ledger's record."""

    def work(merchant: MerchantSession) -> Response:
        try:
            merchants.settle(_service(request), merchant.economy_id, merchant.merchant_id, order_id)
        except DomainError as error:
            return _refused(request, merchant, error)
        return _done(order_id, "settled")

    return guarded(request, work)


@router.get("/orders/{order_id}/{action}", response_class=HTMLResponse)
def confirm_close(request: Request, order_id: str, action: str) -> Response:
    """Cancelling or refunding cannot be undone: a second page asks first."""

    def work(merchant: MerchantSession) -> Response:
        if action not in CLOSING:
            return RedirectResponse("/merchant", status_code=303)
        with reading(_service(request).database) as store:
            row = store.merchant_order(merchant.economy_id, merchant.merchant_id, order_id)
        if row is None:
            return _refused(request, merchant, NotFound(f"no order {order_id!r} of this merchant"))
        return page(request, merchant, "merchant/confirm.html", nav="orders",
                    order=order_json(row), action=action)  # fmt: skip

    return guarded(request, work)


@router.post("/orders/{order_id}/{action}", dependencies=CSRF)
def close_order(request: Request, order_id: str, action: str) -> Response:
    def work(merchant: MerchantSession) -> Response:
        if action not in CLOSING:
            return RedirectResponse("/merchant", status_code=303)
        try:
            merchants.close(_service(request), merchant.economy_id, merchant.merchant_id,
                            order_id, CLOSING[action])  # fmt: skip
        except DomainError as error:
            return _refused(request, merchant, error)
        return _done(order_id, CLOSING[action])

    return guarded(request, work)


# -- API keys -------------------------------------------------------------------------------


def _keys_page(request: Request, merchant: MerchantSession, **extra: Any) -> HTMLResponse:
    keys = merchant_account.keys(_service(request), merchant)
    return page(request, merchant, "merchant/keys.html", nav="keys", keys=keys, **extra)


@router.get("/keys", response_class=HTMLResponse)
def keys(request: Request) -> Response:
    return guarded(request, lambda merchant: _keys_page(request, merchant))


@router.post("/keys", dependencies=CSRF)
def create_key(request: Request) -> Response:
    """Answered with the page itself (not a redirect): the secret appears on it once."""

    def work(merchant: MerchantSession) -> Response:
        key_id, secret = merchant_account.new_key(_service(request), merchant)
        response = _keys_page(request, merchant, new_key={"key_id": key_id, "secret": secret})
        response.headers["Cache-Control"] = "no-store"  # the secret must not be cached
        return response

    return guarded(request, work)


@router.post("/keys/{key_id}/revoke", dependencies=CSRF)
def revoke_key(request: Request, key_id: str) -> Response:
    def work(merchant: MerchantSession) -> Response:
        merchant_account.revoke(_service(request), merchant, key_id)
        target = "/merchant/login" if key_id == merchant.key_id else "/merchant/keys?ok=revoked"
        return RedirectResponse(target, status_code=303)

    return guarded(request, work)


# -- stores ---------------------------------------------------------------------------------


def _stores_page(request: Request, merchant: MerchantSession, **extra: Any) -> HTMLResponse:
    svc = _service(request)
    stores = merchant_account.stores(svc, merchant)
    # local life (§6): each store's commission terms and what its settled orders paid
    split = {s["store_id"]: s for s in local_life.merchant_stores_if_local_life(
        svc, merchant.economy_id, merchant.merchant_id)}  # fmt: skip
    for store in stores:
        store["link"] = merchant_account.store_link(svc, merchant.economy_id, store["store_id"])
        store["qr"] = qr_svg(store["link"])
        store["local_life"] = split.get(store["store_id"])
    return page(request, merchant, "merchant/stores.html", nav="stores", stores=stores, **extra)


@router.get("/stores", response_class=HTMLResponse)
def stores(request: Request) -> Response:
    return guarded(request, lambda merchant: _stores_page(request, merchant))


@router.post("/stores", dependencies=CSRF)
def add_store(
    request: Request,
    store_id: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    def work(merchant: MerchantSession) -> Response:
        try:
            merchant_account.add_store(_service(request), merchant, store_id.strip(), name)
        except DomainError as error:
            return _stores_page(request, merchant, error=error_message(error),
                                form={"store_id": store_id, "name": name})  # fmt: skip
        return RedirectResponse("/merchant/stores?ok=store_added", status_code=303)

    return guarded(request, work)
