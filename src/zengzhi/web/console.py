"""The operator console (issue 7 §2): dashboard, rules, members, withdrawals, audit, reports.

Operators log in with phone and password exactly as over the API (`accounts.operator_login`)
and each page checks the operator's role with the API's own `require(…, action)`, so a page
and an API call are allowed or refused alike. The session lives in its own HttpOnly cookie
scoped to /console, so a member session in the same browser is untouched. Pages call the
same service functions as the API; nothing here computes a rule.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zengzhi.api.public import service_of
from zengzhi.app.codec import config_from_json, config_to_mapping
from zengzhi.domain.errors import DomainError
from zengzhi.domain.money import FEN_PER_YUAN, MICRO_PER_POINT, format_fen, format_points
from zengzhi.service import Service, accounts, grants, operators, reports, wallet
from zengzhi.service.accounts import authenticate
from zengzhi.service.errors import InvalidInput, Unauthenticated
from zengzhi.service.operators import CAN, require
from zengzhi.sim.checks import Severity
from zengzhi.store.service_repository import reading
from zengzhi.web.csrf import require_csrf
from zengzhi.web.explorer import Formats
from zengzhi.web.templating import page_locale, render

router = APIRouter(prefix="/console", include_in_schema=False)

COOKIE = "zz_console"
CSRF = [Depends(require_csrf)]
PAGE = 50


def N_(text: str) -> str:  # noqa: N802 - the gettext marker Babel extracts
    return text


# -- words the pages show for codes ---------------------------------------------------------

ROLES = {
    "owner": N_("Owner"),
    "operator": N_("Operator"),
    "finance": N_("Finance"),
    "auditor": N_("Auditor"),
}
WITHDRAWAL_STATUS = {
    "pending": N_("Pending review"),
    "paid": N_("Paid"),
    "rejected": N_("Rejected"),
}
SEVERITY = {"high": N_("High risk"), "medium": N_("Medium risk"), "info": N_("Info")}
TX_KINDS = {
    "order": N_("Order settled"),
    "sale": N_("Points sold"),
    "exit": N_("Forced exit"),
    "burn": N_("Periodic burn"),
    "injection": N_("Operator injection"),
    "withdrawal_hold": N_("Withdrawal requested (cash held)"),
    "withdrawal_paid": N_("Withdrawal paid"),
    "withdrawal_returned": N_("Withdrawal rejected (cash returned)"),
    "adjustment": N_("Operator adjustment"),
    "grant_adjustment": N_("Operator adjustment of locked grant points"),
    # issue 6 §2 (two tokens)
    "stable_conversion": N_("Points converted to stable points"),
    "stable_payment": N_("Paid a merchant in stable points"),
    "stable_exchange": N_("Stable points exchanged back to points"),
    "stable_cashout": N_("Stable points cashed out"),
    "buyback": N_("Points bought back by the platform and burned"),
    "commission_split": N_("Store commission split"),  # local life (§6)
}
ACCOUNTS = {
    "member_cash": N_("Cash"),
    "member_points": N_("Points"),
    "pending_withdrawal": N_("Withdrawal under review"),
    "member_stable": N_("Stable points"),  # issue 6 §2
}
AUDIT_ACTIONS = {
    "economy.created": N_("Economy created"),
    "operator.role_granted": N_("Role granted"),
    "merchant.created": N_("Merchant added"),
    "merchant.key_created": N_("Merchant API key created"),
    "merchant.key_revoked": N_("Merchant API key revoked"),
    "merchant.console_login": N_("Merchant logged in to the console"),
    "store.created": N_("Store added"),
    "member.registered": N_("Member registered"),
    "member.password_reset": N_("Member reset their password"),
    "member.adjusted": N_("Member balance adjusted"),
    "member.grant_adjusted": N_("Member's locked grant points adjusted"),
    "order.settled": N_("Order settled"),
    "order.auto_settled": N_("Order settled automatically"),
    "order.cancelled": N_("Order cancelled"),
    "order.refunded": N_("Order refunded"),
    "withdrawal.requested": N_("Withdrawal requested"),
    "withdrawal.paid": N_("Withdrawal approved and paid"),
    "withdrawal.rejected": N_("Withdrawal rejected"),
    "rules.changed": N_("Rules changed (new version)"),
    "rules.applied": N_("New rules took effect"),
    "stable.buyback": N_("Points bought back by the platform and burned"),
}
FINDING_TITLES = {  # sim/checks.py titles; the explanation has its own Chinese text
    "Team rewards reach deeper than three levels": N_(
        "Team rewards reach deeper than three levels"
    ),
    "Referral rewards reach deeper than three levels": N_(
        "Referral rewards reach deeper than three levels"
    ),
    "Positions are sold for a fee": N_("Positions are sold for a fee"),
    "Cash returns have no cap": N_("Cash returns have no cap"),
    "A member can get back more cash than they spent": N_(
        "A member can get back more cash than they spent"
    ),
    "Pool payouts stay at or below what a member spent": N_(
        "Pool payouts stay at or below what a member spent"
    ),
    "Grants are worth more than the purchase": N_("Grants are worth more than the purchase"),
    "Dividend quota exceeds the purchase": N_("Dividend quota exceeds the purchase"),
    "Every yuan spent is granted back in points": N_("Every yuan spent is granted back in points"),
    "Dividends are a fixed share of turnover": N_("Dividends are a fixed share of turnover"),
    "Cash dividends to token holders": N_("Cash dividends to token holders"),
    "Points can be bought for cash": N_("Points can be bought for cash"),
    "No risk disclosure": N_("No risk disclosure"),
}
RULE_TABLES = {
    "economy": N_("Basics"),
    "pool": N_("Pool and points"),
    "disclosure": N_("Disclosure to members"),
}
RULE_KEYS = {
    "economy.name": N_("Name"),
    "economy.system": N_("Mechanism"),
    "economy.timezone": N_("Time zone"),
    "economy.return_window_days": N_("Return window (days): orders settle after it"),
    "pool.pool_share": N_("Share of each order put into the pool"),
    "pool.points_ratio": N_("Points minted, as a share of the contribution's value"),
    "pool.initial_price": N_("Starting price (yuan per point)"),
    "pool.sell_fee": N_("Sell fee kept in the pool (reflow)"),
    "pool.exit_multiple": N_("Forced exit at this multiple of the cycle's spending"),
    "pool.monthly_burn": N_("Monthly burn"),
    "disclosure.risk_text": N_("Risk notice shown to members"),
}
READ_ONLY_KEYS = frozenset({"economy.system"})  # a mechanism is chosen once, by preset
RATIO_KEYS = frozenset(
    {"pool.pool_share", "pool.points_ratio", "pool.sell_fee", "pool.monthly_burn"}
)
REPORTS = {
    "pool": N_("Pool and price by day"),
    "orders": N_("Orders by day"),
    "payouts": N_("Payouts by day"),
    "exits": N_("Forced exits"),
    "members": N_("Members by day"),
    "referrals": N_("Referral links"),
    "teams": N_("Teams"),
}
COLUMNS = {
    "day": N_("Day (UTC)"),
    "events": N_("Events"),
    "pool_fen": N_("Pool (yuan)"),
    "points_micro": N_("Points"),
    "price": N_("Price (yuan per point)"),
    "last_event": N_("Last event"),
    "reported": N_("Awaiting settlement"),
    "settled": N_("Settled"),
    "cancelled": N_("Cancelled"),
    "refunded": N_("Refunded"),
    "amount_fen": N_("Amount (yuan)"),
    "settled_amount_fen": N_("Settled amount (yuan)"),
    "sales_fen": N_("Paid for points sold (yuan)"),
    "exits_fen": N_("Paid at forced exits (yuan)"),
    "withdrawn_fen": N_("Withdrawn (yuan)"),
    "tx": N_("Transaction"),
    "member_id": N_("Member"),
    "payout_fen": N_("Paid (yuan)"),
    "joined": N_("Joined"),
    "members": N_("Members in total"),
    "referrer": N_("Referred by"),
    "direct": N_("Direct referrals"),
    "second_level": N_("Second level"),
    "team_spend_fen": N_("Team spend this cycle (yuan)"),
}
OK_MESSAGES = {
    "approved": N_("The withdrawal was approved and recorded as paid."),
    "rejected": N_("The withdrawal was rejected; the cash went back to the member's wallet."),
    "adjusted": N_("The adjustment was recorded in the ledger and the audit log."),
    "grant_adjusted": N_("The locked grant points were adjusted in the ledger and the audit log."),
    "bought_back": N_("The points were bought back at the price, burned, and audited."),
    "rules_saved": N_("The new rules were saved as a new version and audited."),
}
ERROR_MESSAGES = {  # a sentence in the reader's language; the service's own text follows
    "wrong_credentials": N_("The phone number or password is wrong."),
    "locked": N_("Too many wrong attempts: this login is locked for a while."),
    "forbidden": N_("Your role does not allow this."),
    "rules_refused": N_(
        "High-severity findings are not acknowledged: tick each one and give a reason,"
        " or change the rules."
    ),
    "invalid_rule": N_("These rules are not valid."),
    "invalid_request": N_("Please check the form."),
    "invalid_amount": N_("The amount is not valid."),
    "insufficient_cash": N_("The member does not have that much cash."),
    "insufficient_points": N_("The member does not have that many points."),
    "already_reviewed": N_("This withdrawal was already reviewed."),
    "not_found": N_("Not found."),
    "unknown_member": N_("No such member in this economy."),
}


def error_message(error: DomainError) -> dict[str, str]:
    """What a page shows for a refusal: a translatable headline and the service's detail."""
    return {
        "headline": ERROR_MESSAGES.get(error.code, N_("This was refused.")),
        "detail": error.message,
    }


