"""The member app's brand membership page at /m/brand (§7): coins, Bean Tokens, tier, cost
basis, dividends received, coupons, proposals; converting coins, buying a coupon, voting.

Every action calls the same service functions as the JSON API (`service.brand`); each form
carries an idempotency key made when the page is rendered, so a second click is answered
with the first result. After a successful post, a redirect: a reload never re-sends it.
The page states the rules and never promises a dividend or a rise in value.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.api.public_service import EconomyView, PublicService
from zengzhi.domain.errors import DomainError, InvalidAmount
from zengzhi.service import brand
from zengzhi.service.accounts import Principal
from zengzhi.web import explorer as explorer_pages
from zengzhi.web import member as member_pages
from zengzhi.web.explorer import explorer_page
from zengzhi.web.member import N_, Csrf, Refusal, member_of, member_page, request_service, to_join
from zengzhi.web.member import refusal as member_refusal

router = APIRouter(prefix="/m/brand", include_in_schema=False)

# how the member's history and the explorer name the brand's transactions and accounts; added
# to their tables from here so that each system keeps its own words in its own module
BRAND_TX_KINDS = {
    "coins_earned": N_("Coffee Coins for a purchase"),
    "referral_token": N_("Token for a referred member's first purchase"),
    "token_conversion": N_("Coins converted to tokens"),
    "coupon_redemption": N_("Coupon bought with coins"),
    "token_dividend_funding": N_("Dividend pool funded from declared profit"),
    "token_dividend": N_("Token dividend paid"),
    "token_buyback": N_("Tokens bought back by the platform"),
    "token_transfer": N_("Tokens given to another member"),
}
BRAND_ACCOUNTS = {
    "member_coins": N_("Coffee Coins"),
    "member_tokens": N_("Bean Tokens (millionths)"),
    "token_dividend_pool": N_("Dividend pool"),
}
for kind, label in BRAND_TX_KINDS.items():
    member_pages.TX_KINDS.setdefault(kind, label)
    explorer_pages.TX_KINDS.setdefault(kind, label)
for kind, label in BRAND_ACCOUNTS.items():
    member_pages.LEGS.setdefault(kind, label)
    explorer_pages.ACCOUNTS.setdefault(kind, label)

MESSAGES = {
    "insufficient_balance": N_("You do not hold that many coins or tokens."),
    "unknown_coupon": N_("This coupon is not in the catalogue."),
    "not_eligible_to_vote": N_(
        "You did not hold enough tokens when this proposal opened, so you have no vote on it."
    ),
    "already_voted": N_("You already voted on this proposal; a ballot is final."),
    "voting_closed": N_("Voting on this proposal is over."),
    "unknown_option": N_("Choose one of the proposal's options."),
    "invalid_amount": N_("Enter a whole number of coins greater than zero."),
    "not_brand_economy": N_("This economy has no brand membership."),
}
TIERS = (N_("gold"), N_("platinum"))  # the preset's tier names, shown translated
BAD_COINS = N_("Enter a whole number of coins greater than zero.")
DONE = {
    "convert": N_("Coins converted to tokens."),
    "coupon": N_("Coupon added to your coupons."),
    "vote": N_("Your ballot is recorded."),
}


def _refusal(error: DomainError) -> Refusal:
    return member_refusal(error, MESSAGES)


def _brand_page(
    request: Request,
    who: Principal,
    *,
    error: Refusal | None = None,
    done: str = "",
    coins: str = "",
) -> HTMLResponse:
    found = brand.member_view(request_service(request), who.economy_id, who.subject)
    return member_page(
        request,
        who,
        "brand.html",
        status_code=422 if error else 200,
        b=found,
        key=secrets.token_urlsafe(16),
        error=error,
        done=DONE.get(done, ""),
        coins=coins,
    )


@router.get("", response_class=HTMLResponse)
def brand_home(request: Request, done: Annotated[str, Query(max_length=16)] = "") -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        return _brand_page(request, who, done=done)
    except DomainError as error:  # e.g. an economy without brand membership
        return member_page(request, who, "brand_none.html", status_code=404, error=_refusal(error))


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/m/brand?done={what}", status_code=303)


@router.post("/convert", response_class=HTMLResponse, dependencies=[Csrf])
def convert(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    coins: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        text = coins.strip().replace(",", "")
        if not text.isdigit() or int(text) <= 0:
            raise InvalidAmount(BAD_COINS)
        brand.convert(request_service(request), who.economy_id, who.subject, key, int(text))
    except DomainError as error:
        return _brand_page(request, who, error=_refusal(error), coins=coins)
    return _done("convert")


@router.post("/coupon", response_class=HTMLResponse, dependencies=[Csrf])
def coupon(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    code: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        brand.redeem(request_service(request), who.economy_id, who.subject, f"{key}:{code}", code)
    except DomainError as error:
        return _brand_page(request, who, error=_refusal(error))
    return _done("coupon")


@router.post("/vote", response_class=HTMLResponse, dependencies=[Csrf])
def vote(
    request: Request,
    key: Annotated[str, Form(min_length=8, max_length=64)],
    proposal: Annotated[str, Form(min_length=1, max_length=64)],
    option: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    who = member_of(request)
    if who is None:
        return to_join()
    try:
        brand.vote(request_service(request), who.economy_id, who.subject, proposal, option, key)
    except DomainError as error:
        return _brand_page(request, who, error=_refusal(error))
    return _done("vote")


# -- the public record: proposals and results in the explorer ----------------------------------

explorer = APIRouter(prefix="/explorer/{economy_id}", include_in_schema=False)


@explorer.get("/proposals", response_class=HTMLResponse)
def explorer_proposals(request: Request, economy_id: str) -> HTMLResponse:
    """Every proposal: its snapshot, pseudonymous ballots with their chain, the result, and
    the audit of the three against the ledger."""

    def build(_: PublicService, __: EconomyView) -> dict[str, Any]:
        return {"proposals": brand.published(request_service(request), economy_id)}

    return explorer_page(request, economy_id, "explorer/proposals.html", build)
