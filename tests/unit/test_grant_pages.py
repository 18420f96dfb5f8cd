"""The member app's grants page (§5 shared purchase) over HTTP on SQLite: locked and
released points, the last day's release by kind, the health value, the risk notice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service.support import Clock, bootstrap, make_service
from tests.live_server import live_server
from tests.unit.test_member_pages import Site, browser, log_in, member_id, text
from zengzhi.api import create_app
from zengzhi.service.merchants import create_merchant
from zengzhi.service.periodic import run_due_jobs
from zengzhi.store import Database

DAY = 86_400


@pytest.fixture(scope="module")
def grant_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Clock]]:
    path: Path = tmp_path_factory.mktemp("grants") / "grants.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    clock = Clock()
    service, sms = make_service(url, clock)
    economy = f"sp-{uuid.uuid4().hex[:6]}"
    bootstrap(service, economy, "shared-purchase")

    def setup(uow: Any) -> None:
        create_merchant(service, uow, economy, "shop", "Shop", "test", service.now())

    service.run(setup)
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Site(base, service, sms, economy, "", ""), clock
    service.database.dispose()


def test_the_grants_page_shows_locked_released_and_the_risk(
    grant_site: tuple[Site, Clock],
) -> None:
    site, clock = grant_site
    with browser(site) as client:
        log_in(site, client, "13700000101")
        home = client.get("/m")
        assert 'href="/m/grants"' in home.text  # the nav names the page in grant economies
        site.buy(member_id(site, "13700000101"), 1_000_000)  # 10,000 yuan → 10,000 points
        before = text(client.get("/m/grants").text)
        assert "锁仓积分 10,000.00 已释放积分 0.00" in before
        assert "尚无释放" in before
        clock.advance(DAY)
        assert run_due_jobs(site.service)
        page = client.get("/m/grants")
    assert page.status_code == 200
    shown = text(page.text)
    assert "锁仓积分 9,990.00 已释放积分 10.00" in shown  # 0.1% of 10,000 released
    assert "每笔赠送积分的每日释放" in shown
    assert "健康值" in shown
    assert "平台不承诺积分只涨不跌" in shown  # the economy's own risk notice


def test_the_grants_page_needs_a_member_session(grant_site: tuple[Site, Clock]) -> None:
    site, _ = grant_site
    with browser(site) as client:
        response = client.get("/m/grants")
    assert (response.status_code, response.headers["location"]) == (303, "/m/join")
