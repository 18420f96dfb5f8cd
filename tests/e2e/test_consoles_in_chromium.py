"""The operator and merchant consoles in Debian's Chromium: an operator approves a withdrawal
and the member's books follow; a lower role neither sees nor may post the approval; a rule
edit shows its compliance findings before anything is saved; a merchant creates an API key
(its secret shown once) and sees its orders' settlement. Screenshots go to
test-output/screenshots/console-*.png and merchant-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium, screenshot
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.api.app import build_service
from zengzhi.config import Settings
from zengzhi.service import Service, merchants, operators, wallet
from zengzhi.service.accounts import create_operator
from zengzhi.service.demo import DemoData, seed
from zengzhi.store import Database
from zengzhi.store.service_repository import reading

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SECRET = "a-test-secret-that-is-long-enough-0123456789"
STAFF_PHONE = "13900000077"  # the "operator" role: may see members, may not pay out
STAFF_PASSWORD = "staff-password-1"


@dataclass
class Served:
    base: str
    service: Service
    demo: DemoData
    member: str  # the member who asked for a withdrawal
    withdrawal: str
    amount_fen: int


def _member_id(service: Service, phone: str) -> str:
    with reading(service.database) as store:
        row = store.member_by_phone("demo", phone)
    assert row is not None
    return str(row.member_id)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("consoles") / "consoles.sqlite3"
    url = f"sqlite:///{path}"
    Database(url).upgrade()
    settings = Settings(database_url=url, secret_key=SECRET)
    service = build_service(settings)
    demo = seed(service)
    member = _member_id(service, demo.member_phones[0])
    wallet.sell(service, "demo", member, "sell-1", 20_000_000)  # 20 points for cash
    cash = wallet.wallet(service, "demo", member)["cash_fen"]
    amount = cash // 2
    withdrawal, _ = wallet.withdraw(
        service, "demo", member, "w-1", amount, "招商银行 6225 **** 1234"
    )

    def staff(uow: Any) -> None:
        now = service.now()
        who = create_operator(service, uow, STAFF_PHONE, "客服小王", STAFF_PASSWORD, now)
        operators.grant_role(service, uow, "demo", who, "operator", "test", now)

    service.run(staff)
    other = demo.member_phones[1]
    merchants.report_order(service, "demo", demo.merchant, "till-77", 12_345, None, other, None)
    app = create_app(settings, service)
    with live_server(app) as base:
        yield Served(base, service, demo, member, withdrawal["withdrawal_id"], amount)
    service.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _page(browser: Browser, viewport: dict[str, int] = DESKTOP) -> Page:
    return browser.new_context(viewport=viewport, locale="zh-CN").new_page()  # type: ignore[arg-type]


def _fits(page: Page) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _operator_login(page: Page, base: str, phone: str, password: str) -> None:
    page.goto(f"{base}/console")
    page.wait_for_url("**/console/login**")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/console/demo")


def test_an_operator_approves_a_pending_withdrawal(browser: Browser, served: Served) -> None:
    page = _page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _operator_login(page, served.base, served.demo.owner_phone, served.demo.owner_password)
    expect(page.locator("h1")).to_have_text("概览")
    expect(page.locator("#pending-count")).to_have_text("1")
    for chart in ("price", "pool", "orders", "payouts", "exits"):
        page.wait_for_selector(f"#chart-{chart}[data-ready=true]")
    assert "风险提示" in page.locator("footer").inner_text()
    screenshot(page, "console-dashboard-zh-1280")

    page.get_by_role("link", name="打开提现审核").click()
    row = page.locator(f"#w-{served.withdrawal}")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text(f"{served.amount_fen // 100:,}.{served.amount_fen % 100:02d}")
    screenshot(page, "console-withdrawals-zh-1280")
    row.get_by_placeholder("付款流水号").fill("CMB-20260101-0001")
    row.get_by_role("button", name="通过（已打款）").click()
    expect(page.locator(".notice.ok")).to_contain_text("提现已审核通过")

    after = wallet.wallet(served.service, "demo", served.member)
    assert after["pending_withdrawal_fen"] == 0
    [paid] = wallet.withdrawals(served.service, "demo", served.member, None)
    assert (paid["status"], paid["reference"]) == ("paid", "CMB-20260101-0001")

    page.goto(f"{served.base}/console/demo/members?phone={served.demo.member_phones[0]}")
    page.wait_for_url(f"**/members/{served.member}")
    expect(page.locator("#member-pending")).to_have_text("0.00")
    expect(page.locator("table").first).to_contain_text("已打款")
    expect(page.locator("table.history")).to_contain_text("提现已打款")
    screenshot(page, "console-member-zh-1280")

    page.get_by_role("link", name="审计日志").click()
    expect(page.locator("table.audit tbody tr").first).to_contain_text("提现审核通过并打款")
    screenshot(page, "console-audit-zh-1280")
    page.get_by_role("link", name="报表").click()
    page.get_by_role("link", name="每日支付").click()
    expect(page.locator("table")).to_contain_text("卖出积分支付（元）")
    screenshot(page, "console-reports-zh-1280")
    assert all(url.startswith(served.base) for url in requested)
    page.context.close()


def test_the_dashboard_fits_a_375px_phone(browser: Browser, served: Served) -> None:
    page = _page(browser, PHONE)
    _operator_login(page, served.base, served.demo.owner_phone, served.demo.owner_password)
    page.wait_for_selector("#chart-exits[data-ready=true]")
    _fits(page)
    screenshot(page, "console-dashboard-zh-375")
    page.context.close()


def test_a_lower_role_cannot_see_nor_post_an_approval(browser: Browser, served: Served) -> None:
    waiting, _ = wallet.withdraw(
        served.service, "demo", served.member, "w-2", 100, "招商银行 6225 **** 1234"
    )
    page = _page(browser)
    _operator_login(page, served.base, STAFF_PHONE, STAFF_PASSWORD)
    page.goto(f"{served.base}/console/demo/withdrawals")
    row = page.locator(f"#w-{waiting['withdrawal_id']}")
    expect(row).to_contain_text("等待财务审核")
    expect(page.get_by_role("button", name="通过（已打款）")).to_have_count(0)
    expect(page.get_by_text("只有所有者和财务角色可以审核提现")).to_be_visible()
    screenshot(page, "console-withdrawals-operator-role-zh-1280")

    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(
        f"{served.base}/console/demo/withdrawals/{waiting['withdrawal_id']}/approve",
        form={"csrf_token": token or "", "reference": "SNEAKY-1"},
    )
    assert refused.status == 403
    assert "您的角色无权执行此操作" in refused.text()
    [still] = wallet.withdrawals(served.service, "demo", served.member, "pending")
    assert still["withdrawal_id"] == waiting["withdrawal_id"]
    page.context.close()


def _version(served: Served) -> int:
    return int(operators.economy_summary(served.service, "demo")["config_version"])


def test_a_rule_edit_shows_compliance_findings_before_saving(
    browser: Browser, served: Served
) -> None:
    before = _version(served)
    page = _page(browser)
    _operator_login(page, served.base, served.demo.owner_phone, served.demo.owner_password)
    page.get_by_role("link", name="规则", exact=True).click()
    page.get_by_label("卖出手续费（回流至资金池）").fill("0.1")
    page.get_by_role("button", name="检查修改").click()

    findings = page.locator("#findings")
    high = findings.locator(".finding.sev-high")
    expect(high).to_contain_text("会员可取回的现金多于其消费额")
    expect(high).to_contain_text("3 × (1 − 0.1) = 2.7")
    expect(high.get_by_role("checkbox")).not_to_be_checked()
    screenshot(page, "console-rules-findings-zh-1280")
    assert _version(served) == before  # a check saves nothing

    page.get_by_label("修改原因（记入审计日志）").fill("降低卖出手续费")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".notice.bad")).to_contain_text("高风险项尚未确认")
    assert _version(served) == before

    high = page.locator("#findings .finding.sev-high")
    high.get_by_role("checkbox").check()
    high.get_by_label("接受的理由").fill("与资料 004 的出局倍数一致，已向会员披露")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".notice.ok")).to_contain_text("新规则已保存为新版本")
    assert _version(served) == before + 1
    [changed] = [
        e for e in operators.audit_log(served.service, "demo", 1000, 0)
        if e["action"] == "rules.changed"
    ]  # fmt: skip
    assert changed["details"]["changes"] == {"pool": {"sell_fee": "0.1"}}
    [ack] = changed["details"]["acknowledged"]
    assert ack["code"] == "returns_exceed_spend"
    assert "资料 004" in ack["reason"]
    page.context.close()


def test_a_merchant_creates_an_api_key_and_sees_settlement(
    browser: Browser, served: Served
) -> None:
    page = _page(browser)
    page.goto(f"{served.base}/merchant")
    page.wait_for_url("**/merchant/login")
    page.get_by_label("密钥 ID").fill(served.demo.key_id)
    page.get_by_label("密钥", exact=True).fill(served.demo.secret)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{served.base}/merchant")
    expect(page.locator("#order-demo-1")).to_contain_text("已结算：积分已发放")
    expect(page.locator("#order-till-77")).to_contain_text("待结算")
    expect(page.locator("#order-till-77")).to_contain_text("123.45")
    screenshot(page, "merchant-orders-zh-1280")

    page.get_by_role("link", name="API 密钥").click()
    page.get_by_role("button", name="创建新密钥").click()
    key_id = page.locator("#new-key-id").inner_text()
    secret = page.locator("#new-key-secret").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert secret == merchants.key_secret(served.service, key_id)
    expect(page.locator(f"#key-{key_id}")).to_contain_text("有效")
    screenshot(page, "merchant-keys-zh-1280")
    page.goto(f"{served.base}/merchant/keys")  # shown once: never again
    expect(page.locator(f"#key-{key_id}")).to_be_visible()
    assert secret not in page.content()

    page.locator(f"#key-{key_id}").get_by_role("button", name="吊销").click()
    expect(page.locator(f"#key-{key_id}")).to_contain_text("已于")

    page.get_by_role("link", name="门店与二维码").click()
    page.get_by_label("门店 ID（字母、数字、- _ . :）").fill("shop-1")
    page.get_by_label("门店名称").fill("人民路店")
    page.get_by_role("button", name="添加门店").click()
    expect(page.locator("#store-shop-1 svg")).to_be_visible()
    expect(page.locator("#store-shop-1")).to_contain_text("store=shop-1")
    screenshot(page, "merchant-stores-zh-1280")
    page.context.close()
