"""The member app's membership page (§7) in Debian's Chromium at 375 px: a member of a
coffee brand's economy sees the coins a settled order earned and their tier, converts
coins to Bean Tokens, buys a coupon with coins, and votes on an open proposal with the
tokens snapshotted when it opened; a refusal is said plainly; no dividend is promised.
Screenshots go to test-output/screenshots/brand-*.png."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium, screenshot
from tests.e2e.test_member_app_in_chromium import PHONE, SHOP, Served, _fits, _order
from tests.integration.service.support import Clock, bootstrap, make_service
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.service import brand
from zengzhi.service.merchants import create_key, create_merchant
from zengzhi.store import Database


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    path: Path = tmp_path_factory.mktemp("brand-app") / "brand.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    service, sms = make_service(url, Clock())
    economy = f"brand-{uuid.uuid4().hex[:6]}"
    owner = bootstrap(service, economy, preset="brand-membership")

    def setup(uow: Any) -> tuple[str, str]:
        now = service.now()
        create_merchant(service, uow, economy, SHOP, "Coffee shop", "test", now)
        return create_key(service, uow, economy, SHOP, "test", now)

    key = service.run(setup)
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Served(base, service, sms, economy, "", key), owner
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _join(page: Page, served: Served, phone: str) -> None:
    page.goto(f"{served.url}/m/join?economy={served.economy}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(served.sms.last_code[phone])
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url("**/m")


def test_a_member_converts_coins_buys_a_coupon_and_votes(
    browser: Browser, served: tuple[Served, str]
) -> None:
    app, owner = served
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # type: ignore[arg-type]
    phone = "13800000021"
    _join(page, app, phone)
    _order(app, phone, "A-1", 12_400 * 100)  # 12,400 yuan: 12,400 coins, the gold tier

    page.get_by_role("link", name="会员权益").click()
    expect(page.locator("#my-coins")).to_have_text("12,400")
    expect(page.locator("#my-tokens")).to_have_text("0.00")
    expect(page.locator("#my-tier")).to_have_text("金卡")
    expect(page.locator("main")).to_contain_text("平台不承诺任何分红")
    _fits(page)
    screenshot(page, "brand-home-zh-375")

    # more coins than held: refused in words, nothing converted
    page.get_by_label("要兑换的咖啡币").fill("20000")
    page.get_by_role("button", name="兑换", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("您没有这么多咖啡币或通证")
    page.get_by_label("要兑换的咖啡币").fill("12000")
    page.get_by_role("button", name="兑换", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("咖啡币已兑换为通证")
    expect(page.locator("#my-tokens")).to_have_text("12.00")
    expect(page.locator("#my-coins")).to_have_text("400")

    page.get_by_role("button", name="用咖啡币兑换").click()
    expect(page.get_by_role("status")).to_contain_text("优惠券已放入您的券包")
    expect(page.locator("#my-coupons")).to_contain_text("coffee · 35.00")
    expect(page.locator("#my-coins")).to_have_text("50")

    # a proposal opens now: 12 tokens give 12 votes
    brand.open_proposal(
        app.service, app.economy, owner, "beans", "下一批咖啡豆产地", ["云南", "埃塞俄比亚"], 24
    )
    page.reload()
    page.get_by_label("云南").check()
    page.get_by_role("button", name="投出 12 票").click()
    expect(page.get_by_role("status")).to_contain_text("您的选票已记录")
    expect(page.locator("main")).to_contain_text("您已投票：云南")
    _fits(page)
    screenshot(page, "brand-voted-zh-375")

    page.get_by_role("link", name="明细").click()
    expect(page.locator("ul.history")).to_contain_text("消费获得咖啡币")
    expect(page.locator("ul.history")).to_contain_text("咖啡币兑换通证")

    # the public record: the proposal, its snapshot and the checked ballot chain
    page.goto(f"{app.url}/explorer/{app.economy}")
    page.get_by_role("link", name="提案").click()
    expect(page.locator("#proposal-beans")).to_contain_text("投票进行中")
    expect(page.locator("#proposal-beans .audit")).to_contain_text("已核验")
    _fits(page)
    screenshot(page, "brand-explorer-proposals-zh-375")
    page.context.close()
