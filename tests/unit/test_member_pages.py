"""The member app's pages over HTTP (a real server on SQLite): joining by referral and SMS
code, refusals in plain Chinese, a sale quoted before it is made and made once per form,
withdrawals, CSRF, logging out; and the small helpers the pages use."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.service.support import Clock, bootstrap, make_service
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.domain.errors import InvalidAmount
from zengzhi.service import Service, member_views, wallet
from zengzhi.service.accounts import create_member
from zengzhi.service.merchants import create_merchant, report_order, settle
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database
from zengzhi.web.member import exit_progress, masked, plain, points_from_text

SHOP = "shop"


@dataclass
class Site:
    url: str
    service: Service
    sms: ConsoleSmsProvider
    economy: str
    alice: str  # a member who invites
    alice_code: str
    orders: int = 0

    def buy(self, member: str, fen: int) -> None:
        """A merchant's order for `member`, reported and settled."""
        self.orders += 1
        order = f"o-{self.orders}"
        report_order(self.service, self.economy, SHOP, order, fen, member, None, None)
        settle(self.service, self.economy, SHOP, order)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path: Path = tmp_path_factory.mktemp("member") / "member.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    service, sms = make_service(url, Clock())
    economy = f"eco-{uuid.uuid4().hex[:6]}"
    bootstrap(service, economy)

    def setup(uow: Any) -> str:
        now = service.now()
        create_merchant(service, uow, economy, SHOP, "Shop", "test", now)
        return create_member(uow, economy, "13700000001", None, None, now)

    alice = service.run(setup)
    code = wallet.profile(service, economy, alice)["referral_code"]
    app = create_app(service.settings, service)
    with live_server(app) as base:
        yield Site(base, service, sms, economy, alice, code)
    service.database.dispose()


def browser(site: Site) -> httpx.Client:
    """A client that keeps cookies, asks for Chinese and does not follow redirects."""
    return httpx.Client(base_url=site.url, headers={"Accept-Language": "zh-CN"}, timeout=30)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def log_in(site: Site, client: httpx.Client, phone: str, ref: str = "") -> str:
    """Through the join page, as a member would; returns the CSRF token for later forms."""
    page = client.get("/m/join", params={"economy": site.economy, "ref": ref})
    token = csrf(page.text)
    form = {"csrf_token": token, "economy": site.economy, "phone": phone, "ref": ref}
    assert client.post("/m/join/code", data=form).status_code == 200
    done = client.post("/m/join", data={**form, "code": site.sms.last_code[phone]})
    assert (done.status_code, done.headers["location"]) == (303, "/m")
    return token


def member_id(site: Site, phone: str) -> str:
    from zengzhi.store.service_repository import reading

    with reading(site.service.database) as store:
        row = store.member_by_phone(site.economy, phone)
    assert row is not None
    return str(row.member_id)


# -- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "micro"),
    [("10", 10_000_000), ("10.5", 10_500_000), (" 0.000001 ", 1), ("1,000", 1_000_000_000)],
)
def test_points_typed_by_a_member_are_read_exactly(typed: str, micro: int) -> None:
    assert points_from_text(typed) == micro


@pytest.mark.parametrize("typed", ["", "abc", "0", "-1", "0.0000001", "NaN", "Infinity"])
def test_points_that_cannot_be_sold_exactly_are_refused(typed: str) -> None:
    with pytest.raises(InvalidAmount):
        points_from_text(typed)


@pytest.mark.parametrize(("rate", "shown"), [(Fraction(1, 5) * 100, "20"), (Fraction(6, 5), "1.2")])
def test_rates_are_shown_exactly_without_trailing_zeros(rate: Fraction, shown: str) -> None:
    assert plain(rate) == shown


def test_a_phone_is_masked_in_the_middle() -> None:
    assert masked("13800000001") == "138****0001"


def test_exit_progress_is_a_capped_percentage_and_absent_without_a_line() -> None:
    base = {"exit_line_fen": 30_000, "points_micro": 1, "points_value_fen": 3_000}
    assert exit_progress(base) == 10
    assert exit_progress({**base, "points_value_fen": 45_000}) == 100
    assert exit_progress({**base, "exit_line_fen": None}) is None
    assert exit_progress({**base, "points_micro": 0}) is None