# -- who is asking, and what they may do ---------------------------------------------------


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _operator(request: Request) -> str:
    svc = _service(request)
    with reading(svc.database) as store:
        principal = authenticate(svc, store, request.cookies.get(COOKIE))
    if principal.kind != "operator":
        raise Unauthenticated("log in as an operator")
    return principal.subject


def _cookie(request: Request, response: Response, token: str, max_age: int | None) -> None:
    settings = _service(request).settings
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path="/console",
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="lax",
    )


@dataclass
class Ctx:
    """One console page's request: the operator, their role here and what it allows."""

    request: Request
    svc: Service
    operator: str
    operator_name: str
    economy_id: str
    role: str
    summary: dict[str, Any]
    fmt: Formats
    can: frozenset[str] = field(default_factory=frozenset)

    def render(self, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
        return render(
            self.request,
            template,
            status_code=status_code,
            ctx=self,
            economy_id=self.economy_id,
            economy_name=self.summary["config"]["economy"]["name"],
            fmt=self.fmt,
            roles=ROLES,
            ok=OK_MESSAGES.get(self.request.query_params.get("ok", "")),
            **extra,
        )


def _login_redirect(request: Request) -> RedirectResponse:
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return RedirectResponse(f"/console/login?next={target}", status_code=303)


def guarded(
    request: Request, economy_id: str, action: str, work: Callable[[Ctx], Response]
) -> Response:
    """Run `work` for a logged-in operator whose role here allows `action` (the API's
    `require`); otherwise the login page, or a refusal page with the API's status."""
    svc = _service(request)
    try:
        operator = _operator(request)
    except Unauthenticated:
        return _login_redirect(request)
    try:
        role = require(svc, operator, economy_id, action)
        summary = operators.economy_summary(svc, economy_id)
        with reading(svc.database) as store:
            row = store.operator(operator)
        ctx = Ctx(
            request, svc, operator, row.name if row else operator, economy_id, role, summary,
            Formats(summary["config"]["economy"].get("timezone", "Asia/Shanghai")),
            frozenset(a for a, allowed in CAN.items() if role in allowed),
        )  # fmt: skip
        return work(ctx)
    except DomainError as error:
        status = 403 if error.code == "forbidden" else 404 if "not_found" in error.code else 422
        if error.code in ("unknown_member", "unknown_economy"):
            status = 404
        return render(
            request,
            "console/refused.html",
            status_code=status,
            economy_id=economy_id,
            error=error_message(error),
            status=status,
        )


# -- logging in and out ----------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/console") and "//" not in target else "/console"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, target: Annotated[str | None, Query(alias="next", max_length=500)] = None
) -> HTMLResponse:
    return render(request, "console/login.html", next=_safe_next(target), error=None, phone="")


