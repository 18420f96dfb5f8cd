"""CSRF protection for the pages' form posts (and htmx requests).

A random value lives in an HttpOnly cookie; pages embed HMAC(secret, that value) in each
form (field `csrf_token`) or send it as the `X-CSRF-Token` header (htmx: set it with
`hx-headers`). A post whose token does not match its cookie is refused with 403: another
site can make the browser send the cookie, but cannot read it to compute the token.
Use `Depends(require_csrf)` on every page route that changes anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from zengzhi.api.errors import ApiError
from zengzhi.config import Settings, get_settings

CSRF_COOKIE = "zz_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def _settings(request: Request) -> Settings:
    found = getattr(request.app.state, "settings", None)
    return found if isinstance(found, Settings) else get_settings()


def _token_for(secret: str, cookie_value: str) -> str:
    return hmac.new(secret.encode(), f"csrf|{cookie_value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> tuple[str, str | None]:
    """The token for this request's pages, and a new cookie value to set if it had none."""
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = None
    if not cookie:
        cookie = fresh = secrets.token_urlsafe(32)
    secret = _settings(request).secret_key.get_secret_value()
    return _token_for(secret, cookie), fresh


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=_settings(request).session_cookie_secure,
    )


async def require_csrf(request: Request) -> None:
    """A FastAPI dependency: refuse a state-changing page request without a valid token."""
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    secret = _settings(request).secret_key.get_secret_value()
    if not cookie or not sent or not hmac.compare_digest(_token_for(secret, cookie), sent):
        raise ApiError(
            403, "csrf_failed", "this form expired or came from another site; reload the page"
        )
