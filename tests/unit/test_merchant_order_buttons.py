"""The merchant console's order buttons over real HTTP: settle, cancel and refund call the
signed API's own service functions, the row shows the new state (and the points a settled
order minted), a refund after settlement is refused with its sentence, and every change
needs the console's form token."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.api.app import build_service
from zengzhi.config import Settings
from zengzhi.security.signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from zengzhi.service import Service, wallet
from zengzhi.service.demo import DemoData, seed
from zengzhi.store import Database, normalise_url
from zengzhi.store.service_repository import reading


@dataclass
class Site:
    base: str
    service: Service
    demo: DemoData
    member: str


@contextmanager
def _scratch_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated SQLite file, or a PostgreSQL database of this module's own (dropped after)."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'buttons.sqlite3'}"
        database = Database(url)
        database.upgrade()
        database.dispose()
        yield url
        return
    admin_url = os.environ.get("ZENGZHI_TEST_PG")
    if not admin_url:
        pytest.skip("set ZENGZHI_TEST_PG to run the PostgreSQL variant")
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"zz_buttons_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(admin_url)).set(database=name)
    try:
        database = Database(url.render_as_string(hide_password=False))
        database.upgrade()
        database.dispose()  # the service opens its own pool
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("merchant-buttons")
    with _scratch_database(request.param, folder) as url:
        settings = Settings(database_url=url, secret_key="button-tests-" + "s" * 40)
        service = build_service(settings)
        demo = seed(service)
        with reading(service.database) as store:
            member = store.member_by_phone("demo", demo.member_phones[0]).member_id  # type: ignore[union-attr]
        with live_server(create_app(settings, service)) as base:
            yield Site(base, service, demo, member)
        service.database.dispose()


def report_signed(base: str, key_id: str, secret: str, order_id: str, member: str,
                  amount_fen: int) -> httpx.Response:  # fmt: skip
    """Report an order through the merchant API, signed as a till would sign it."""
    path = "/v1/merchant/orders"
    body = json.dumps({"order_id": order_id, "amount_fen": amount_fen, "member_id": member})
    stamp, nonce = str(int(time.time())), secrets.token_hex(8)
    headers = {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: stamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, "POST", path, stamp, nonce, body.encode()),
        "Content-Type": "application/json",
    }
    return httpx.post(base + path, content=body, headers=headers)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def _row(html: str, order_id: str) -> str:
    found = re.search(rf'<tr id="order-{re.escape(order_id)}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {order_id}"
    return found.group(1)


@pytest.fixture
def merchant(site: Site) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=site.base, headers={"Accept-Language": "en"}) as client:
        token = _token(client.get("/merchant/login").text)
        login = {"csrf_token": token, "key_id": site.demo.key_id, "secret": site.demo.secret}
        done = client.post("/merchant/login", data=login)
        assert done.status_code == 303, done.text
        yield client, token


def _report(site: Site, order_id: str, amount_fen: int = 10_000) -> None:
    answer = report_signed(site.base, site.demo.key_id, site.demo.secret, order_id,
                           site.member, amount_fen)  # fmt: skip
    assert answer.status_code == 201, answer.text


def test_settle_from_the_console_grants_points_once(
    site: Site, merchant: tuple[httpx.Client, str]
) -> None:
    client, token = merchant
    _report(site, "btn-settle")
    row = _row(client.get("/merchant").text, "btn-settle")
    assert "/merchant/orders/btn-settle/settle" in row
    before = wallet.wallet(site.service, "demo", site.member)["points_micro"]
    for _ in range(2):  # a double click: the second answers from the ledger's record
        done = client.post("/merchant/orders/btn-settle/settle", data={"csrf_token": token})
        assert done.status_code == 303
        assert done.headers["location"] == "/merchant?ok=settled#order-btn-settle"
    gained = wallet.wallet(site.service, "demo", site.member)["points_micro"] - before
    assert gained > 0
    with reading(site.service.database) as store:
        order = store.merchant_order("demo", site.demo.merchant, "btn-settle")
        assert order is not None
        assert order.status == "settled"
        assert store.minted_by_event("demo", [order.event_seq]) == {order.event_seq: gained}
    page = client.get("/merchant?ok=settled").text
    assert "The order was settled" in page
    row = _row(page, "btn-settle")
    assert "Settled: points granted" in row
    assert "Points minted" in row
    assert "<button" not in row
    assert "/refund" not in row


def test_a_refund_after_settlement_is_refused_with_its_sentence(
    site: Site, merchant: tuple[httpx.Client, str]
) -> None:
    client, token = merchant
    _report(site, "btn-late-refund")
    client.post("/merchant/orders/btn-late-refund/settle", data={"csrf_token": token})
    refused = client.post("/merchant/orders/btn-late-refund/refund", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "can no longer be refunded or cancelled" in refused.text
    zh = client.post("/merchant/orders/btn-late-refund/refund", data={"csrf_token": token},
                     headers={"Accept-Language": "zh-CN"})  # fmt: skip
    assert "该订单已结算，积分已发放：不能再退款或取消。" in zh.text
    with reading(site.service.database) as store:
        order = store.merchant_order("demo", site.demo.merchant, "btn-late-refund")
        assert order is not None
        assert order.status == "settled"


def test_cancel_asks_first_then_closes_and_a_closed_order_cannot_be_settled(
    site: Site, merchant: tuple[httpx.Client, str]
) -> None:
    client, token = merchant
    _report(site, "btn-cancel")
    confirm = client.get("/merchant/orders/btn-cancel/cancel")
    assert confirm.status_code == 200
    assert "Cancel the order?" in confirm.text
    with reading(site.service.database) as store:  # asking changes nothing
        assert store.merchant_order("demo", site.demo.merchant, "btn-cancel").status == "reported"  # type: ignore[union-attr]
    done = client.post("/merchant/orders/btn-cancel/cancel", data={"csrf_token": token})
    assert done.headers["location"] == "/merchant?ok=cancelled#order-btn-cancel"
    row = _row(client.get("/merchant").text, "btn-cancel")
    assert "Cancelled" in row
    assert "<button" not in row
    before = wallet.wallet(site.service, "demo", site.member)["points_micro"]
    refused = client.post("/merchant/orders/btn-cancel/settle", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "it can no longer be settled" in refused.text
    assert wallet.wallet(site.service, "demo", site.member)["points_micro"] == before


def test_refund_before_settlement_closes_the_order(
    site: Site, merchant: tuple[httpx.Client, str]
) -> None:
    client, token = merchant
    _report(site, "btn-refund")
    assert "Refund the order?" in client.get("/merchant/orders/btn-refund/refund").text
    done = client.post("/merchant/orders/btn-refund/refund", data={"csrf_token": token})
    assert done.status_code == 303
    assert "Refunded" in _row(client.get("/merchant").text, "btn-refund")


def test_actions_need_the_form_token_and_the_merchants_own_order(
    site: Site, merchant: tuple[httpx.Client, str]
) -> None:
    client, token = merchant
    _report(site, "btn-token")
    assert client.post("/merchant/orders/btn-token/settle").status_code == 403
    assert client.post("/merchant/orders/btn-token/cancel", data={}).status_code == 403
    missing = client.post("/merchant/orders/no-such-order/settle", data={"csrf_token": token})
    assert missing.status_code == 404
    assert client.get("/merchant/orders/no-such-order/refund").status_code == 404
    with reading(site.service.database) as store:
        assert store.merchant_order("demo", site.demo.merchant, "btn-token").status == "reported"  # type: ignore[union-attr]
    with httpx.Client(base_url=site.base) as anonymous:
        answer = anonymous.post("/merchant/orders/btn-token/settle", data={"csrf_token": token})
        assert answer.status_code in (303, 403)