@router.post("/login", dependencies=CSRF)
def login(
    request: Request,
    phone: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    target: Annotated[str, Form(alias="next", max_length=500)] = "/console",
) -> Response:
    svc = _service(request)
    try:
        session = accounts.operator_login(svc, phone, password)
    except DomainError as error:
        return render(
            request, "console/login.html", status_code=401 if error.code != "locked" else 429,
            next=_safe_next(target), error=error_message(error), phone=phone,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(target), status_code=303)
    _cookie(request, response, session.token, svc.settings.session_ttl_seconds)
    return response


@router.post("/logout", dependencies=CSRF)
def logout(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        accounts.logout(_service(request), token)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("", response_class=HTMLResponse)
def choose_economy(request: Request) -> Response:
    """Where this operator works: straight to the economy if there is only one."""
    svc = _service(request)
    try:
        operator = _operator(request)
    except Unauthenticated:
        return _login_redirect(request)
    with reading(svc.database) as store:
        roles = store.roles(operator)
    if len(roles) == 1:
        return RedirectResponse(f"/console/{next(iter(roles))}", status_code=303)
    return render(request, "console/economies.html", roles=roles, role_names=ROLES)


# -- dashboard -------------------------------------------------------------------------------


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else format_fen(fen)


def dashboard_series(svc: Service, economy_id: str) -> dict[str, Any]:
    """Per-day series for the charts, from the same report functions as the CSV exports."""
    pool = {r["day"]: r for r in reports.build(svc, economy_id, "pool")}
    orders = {r["day"]: r for r in reports.build(svc, economy_id, "orders")}
    payouts = {r["day"]: r for r in reports.build(svc, economy_id, "payouts")}
    exits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in reports.build(svc, economy_id, "exits"):
        exits[r["day"]][0] += 1
        exits[r["day"]][1] += r["payout_fen"]
    days = sorted(set(pool) | set(orders) | set(payouts) | set(exits))
    return {
        "days": days,
        "pool_yuan": [_yuan(pool[d]["pool_fen"]) if d in pool else None for d in days],
        "price": [pool[d]["price"] if d in pool else None for d in days],
        "points": [
            format_points(pool[d]["points_micro"])
            if d in pool and pool[d]["points_micro"]
            else None
            for d in days
        ],
        "orders": [
            orders[d]["settled"] + orders[d]["reported"] if d in orders else 0 for d in days
        ],
        "orders_yuan": [_yuan(orders[d]["amount_fen"]) if d in orders else "0.00" for d in days],
        "sales_yuan": [_yuan(payouts[d]["sales_fen"]) if d in payouts else "0.00" for d in days],
        "exits_yuan": [_yuan(payouts[d]["exits_fen"]) if d in payouts else "0.00" for d in days],
        "withdrawn_yuan": [
            _yuan(payouts[d]["withdrawn_fen"]) if d in payouts else "0.00" for d in days
        ],
        "exits": [exits[d][0] if d in exits else 0 for d in days],
        "totals": {
            "orders": sum(r["settled"] + r["reported"] for r in orders.values()),
            "orders_reported": sum(r["reported"] for r in orders.values()),
            "orders_fen": sum(r["settled_amount_fen"] for r in orders.values()),
            "paid_fen": sum(int(r["sales_fen"]) + int(r["exits_fen"]) for r in payouts.values()),
            "withdrawn_fen": sum(int(r["withdrawn_fen"]) for r in payouts.values()),
            "exits": sum(n for n, _ in exits.values()),
        },
    }


@router.get("/{economy_id}", response_class=HTMLResponse)
def dashboard(request: Request, economy_id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        view = service_of(request.app).economy(economy_id)
        series = dashboard_series(ctx.svc, economy_id)
        members = reports.build(ctx.svc, economy_id, "members")
        pending = wallet.withdrawals(ctx.svc, economy_id, None, "pending", 1000)
        return ctx.render(
            "console/dashboard.html",
            nav="dashboard",
            d=view.disclosure,
            series=series,
            series_json=json.dumps(series),
            members_total=members[-1]["members"] if members else 0,
            pending_count=len(pending),
            pending_fen=sum(w["amount_fen"] for w in pending),
        )

    return guarded(request, economy_id, "read", page)


# -- rules ---------------------------------------------------------------------------------


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | bool) and not isinstance(value, list | dict)


def rule_fields(mapping: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The configuration as form sections: scalar keys editable, the rest shown."""
    sections = []
    for table, values in mapping.items():
        if not isinstance(values, Mapping):
            continue
        fields = []
        for key, value in values.items():
            name = f"{table}.{key}"
            fields.append(
                {
                    "name": name,
                    "key": key,
                    "label": RULE_KEYS.get(name),
                    "value": value,
                    "editable": _scalar(value) and name not in READ_ONLY_KEYS,
                    "long": isinstance(value, str) and len(value) > 60,
                    "ratio": name in RATIO_KEYS,
                    "shown": value if _scalar(value) else json.dumps(value, ensure_ascii=False),
                }
            )
        sections.append({"table": table, "label": RULE_TABLES.get(table), "fields": fields})
    return sections


def changes_from_form(mapping: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """Keys whose submitted value differs from the current one, typed like the current one."""
    changes: dict[str, dict[str, Any]] = {}
    for table, values in mapping.items():
        if not isinstance(values, Mapping):
            continue
        for key, current in values.items():
            name = f"{table}.{key}"
            if name not in form or not _scalar(current) or name in READ_ONLY_KEYS:
                continue
            text = form[name].strip()
            value: Any = text
            if isinstance(current, bool):
                value = text.lower() in ("true", "1", "yes", "on")
            elif isinstance(current, int):
                try:
                    value = int(text)
                except ValueError:
                    raise InvalidInput(f"{name} must be a whole number (got {text!r})") from None
            if value != current:
                changes.setdefault(table, {})[key] = value
    return changes


def _effective_at(text: str, timezone: str) -> int | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip()).replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        raise InvalidInput(f"the start time {text!r} is not a date and time") from None
    return int(moment.timestamp()) * 1_000_000


def _findings(decision: Any, locale: str) -> list[dict[str, Any]]:
    return [
        {
            "code": f.code,
            "severity": f.severity.value,
            "high": f.severity is Severity.HIGH,
            "where": f.where,
            "title": FINDING_TITLES.get(f.title, f.title),
            "explanation": f.explanation_zh if locale == "zh_CN" else f.explanation,
        }
        for f in decision.findings
    ]


def _canonical(changes: Mapping[str, Any]) -> str:
    return json.dumps(changes, sort_keys=True, ensure_ascii=False)


def _versions(svc: Service, economy_id: str) -> list[Any]:
    with reading(svc.database) as store:
        return store.config_changes(economy_id)


def _rules_page(ctx: Ctx, form: Mapping[str, str] | None, **extra: Any) -> HTMLResponse:
    mapping = ctx.summary["config"]
    shown_version = ctx.request.query_params.get("version")
    past = None
    versions = _versions(ctx.svc, ctx.economy_id)
    if shown_version and shown_version.isdigit():
        wanted = int(shown_version)
        text = next((v.config for v in versions if v.version == wanted), None)
        if text is None and 1 <= wanted <= ctx.summary["config_version"]:
            with reading(ctx.svc.database) as store:
                text = store.config_text(ctx.economy_id, wanted)
        if text is not None:
            past = {
                "version": wanted,
                "sections": rule_fields(config_to_mapping(config_from_json(text))),
            }
    sections = rule_fields(mapping)
    changed = {f"{t}.{k}" for t, values in extra.get("changes", {}).items() for k in values}
    listed = []
    for section in sections:
        for f in section["fields"]:
            if form is not None and f["editable"] and f["name"] in form:
                f["value"] = form[f["name"]]  # keep what the operator typed
            f["changed"] = f["name"] in changed
            if f["changed"]:
                listed.append({"label": f["label"], "name": f["name"], "old": f["shown"],
                               "new": f["value"]})  # fmt: skip
    return ctx.render(
        "console/rules.html",
        nav="rules",
        sections=sections,
        versions=versions,
        past=past,
        severity=SEVERITY,
        changed=listed,
        form=form or {},
        **extra,
    )


@router.get("/{economy_id}/rules", response_class=HTMLResponse)
def rules(request: Request, economy_id: str) -> Response:
    return guarded(request, economy_id, "read", lambda ctx: _rules_page(ctx, None))


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


@router.post("/{economy_id}/rules/check", dependencies=CSRF)
async def check_rules(request: Request, economy_id: str) -> Response:
    """Step one of a rule change: validate and run the compliance checks; save nothing."""
    form = await _form(request)

    def page(ctx: Ctx) -> Response:
        try:
            changes = changes_from_form(ctx.summary["config"], form)
            if not changes:
                raise InvalidInput("nothing was changed")
            decision = operators.preview_rules(ctx.svc, economy_id, changes)
        except DomainError as error:
            return _rules_page(ctx, form, error=error_message(error))
        form["checked_json"] = _canonical(changes)
        return _rules_page(
            ctx, form, checked=True, changes=changes,
            findings=_findings(decision, page_locale(ctx.request)),
        )  # fmt: skip

    return await _threaded(request, economy_id, "change_rules", page)


@router.post("/{economy_id}/rules", dependencies=CSRF)
async def save_rules(request: Request, economy_id: str) -> Response:
    """Step two: save as a new version; high findings need a ticked box and a reason."""
    form = await _form(request)

    def page(ctx: Ctx) -> Response:
        acks = [
            {"code": code, "reason": form.get(f"ack_reason.{code}", "")}
            for code in sorted({k.split(".", 1)[1] for k in form if k.startswith("ack.")})
        ]
        try:
            missing = [a["code"] for a in acks if not a["reason"].strip()]
            if missing:
                raise InvalidInput(
                    f"give a reason for each acknowledged finding: {', '.join(missing)}"
                )
            changes = changes_from_form(ctx.summary["config"], form)
            if not changes:
                raise InvalidInput("nothing was changed")
            if form.get("checked") != _canonical(changes):
                raise InvalidInput("the values changed after the check: check them again")
            at = _effective_at(form.get("effective_at", ""), ctx.fmt.timezone)
            saved = operators.change_rules(
                ctx.svc, economy_id, ctx.operator, changes, at, form.get("reason", ""), acks
            )
        except DomainError as error:
            try:
                again = changes_from_form(ctx.summary["config"], form)
                decision = operators.preview_rules(ctx.svc, economy_id, again)
                findings = _findings(decision, page_locale(ctx.request))
                form["checked_json"] = _canonical(again)
            except DomainError:
                again, findings = {}, []
            return _rules_page(
                ctx, form, checked=bool(again), changes=again, findings=findings,
                error=error_message(error), status_code=422,
            )  # fmt: skip
        return RedirectResponse(
            f"/console/{economy_id}/rules?ok=rules_saved&saved={saved['version']}", status_code=303
        )

    return await _threaded(request, economy_id, "change_rules", page)


async def _threaded(
    request: Request, economy_id: str, action: str, work: Callable[[Ctx], Response]
) -> Response:
    """`guarded` off the event loop (the service blocks on the database)."""
    return await run_in_threadpool(guarded, request, economy_id, action, work)


# -- members -------------------------------------------------------------------------------


def mask_for(role: str, phone: str) -> str:
    """Phones in full for owners and operators only (as the API's member list)."""
    return phone if role in ("owner", "operator") else operators._mask(phone)


@router.get("/{economy_id}/members", response_class=HTMLResponse)
def members(
    request: Request,
    economy_id: str,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    def page(ctx: Ctx) -> Response:
        not_found = None
        if phone and phone.strip():
            try:
                wanted = accounts.normalise_phone(phone)
            except DomainError as error:
                return ctx.render(
                    "console/members.html", nav="members", rows=[], offset=0, page=PAGE,
                    phone=phone, error=error_message(error), not_found=None,
                )  # fmt: skip
            with reading(ctx.svc.database) as store:
                found = store.member_by_phone(economy_id, wanted)
            if found is not None:
                return RedirectResponse(
                    f"/console/{economy_id}/members/{found.member_id}", status_code=303
                )
            not_found = phone
        rows = operators.members(ctx.svc, economy_id, ctx.role, PAGE, offset)
        return ctx.render(
            "console/members.html", nav="members", rows=rows, offset=offset, page=PAGE,
            phone=phone or "", not_found=not_found, error=None,
        )  # fmt: skip

    return guarded(request, economy_id, "see_members", page)


def member_detail_page(ctx: Ctx, member_id: str, **extra: Any) -> HTMLResponse:
    profile = wallet.profile(ctx.svc, ctx.economy_id, member_id)
    profile["phone"] = mask_for(ctx.role, profile["phone"])
    return ctx.render(
        "console/member.html",
        nav="members",
        member=profile,
        w=wallet.wallet(ctx.svc, ctx.economy_id, member_id),
        history=wallet.history(ctx.svc, ctx.economy_id, member_id, PAGE, None),
        withdrawals=wallet.withdrawals(ctx.svc, ctx.economy_id, member_id, None, PAGE),
        tx_kinds=TX_KINDS,
        accounts=ACCOUNTS,
        statuses=WITHDRAWAL_STATUS,
        adjust_key=secrets.token_urlsafe(12),
        member_grants=_grants_of(ctx, member_id),
        **extra,
    )


def _grants_of(ctx: Ctx, member_id: str) -> dict[str, Any] | None:
    """A grant economy's member's locked and released points, for the grant adjustment."""
    found = grants.member_grants(ctx.svc, ctx.economy_id, member_id)
    return found if found["grants_apply"] else None


@router.get("/{economy_id}/members/{member_id}", response_class=HTMLResponse)
def member(request: Request, economy_id: str, member_id: str) -> Response:
    return guarded(
        request, economy_id, "see_members", lambda ctx: member_detail_page(ctx, member_id)
    )


def parse_amount(text: str, asset: str) -> int:
    """A signed amount typed in yuan or points, exactly, as fen or micro-points."""
    unit = FEN_PER_YUAN if asset == "cash" else MICRO_PER_POINT
    try:
        value = Decimal(text.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a number") from None
    scaled = value * unit
    if not value.is_finite() or scaled != scaled.to_integral_value():
        places = "2" if asset == "cash" else "6"
        raise InvalidInput(f"{text!r} has more than {places} decimal places")
    if abs(scaled) > 2**52:  # the API's bound on an adjustment
        raise InvalidInput(f"{text!r} is too large for an adjustment")
    return int(scaled)


@router.post("/{economy_id}/members/{member_id}/adjust", dependencies=CSRF)
def adjust(
    request: Request,
    economy_id: str,
    member_id: str,
    asset: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def page(ctx: Ctx) -> Response:
        try:
            if asset not in ("cash", "points"):
                raise InvalidInput("choose cash or points")
            delta = parse_amount(amount, asset)
            operators.adjust(
                ctx.svc, economy_id, ctx.operator, member_id, asset, delta, reason, key
            )
        except DomainError as error:
            return member_detail_page(
                ctx, member_id, adjust_error=error_message(error),
                adjust_form={"asset": asset, "amount": amount, "reason": reason},
            )  # fmt: skip
        return RedirectResponse(
            f"/console/{economy_id}/members/{member_id}?ok=adjusted", status_code=303
        )

    return guarded(request, economy_id, "adjust", page)


@router.post("/{economy_id}/members/{member_id}/grant-adjust", dependencies=CSRF)
def grant_adjust(
    request: Request,
    economy_id: str,
    member_id: str,
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """An operator adds (positive) or deducts (negative) locked grant points, audited."""

    def page(ctx: Ctx) -> Response:
        try:
            delta = parse_amount(amount, "points")
            grants.adjust(ctx.svc, economy_id, ctx.operator, member_id, delta, reason, key)
        except DomainError as error:
            return member_detail_page(
                ctx, member_id, grant_adjust_error=error_message(error),
                grant_adjust_form={"amount": amount, "reason": reason},
            )  # fmt: skip
        return RedirectResponse(
            f"/console/{economy_id}/members/{member_id}?ok=grant_adjusted", status_code=303
        )

    return guarded(request, economy_id, "adjust", page)


# -- withdrawals ---------------------------------------------------------------------------


def _withdrawals_page(ctx: Ctx, status: str | None, **extra: Any) -> HTMLResponse:
    rows = wallet.withdrawals(ctx.svc, ctx.economy_id, None, status, 1000)
    phones: dict[str, str] = {}
    with reading(ctx.svc.database) as store:  # who asked, as this role may see them
        for member_id in {r["member_id"] for r in rows}:
            account = store.member_account(ctx.economy_id, member_id)
            phones[member_id] = mask_for(ctx.role, account.phone) if account else ""
    return ctx.render(
        "console/withdrawals.html",
        nav="withdrawals",
        rows=rows,
        phones=phones,
        status=status,
        statuses=WITHDRAWAL_STATUS,
        **extra,
    )


@router.get("/{economy_id}/withdrawals", response_class=HTMLResponse)
def withdrawals(request: Request, economy_id: str, status: str = "pending") -> Response:
    wanted = status if status in WITHDRAWAL_STATUS else None
    return guarded(request, economy_id, "see_members", lambda ctx: _withdrawals_page(ctx, wanted))


@router.post("/{economy_id}/withdrawals/{withdrawal_id}/approve", dependencies=CSRF)
def approve(
    request: Request,
    economy_id: str,
    withdrawal_id: str,
    reference: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _review(request, economy_id, withdrawal_id, True, reference)


@router.post("/{economy_id}/withdrawals/{withdrawal_id}/reject", dependencies=CSRF)
def reject(
    request: Request,
    economy_id: str,
    withdrawal_id: str,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _review(request, economy_id, withdrawal_id, False, note)


def _review(
    request: Request, economy_id: str, withdrawal_id: str, approve: bool, text: str
) -> Response:
    def page(ctx: Ctx) -> Response:
        try:
            if not approve and not text.strip():
                raise InvalidInput("a rejection needs a reason the member will see")
            operators.review_withdrawal(
                ctx.svc, economy_id, ctx.operator, withdrawal_id, approve,
                text if approve else None, None if approve else text.strip(),
            )  # fmt: skip
        except DomainError as error:
            return _withdrawals_page(
                ctx, "pending", error=error_message(error), failed=withdrawal_id
            )
        done = "approved" if approve else "rejected"
        return RedirectResponse(f"/console/{economy_id}/withdrawals?ok={done}", status_code=303)

    return guarded(request, economy_id, "review_withdrawals", page)


# -- audit log and reports -------------------------------------------------------------------


@router.get("/{economy_id}/audit", response_class=HTMLResponse)
def audit(
    request: Request, economy_id: str, before: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    def page(ctx: Ctx) -> Response:
        with reading(ctx.svc.database) as store:
            rows = store.audit_entries_before(economy_id, PAGE + 1, before)
            names = {f"operator:{o.operator_id}": o.name for o in store.operators_of(economy_id)}
        entries = [
            {"id": r.id, "at": r.at, "actor": r.actor, "who": names.get(r.actor),
             "action": r.action, "subject": r.subject, "details": r.details}
            for r in rows[:PAGE]
        ]  # fmt: skip
        return ctx.render(
            "console/audit.html",
            nav="audit",
            entries=entries,
            actions=AUDIT_ACTIONS,
            next_before=entries[-1]["id"] if len(rows) > PAGE else None,
        )

    return guarded(request, economy_id, "audit", page)


@router.get("/{economy_id}/reports", response_class=HTMLResponse)
def report_page(request: Request, economy_id: str, report: str = "pool") -> Response:
    name = report if report in REPORTS else "pool"

    def page(ctx: Ctx) -> Response:
        rows = reports.build(ctx.svc, economy_id, name)
        return ctx.render(
            "console/reports.html",
            nav="reports",
            reports=REPORTS,
            report=name,
            rows=rows,
            columns=list(rows[0]) if rows else [],
            column_names=COLUMNS,
        )

    return guarded(request, economy_id, "reports", page)


@router.get("/{economy_id}/reports/{report}.csv")
def report_csv(request: Request, economy_id: str, report: str) -> Response:
    """The same CSV as the API's `?format=csv`, from the same functions."""
    if report not in REPORTS:
        return Response("unknown report", status_code=404)

    def page(ctx: Ctx) -> Response:
        rows = reports.build(ctx.svc, economy_id, report)
        return Response(
            reports.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{economy_id}-{report}.csv"'},
        )

    return guarded(request, economy_id, "reports", page)


# -- locked grants and shared purchase (issue 5, §4/§5) ---------------------------------------


@router.get("/{economy_id}/releases", response_class=HTMLResponse)
def releases_page(request: Request, economy_id: str) -> Response:
    """Each settled day's releases per kind, and members by team performance."""

    def page(ctx: Ctx) -> Response:
        return ctx.render(
            "console/releases.html",
            nav="releases",
            days=grants.release_days(ctx.svc, economy_id, 60),
            teams=grants.team_performance(ctx.svc, economy_id, 50),
        )

    return guarded(request, economy_id, "reports", page)
