"""Every error leaves the API as JSON with a stable code and a sentence a person understands.

Shape: {"error": {"code": "insufficient_points", "message": "...", "details": [...]}}.
Domain errors keep their own code; the HTTP status comes from the table below, so each
code always has the same status. Nothing else in the API chooses a status for an error.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from zengzhi.domain.errors import DomainError
from zengzhi.security.signing import SignatureRejected

log = logging.getLogger("zengzhi.api")


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, authorization, lookups)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """What every 4xx/5xx response carries."""

    error: ErrorBody


# the one place where a domain error's code meets an HTTP status; unlisted codes: 422
STATUS_BY_CODE: dict[str, int] = {
    "unknown_member": 404,
    "not_found": 404,
    "insufficient_points": 409,
    "insufficient_cash": 409,
    "idempotency_conflict": 409,
    "already_settled": 409,
    "unauthenticated": 401,
    "forbidden": 403,
    "csrf_failed": 403,
    "rate_limited": 429,
    "locked": 429,
    # the public side (issue 4 §6): an unknown economy; a transaction not yet in a checkpoint
    "unknown_economy": 404,
    "not_checkpointed": 409,
    # issue 4 (service)
    "unknown_referral_code": 404,
    "wrong_code": 401,
    "wrong_credentials": 401,
    "phone_taken": 409,
    "already_exists": 409,
    "economy_exists": 409,
    "duplicate_party": 409,
    "order_closed": 409,
    "already_reviewed": 409,
    # issue 5 (§4/§5): grants
    "not_a_grant_system": 409,
    "tipping_disabled": 409,
    "insufficient_balance": 409,
    "sms_failed": 503,
    # issue 6 §2 (two tokens)
    "treasury_shortfall": 409,
    "unknown_merchant": 404,
    "no_stable_points": 409,
    "wrong_system": 409,  # a local-life operation on another system's economy
    # issue 6 §7 (brand membership)
    "unknown_coupon": 404,
    "unknown_proposal": 404,
    "not_eligible_to_vote": 403,
    "already_voted": 409,
    "voting_closed": 409,
    "voting_open": 409,
    "period_not_over": 409,
    "dividend_already_paid": 409,
    "not_brand_economy": 409,
    # issue 5 §3: daily dividends
    "not_cyclic_purchase": 409,
    "no_periodic_job": 409,
    "day_not_over": 409,
}

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _wants_page(request: Request) -> bool:
    """A person's browser on a page (not the JSON API): answer with a page, not JSON."""
    path = request.url.path
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not path.startswith(("/v1/", "/docs", "/openapi"))


def _respond(
    request: Request, status: int, code: str, message: str, details: Any = None
) -> Response:
    if _wants_page(request):
        from zengzhi.web.templating import render  # the pages sit outside the API layer

        return render(request, "error.html", status_code=status, code=code, message=message)
    return error_response(status, code, message, details)


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in item.get("loc", ())), "problem": item.get("msg", "")}
        for item in error.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        status = STATUS_BY_CODE.get(error.code, 422)
        return _respond(request, status, error.code, error.message)

    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError) -> Response:
        return _respond(request, error.status, error.code, error.message)

    @app.exception_handler(SignatureRejected)
    async def _signature(_: Request, error: SignatureRejected) -> JSONResponse:
        return error_response(401, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        details = _validation_details(error)
        first = details[0] if details else {"field": "body", "problem": "invalid"}
        message = f"{first['field'] or 'request'}: {first['problem']}"
        return error_response(422, "invalid_request", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(error.status_code, "http_error")
        return _respond(request, error.status_code, code, str(error.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side")
