"""The member app at /m (issue 7 §1): join or log in by phone and SMS code, home, selling
points with a confirmation, withdrawals, history, referral link and QR code, team, rules.

Which economy: a referral link names it (`/m/join?economy=E&ref=CODE`; a bare `ref` is
looked up); the join page remembers it in a cookie; after logging in the session's own
economy is the only one the pages use. Every page calls the same service functions as the
JSON API (`service.wallet`, `service.accounts`); nothing here decides a rule.

Double submissions: the sale and withdrawal forms carry an idempotency key made when the
form is rendered, so a second click or a re-sent form is answered with the first result.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.api.deps import SESSION_COOKIE, client_ip, get_service, session_token
from zengzhi.api.public import service_of
from zengzhi.domain.errors import DomainError, InvalidAmount
from zengzhi.domain.money import MICRO_PER_POINT, fen_from_yuan, format_price
from zengzhi.service import (
    Service,
    accounts,
    dividends,
    grants,
    local_life,
    member_views,
    wallet,
)
from zengzhi.service.accounts import NewSession, Principal, authenticate
from zengzhi.service.errors import Unauthenticated
from zengzhi.store.service_repository import reading
from zengzhi.web.csrf import require_csrf
from zengzhi.web.explorer import Formats, risk_text_for
from zengzhi.web.local_life_console import ROLES as LOCAL_LIFE_ROLES
from zengzhi.web.templating import page_locale, render

router = APIRouter(prefix="/m", include_in_schema=False)
ECONOMY_COOKIE = "zz_m_economy"  # the economy the join page last showed (not a credential)
REF_COOKIE = "zz_m_ref"  # the referral code it came with, kept across the language switch
HISTORY_PAGE = 30
Csrf = Depends(require_csrf)


def N_(text: str) -> str:  # noqa: N802 - the gettext marker Babel extracts
    """Mark a string for translation; templates translate it with `_()`."""
    return text


# the service's refusals in words a member understands (the code is stable, the text ours)
MESSAGES = {
    "wrong_code": N_("The code is wrong or has expired. Check the SMS, or ask for a new code."),
    "locked": N_("Too many wrong attempts: this phone is locked for a while. Try again later."),
    "rate_limited": N_("Too many codes were asked for in the last hour. Try again later."),
    "sms_failed": N_("The SMS could not be sent. Try again in a minute."),
    "unknown_referral_code": N_("This referral code is unknown. Check the link you were sent."),
    "phone_taken": N_("This phone already has an account here: log in with it."),
    "unknown_economy": N_("This link does not lead to a known economy."),
    "insufficient_points": N_("You do not hold that many points."),
    "insufficient_cash": N_("You do not have that much cash."),
    "invalid_amount": N_("Enter an amount greater than zero."),
    "idempotency_conflict": N_("This form was already used for another amount. Start again."),
    "not_found": N_("Nothing was found for this. Check what you entered."),
}
BAD_PHONE = N_("Enter your mobile number (6 to 15 digits).")
BAD_PAYOUT = N_("Name the account to pay into (up to 128 characters).")
BAD_POINTS = N_("Enter the points to sell, e.g. 10 or 10.5 (at most 6 decimals).")
BAD_CASH = N_("Enter the cash in yuan, e.g. 50 or 12.34 (at most 2 decimals).")
NO_POINTS = N_("You have no points to sell yet: points come from settled purchases.")
FALLBACK = N_("This was refused: %(reason)s")

TX_KINDS = {
    "order": N_("Purchase rewarded with points"),
    "sale": N_("Points sold"),
    "exit": N_("Forced exit: all points sold"),
    "burn": N_("Periodic burn"),
    "withdrawal_hold": N_("Withdrawal requested"),
    "withdrawal_paid": N_("Withdrawal paid"),
    "withdrawal_returned": N_("Withdrawal rejected: cash returned"),
    "adjustment": N_("Correction by the operator"),
    # issue 6 §2 (two tokens)
    "stable_conversion": N_("Points converted to stable points"),
    "stable_payment": N_("Paid a merchant in stable points"),
    "buyback": N_("Points bought back by the platform and burned"),
    "commission_split": N_("Reward from an order in a store"),  # local life (§6)
}
LEGS = {
    "member_points": N_("Points"),
    "member_cash": N_("Cash (yuan)"),
    "pending_withdrawal": N_("Withdrawal in review (yuan)"),
    "member_stable": N_("Stable points"),
}
WITHDRAWAL_STATUS = {
    "pending": N_("Pending review"),
    "paid": N_("Paid"),
    "rejected": N_("Rejected"),
}


class Refusal:
    """A refusal to show on a form: a catalog message id and its values."""

    def __init__(self, message: str, **values: str) -> None:
        self.message = message
        self.values = values


def refusal(error: DomainError, overrides: dict[str, str] | None = None) -> Refusal:
    message = (overrides or {}).get(error.code) or MESSAGES.get(error.code)
    return Refusal(message) if message else Refusal(FALLBACK, reason=error.message)


def points_from_text(text: str) -> int:
    """'10.5' points -> 10_500_000 micro-points; more than 6 decimals is refused, not rounded."""
    try:
        value = Decimal((text or "").strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidAmount(BAD_POINTS) from None
    if not value.is_finite():
        raise InvalidAmount(BAD_POINTS)
    micro = Fraction(value) * MICRO_PER_POINT
    if micro.denominator != 1 or micro <= 0:
        raise InvalidAmount(BAD_POINTS)
    return int(micro)


def plain(value: Fraction) -> str:
    """A rate or multiple for people, exactly where it terminates: 20, 0.5, 1.2 (6 places at
    most, half-up)."""
    text = format_price(value, 6)
    return text.rstrip("0").rstrip(".") if "." in text else text


def masked(phone: str) -> str:
    """138****0001: enough for the owner to recognise, not for a shoulder to read."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


