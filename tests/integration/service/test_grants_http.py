"""Grants over real HTTP (§5 shared purchase): a member's grants, paying a merchant in
released points, a merchant's signed tip, operators' daily release totals and teams."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.integration.service.support import OWNER_PASSWORD, OWNER_PHONE, World, bootstrap
from zengzhi.service.periodic import run_due_jobs

DAY = 86_400
POINT = 1_000_000


def _member(world: World, economy: str, phone: str, referral: str | None = None) -> tuple:
    token = world.register(phone, referral, economy=economy)
    me = world.http.get(f"/v1/economies/{economy}/me", headers=world.auth(token)).json()
    return world.auth(token), me["member_id"], me["referral_code"]


def test_grants_for_members_merchants_and_operators(world: World) -> None:
    economy = f"sp-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, economy, "shared-purchase")
    eco = f"/v1/economies/{economy}"
    owner = world.auth(world.owner_token)
    mine, member, code = _member(world, economy, "13800000031")
    theirs, referee, _ = _member(world, economy, "13800000032", code)
    world.add_merchant("shop-g", economy=economy)
    order = {"order_id": "g-1", "amount_fen": 1_000_000, "member_id": member}
    assert world.signed("shop-g", "POST", "/v1/merchant/orders", order).status_code == 201
    assert world.signed("shop-g", "POST", "/v1/merchant/orders/g-1/settle").status_code == 200

    grants = world.http.get(f"{eco}/me/grants", headers=mine).json()
    assert grants["locked_micro"] == 10_000 * POINT
    assert grants["released_micro"] == 0
    assert grants["last_release"] is None
    assert [g["grant_id"] for g in grants["grants"]] == ["shop-g/g-1"]  # merchant/order
    assert "不承诺" in grants["risk"]

    world.clock.advance(DAY)
    assert [e for e, _ in run_due_jobs(world.service) if e == economy] == [economy]
    grants = world.http.get(f"{eco}/me/grants", headers=mine).json()
    assert grants["released_micro"] == 10 * POINT  # 0.1% a day at health level H0
    assert grants["last_release"]["by_kind_micro"]["base"] == 10 * POINT
    assert grants["level"] == "H0"

    pay = {"merchant_id": "shop-g", "points_micro": 5 * POINT}
    paid = world.http.post(
        f"{eco}/me/grants/pay", json=pay, headers={**mine, "Idempotency-Key": "p1"}
    )
    assert paid.status_code == 200, paid.text
    again = world.http.post(
        f"{eco}/me/grants/pay", json=pay, headers={**mine, "Idempotency-Key": "p1"}
    )
    assert again.json()["replayed"] is True
    broke = world.http.post(
        f"{eco}/me/grants/pay",
        json={"merchant_id": "shop-g", "points_micro": 6 * POINT},
        headers={**theirs, "Idempotency-Key": "p2"},
    )
    assert (broke.status_code, broke.json()["error"]["code"]) == (409, "insufficient_balance")
    nokey = world.http.post(f"{eco}/me/grants/pay", json=pay, headers=mine)
    assert nokey.status_code == 422

    tip = {"tip_id": "t-1", "member_id": referee, "points_micro": 3 * POINT}
    tipped = world.signed("shop-g", "POST", "/v1/merchant/tips", tip)
    assert tipped.status_code == 200, tipped.text
    assert tipped.json()["tipped_micro"] == 3 * POINT
    assert world.signed("shop-g", "POST", "/v1/merchant/tips", tip).json()["replayed"] is True
    greedy = {"tip_id": "t-2", "member_id": referee, "points_micro": 3 * POINT}
    refused = world.signed("shop-g", "POST", "/v1/merchant/tips", greedy)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "insufficient_points")
    nobody = {"tip_id": "t-3", "member_id": "nobody", "points_micro": 1}
    assert world.signed("shop-g", "POST", "/v1/merchant/tips", nobody).status_code == 404
    assert world.http.get(f"{eco}/me/grants", headers=theirs).json()["released_micro"] == (
        3 * POINT
    )

    days = world.http.get(f"{eco}/grants/days", headers=owner)
    assert days.status_code == 200, days.text
    assert [d["released_micro"]["base"] for d in days.json()] == [10 * POINT]
    teams = world.http.get(f"{eco}/grants/teams", headers=owner).json()
    top = next(t for t in teams if t["member_id"] == member)
    assert top["team_size"] == 1
    assert world.http.get(f"{eco}/grants/days", headers=mine).status_code in (401, 403)

    # the operator console shows the same days and teams
    with httpx.Client(base_url=str(world.http.base_url), headers={"Accept-Language": "zh-CN"}) as b:
        login = b.get("/console/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token is not None
        form = {"csrf_token": token.group(1), "phone": OWNER_PHONE, "password": OWNER_PASSWORD}
        assert b.post("/console/login", data=form).status_code == 303
        page = b.get(f"/console/{economy}/releases")
        assert page.status_code == 200
        assert f'href="/console/{economy}/releases"' in page.text
        assert "每日释放" in page.text
        assert "10.00" in page.text
        assert member in page.text
        assert (
            'href="/console/' + world.economy + '/releases"'
            not in b.get(f"/console/{world.economy}").text
        )


def test_a_pool_economy_has_no_grants(world: World) -> None:
    mine, _, _ = _member(world, world.economy, "13800000033")
    grants = world.http.get(f"/v1/economies/{world.economy}/me/grants", headers=mine).json()
    assert grants["grants_apply"] is False
    assert grants["locked_micro"] == 0
    world.add_merchant("shop-h")
    tip = {"tip_id": "t-1", "member_id": "x", "points_micro": 1}
    refused = world.signed("shop-h", "POST", "/v1/merchant/tips", tip)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_a_grant_system")
