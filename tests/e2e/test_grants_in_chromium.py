"""The member app's grants page in Debian's Chromium at 375 px (§4 locked grants): a
member's 3,000-yuan order (through the signed merchant API) locks 7,500 points; after the
day's release job the page shows 36 released, the level, and the economy's risk notice.
Screenshot: test-output/screenshots/member-grants-zh-375.png."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import chromium, screenshot
from tests.e2e.test_member_app_in_chromium import PHONE, SHOP, Served, _join, _order
from tests.integration.service.support import OWNER_PASSWORD, OWNER_PHONE, Clock, make_service
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.service import Service
from zengzhi.service.accounts import create_operator
from zengzhi.service.merchants import create_key, create_merchant
from zengzhi.service.operators import create_economy_from_preset
from zengzhi.service.periodic import run_due_jobs
from zengzhi.store import Database


def _bootstrap_locked_grants(service: Service, economy: str) -> None:
    """An owner and a locked-grants economy, its warning signs acknowledged with reasons."""

    def work(uow: Any) -> None:
        now = service.now()
        owner = create_operator(service, uow, OWNER_PHONE, "Owner", OWNER_PASSWORD, now)
        acks = [
            {"code": "returns_exceed_spend", "reason": "the seed's grant multiples, disclosed"},
            {"code": "referral_depth", "reason": "seed 003's team differential, disclosed"},
        ]
        create_economy_from_preset(service, uow, economy, "locked-grants", owner, now, acks)

    service.run(work)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Clock]]:
    path: Path = tmp_path_factory.mktemp("grants-app") / "grants.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    clock = Clock()
    service, sms = make_service(url, clock)
    economy = f"lg-{uuid.uuid4().hex[:6]}"
    _bootstrap_locked_grants(service, economy)

    def setup(uow: Any) -> tuple[str, str]:
        now = service.now()
        create_merchant(service, uow, economy, SHOP, "Tea shop", "test", now)
        return create_key(service, uow, economy, SHOP, "test", now)

    key = service.run(setup)
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Served(base, service, sms, economy, "", key), clock
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_a_member_sees_locked_and_released_points(
    browser: Browser, served: tuple[Served, Clock]
) -> None:
    site, clock = served
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # type: ignore[arg-type]
    phone = "13800000009"
    _join(page, site, phone)
    _order(site, phone, "G-1", 300_000)
    page.get_by_role("link", name="释放").click()
    page.wait_for_url("**/m/grants")
    expect(page.locator("#grants-locked")).to_have_text("7,500.00")
    expect(page.locator("main")).to_contain_text("尚无释放")
    clock.advance(86_400)
    assert run_due_jobs(site.service)
    page.reload()
    expect(page.locator("#grants-released")).to_have_text("36.00")
    expect(page.locator("#grants-locked")).to_have_text("7,464.00")
    expect(page.locator("#grants-level")).to_have_text("初级会员")
    assert "平台不承诺积分只涨不跌" in page.locator("footer").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "member-grants-zh-375")