# -- who is asking --------------------------------------------------------------------------


def request_service(request: Request) -> Service:
    return get_service(request)


def member_of(request: Request) -> Principal | None:
    """The member logged in with this browser, or None (no, expired or an operator's session)."""
    token = session_token(request)
    if not token:
        return None
    svc = request_service(request)
    try:
        with reading(svc.database) as store:
            principal = authenticate(svc, store, token)
    except Unauthenticated:
        return None
    return principal if principal.kind == "member" else None


def to_join() -> RedirectResponse:
    return RedirectResponse("/m/join", status_code=303)


def member_page(request: Request, who: Principal, template: str, **context: Any) -> HTMLResponse:
    """A logged-in page: the economy's name, formats and risk text come with it."""
    view = service_of(request.app).economy(who.economy_id)
    return render(
        request,
        f"member/{template}",
        economy=view,
        economy_id=who.economy_id,
        fmt=Formats(view.config.timezone),
        risk_text=risk_text_for(view.risk_text, page_locale(request)),
        **context,
    )


# -- joining and logging in -----------------------------------------------------------------


def _join_target(request: Request, economy: str | None, ref: str | None) -> tuple[str | None, str]:
    """The economy and referral code the join page is about."""
    svc = request_service(request)
    ref = (ref or request.cookies.get(REF_COOKIE) or "").strip().upper()
    known = member_views.economy_ids(svc)
    if economy not in known:
        economy = None
    if economy is None and ref:
        economy = member_views.economy_of_referral(svc, ref)
    if economy is None and request.cookies.get(ECONOMY_COOKIE) in known:
        economy = request.cookies.get(ECONOMY_COOKIE)
    if economy is None and len(known) == 1:
        economy = known[0]
    return economy, ref


