"""Public pages that belong to no single app: the landing page and static files."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from zengzhi.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Where to go: the member app, the two consoles, and each economy's public explorer."""
    from zengzhi.api.deps import get_service
    from zengzhi.service.member_views import economy_ids

    return render(request, "home.html", economies=economy_ids(get_service(request)))


def mount_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(packages=[("zengzhi.web", "static")]), name="static")
    app.include_router(router)
    # the public explorer (issue 7 §4); imported here: it reads through zengzhi.api
    from zengzhi.web.explorer import router as explorer_router

    app.include_router(explorer_router)
    # the member app (issue 7 §1)
    from zengzhi.web.member import router as member_router

    app.include_router(member_router)
    # the member app's two-token pages (issue 6 §2)
    from zengzhi.web.stable_pages import router as stable_pages_router

    app.include_router(stable_pages_router)
    # the member app's brand membership page (issue 6 §7)
    from zengzhi.web.brand_pages import explorer as brand_explorer
    from zengzhi.web.brand_pages import router as brand_router

    app.include_router(brand_router)
    app.include_router(brand_explorer)

    # the operator and merchant consoles (issue 7 §2, §3)
    from zengzhi.web.console import router as console_router
    from zengzhi.web.merchant_console import router as merchant_router

    app.include_router(console_router)
    from zengzhi.web.local_life_console import router as local_life_router

    app.include_router(local_life_router)  # the console's local-life page (issue 6, §6)
    app.include_router(merchant_router)
    from zengzhi.web import stable_console

    app.include_router(stable_console.router)  # two tokens in the consoles (issue 6 §2)
    app.include_router(stable_console.console_router)
