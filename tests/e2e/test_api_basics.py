"""The service's shared behaviour over real HTTP: health, metrics, docs, error shape."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import migrated_sqlite_settings
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.api.errors import ApiError
from zengzhi.config import Settings
from zengzhi.domain import InsufficientPoints


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings)

    # routes that raise each kind of error, to check the one mapping
    @app.get("/_test/domain")
    async def domain_error() -> None:
        raise InsufficientPoints("member m1 holds 5 micro-points and cannot sell 9")

    @app.get("/_test/api")
    async def api_error() -> None:
        raise ApiError(403, "forbidden", "operators of another economy cannot see this")

    @app.get("/_test/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/_test/typed/{n}")
    async def typed(n: int) -> dict[str, int]:
        return {"n": n}

    return app


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(_app(migrated_sqlite_settings(tmp_path_factory.mktemp("app")))) as url:
        yield url


def test_health_answers(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/health")
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"


def test_openapi_docs_are_served(base_url: str) -> None:
    assert httpx.get(f"{base_url}/docs").status_code == 200
    schema = httpx.get(f"{base_url}/openapi.json").json()
    assert "ErrorResponse" in schema["components"]["schemas"]


def test_metrics_count_requests_by_route_template(base_url: str) -> None:
    httpx.get(f"{base_url}/_test/typed/41")
    text = httpx.get(f"{base_url}/metrics").text
    assert 'route="/_test/typed/{n}"' in text
    assert "/_test/typed/41" not in text


def test_a_domain_error_keeps_its_code_and_gets_its_status(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/_test/domain")
    assert reply.status_code == 409
    assert reply.json() == {
        "error": {
            "code": "insufficient_points",
            "message": "member m1 holds 5 micro-points and cannot sell 9",
        }
    }


def test_api_errors_carry_their_own_status(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/_test/api")
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "forbidden"


def test_bad_input_is_a_422_naming_the_field(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/_test/typed/abc")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith("path.n:")


def test_unknown_paths_are_json_404s(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/nowhere")
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_an_unexpected_failure_is_a_json_500_without_internals(base_url: str) -> None:
    reply = httpx.get(f"{base_url}/_test/crash")
    assert reply.status_code == 500
    assert reply.json()["error"] == {
        "code": "internal_error",
        "message": "something went wrong on our side",
    }
    assert "boom" not in reply.text
