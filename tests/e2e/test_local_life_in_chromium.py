"""Local life (§6) in Debian's Chromium: an operator names a region's agent and sets a
store's terms on the console's local-life page (a commission below the rules' minimum is
refused and changes nothing); a customer joins through the store's QR link on a 375 px
phone, and after their order settles the store owner sees the referral reward on their
invite page and the operator sees the split. Screenshots: test-output/screenshots/local-life-*.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium, screenshot
from tests.integration.service.support import Clock, make_service
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.service import Service, local_life, merchants, wallet
from zengzhi.service.accounts import create_member, create_operator
from zengzhi.service.operators import create_economy_from_preset
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database
from zengzhi.store.service_repository import reading

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
OPERATOR_PHONE, OPERATOR_PASSWORD = "13900000088", "operator-password-1"
OWNER_PHONE, PROMOTER_PHONE, BUYER_PHONE = "13600000001", "13600000002", "13800000009"
SHOP = "noodle-co"


@dataclass
class Served:
    url: str
    service: Service
    sms: ConsoleSmsProvider
    economy: str
    store_owner: str
    promoter: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("local-life") / "ll.sqlite3"
    url = f"sqlite:///{path}"
    Database(url).upgrade()
    service, sms = make_service(url, Clock())
    economy = f"ll-{uuid.uuid4().hex[:6]}"

    def setup(uow: Any) -> tuple[str, str]:
        now = service.now()
        who = create_operator(service, uow, OPERATOR_PHONE, "运营", OPERATOR_PASSWORD, now)
        acks = [{"code": "paid_positions", "reason": "licensed regional franchisees"}]
        create_economy_from_preset(service, uow, economy, "local-life", who, now, acks)
        merchants.create_merchant(service, uow, economy, SHOP, "牛肉面", "test", now)
        owner = create_member(uow, economy, OWNER_PHONE, None, None, now)
        promoter = create_member(uow, economy, PROMOTER_PHONE, None, None, now)
        return owner, promoter

    owner, promoter = service.run(setup)
    local_life.set_store_terms(
        service, economy, "test", "noodles-1", SHOP, "0.2", name="牛肉面一店",
        promoter=promoter, owner_member=owner, province="广东", city="深圳", district="南山",
    )  # fmt: skip
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Served(base, service, sms, economy, owner, promoter)
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _page(browser: Browser, viewport: dict[str, int]) -> Page:
    return browser.new_context(viewport=viewport, locale="zh-CN").new_page()  # type: ignore[arg-type]


def _member_login(page: Page, served: Served, phone: str, query: str) -> None:
    page.goto(f"{served.url}/m/join?{query}")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("****")
    page.get_by_label("短信验证码").fill(served.sms.last_code[phone])
    page.get_by_role("button", name="登录 / 注册").click()
    page.wait_for_url("**/m")


def test_an_operator_sets_up_agents_and_stores_on_the_console(
    browser: Browser, served: Served
) -> None:
    page = _page(browser, DESKTOP)
    page.goto(f"{served.url}/console")
    page.wait_for_url("**/console/login**")
    page.get_by_label("手机号").fill(OPERATOR_PHONE)
    page.get_by_label("密码").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/console/{served.economy}")
    page.get_by_role("link", name="本地生活").click()
    expect(page.locator("#stores table")).to_contain_text("牛肉面一店")

    agent = page.locator("#agent-form")
    agent.get_by_label("等级").select_option("district")
    agent.get_by_label("代理（会员编号）").fill(served.promoter)
    agent.get_by_role("textbox", name="省").fill("广东")
    agent.get_by_role("textbox", name="市").fill("深圳")
    agent.get_by_role("textbox", name="区", exact=True).fill("南山")
    agent.get_by_role("button", name="保存代理").click()
    expect(page.get_by_role("status")).to_contain_text("代理已保存。")
    expect(page.locator("#agents table")).to_contain_text("广东/深圳/南山")

    terms = page.locator("#terms-form")
    terms.get_by_label("门店编号").fill("noodles-2")
    terms.get_by_label("商户编号").fill(SHOP)
    terms.get_by_label("佣金比例（如 0.2）").fill("0.05")  # below the 13% minimum
    terms.get_by_role("button", name="保存条款").click()
    expect(page.get_by_role("alert")).to_contain_text("0.13")
    expect(page.locator("#stores table")).not_to_contain_text("noodles-2")
    page.locator("#terms-form").get_by_label("佣金比例（如 0.2）").fill("0.25")
    page.locator("#terms-form").get_by_role("button", name="保存条款").click()
    expect(page.get_by_role("status")).to_contain_text("门店条款已保存。")
    expect(page.locator("#stores table")).to_contain_text("noodles-2")
    screenshot(page, "local-life-console-zh-1280")
    page.context.close()


def test_a_customer_joins_through_the_store_qr_and_the_owner_sees_the_reward(
    browser: Browser, served: Served
) -> None:
    link = local_life.store_link(served.service, served.economy, "noodles-1")
    buyer = _page(browser, PHONE)
    _member_login(buyer, served, BUYER_PHONE, link.split("?", 1)[1])
    with reading(served.service.database) as store:
        row = store.member_by_phone(served.economy, BUYER_PHONE)
    assert row is not None
    assert row.referrer == served.store_owner  # bound through the store's QR code
    buyer.context.close()

    merchants.report_order(
        served.service, served.economy, SHOP, "N-1", 100_000, row.member_id, None, "noodles-1"
    )
    merchants.settle(served.service, served.economy, SHOP, "N-1")
    assert wallet.wallet(served.service, served.economy, served.store_owner)["cash_fen"] == 300

    owner = _page(browser, PHONE)
    _member_login(owner, served, OWNER_PHONE, f"economy={served.economy}")
    owner.get_by_role("link", name="邀请", exact=True).click()
    rewards = owner.locator("#referral-rewards")
    expect(rewards).to_contain_text("我的推荐奖励")
    expect(owner.locator("#rewards-total")).to_have_text("3.00")
    expect(rewards).to_contain_text("直推人")
    assert owner.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(owner, "local-life-member-rewards-zh-375")
    owner.get_by_role("link", name="明细").click()
    expect(owner.locator("main")).to_contain_text("门店订单奖励")
    owner.context.close()
