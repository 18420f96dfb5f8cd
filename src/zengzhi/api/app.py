"""The FastAPI application factory: one app per process, built from validated settings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

import zengzhi
from zengzhi.api.errors import ErrorResponse, install_error_handlers
from zengzhi.api.metrics import Metrics
from zengzhi.api.public import router as public_router
from zengzhi.config import Settings, get_settings
from zengzhi.web.routes import mount_web

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        401: "Not logged in, or a bad merchant signature",
        403: "Logged in, but not allowed to do this",
        404: "No such thing in this economy",
        409: "Conflicts with the current state (e.g. not enough points, a reused key)",
        422: "The request or the rules refuse it; the message says why",
        429: "Too many attempts; try again later",
    }.items()
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Zengzhi 增值",
        version=zengzhi.__version__,
        description=(
            "Consumption-appreciation loyalty economies, computed exactly. Every error is "
            "JSON with a stable `code` and a readable `message`."
        ),
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    registry = CollectorRegistry()
    app.state.metrics = Metrics(registry)
    install_error_handlers(app)
    app.middleware("http")(app.state.metrics.middleware)

    @app.get("/health", tags=["operations"], summary="Is the service up")
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": zengzhi.__version__}

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
    )
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(public_router)  # the public disclosure API (issue 4 §6)
    mount_web(app)
    return app
