"""The public explorer in Debian's Chromium: figures, chart, transactions, proofs checked
in the browser (a tampered proof must fail), pseudonymous accounts; phone and desktop,
Chinese and English. Screenshots go to test-output/screenshots/explorer-*.png."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser import chromium, screenshot
from tests.live_server import live_server
from tests.public_data import PublicEconomy, seed_public_economy
from zengzhi.api import create_app
from zengzhi.config import Settings
from zengzhi.ledger.merkle import inclusion_path, merkle_root
from zengzhi.store import Database

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SECRET = "a-test-secret-that-is-long-enough-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PublicEconomy]]:
    path: Path = tmp_path_factory.mktemp("explorer") / "explorer.sqlite3"
    url = f"sqlite:///{path}"
    db = Database(url)
    db.upgrade()
    economy = seed_public_economy(db, "demo-coffee", orders=30, checkpoint_every=4)
    db.dispose()
    app = create_app(Settings(database_url=url, secret_key=SECRET))
    with live_server(app) as base:
        yield base, economy
    app.state.database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _page(browser: Browser, viewport: dict[str, int], locale: str = "zh-CN") -> Page:
    return browser.new_context(viewport=viewport, locale=locale).new_page()  # type: ignore[arg-type]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def test_the_explorer_shows_the_transactions_and_verifies_a_proof(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, economy = served
    page = _page(browser, PHONE)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/explorer/{economy.economy_id}")
    expect(page.locator("h1")).to_contain_text("消费增值")
    expect(page.locator("#fig-price")).to_have_text(page.locator("#fig-price").inner_text())
    page.wait_for_selector("#price-chart[data-ready=true]")
    assert "风险提示" in page.locator("footer").inner_text()
    assert "只涨不跌" in page.locator("footer").inner_text()  # as a denial: 不承诺积分只涨不跌
    rows = page.locator("table.txs tbody tr:not(.more-row)")
    expect(rows).to_have_count(20)
    _fits(page)
    screenshot(page, "explorer-home-zh-375")

    page.get_by_role("link", name="显示更早的交易").click()  # htmx appends the older page
    expect(rows).to_have_count(economy.transactions)
    for phone in economy.members:
        assert phone not in page.content()

    page.get_by_role("link", name="#3", exact=True).click()
    page.wait_for_url("**/tx/3")
    expect(page.locator("h1")).to_contain_text("第 3 笔交易")
    page.get_by_role("button", name="在我的浏览器中核验").click()
    expect(page.locator("#verify-result")).to_contain_text("核验通过")
    _fits(page)
    screenshot(page, "explorer-tx-zh-375")
    assert all(url.startswith(base) for url in requested)
    page.close()


def _tamper(field: str) -> object:
    def handler(route: Route) -> None:
        reply = route.fetch()
        proof = reply.json()
        if field == "path":
            first = bytearray(bytes.fromhex(proof["path"][0]))
            first[0] ^= 1
            proof["path"][0] = first.hex()
        elif field == "root":  # a proof that is consistent with a root the page did not publish
            proof["root"] = "ab" * 32
        else:
            proof["index"] = proof["index"] ^ 1
        route.fulfill(response=reply, body=json.dumps(proof))

    return handler


@pytest.mark.parametrize("field", ["path", "root", "index"])
def test_a_tampered_proof_fails_in_the_browser(
    browser: Browser, served: tuple[str, PublicEconomy], field: str
) -> None:
    base, economy = served
    page = _page(browser, PHONE)
    page.route("**/transactions/6/proof", _tamper(field))  # type: ignore[arg-type]
    page.goto(f"{base}/explorer/{economy.economy_id}/tx/6")
    page.get_by_role("button", name="在我的浏览器中核验").click()
    expect(page.locator("#verify-result")).to_contain_text("核验未通过")
    if field == "path":
        screenshot(page, "explorer-tx-tampered-zh-375")
    page.close()


def test_the_browser_verifier_agrees_with_the_ledger_on_every_tree_shape(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, economy = served
    page = _page(browser, DESKTOP)
    page.goto(f"{base}/explorer/{economy.economy_id}/tx/1")
    rng = random.Random(7)
    cases = []
    for size in range(1, 12):
        leaves = [rng.randbytes(32) for _ in range(size)]
        root = merkle_root(leaves)
        for index in range(size):
            path = [h.hex() for h in inclusion_path(leaves, index)]
            cases.append([leaves[index].hex(), index, size, path, root.hex(), True])
            wrong_leaf = leaves[(index + 1) % size] if size > 1 else bytes(32)
            cases.append([wrong_leaf.hex(), index, size, path, root.hex(), False])
            if size > 1:
                cases.append(
                    [leaves[index].hex(), (index + 1) % size, size, path, root.hex(), False]
                )
                cases.append([leaves[index].hex(), index, size, path[:-1], root.hex(), False])
    results = page.evaluate(
        """async (cases) => Promise.all(cases.map(([leaf, i, n, path, root]) =>
             window.zengzhiExplorer.verifyInclusion(leaf, i, n, path, root)))""",
        cases,
    )
    assert results == [case[5] for case in cases]
    page.close()


def test_a_transaction_not_yet_sealed_says_so(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, economy = served
    assert economy.transactions % 4, "the seeded history must end with an open block"
    page = _page(browser, PHONE)
    page.goto(f"{base}/explorer/{economy.economy_id}/tx/{economy.transactions}")
    expect(page.locator("#proof")).to_contain_text("尚未封存")
    expect(page.get_by_role("button", name="在我的浏览器中核验")).to_have_count(0)
    page.close()


def test_an_account_page_shows_a_pseudonym_its_balances_and_history(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, economy = served
    page = _page(browser, PHONE)
    page.goto(f"{base}/explorer/{economy.economy_id}/tx/1")
    page.locator("dl.facts a.pseudonym").click()
    expect(page.locator("h1")).to_contain_text("账户 M-")
    expect(page.locator(".figure .label").first).to_have_text("持有积分")
    assert page.locator("table.txs tbody tr").count() >= 1
    assert "13800138000" not in page.content()
    _fits(page)
    screenshot(page, "explorer-account-zh-375")
    page.close()


def test_the_checkpoints_page_lists_roots(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, economy = served
    page = _page(browser, PHONE)
    page.goto(f"{base}/explorer/{economy.economy_id}/checkpoints")
    expect(page.locator("table.checkpoints tbody tr")).to_have_count(economy.transactions // 4)
    _fits(page)
    screenshot(page, "explorer-checkpoints-zh-375")
    page.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_desktop_pages_in_both_languages(
    browser: Browser, served: tuple[str, PublicEconomy], lang: str
) -> None:
    base, economy = served
    page = _page(browser, DESKTOP)
    page.goto(f"{base}/explorer/{economy.economy_id}?lang={lang}")
    page.wait_for_selector("#price-chart[data-ready=true]")
    expected = "Price history" if lang == "en" else "积分价格走势"
    expect(page.locator("h2").first).to_have_text(expected)
    screenshot(page, f"explorer-home-{lang}-desktop")
    page.goto(f"{base}/explorer/{economy.economy_id}/tx/5")
    button = "Verify inclusion in my browser" if lang == "en" else "在我的浏览器中核验"
    page.get_by_role("button", name=button).click()
    expect(page.locator("#verify-result.ok")).to_be_visible()
    screenshot(page, f"explorer-tx-{lang}-desktop")
    page.close()


def test_an_unknown_economy_is_a_clear_404_page(
    browser: Browser, served: tuple[str, PublicEconomy]
) -> None:
    base, _ = served
    page = _page(browser, PHONE)
    response = page.goto(f"{base}/explorer/no-such-economy")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("main")).to_contain_text("no-such-economy")
    screenshot(page, "explorer-404-zh-375")
    page.close()
