"""Daily dividends over real HTTP (issue 5 §5): a member's quota, shares and last day's
dividend; the operators' per-day totals and tier membership; who may see what."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.service.support import (
    OWNER_PASSWORD,
    OWNER_PHONE,
    Clock,
    World,
    bootstrap,
    make_service,
)
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.service.operators import create_economy_from_preset
from zengzhi.service.periodic import run_due_jobs

DAY = 86_400
YUAN = 100


@pytest.fixture(params=["sqlite", "postgresql"])
def cyclic_world(request: pytest.FixtureRequest) -> Iterator[World]:
    db_url: str = request.getfixturevalue(f"{request.param.replace('postgresql', 'pg')}_url")
    clock = Clock()
    service, sms = make_service(db_url, clock)
    economy = f"cy-{uuid.uuid4().hex[:6]}"
    owner = bootstrap(service, f"ap-{economy}")  # an owner, and an appreciating-pool economy
    acks = [
        {"code": "turnover_dividends", "reason": "dividends paid from turnover, disclosed"},
        {"code": "returns_exceed_spend", "reason": "quota of 2x spend, disclosed"},
    ]
    service.run(
        lambda uow: create_economy_from_preset(
            service, uow, economy, "cyclic-purchase", owner, service.now(), acks
        )
    )
    app = create_app(service.settings, service)
    try:
        with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            w = World(db_url, service, sms, clock, economy, http)
            w.owner_token = w.operator_login(OWNER_PHONE, OWNER_PASSWORD)
            yield w
    finally:
        service.database.dispose()


def _buy(w: World, order_id: str, phone: str, yuan: int) -> None:
    body = {"order_id": order_id, "amount_fen": yuan * YUAN, "member_phone": phone}
    assert w.signed("shop", "POST", "/v1/merchant/orders", body).status_code == 201
    settled = w.signed("shop", "POST", f"/v1/merchant/orders/{order_id}/settle")
    assert settled.status_code == 200, settled.text


def test_members_and_operators_see_the_days_dividends(cyclic_world: World) -> None:
    w = cyclic_world
    eco = f"/v1/economies/{w.economy}"
    w.add_merchant("shop")
    alice = w.register("13800000011")
    w.register("13800000012")
    w.register("13800000013")
    # day 1: alice 10 shares, bob 90; day 2: carol's 10,000 yuan are the day's sales
    _buy(w, "o1", "13800000011", 10_000)
    _buy(w, "o2", "13800000012", 90_000)
    w.clock.advance(DAY)
    _buy(w, "o3", "13800000013", 10_000)
    mine = w.http.get(f"{eco}/me/dividends", headers=w.auth(alice)).json()
    assert mine["last_day"] is None  # nothing settled yet
    assert mine["quota_left_fen"] == 0  # purchases count once their day is settled
    w.clock.advance(DAY)
    assert len([d for e, d in run_due_jobs(w.service) if e == w.economy]) == 2

    mine = w.http.get(f"{eco}/me/dividends", headers=w.auth(alice))
    assert mine.status_code == 200, mine.text
    body: dict[str, Any] = mine.json()
    # seed 003: 10 of 100 shares, a 3,000 static pool → 300, consuming 300 of quota
    assert body["last_day"]["total_fen"] == 300 * YUAN
    assert body["last_day"]["pro_rata_fen"] == 300 * YUAN
    assert body["quota_left_fen"] == 20_000 * YUAN - 300 * YUAN
    assert (body["shares"], body["tier"], body["eligible"]) == ("10", None, True)
    assert [d["total_fen"] for d in body["history"]] == [300 * YUAN, 0]
    assert body["rules"]["pro_rata_share"] == "3/10"
    assert "not guaranteed" in body["risk"]

    operator = w.auth(w.owner_token)
    report = w.http.get(f"{eco}/dividends", params={"days": 7}, headers=operator)
    assert report.status_code == 200, report.text
    day2 = report.json()["days"][0]
    assert day2["sales_fen"] == 10_000 * YUAN
    assert (day2["pro_rata_pool_fen"], day2["tier_pool_fen"]) == (3_000 * YUAN, 1_000 * YUAN)
    assert day2["paid_pro_rata_fen"] == 3_000 * YUAN
    # bob alone is in V1 (1% of sales); V2 and V3 are empty: their parts go back
    assert day2["paid_tier_fen"] == 100 * YUAN
    assert day2["returned_fen"] == 900 * YUAN
    assert day2["payments"] == 3  # alice and bob pro rata, bob in V1
    tiers = {t["name"]: t["members"] for t in report.json()["tiers"]}
    assert tiers == {"V1": 1, "V2": 0, "V3": 0}  # bob; alice and carol hold 10 shares
    assert report.json()["in_no_tier"]["members"] == 2

    # a member cannot read the operators' report; an appreciating-pool economy has no §3
    refused = w.http.get(f"{eco}/dividends", headers=w.auth(alice))
    assert refused.status_code in (401, 403)
    other = f"ap-{w.economy}"
    wrong = w.http.get(f"/v1/economies/{other}/dividends", headers=operator)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (409, "not_cyclic_purchase")


def test_the_member_app_shows_quota_shares_and_the_last_day_without_promising(
    cyclic_world: World,
) -> None:
    w = cyclic_world
    w.add_merchant("shop")
    w.register("13800000021")
    w.register("13800000022")
    _buy(w, "o1", "13800000021", 1_000)
    w.clock.advance(DAY)
    _buy(w, "o2", "13800000022", 2_000)  # another member's order: the day's sales
    w.clock.advance(DAY)
    run_due_jobs(w.service)
    client = httpx.Client(base_url=str(w.http.base_url), headers={"Accept-Language": "zh-CN"})
    with client:
        page = client.get("/m/join", params={"economy": w.economy})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        form = {"csrf_token": token.group(1), "economy": w.economy, "phone": "13800000021"}
        assert client.post("/m/join/code", data=form).status_code == 200
        done = client.post("/m/join", data={**form, "code": w.sms.last_code["13800000021"]})
        assert done.status_code == 303
        html = client.get("/m/dividends").text
        home = client.get("/m").text
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert 'href="/m/dividends"' in home  # the section is in the menu of a cyclic economy
    # 1,000 yuan bought 1 share and 2,000 of quota; alone eligible on day 2, the member
    # takes the whole static pool: 30% of 2,000 = 600 yuan, leaving 1,400 of quota
    assert "剩余分红额度（元）" in shown
    assert re.search(r'id="quota-left">1,?400\.00<', html), shown
    assert re.search(r'id="last-day">600\.00<', html), shown
    assert 'id="shares">1<' in html
    assert "没有人能够保证" in shown
    assert "平台不承诺积分只涨不跌" in shown  # the economy's risk text
    assert shown.count("只涨不跌") == shown.count("不承诺积分只涨不跌")  # only ever denied
