"""Page form posts need the CSRF token that matches the browser's cookie."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse

from tests.factories import migrated_sqlite_settings
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.config import Settings
from zengzhi.web.csrf import CSRF_COOKIE, CSRF_HEADER, require_csrf
from zengzhi.web.templating import render


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/_test/form")
    async def form(request: Request) -> HTMLResponse:
        return render(request, "home.html")

    @app.post("/_test/form", dependencies=[Depends(require_csrf)])
    async def submit() -> PlainTextResponse:
        return PlainTextResponse("changed")

    return app


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(_app(migrated_sqlite_settings(tmp_path_factory.mktemp("app")))) as url:
        yield url


def _token(page: str) -> str:
    marker = '"X-CSRF-Token": "'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_a_page_sets_the_cookie_and_its_token_lets_a_post_through(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as browser:
        page = browser.get("/_test/form")
        assert CSRF_COOKIE in page.cookies
        token = _token(page.text)
        posted = browser.post("/_test/form", data={"csrf_token": token})
        assert posted.status_code == 200
        assert browser.post("/_test/form", headers={CSRF_HEADER: token}).text == "changed"


def test_a_post_without_a_token_is_refused_with_a_reason(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as browser:
        browser.get("/_test/form")
        refused = browser.post("/_test/form", data={"amount": "1"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_failed"


def test_a_token_from_another_browser_is_refused(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as attacker:
        stolen = _token(attacker.get("/_test/form").text)
    with httpx.Client(base_url=base_url) as victim:
        victim.get("/_test/form")
        refused = victim.post("/_test/form", data={"csrf_token": stolen})
        assert refused.status_code == 403


def test_a_person_posting_a_stale_form_sees_a_page_not_json(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers={"Accept": "text/html"}) as browser:
        browser.get("/_test/form")
        refused = browser.post("/_test/form", data={"amount": "1"})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "表单已失效" in refused.text
        assert "没有任何数据被修改" in refused.text


def test_the_api_keeps_answering_json_to_browsers(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/v1/nowhere", headers={"Accept": "text/html"})
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"
