"""Jinja2 environments, one per locale, and the helper that renders a page for a request."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from zengzhi.web.csrf import CSRF_FIELD, csrf_token, set_csrf_cookie
from zengzhi.web.i18n import LOCALE_NAMES, LOCALES, negotiate, translations

LANG_COOKIE = "zz_lang"


@lru_cache(maxsize=len(LOCALES))
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("zengzhi.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(locale=locale, locale_names=LOCALE_NAMES, html_lang=locale.replace("_", "-"))
    return env


def page_locale(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` in the request's language with a CSRF token (`csrf_token`) for its
    forms; remember an explicit language choice."""
    locale = page_locale(request)
    token, fresh_cookie = csrf_token(request)
    page = environment(locale).get_template(template)
    html = page.render(request=request, csrf_token=token, csrf_field=CSRF_FIELD, **context)
    response = HTMLResponse(html, status_code=status_code)
    if fresh_cookie:
        set_csrf_cookie(request, response, fresh_cookie)
    if request.query_params.get("lang") in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax")
    return response
