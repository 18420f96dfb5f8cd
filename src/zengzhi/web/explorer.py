"""The public explorer: disclosure figures, price history, transactions, accounts, proofs.

Pages read through the same `PublicService` as the disclosure API, so a page and the JSON
always agree. Members appear only as pseudonyms. An unknown economy, transaction, account
or checkpoint is a plain 404 page in the reader's language, never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from zengzhi.api.errors import ApiError
from zengzhi.api.public import service_of
from zengzhi.api.public_service import EconomyView, PublicService
from zengzhi.domain.errors import DomainError
from zengzhi.domain.money import FEN_PER_YUAN, MICRO_PER_POINT, format_fen, format_price
from zengzhi.web.templating import render

router = APIRouter(prefix="/explorer/{economy_id}", include_in_schema=False)

Before = Annotated[int | None, Query(ge=1)]
PAGE = 20


def N_(text: str) -> str:  # noqa: N802 - the gettext marker Babel extracts
    """Mark a string for translation; templates translate it with `_()`."""
    return text


TX_KINDS = {
    "order": N_("Order settled"),
    "sale": N_("Points sold"),
    "exit": N_("Forced exit"),
    "burn": N_("Periodic burn"),
    "injection": N_("Operator injection"),
    # issue 6 §2 (two tokens)
    "stable_conversion": N_("Points converted to stable points"),
    "stable_payment": N_("Paid a merchant in stable points"),
    "stable_exchange": N_("Stable points exchanged back to points"),
    "stable_cashout": N_("Stable points cashed out"),
    "buyback": N_("Points bought back by the platform and burned"),
    "commission_split": N_("Store commission split"),  # local life (§6)
}
ACCOUNTS = {
    "pool": N_("Pool"),
    "points_supply": N_("Points supply"),
    "order_funding": N_("Order contributions"),
    "injection_funding": N_("Operator financing"),
    "member_cash": N_("Member cash wallet"),
    "member_points": N_("Member points"),
    # issue 6 §2 (two tokens)
    "treasury_points": N_("Platform treasury (points)"),
    "stable_supply": N_("Stable points supply"),
    "member_stable": N_("Member stable points"),
    "platform_funding": N_("Platform funds"),
    # local life (§6)
    "commission_funding": N_("Store commissions"),
    "platform_profit": N_("Platform profit"),
    "platform_unpaid": N_("Unclaimed rewards (platform)"),
}
ASSETS = {"cash": N_("Cash"), "points": N_("Points"), "stable": N_("Stable points")}
UNITS = {"cash": N_("yuan"), "points": N_("points"), "stable": N_("stable points")}


class Formats:
    """Amounts and times for people: exact, signed where it is a change, in the economy's
    time zone."""

    def __init__(self, timezone: str) -> None:
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("Asia/Shanghai")
        self.timezone = timezone

    @staticmethod
    def fen(fen: int) -> str:
        """Yuan with two decimals and thousands separators: 16,255.10."""
        return _grouped(format_fen(fen))

    @staticmethod
    def price(value: Fraction) -> str:
        return format_price(value)

    @staticmethod
    def yuan(fen: Fraction) -> str:
        """An exact amount of fen (a fraction) in yuan, half-up to the fen."""
        return _grouped(format_price(fen / FEN_PER_YUAN, 2))

    @staticmethod
    def points(micro: int) -> str:
        """Exact points, trailing zeros trimmed to two decimals: 21.00, 35.70, 48.195."""
        sign = "-" if micro < 0 else ""
        whole, frac = divmod(abs(micro), MICRO_PER_POINT)
        digits = f"{frac:06d}".rstrip("0").ljust(2, "0")
        return f"{sign}{whole:,}.{digits}"

    def signed_fen(self, fen: int) -> str:
        return ("+" if fen > 0 else "") + self.fen(fen) if fen else "0.00"

    def signed_points(self, micro: int) -> str:
        return ("+" if micro > 0 else "") + self.points(micro) if micro else "0"

    def amount(self, asset: str, amount: int) -> str:
        if asset == "cash":
            return self.signed_fen(amount)
        if asset in ("points", "stable"):  # both counted in millionths (§2 stable points)
            return self.signed_points(amount)
        return f"{amount:+d}"

    def when(self, micros: int) -> str:
        moment = datetime.fromtimestamp(micros / 1_000_000, UTC).astimezone(self.zone)
        return moment.strftime("%Y-%m-%d %H:%M:%S")


def _grouped(number: str) -> str:
    """Thousands separators on the whole part of a decimal string."""
    sign = "-" if number.startswith("-") else ""
    whole, _, decimals = number.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{decimals}" if decimals else "")


def risk_text_for(text: str, locale: str) -> str:
    """A preset's risk text is Chinese then English in one string: show the reader's half.

    The English half is the longest tail without CJK characters; a text that is all one
    language is shown whole.
    """
    cut = len(text)
    while cut > 0 and not _is_cjk(text[cut - 1]):
        cut -= 1
    chinese, english = text[:cut].strip(), text[cut:].strip()
    if not chinese or not english:
        return text
    return english if locale == "en" else chinese


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def explorer_page(
    request: Request,
    economy_id: str,
    template: str,
    build: Callable[[PublicService, EconomyView], dict[str, Any]],
) -> HTMLResponse:
    service = service_of(request.app)
    try:
        view = service.economy(economy_id)
        context = build(service, view)
    except (DomainError, ApiError) as error:
        return _not_found(request, economy_id, error)
    return render(request, template, **_common(view), **context)


def _not_found(request: Request, economy_id: str, error: Exception) -> HTMLResponse:
    code = getattr(error, "code", "")
    status = getattr(error, "status", 404 if code == "unknown_economy" else 422)
    return render(
        request,
        "explorer/not_found.html",
        status_code=status if code != "unknown_economy" else 404,
        economy_id=economy_id,
        unknown_economy=code == "unknown_economy",
        message=str(error),
    )


def _common(view: EconomyView) -> dict[str, Any]:
    return {
        "economy": view,
        "economy_id": view.row.economy_id,
        "fmt": Formats(view.config.timezone),
        "tx_kinds": TX_KINDS,
        "accounts": ACCOUNTS,
        "assets": ASSETS,
        "units": UNITS,
        "risk_text_for": risk_text_for,
    }


@router.get("", response_class=HTMLResponse)
def explorer_home(request: Request, economy_id: str) -> HTMLResponse:
    def build(service: PublicService, view: EconomyView) -> dict[str, Any]:
        history = [
            {"seq": p.seq, "t": p.recorded_at // 1000, "price": format_price(p.price)}
            for p in view.disclosure.history
        ]
        checkpoints, _ = service.checkpoints(economy_id, None, 5)
        return {
            "page": service.transactions(economy_id, None, PAGE),
            "checkpoints": checkpoints,
            "history_json": json.dumps(history),
            "sampled_every": view.disclosure.sampled_every,
        }

    return explorer_page(request, economy_id, "explorer/home.html", build)


@router.get("/transactions", response_class=HTMLResponse)
def explorer_transactions(request: Request, economy_id: str, before: Before = None) -> HTMLResponse:
    """More transactions: table rows for htmx ("load more"), or a page of its own."""
    fragment = request.headers.get("hx-request") == "true"
    template = "explorer/_tx_rows.html" if fragment else "explorer/transactions.html"
    return explorer_page(
        request,
        economy_id,
        template,
        lambda service, _: {"page": service.transactions(economy_id, before, PAGE)},
    )


@router.get("/tx/{seq}", response_class=HTMLResponse)
def explorer_transaction(request: Request, economy_id: str, seq: int) -> HTMLResponse:
    def build(service: PublicService, _: EconomyView) -> dict[str, Any]:
        detail = service.transaction(economy_id, seq)
        sums: dict[str, int] = {}
        for leg in detail.tx.legs:
            sums[leg.asset] = sums.get(leg.asset, 0) + leg.amount
        return {"detail": detail, "sums": sums}

    return explorer_page(request, economy_id, "explorer/transaction.html", build)


@router.get("/account/{pseudonym}", response_class=HTMLResponse)
def explorer_account(
    request: Request, economy_id: str, pseudonym: str, before: Before = None
) -> HTMLResponse:
    return explorer_page(
        request,
        economy_id,
        "explorer/account.html",
        lambda service, _: {"account": service.account(economy_id, pseudonym, before, PAGE)},
    )


@router.get("/checkpoints", response_class=HTMLResponse)
def explorer_checkpoints(request: Request, economy_id: str, before: Before = None) -> HTMLResponse:
    def build(service: PublicService, _: EconomyView) -> dict[str, Any]:
        found, more = service.checkpoints(economy_id, before, PAGE)
        return {"checkpoints": found, "next_before": more}

    return explorer_page(request, economy_id, "explorer/checkpoints.html", build)
