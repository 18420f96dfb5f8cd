"""The member app's two-token pages in Chromium at 375 px (issue 6 §2): a member of a
two-tokens economy earns points through a signed merchant order, converts some after a
confirmation that shows the price, the fee and what she receives (a double click converts
once), pays a merchant, sees the moves in her activity, and is told plainly when she pays
more than she holds or names an unknown merchant. The risk text is on every page.
Screenshots go to test-output/screenshots/stable-*.png."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium, screenshot
from tests.integration.service.support import (
    OWNER_PASSWORD,
    OWNER_PHONE,
    Clock,
    bootstrap,
    make_service,
)
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.security.signing import sign
from zengzhi.service import Service, stable
from zengzhi.service.merchants import create_key, create_merchant
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database

PHONE = {"width": 375, "height": 740}


@dataclass
class Served:
    url: str
    service: Service
    sms: ConsoleSmsProvider
    economy: str
    key: tuple[str, str]

    def merchant(self, method: str, path: str, payload: Any = None) -> httpx.Response:
        key_id, key_secret = self.key
        body = b"" if payload is None else json.dumps(payload).encode()
        ts, nonce = str(self.service.now() // 1_000_000), secrets.token_hex(8)
        headers = {
            "X-Zengzhi-Key": key_id,
            "X-Zengzhi-Timestamp": ts,
            "X-Zengzhi-Nonce": nonce,
            "X-Zengzhi-Signature": sign(key_secret, method, path, ts, nonce, body),
            "Content-Type": "application/json",
        }
        return httpx.request(method, self.url + path, content=body, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("stable-pages") / "stable.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    service, sms = make_service(url, Clock())
    economy = f"tt-{uuid.uuid4().hex[:6]}"
    bootstrap(service, economy, preset="two-tokens")

    def setup(uow: Any) -> tuple[str, str]:
        now = service.now()
        create_merchant(service, uow, economy, "cafe", "Coffee shop", "test", now)
        return create_key(service, uow, economy, "cafe", "test", now)

    key = service.run(setup)
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Served(base, service, sms, economy, key)
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_member_converts_after_a_confirmation_and_pays_a_merchant(
    browser: Browser, served: Served
) -> None:
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # type: ignore[arg-type]
    phone = "13800000301"
    page.goto(f"{served.url}/m/join?economy={served.economy}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("138****")
    page.get_by_label("短信验证码").fill(served.sms.last_code[phone])
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url("**/m")

    # a signed merchant order: 100 yuan, 21 points at 1.00, P = 1.4286 (seed 003)
    order = {"order_id": "S-1", "amount_fen": 100_00, "member_phone": phone}
    assert served.merchant("POST", "/v1/merchant/orders", order).status_code == 201
    assert served.merchant("POST", "/v1/merchant/orders/S-1/settle").status_code == 200

    page.reload()
    page.locator("#to-stable").click()
    page.wait_for_url("**/m/stable")
    expect(page.locator("#my-points")).to_have_text("21.00")
    expect(page.locator("#my-stable")).to_have_text("0.00")
    expect(page.locator("#cap")).to_have_text("100,000,000.00")
    assert "不承诺积分只涨不跌" in page.locator("footer").inner_text()
    _fits(page)
    screenshot(page, "stable-home-zh-375")

    # the confirmation: nothing moves until she confirms; a double click converts once
    page.get_by_label("兑换积分数").fill("10.5")
    page.get_by_role("button", name="查看到账金额").click()
    expect(page.locator("#q-price")).to_have_text("1.4286")
    expect(page.locator("#q-fee")).to_have_text("−0.00")  # the preset's convert fee is 0
    expect(page.locator("#q-stable")).to_have_text("15.00")  # 10.5 × 30/21
    _fits(page)
    screenshot(page, "stable-confirm-zh-375")
    page.locator("#confirm-convert").dblclick()
    expect(page.locator("#convert-result")).to_contain_text("15.00 稳定积分")
    expect(page.locator("#my-stable")).to_have_text("15.00")
    expect(page.locator("#my-points")).to_have_text("10.50")

    # paying more than held or an unknown merchant is said plainly; nothing moves
    page.get_by_label("商户编号").fill("cafe")
    page.get_by_label("支付的稳定积分").fill("16")
    page.get_by_role("button", name="付款").click()
    expect(page.locator("p.error")).to_have_text("您没有这么多稳定积分。")
    page.get_by_label("商户编号").fill("nobody")
    page.get_by_label("支付的稳定积分").fill("5")
    page.get_by_role("button", name="付款").click()
    expect(page.locator("p.error")).to_have_text("这里没有这个商家或门店，请核对编号。")
    expect(page.locator("#my-stable")).to_have_text("15.00")

    page.get_by_label("商户编号").fill("cafe")
    page.get_by_label("支付的稳定积分").fill("12.5")
    page.get_by_role("button", name="付款").click()
    expect(page.locator("#pay-result")).to_contain_text("向 cafe 支付 12.50 稳定积分")
    expect(page.locator("#my-stable")).to_have_text("2.50")
    _fits(page)
    screenshot(page, "stable-paid-zh-375")
    cafe = stable.holder_balances(served.service, served.economy, "merchant:cafe")
    assert cafe["stable_micro"] == 12_500_000

    page.get_by_role("link", name="明细").click()
    expect(page.locator("ul.history")).to_contain_text("用稳定积分向商家付款")
    expect(page.locator("ul.history")).to_contain_text("增值积分兑换为稳定积分")
    expect(page.locator("ul.history li")).to_have_count(3)
    _fits(page)
    screenshot(page, "stable-history-zh-375")

    # in English on request
    page.goto(f"{served.url}/m/stable?lang=en")
    expect(page.locator("h1")).to_have_text("Stable points")
    page.context.close()

    # the merchant, in its console: exchange 5 back to points at P, cash out the rest
    console = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = console.new_page()
    page.goto(f"{served.url}/merchant/login")
    page.get_by_label("密钥 ID").fill(served.key[0])
    page.get_by_label("密钥", exact=True).fill(served.key[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{served.url}/merchant")
    page.get_by_role("link", name="稳定积分").click()
    expect(page.locator("#m-stable")).to_have_text("12.50")
    page.get_by_label("稳定积分").fill("13")
    page.locator("#exchange").click()
    expect(page.locator("[role=alert]")).to_contain_text("13000000")  # more than it holds
    page.get_by_label("稳定积分").fill("5")
    page.locator("#exchange").click()
    expect(page.locator("#done")).to_have_text("稳定积分已按当前价格换回增值积分。")
    expect(page.locator("#m-points")).to_have_text("3.50")  # 5 yuan at 30/21, fee 0
    page.get_by_label("稳定积分").fill("7.5")
    page.locator("#cash-out").click()
    expect(page.locator("#m-cash")).to_have_text("7.45")  # 7.50 less 0.6%, floored
    expect(page.locator("#m-stable")).to_have_text("0.00")
    screenshot(page, "stable-merchant-console-zh-1280")
    console.close()

    # the owner buys 3.5 of the member's points back in the operator console: burned
    console = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = console.new_page()
    page.goto(f"{served.url}/console")
    page.get_by_label("手机号").fill(OWNER_PHONE)
    page.get_by_label("密码").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{served.url}/console/{served.economy}")
    before = stable.overview(served.service, served.economy)
    member = stable.holder_balances(served.service, served.economy, _member_id(served, phone))
    page.goto(f"{served.url}/console/{served.economy}/members/{member['holder']}")
    page.get_by_label("回购积分数（留空：全部）").fill("11")
    page.get_by_role("button", name="回购并销毁").click()
    expect(page.locator("#buyback [role=alert]")).to_be_visible()  # she holds 10.5
    page.get_by_label("回购积分数（留空：全部）").fill("3.5")
    page.get_by_role("button", name="回购并销毁").click()
    expect(page.locator("[role=status]")).to_contain_text("积分已按当前价格回购")
    after = stable.overview(served.service, served.economy)
    assert after["points_outstanding_micro"] == before["points_outstanding_micro"] - 3_500_000
    screenshot(page, "stable-buyback-console-zh-1280")
    console.close()


def _member_id(served: Served, phone: str) -> str:
    from zengzhi.store.service_repository import reading

    with reading(served.service.database) as store:
        row = store.member_by_phone(served.economy, phone)
    assert row is not None
    return str(row.member_id)
