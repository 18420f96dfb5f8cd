"""The consoles' form handling, and their pages over HTTP: who may see and do what (the
API's own role checks), CSRF on every change, merchant sessions tied to their key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.api.app import build_service
from zengzhi.config import Settings
from zengzhi.service import Service, merchant_account, merchants, operators, wallet
from zengzhi.service.accounts import create_operator
from zengzhi.service.demo import DemoData, seed
from zengzhi.service.errors import InvalidInput
from zengzhi.store import Database
from zengzhi.store.service_repository import reading
from zengzhi.web.console import _safe_next, changes_from_form, parse_amount
from zengzhi.web.merchant_console import qr_svg

CURRENT = {
    "economy": {"name": "Demo", "system": "appreciating_pool", "return_window_days": 7},
    "pool": {"sell_fee": "0.2", "exit_multiple": "3"},
    "team": {"stars": [{"level": 1}]},
}


def test_only_changed_keys_are_sent_typed_like_the_current_value() -> None:
    form = {
        "economy.name": "Demo",
        "economy.return_window_days": "10",
        "pool.sell_fee": " 0.1 ",
        "pool.exit_multiple": "3",
        "economy.system": "local_life",  # read-only: the mechanism comes from the preset
        "team.stars": "[]",  # lists are not edited through the form
    }
    assert changes_from_form(CURRENT, form) == {
        "economy": {"return_window_days": 10},
        "pool": {"sell_fee": "0.1"},
    }


def test_a_whole_number_key_refuses_other_text() -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        changes_from_form(CURRENT, {"economy.return_window_days": "7.5"})


@pytest.mark.parametrize(
    ("text", "asset", "amount"),
    [
        ("12.50", "cash", 1250),
        ("-3", "points", -3_000_000),
        ("1,234.5", "cash", 123_450),
        ("0.000001", "points", 1),
        ("-0.01", "cash", -1),
    ],
)
def test_amounts_are_read_exactly(text: str, asset: str, amount: int) -> None:
    assert parse_amount(text, asset) == amount


@pytest.mark.parametrize(
    ("text", "asset"),
    [
        ("0.001", "cash"),
        ("abc", "cash"),
        ("1e400", "cash"),
        ("0.0000001", "points"),
        ("NaN", "points"),
    ],
)
def test_amounts_finer_than_the_books_or_not_numbers_are_refused(text: str, asset: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(text, asset)


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/console/demo/withdrawals", "/console/demo/withdrawals"),
        ("//evil.example", "/console"),
        ("https://evil.example/console", "/console"),
        ("/console//evil", "/console"),
        (None, "/console"),
    ],
)
def test_after_login_only_console_pages_are_followed(target: str | None, safe: str) -> None:
    assert _safe_next(target) == safe


def test_a_store_qr_code_is_inline_svg_without_outside_references() -> None:
    svg = qr_svg("http://127.0.0.1:8000/m/join?economy=demo&store=s1")
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg
    assert "href" not in svg
    assert svg != qr_svg("http://127.0.0.1:8000/m/join?economy=demo&store=s2")


# -- over HTTP ---------------------------------------------------------------------------

STAFF = {"operator": "13900000011", "finance": "13900000012", "auditor": "13900000013"}
PASSWORD = "staff-password-1"


@dataclass
class Site:
    base: str
    service: Service
    demo: DemoData
    member: str
    other_key: tuple[str, str]  # another merchant's key


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path: Path = tmp_path_factory.mktemp("console-pages") / "pages.sqlite3"
    url = f"sqlite:///{path}"
    Database(url).upgrade()
    settings = Settings(database_url=url, secret_key="page-tests-" + "s" * 40)
    service = build_service(settings)
    demo = seed(service)

    def people(uow: Any) -> tuple[str, str]:
        now = service.now()
        for role, phone in STAFF.items():
            who = create_operator(service, uow, phone, role, PASSWORD, now)
            operators.grant_role(service, uow, "demo", who, role, "test", now)
        merchants.create_merchant(service, uow, "demo", "other-shop", "Other", "test", now)
        return merchants.create_key(service, uow, "demo", "other-shop", "test", now)

    other_key = service.run(people)
    with reading(service.database) as store:
        member = store.member_by_phone("demo", demo.member_phones[0]).member_id  # type: ignore[union-attr]
    with live_server(create_app(settings, service)) as base:
        yield Site(base, service, demo, member, other_key)
    service.database.dispose()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


@contextmanager
def _operator(
    site: Site, phone: str, password: str = PASSWORD
) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=site.base) as client:
        token = _token(client.get("/console/login").text)
        done = client.post(
            "/console/login", data={"csrf_token": token, "phone": phone, "password": password}
        )
        assert done.status_code == 303, done.text
        yield client, token


def test_pages_need_a_login_and_changes_need_the_form_token(site: Site) -> None:
    with httpx.Client(base_url=site.base) as anonymous:
        for path in ("/console/demo", "/console/demo/members", "/console/demo/audit"):
            answer = anonymous.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/console/login?next=")
        assert anonymous.get("/merchant").headers["location"] == "/merchant/login"
    cash = wallet.wallet(site.service, "demo", site.member)["cash_fen"]
    with _operator(site, site.demo.owner_phone, site.demo.owner_password) as (client, _):
        refused = client.post(
            f"/console/demo/members/{site.member}/adjust",
            data={"asset": "cash", "amount": "5", "reason": "x", "key": "k"},
        )
        assert refused.status_code == 403
        assert wallet.wallet(site.service, "demo", site.member)["cash_fen"] == cash


def test_a_wrong_password_is_said_plainly_in_chinese(site: Site) -> None:
    with httpx.Client(base_url=site.base) as client:
        token = _token(client.get("/console/login").text)
        answer = client.post(
            "/console/login",
            data={"csrf_token": token, "phone": site.demo.owner_phone, "password": "not-it"},
        )
    assert answer.status_code == 401
    assert "手机号或密码错误" in answer.text


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("auditor", "/console/demo/audit", True),
        ("finance", "/console/demo/audit", False),
        ("operator", "/console/demo/audit", False),
        ("auditor", "/console/demo/members", True),
        ("finance", "/console/demo/reports/orders.csv", True),
    ],
)
def test_pages_follow_the_apis_role_matrix(site: Site, role: str, path: str, allowed: bool) -> None:
    with _operator(site, STAFF[role]) as (client, _):
        answer = client.get(path)
        nav = client.get("/console/demo").text
    assert answer.status_code == (200 if allowed else 403)
    assert ('href="/console/demo/audit"' in nav) == (role in ("owner", "auditor"))


def test_roles_without_full_access_see_phones_partly_hidden(site: Site) -> None:
    with _operator(site, STAFF["auditor"]) as (client, _):
        page = client.get("/console/demo/members").text
    assert site.demo.member_phones[0] not in page
    assert "138****0001" in page


def test_an_adjustment_reaches_the_books_once_even_if_posted_twice(site: Site) -> None:
    cash = wallet.wallet(site.service, "demo", site.member)["cash_fen"]
    with _operator(site, STAFF["finance"]) as (client, token):
        form = {
            "csrf_token": token,
            "asset": "cash",
            "amount": "1.50",
            "reason": "补偿",
            "key": "k1",
        }
        for _ in range(2):  # a double click sends the same form key
            done = client.post(f"/console/demo/members/{site.member}/adjust", data=form)
            assert done.status_code == 303
        page = client.get(f"/console/demo/members/{site.member}").text
    assert wallet.wallet(site.service, "demo", site.member)["cash_fen"] == cash + 150
    assert "运营调整" in page


def test_a_rule_check_saves_nothing_and_a_save_needs_what_was_checked(site: Site) -> None:
    version = operators.economy_summary(site.service, "demo")["config_version"]
    with _operator(site, site.demo.owner_phone, site.demo.owner_password) as (client, token):
        checked = client.post(
            "/console/demo/rules/check", data={"csrf_token": token, "pool.exit_multiple": "1.2"}
        )
        assert "≤ 1" in checked.text  # 1.2 × (1 − 0.2) = 0.96: the finding is informational
        assert 'name="ack.' not in checked.text
        sneaky = client.post(
            "/console/demo/rules",
            data={
                "csrf_token": token,
                "pool.exit_multiple": "5",
                "reason": "r",
                "checked": '{"pool": {"exit_multiple": "1.2"}}',
            },
        )
        assert sneaky.status_code == 422
        assert operators.economy_summary(site.service, "demo")["config_version"] == version
        invalid = client.post(
            "/console/demo/rules/check", data={"csrf_token": token, "pool.sell_fee": "1.5"}
        )
        assert "规则无效" in invalid.text


def test_the_csv_export_is_the_apis(site: Site) -> None:
    with _operator(site, site.demo.owner_phone, site.demo.owner_password) as (client, _):
        page_csv = client.get("/console/demo/reports/orders.csv")
    with httpx.Client(base_url=site.base) as api:
        login = api.post(
            "/v1/operators/login",
            json={"phone": site.demo.owner_phone, "password": site.demo.owner_password},
        )
        bearer = {"Authorization": f"Bearer {login.json()['token']}"}
        api_csv = api.get("/v1/economies/demo/reports/orders?format=csv", headers=bearer)
    assert page_csv.status_code == 200
    assert page_csv.text == api_csv.text
    assert page_csv.text.startswith("day,reported,settled")


@contextmanager
def _merchant(site: Site, key_id: str, secret: str) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=site.base) as client:
        token = _token(client.get("/merchant/login").text)
        done = client.post(
            "/merchant/login", data={"csrf_token": token, "key_id": key_id, "secret": secret}
        )
        assert done.status_code == 303, done.text
        yield client, token


def test_a_merchant_login_ends_when_its_key_is_revoked(site: Site) -> None:
    key_id, secret = site.service.run(
        lambda uow: merchants.create_key(
            site.service, uow, "demo", site.demo.merchant, "test", site.service.now()
        )
    )
    with _merchant(site, key_id, secret) as (client, token):
        assert client.get("/merchant").status_code == 200
        assert (
            client.post(f"/merchant/keys/{key_id}/revoke", data={"csrf_token": token}).status_code
            == 303
        )
        assert client.get("/merchant").headers["location"] == "/merchant/login"


def test_a_merchant_cannot_revoke_another_merchants_key(site: Site) -> None:
    other_id, _ = site.other_key
    with _merchant(site, site.demo.key_id, site.demo.secret) as (client, token):
        refused = client.post(f"/merchant/keys/{other_id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 403
    with reading(site.service.database) as store:
        assert store.key(other_id).revoked_at is None  # type: ignore[union-attr]


def test_a_wrong_or_foreign_secret_does_not_log_a_merchant_in(site: Site) -> None:
    other_id, other_secret = site.other_key
    with httpx.Client(base_url=site.base) as client:
        token = _token(client.get("/merchant/login").text)
        for key_id, secret in ((site.demo.key_id, other_secret), ("mk_nothing", "x")):
            answer = client.post(
                "/merchant/login", data={"csrf_token": token, "key_id": key_id, "secret": secret}
            )
            assert answer.status_code == 401
    assert merchant_account.login_with_key(site.service, other_id, other_secret).token


def test_an_operator_session_does_not_open_the_merchant_console(site: Site) -> None:
    with _operator(site, site.demo.owner_phone, site.demo.owner_password) as (client, _):
        operator_token = client.cookies.get("zz_console")
        client.cookies.set("zz_merchant", operator_token or "", path="/merchant")
        assert client.get("/merchant").status_code == 303
