"""Pages in a real browser (Debian's Chromium): language, phone width, static assets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import chromium, screenshot
from tests.factories import migrated_sqlite_settings
from tests.live_server import live_server
from zengzhi.api import create_app

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = migrated_sqlite_settings(tmp_path_factory.mktemp("pages"))
    with live_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_home_is_chinese_by_default_with_a_risk_notice(browser: Browser, base_url: str) -> None:
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "风险提示" in page.locator("footer.risk-notice").inner_text()
    assert "不承诺积分只涨不跌" in page.content()
    for name, href in [("会员端", "/m"), ("运营后台", "/console"), ("商户后台", "/merchant")]:
        assert page.get_by_role("link", name=name).get_attribute("href") == href
    screenshot(page, "home-zh-375")
    page.close()


def test_home_fits_a_375px_phone_without_sideways_scrolling(
    browser: Browser, base_url: str
) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.close()


def test_the_english_switch_translates_and_is_remembered(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/?lang=en")
    assert "Risk notice" in page.locator("footer.risk-notice").inner_text()
    screenshot(page, "home-en-375")
    page.goto(base_url + "/")  # no ?lang: the saved choice holds
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_vendored_scripts_load_from_the_package_not_a_cdn(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + "/")
    page.wait_for_function("typeof window.htmx !== 'undefined'")
    assert all(url.startswith(base_url) for url in requested)
    page.close()