def _join_page(
    request: Request,
    economy: str | None,
    ref: str,
    *,
    phone: str = "",
    sent: bool = False,
    error: Refusal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    svc = request_service(request)
    name, risk = "", ""
    if economy is not None and economy in member_views.economy_ids(svc):
        view = service_of(request.app).economy(economy)
        name, risk = view.config.name, risk_text_for(view.risk_text, page_locale(request))
    else:
        economy = None
    ref_ok = bool(economy and ref and member_views.referral_is_known(svc, economy, ref))
    if economy and ref and not ref_ok and error is None:
        error = Refusal(MESSAGES["unknown_referral_code"])
    response = render(
        request,
        "member/join.html",
        status_code=status_code,
        economy_id=economy,
        economy_name=name,
        risk_text=risk,
        ref=ref if ref_ok else "",
        phone=phone,
        masked_phone=masked(phone),
        sent=sent,
        ttl_minutes=svc.settings.sms_code_ttl_seconds // 60,
        error=error,
    )
    if economy is not None:
        response.set_cookie(ECONOMY_COOKIE, economy, samesite="lax", httponly=True)
    if ref_ok:
        response.set_cookie(REF_COOKIE, ref, samesite="lax", httponly=True, max_age=7 * 86400)
    return response


@router.get("/join", response_class=HTMLResponse)
def join(
    request: Request,
    economy: Annotated[str | None, Query(max_length=64)] = None,
    ref: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    who = member_of(request)
    if who is not None and (economy is None or economy == who.economy_id):
        return RedirectResponse("/m", status_code=303)
    target, code = _join_target(request, economy, ref)
    return _join_page(request, target, code)


def _back_to(request: Request, path: str) -> RedirectResponse:
    """A GET on a form's post address (the language switch links to `?lang=` of the page
    the post rendered): back to the form, keeping the query."""
    query = request.url.query
    return RedirectResponse(path + (f"?{query}" if query else ""), status_code=303)


@router.get("/join/code", include_in_schema=False)
def join_code_get(request: Request) -> RedirectResponse:
    return _back_to(request, "/m/join")


@router.get("/sell/confirm", include_in_schema=False)
def sell_confirm_get(request: Request) -> RedirectResponse:
    return _back_to(request, "/m/sell")


@router.post("/join/code", response_class=HTMLResponse, dependencies=[Csrf])
def join_send_code(
    request: Request,
    economy: Annotated[str, Form(max_length=64)],
    phone: Annotated[str, Form(max_length=32)] = "",
    ref: Annotated[str, Form(max_length=16)] = "",
) -> HTMLResponse:
    """Send the SMS code: a login code for a phone with an account, else a register code."""
    svc = request_service(request)
    try:
        phone = accounts.normalise_phone(phone)
    except DomainError:
        return _join_page(request, economy, ref, phone=phone, error=Refusal(BAD_PHONE))
    try:
        purpose = member_views.code_purpose(svc, economy, phone)
        accounts.request_code(svc, economy, phone, purpose, client_ip(request))
    except DomainError as error:
        return _join_page(request, economy, ref, phone=phone, error=refusal(error))
    return _join_page(request, economy, ref, phone=phone, sent=True)


@router.post("/join", response_class=HTMLResponse, dependencies=[Csrf])
def join_submit(
    request: Request,
    economy: Annotated[str, Form(max_length=64)],
    phone: Annotated[str, Form(max_length=32)],
    code: Annotated[str, Form(max_length=12)] = "",
    ref: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Log in (a phone with an account) or register (through the referral code, if any)."""
    svc = request_service(request)
    try:
        purpose = member_views.code_purpose(svc, economy, phone)
        if purpose == "login":
            new = accounts.login_with_code(svc, economy, phone, code.strip())
        else:
            new = accounts.register(svc, economy, phone, code.strip(), ref or None, None)
    except DomainError as error:
        shown = refusal(error, {"invalid_request": BAD_PHONE})
        return _join_page(request, economy, ref, phone=phone, sent=True, error=shown)
    return _logged_in(svc, new)


def _logged_in(svc: Service, new: NewSession) -> RedirectResponse:
    response = RedirectResponse("/m", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=svc.settings.session_ttl_seconds,
        httponly=True,
        secure=svc.settings.session_cookie_secure,
        samesite="lax",
    )
    response.delete_cookie(REF_COOKIE)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request) -> RedirectResponse:
    token = session_token(request)
    if token:
        accounts.logout(request_service(request), token)
    response = to_join()
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- home -----------------------------------------------------------------------------------


def exit_progress(found: dict[str, Any]) -> int | None:
    """How far the points' value has come towards the exit line, in whole percent (0-100)."""
    line: int | None = found["exit_line_fen"]
    value: int = found["points_value_fen"]
    if not line or not found["points_micro"]:
        return None
    return min(100, value * 100 // line)


@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    found = wallet.wallet(request_service(request), who.economy_id, who.subject)
    view = service_of(request.app).economy(who.economy_id)
    history = [
        {"t": p.recorded_at // 1000, "price": format_price(p.price)}
        for p in view.disclosure.history
    ]
    return member_page(
        request,
        who,
        "home.html",
        w=found,
        progress=exit_progress(found),
        history_json=json.dumps(history),
        sampled_every=view.disclosure.sampled_every,
    )


# -- selling --------------------------------------------------------------------------------


def _sell_form(
    request: Request, who: Principal, error: Refusal | None = None, points: str = ""
) -> HTMLResponse:
    found = wallet.wallet(request_service(request), who.economy_id, who.subject)
    view = service_of(request.app).economy(who.economy_id)
    return member_page(
        request,
        who,
        "sell.html",
        status_code=422 if error else 200,
        w=found,
        fee_percent=plain(view.config.pool.sell_fee * 100),
        error=error,
        points=points,
    )


@router.get("/sell", response_class=HTMLResponse)
def sell_form(request: Request) -> Response:
    who = member_of(request)
    return to_join() if who is None else _sell_form(request, who)


@router.post("/sell/confirm", response_class=HTMLResponse, dependencies=[Csrf])
def sell_confirm(
    request: Request,
    points: Annotated[str, Form(max_length=40)] = "",
    everything: Annotated[str, Form(alias="all", max_length=4)] = "",
) -> Response:
    """The quote before the sale: price, value, fee and the cash received. Nothing is sold."""
    who = member_of(request)
    if who is None:
        return to_join()
    svc = request_service(request)
    try:
        if everything:
            micro = wallet.wallet(svc, who.economy_id, who.subject)["points_micro"]
            if not micro:
                return _sell_form(request, who, Refusal(NO_POINTS))
        else:
            micro = points_from_text(points)
        quote = member_views.sale_quote(svc, who.economy_id, who.subject, micro)
    except DomainError as error:
        return _sell_form(request, who, refusal(error, {"invalid_amount": BAD_POINTS}), points)
    return member_page(
        request,
        who,
        "sell_confirm.html",
        quote=quote,
        fee_percent=plain(quote.sell_fee * 100),
        key=secrets.token_urlsafe(16),
    )


@router.post("/sell", response_class=HTMLResponse, dependencies=[Csrf])
def sell_commit(
    request: Request,
    points_micro: Annotated[int, Form(ge=1, le=2**62)],
    key: Annotated[str, Form(min_length=8, max_length=64)],
) -> Response:
    """Sell, once per key: a second click or a re-sent form shows the first sale."""
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        result = wallet.sell(
            request_service(request), who.economy_id, who.subject, key, points_micro
        )
    except DomainError as error:
        return _sell_form(request, who, refusal(error))
    found = wallet.wallet(request_service(request), who.economy_id, who.subject)
    return member_page(request, who, "sell_done.html", result=result, w=found)


# -- withdrawals ----------------------------------------------------------------------------


def _withdraw_page(
    request: Request,
    who: Principal,
    *,
    error: Refusal | None = None,
    amount: str = "",
    payout: str = "",
    done: str = "",
) -> HTMLResponse:
    svc = request_service(request)
    return member_page(
        request,
        who,
        "withdraw.html",
        status_code=422 if error else 200,
        w=wallet.wallet(svc, who.economy_id, who.subject),
        withdrawals=wallet.withdrawals(svc, who.economy_id, who.subject, None),
        statuses=WITHDRAWAL_STATUS,
        key=secrets.token_urlsafe(16),
        error=error,
        amount=amount,
        payout=payout,
        done=done,
    )


@router.get("/withdraw", response_class=HTMLResponse)
def withdraw_form(request: Request, done: Annotated[str, Query(max_length=40)] = "") -> Response:
    who = member_of(request)
    return to_join() if who is None else _withdraw_page(request, who, done=done)


@router.post("/withdraw", response_class=HTMLResponse, dependencies=[Csrf])
def withdraw_submit(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    amount: Annotated[str, Form(max_length=24)] = "",
    payout: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        try:
            fen = fen_from_yuan(amount.strip().replace(",", ""))
        except DomainError:
            raise InvalidAmount(BAD_CASH) from None
        if fen <= 0:
            raise InvalidAmount(BAD_CASH)
        found, _ = wallet.withdraw(
            request_service(request), who.economy_id, who.subject, key, fen, payout.strip()
        )
    except DomainError as error:
        shown = refusal(error, {"invalid_amount": BAD_CASH, "invalid_request": BAD_PAYOUT})
        return _withdraw_page(request, who, error=shown, amount=amount, payout=payout)
    # after a post, a redirect: reloading the list never re-sends the form
    return RedirectResponse(f"/m/withdraw?done={found['withdrawal_id']}", status_code=303)


# -- history, referral, team, rules -----------------------------------------------------------


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request, before: Annotated[int | None, Query(ge=1, le=2**62)] = None
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    rows = wallet.history(
        request_service(request), who.economy_id, who.subject, HISTORY_PAGE, before
    )
    older = rows[-1]["tx"] if len(rows) == HISTORY_PAGE else None
    return member_page(
        request, who, "history.html", rows=rows, older=older, tx_kinds=TX_KINDS, legs=LEGS
    )


@router.get("/referral", response_class=HTMLResponse)
def referral(request: Request) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    found = wallet.profile(request_service(request), who.economy_id, who.subject)
    qr = segno.make(found["referral_link"], error="m")
    return member_page(
        request,
        who,
        "referral.html",
        profile=found,
        qr_svg=qr.svg_inline(scale=6, border=2, title=found["referral_link"]),
        rewards=local_life.rewards_if_local_life(
            request_service(request), who.economy_id, who.subject
        ),
        reward_roles=LOCAL_LIFE_ROLES,
    )


@router.get("/team", response_class=HTMLResponse)
def team(request: Request) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    return member_page(
        request,
        who,
        "team.html",
        team=wallet.team(request_service(request), who.economy_id, who.subject),
    )


@router.get("/dividends", response_class=HTMLResponse)
def dividends_page(request: Request) -> Response:
    """Cyclic purchase (§3): quota left, shares, the last settled day and the history."""
    who = member_of(request)
    if who is None:
        return to_join()
    found = dividends.member_dividends(request_service(request), who.economy_id, who.subject, 30)
    rules = found["rules"]
    return member_page(
        request,
        who,
        "dividends.html",
        d=found,
        pro_rata_percent=plain(Fraction(rules["pro_rata_share"]) * 100),
        tier_percent=plain(Fraction(rules["tier_share"]) * 100),
        shares_per_thousand=plain(Fraction(1000, rules["yuan_per_share"])),
    )


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    view = service_of(request.app).economy(who.economy_id)
    pool = view.config.pool
    return member_page(
        request,
        who,
        "rules.html",
        pool=pool,
        share_percent=plain(view.config.pool_share * 100),
        ratio_percent=plain(pool.points_ratio * 100),
        fee_percent=plain(pool.sell_fee * 100),
        burn_percent=plain(view.config.monthly_burn * 100),
        exit_multiple=None if pool.exit_multiple is None else plain(pool.exit_multiple),
        initial_price=format_price(pool.initial_price, 2)
        if (pool.initial_price * 100).denominator == 1
        else plain(pool.initial_price),
        return_days=view.config.return_window_days,
    )


# -- locked grants and shared purchase (issue 5, §4/§5) ---------------------------------------


@router.get("/grants", response_class=HTMLResponse)
def my_grants(request: Request) -> Response:
    """Locked and released points, the last settled day's release, level, star, health."""
    who = member_of(request)
    if who is None:
        return to_join()
    found = grants.member_grants(request_service(request), who.economy_id, who.subject)
    return member_page(request, who, "grants.html", g=found)