# -- the quote and the sale ---------------------------------------------------------------


def test_the_quote_is_what_the_sale_then_pays(site: Site) -> None:
    def add(uow: Any) -> str:
        return create_member(uow, site.economy, "13700000099", None, None, site.service.now())

    member = site.service.run(add)
    site.buy(member, 12_345)
    held = wallet.wallet(site.service, site.economy, member)["points_micro"]
    quote = member_views.sale_quote(site.service, site.economy, member, held // 3)
    assert quote.value_fen == quote.payout_fen + quote.fee_fen
    assert quote.fee_fen >= quote.value_fen * quote.sell_fee  # the rounding stays in the pool
    sold = wallet.sell(site.service, site.economy, member, "quote-1", held // 3)
    assert sold["payout_fen"] == quote.payout_fen


def test_a_quote_for_more_points_than_held_is_refused(site: Site) -> None:
    with pytest.raises(Exception, match="cannot sell") as refused:
        member_views.sale_quote(site.service, site.economy, site.alice, 10**15)
    assert getattr(refused.value, "code", "") == "insufficient_points"


# -- pages --------------------------------------------------------------------------------


def test_pages_need_a_member_session(site: Site) -> None:
    with browser(site) as client:
        for path in ("/m", "/m/sell", "/m/withdraw", "/m/history", "/m/referral", "/m/team"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/m/join")


def test_a_referral_link_names_the_economy_and_the_inviter(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/m/join", params={"ref": site.alice_code})  # no economy: looked up
        assert page.status_code == 200
        assert f"您通过邀请码 {site.alice_code} 受邀加入" in text(page.text)
        assert field(page.text, "economy") == site.economy


def test_an_unknown_referral_code_is_said_plainly(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/m/join", params={"economy": site.economy, "ref": "NOSUCH12"})
        assert "邀请码无效" in text(page.text)


def test_a_wrong_sms_code_shows_a_clear_message_and_logs_nobody_in(site: Site) -> None:
    phone = "13700000002"
    with browser(site) as client:
        page = client.get("/m/join", params={"economy": site.economy})
        form = {"csrf_token": csrf(page.text), "economy": site.economy, "phone": phone}
        client.post("/m/join/code", data=form)
        wrong = "000000" if site.sms.last_code[phone] != "000000" else "111111"
        refused = client.post("/m/join", data={**form, "code": wrong})
        assert refused.status_code == 200
        assert "验证码错误或已过期" in text(refused.text)
        assert client.get("/m").status_code == 303


def test_a_bad_phone_number_is_refused_before_any_sms(site: Site) -> None:
    with browser(site) as client:
        page = client.get("/m/join", params={"economy": site.economy})
        form = {"csrf_token": csrf(page.text), "economy": site.economy, "phone": "12ab"}
        refused = client.post("/m/join/code", data=form)
        assert "请输入手机号" in text(refused.text)
        assert "12ab" not in site.sms.last_code


def test_switching_language_on_a_page_a_form_rendered_returns_to_the_form(site: Site) -> None:
    with browser(site) as client:
        for posted, form in (("/m/join/code", "/m/join"), ("/m/sell/confirm", "/m/sell")):
            switch = client.get(posted, params={"lang": "en"})
            assert (switch.status_code, switch.headers["location"]) == (303, f"{form}?lang=en")


def test_a_form_without_its_csrf_token_changes_nothing(site: Site) -> None:
    with browser(site) as client:
        client.get("/m/join", params={"economy": site.economy})
        refused = client.post(
            "/m/join/code", data={"economy": site.economy, "phone": "13700000003"}
        )
        assert refused.status_code == 403
        assert "13700000003" not in site.sms.last_code


def test_registering_through_a_referral_joins_the_inviters_team(site: Site) -> None:
    with browser(site) as client:
        log_in(site, client, "13700000004", ref=site.alice_code)
        home = client.get("/m")
        assert "我的积分" in text(home.text)
    newcomer = member_id(site, "13700000004")
    team = wallet.team(site.service, site.economy, site.alice)
    assert newcomer in [m["member_id"] for m in team["direct"]]


def test_a_sale_form_sent_twice_sells_once(site: Site) -> None:
    phone = "13700000005"
    with browser(site) as client:
        token = log_in(site, client, phone)
        member = member_id(site, phone)
        site.buy(member, 10_000)
        before = wallet.wallet(site.service, site.economy, member)
        confirm = client.post("/m/sell/confirm", data={"csrf_token": token, "points": "5"})
        assert "确认卖出" in text(confirm.text)
        assert wallet.wallet(site.service, site.economy, member) == before  # nothing sold yet
        form = {
            "csrf_token": token,
            "points_micro": field(confirm.text, "points_micro"),
            "key": field(confirm.text, "key"),
        }
        first = client.post("/m/sell", data=form)
        second = client.post("/m/sell", data=form)
        assert "不会重复卖出" not in text(first.text)
        assert "不会重复卖出" in text(second.text)
    after = wallet.wallet(site.service, site.economy, member)
    assert after["points_micro"] == before["points_micro"] - 5_000_000
    sales = [r for r in wallet.history(site.service, site.economy, member, 50, None)
             if r["kind"] == "sale"]  # fmt: skip
    assert len(sales) == 1


def test_selling_more_than_held_says_so_and_sells_nothing(site: Site) -> None:
    phone = "13700000006"
    with browser(site) as client:
        token = log_in(site, client, phone)
        refused = client.post("/m/sell/confirm", data={"csrf_token": token, "points": "1"})
        assert refused.status_code == 422
        assert "您的积分不足" in text(refused.text)
        everything = client.post("/m/sell/confirm", data={"csrf_token": token, "all": "1"})
        assert "您还没有可卖出的积分" in text(everything.text)


def test_a_withdrawal_is_held_and_listed_as_pending(site: Site) -> None:
    phone = "13700000007"
    with browser(site) as client:
        token = log_in(site, client, phone)
        member = member_id(site, phone)
        site.buy(member, 10_000)
        wallet.sell(site.service, site.economy, member, "w-test", None)
        cash = wallet.wallet(site.service, site.economy, member)["cash_fen"]
        page = client.get("/m/withdraw")
        form = {"csrf_token": token, "key": field(page.text, "key"), "payout": "工行 6222 0001"}
        too_much = client.post("/m/withdraw", data={**form, "amount": str(cash)})  # yuan
        assert (too_much.status_code, "您的现金余额不足" in text(too_much.text)) == (422, True)
        odd = client.post("/m/withdraw", data={**form, "amount": "1.234"})
        assert "最多两位小数" in text(odd.text)
        done = client.post("/m/withdraw", data={**form, "amount": "5.00"})
        assert done.status_code == 303
        listed = client.get(done.headers["location"])
        assert "待审核" in text(listed.text)
    mine = wallet.withdrawals(site.service, site.economy, member, None)
    assert [(w["amount_fen"], w["status"]) for w in mine] == [(500, "pending")]


def test_the_referral_page_has_the_link_and_an_inline_qr_code(site: Site) -> None:
    with browser(site) as client:
        log_in(site, client, "13700000008")
        page = client.get("/m/referral").text
    link = wallet.profile(site.service, site.economy, member_id(site, "13700000008"))
    assert link["referral_link"].replace("&", "&amp;") in page
    assert re.search(r'<div class="qr"[^>]*><svg [^>]*class="segno"', page)


def test_the_rules_page_states_the_rules_and_the_risk_without_promising(site: Site) -> None:
    with browser(site) as client:
        log_in(site, client, "13700000009")
        page = text(client.get("/m/rules").text)
    assert "扣除 20% 手续费" in page
    assert "本周期消费金额的 3 倍" in page
    assert "平台不承诺积分只涨不跌" in page  # the preset's risk text
    assert page.count("只涨不跌") == page.count("不承诺积分只涨不跌")  # only ever denied


def test_logging_out_ends_the_session(site: Site) -> None:
    with browser(site) as client:
        token = log_in(site, client, "13700000010")
        session = client.cookies.get("zz_session")
        out = client.post("/m/logout", data={"csrf_token": token})
        assert out.headers["location"] == "/m/join"
        client.cookies.set("zz_session", session or "")
        assert client.get("/m").status_code == 303  # the old cookie no longer works
