"""The merchant console's order buttons in Debian's Chromium: orders reported through the
signed API are settled (a double click settles once) and cancelled from the console, and a
refund tried from a page opened before the settlement is refused with its sentence.
Screenshots go to test-output/screenshots/merchant-buttons-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium, screenshot
from tests.live_server import live_server
from tests.unit.test_merchant_order_buttons import report_signed
from zengzhi.api import create_app
from zengzhi.api.app import build_service
from zengzhi.config import Settings
from zengzhi.service import Service, wallet
from zengzhi.service.demo import DemoData, seed
from zengzhi.store import Database
from zengzhi.store.service_repository import reading


@dataclass
class Served:
    base: str
    service: Service
    demo: DemoData
    member: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("merchant-buttons") / "buttons.sqlite3"
    url = f"sqlite:///{path}"
    Database(url).upgrade()
    settings = Settings(database_url=url, secret_key="chromium-buttons-" + "s" * 40)
    service = build_service(settings)
    demo = seed(service)
    with reading(service.database) as store:
        member = store.member_by_phone("demo", demo.member_phones[0]).member_id  # type: ignore[union-attr]
    with live_server(create_app(settings, service)) as base:
        yield Served(base, service, demo, member)
    service.database.dispose()


def _login(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/merchant/login")
    page.get_by_label("密钥 ID").fill(served.demo.key_id)
    page.get_by_label("密钥", exact=True).fill(served.demo.secret)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{served.base}/merchant")


def test_settle_cancel_and_a_refused_refund_from_the_console(served: Served) -> None:
    for order_id in ("till-a", "till-b"):
        answer = report_signed(served.base, served.demo.key_id, served.demo.secret, order_id,
                               served.member, 25_000)  # fmt: skip
        assert answer.status_code == 201, answer.text
    points = wallet.wallet(served.service, "demo", served.member)["points_micro"]
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        _login(page, served)
        stale = context.new_page()  # opened before the settlement: still offers a refund
        stale.goto(f"{served.base}/merchant")
        expect(stale.locator("#order-till-a")).to_contain_text("待结算")

        page.locator("#order-till-a").get_by_role("button", name="结算").dblclick()
        expect(page.locator("#order-till-a")).to_contain_text("已结算：积分已发放")
        expect(page.locator("#order-till-a")).to_contain_text("发放积分")
        expect(page.get_by_role("status")).to_contain_text("订单已结算")
        expect(page.locator("#order-till-a button")).to_have_count(0)
        screenshot(page, "merchant-buttons-settled-zh-1280")

        page.locator("#order-till-b").get_by_role("link", name="取消订单").click()
        expect(page.get_by_role("heading", name="确认取消该订单？")).to_be_visible()
        page.get_by_role("button", name="确认取消").click()
        expect(page.locator("#order-till-b")).to_contain_text("已取消")
        expect(page.locator("#order-till-b button")).to_have_count(0)

        stale.locator("#order-till-a").get_by_role("link", name="退款").click()
        stale.get_by_role("button", name="确认退款").click()
        expect(stale.get_by_role("alert")).to_contain_text(
            "该订单已结算，积分已发放：不能再退款或取消。"
        )
        screenshot(stale, "merchant-buttons-refused-zh-1280")
        context.close()

    with reading(served.service.database) as store:
        settled = store.merchant_order("demo", served.demo.merchant, "till-a")
        cancelled = store.merchant_order("demo", served.demo.merchant, "till-b")
        assert settled is not None
        assert cancelled is not None
        minted = store.minted_by_event("demo", [settled.event_seq])[settled.event_seq]
    assert settled.status == "settled"
    assert cancelled.status == "cancelled"
    assert minted > 0
    # the double click minted once: the member gained exactly one settlement's points
    assert wallet.wallet(served.service, "demo", served.member)["points_micro"] == points + minted
