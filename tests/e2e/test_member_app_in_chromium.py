"""The member app in Debian's Chromium at 375 px: a member registers through a referral
link, sees points once a merchant's order settles (through the signed merchant API), sells
some after a confirmation and sees cash, and asks for a withdrawal; a double click on
"confirm sale" sells once; a wrong SMS code is said plainly; the app in English.
Screenshots go to test-output/screenshots/member-*.png."""

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
from tests.integration.service.support import Clock, bootstrap, make_service
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.security.signing import sign
from zengzhi.service import Service, wallet
from zengzhi.service.accounts import create_member
from zengzhi.service.merchants import create_key, create_merchant
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database

PHONE = {"width": 375, "height": 740}
SHOP = "shop-1"


@dataclass
class Served:
    url: str
    service: Service
    sms: ConsoleSmsProvider
    economy: str
    inviter_code: str
    key: tuple[str, str]

    def merchant(self, method: str, path: str, payload: Any = None) -> httpx.Response:
        """A signed merchant API call, as the merchant's own system makes it."""
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

    def member_by_phone(self, phone: str) -> str:
        from zengzhi.store.service_repository import reading

        with reading(self.service.database) as store:
            row = store.member_by_phone(self.economy, phone)
        assert row is not None
        return str(row.member_id)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("member-app") / "member.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    service, sms = make_service(url, Clock())
    economy = f"eco-{uuid.uuid4().hex[:6]}"
    bootstrap(service, economy)

    def setup(uow: Any) -> tuple[str, tuple[str, str]]:
        now = service.now()
        create_merchant(service, uow, economy, SHOP, "Coffee shop", "test", now)
        key = create_key(service, uow, economy, SHOP, "test", now)
        inviter = create_member(uow, economy, "13600000001", None, None, now)
        return inviter, key

    inviter, key = service.run(setup)
    code = wallet.profile(service, economy, inviter)["referral_code"]
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Served(base, service, sms, economy, code, key)
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _phone_page(browser: Browser, locale: str = "zh-CN") -> Page:
    return browser.new_context(viewport=PHONE, locale=locale).new_page()  # type: ignore[arg-type]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _join(page: Page, served: Served, phone: str, ref: str | None = None) -> None:
    """Open the link, ask for a code, type the one the SMS carried."""
    query = f"economy={served.economy}" + (f"&ref={ref}" if ref else "")
    page.goto(f"{served.url}/m/join?{query}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("138****" if phone[:3] == "138" else "****")
    page.get_by_label("短信验证码").fill(served.sms.last_code[phone])
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url("**/m")


def _order(served: Served, phone: str, order_id: str, fen: int) -> None:
    reported = served.merchant(
        "POST",
        "/v1/merchant/orders",
        {"order_id": order_id, "amount_fen": fen, "member_phone": phone},
    )
    assert reported.status_code == 201, reported.text
    settled = served.merchant("POST", f"/v1/merchant/orders/{order_id}/settle")
    assert settled.status_code == 200, settled.text


def test_a_member_joins_by_referral_earns_sells_and_withdraws(
    browser: Browser, served: Served
) -> None:
    page = _phone_page(browser)
    phone = "13800000002"
    page.goto(f"{served.url}/m/join?economy={served.economy}&ref={served.inviter_code}")
    expect(page.locator("main")).to_contain_text(f"您通过邀请码 {served.inviter_code} 受邀加入")
    assert "风险提示" in page.locator("footer").inner_text()
    _fits(page)
    screenshot(page, "member-join-zh-375")
    _join(page, served, phone, served.inviter_code)
    expect(page.locator("#my-points")).to_have_text("0.00")

    # the merchant reports and settles a 100-yuan order: 21 points at 1.00 (seed 002)
    _order(served, phone, "A-1", 10_000)
    page.reload()
    expect(page.locator("#my-points")).to_have_text("21.00")
    expect(page.locator("#my-value")).to_have_text("30.00")
    expect(page.locator("#exit-line")).to_contain_text("出局线是本周期消费 100.00 元的 3 倍")
    page.wait_for_selector("#price-chart[data-ready=true]")
    _fits(page)
    screenshot(page, "member-home-zh-375")

    # sell half: the confirmation shows the price, the fee and the cash before anything moves
    page.get_by_role("link", name="卖出积分").click()
    page.get_by_label("卖出积分数").fill("10.5")
    page.get_by_role("button", name="查看到账金额").click()
    expect(page.locator("#q-price")).to_have_text("1.4286")
    expect(page.locator("#q-value")).to_have_text("15.00")
    expect(page.locator("#q-fee")).to_have_text("−3.00")
    expect(page.locator("#q-cash")).to_have_text("12.00")
    member = served.member_by_phone(phone)
    assert wallet.wallet(served.service, served.economy, member)["cash_fen"] == 0
    _fits(page)
    screenshot(page, "member-sell-confirm-zh-375")
    page.get_by_role("button", name="确认卖出").click()
    expect(page.locator("#sale-result")).to_contain_text("到账现金 12.00 元")
    expect(page.locator("#my-cash")).to_have_text("12.00")

    # withdraw 10 yuan: held, pending the operator's review
    page.get_by_role("link", name="提现", exact=True).first.click()
    page.get_by_label("金额（元）").fill("10")
    page.get_by_label("收款账户（银行卡号或支付宝账号）").fill("工商银行 6222 0000 1234")
    page.get_by_role("button", name="申请提现").click()
    expect(page.locator("table.withdrawals")).to_contain_text("待审核")
    expect(page.locator("main")).to_contain_text("可提现现金：2.00 元")
    _fits(page)
    screenshot(page, "member-withdraw-zh-375")

    page.get_by_role("link", name="明细").click()
    expect(page.locator("ul.history li")).to_have_count(3)
    expect(page.locator("ul.history")).to_contain_text("消费获得积分")
    _fits(page)
    screenshot(page, "member-history-zh-375")

    page.get_by_role("link", name="邀请", exact=True).click()
    expect(page.locator(".qr svg")).to_be_visible()
    _fits(page)
    screenshot(page, "member-referral-zh-375")
    page.get_by_role("link", name="团队").click()
    _fits(page)
    page.get_by_role("link", name="规则").click()
    expect(page.locator("#risk-text")).to_contain_text("不承诺积分只涨不跌")
    _fits(page)
    screenshot(page, "member-rules-zh-375")
    page.context.close()

    assert wallet.wallet(served.service, served.economy, member)["pending_withdrawal_fen"] == 1_000
    team = wallet.team(served.service, served.economy, served.member_by_phone("13600000001"))
    assert [m["member_id"] for m in team["direct"]] == [member]


def test_a_double_click_on_confirm_sale_sells_once(browser: Browser, served: Served) -> None:
    page = _phone_page(browser)
    phone = "13800000003"
    _join(page, served, phone)
    _order(served, phone, "B-1", 10_000)
    member = served.member_by_phone(phone)
    before = wallet.wallet(served.service, served.economy, member)["points_micro"]
    page.goto(f"{served.url}/m/sell")
    page.get_by_label("卖出积分数").fill("2")
    page.get_by_role("button", name="查看到账金额").click()
    form = {
        name: page.locator(f"form[action='/m/sell'] input[name={name}]").input_value()
        for name in ("csrf_token", "points_micro", "key")
    }
    page.locator("#confirm-sale").dblclick()
    expect(page.locator("#sale-result")).to_be_visible()
    # the same form sent again (a retry, a resent page): answered with the first sale
    again = page.request.post(f"{served.url}/m/sell", form=form)
    assert "这笔卖出已经完成，不会重复卖出" in again.text()
    after = wallet.wallet(served.service, served.economy, member)["points_micro"]
    assert before - after == 2_000_000
    sales = wallet.history(served.service, served.economy, member, 50, None)
    assert [r["kind"] for r in sales].count("sale") == 1
    page.context.close()


def test_a_wrong_sms_code_is_refused_with_a_clear_message(browser: Browser, served: Served) -> None:
    page = _phone_page(browser)
    phone = "13800000004"
    page.goto(f"{served.url}/m/join?economy={served.economy}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    wrong = "000000" if served.sms.last_code[phone] != "000000" else "111111"
    page.get_by_label("短信验证码").fill(wrong)
    page.get_by_role("button", name="登录 / 注册").click()
    expect(page.get_by_role("alert")).to_have_text(
        "验证码错误或已过期。请核对短信，或重新获取验证码。"
    )
    _fits(page)
    screenshot(page, "member-wrong-code-zh-375")
    page.get_by_label("短信验证码").fill(served.sms.last_code[phone])  # the right one still works
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url("**/m")
    page.context.close()


def test_the_member_app_in_english_at_phone_width(browser: Browser, served: Served) -> None:
    page = _phone_page(browser)
    phone = "13800000005"
    _join(page, served, phone)
    _order(served, phone, "C-1", 20_000)
    page.goto(f"{served.url}/m")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/m?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("My points")
    expect(page.locator("#exit-line")).to_contain_text("The exit line is 3 × what you spent")
    assert "Risk notice" in page.locator("footer").inner_text()
    page.wait_for_selector("#price-chart[data-ready=true]")
    _fits(page)
    screenshot(page, "member-home-en-375")
    headings = {
        "/m/sell": "Sell points",
        "/m/withdraw": "Withdraw cash",
        "/m/history": "Activity",
        "/m/referral": "Invite friends",
        "/m/team": "My team",
        "/m/rules": "How this economy works",
    }
    for path, heading in headings.items():
        page.goto(served.url + path)
        expect(page.locator("h1")).to_have_text(heading)
        _fits(page)
    page.context.close()
