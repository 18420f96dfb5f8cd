"""The FastAPI application factory: one app per process, built from validated settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

import zengzhi
from zengzhi.api import (
    auth,
    brand,
    dividends,
    grants,
    local_life,
    members,
    merchants,
    operators,
)
from zengzhi.api import stable as stable_api
from zengzhi.api.errors import ErrorResponse, install_error_handlers
from zengzhi.api.metrics import Metrics
from zengzhi.api.public import router as public_router
from zengzhi.config import Settings, get_settings
from zengzhi.service import Service
from zengzhi.web.routes import mount_web

log = logging.getLogger("zengzhi.api")

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


def create_app(
    settings: Settings | None = None,
    service: Service | None = None,
    background: bool = False,
) -> FastAPI:
    """The application. `service` defaults to one on `settings.database_url`; with
    `background`, a task settles due orders and applies due rule changes every
    `settings.auto_settle_seconds` (the `serve` command turns it on)."""
    settings = settings or get_settings()
    service = service or build_service(settings)
    app = FastAPI(
        lifespan=_lifespan(service, background),
        title="Zengzhi 增值",
        version=zengzhi.__version__,
        description=(
            "Consumption-appreciation loyalty economies, computed exactly. Every error is "
            "JSON with a stable `code` and a readable `message`."
        ),
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.service = service
    # the public reads (API, explorer, member pages) share the service's connection pool:
    # a second Database here was a second pool that nothing disposed
    app.state.database = service.database
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

    for router in (auth.router, members.router, merchants.router, operators.router):
        app.include_router(router)
    app.include_router(grants.router)  # issue 5: locked grants and shared purchase
    app.include_router(dividends.router)  # §3 daily dividends (issue 5)
    app.include_router(public_router)  # the public disclosure API (issue 4 §6)
    app.include_router(stable_api.router)  # two tokens (issue 6 §2)
    app.include_router(local_life.router)  # local life (issue 6, §6)
    for router in (brand.members, brand.operators, brand.public):  # issue 6 §7
        app.include_router(router)
    mount_web(app)
    return app


def build_service(settings: Settings) -> Service:
    from zengzhi.sms import ConsoleSmsProvider, SmsProvider
    from zengzhi.sms.aliyun import AliyunSmsProvider
    from zengzhi.store import Database

    sms: SmsProvider = ConsoleSmsProvider()
    if settings.sms_provider == "aliyun":
        sms = AliyunSmsProvider(
            access_key_id=settings.aliyun_access_key_id,
            access_key_secret=settings.aliyun_access_key_secret.get_secret_value(),
            sign_name=settings.aliyun_sms_sign_name,
            template_code=settings.aliyun_sms_template_code,
            endpoint=settings.aliyun_sms_endpoint,
        )
    return Service(Database(settings.database_url), settings, sms)


def _lifespan(service: Service, background: bool):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_housekeeping(service)) if background else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()

    return lifespan


async def _housekeeping(service: Service) -> None:
    """Settle orders past their return window and apply rule changes that came due."""
    from zengzhi.service.merchants import settle_due_orders
    from zengzhi.service.operators import apply_due_rule_changes
    from zengzhi.service.periodic import run_due_jobs

    while True:
        await asyncio.sleep(service.settings.auto_settle_seconds)
        try:
            await asyncio.to_thread(apply_due_rule_changes, service)
            settled = await asyncio.to_thread(settle_due_orders, service)
            if settled:
                log.info("auto-settled %d orders", settled)
            # issue 5: finished days (dividends §3, releases §4/§5), each exactly once
            await asyncio.to_thread(run_due_jobs, service)
        except Exception:  # keep the loop alive; the error is logged with its traceback
            log.exception("housekeeping failed")
