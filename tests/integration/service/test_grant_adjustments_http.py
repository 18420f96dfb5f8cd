"""Operators adjust a member's locked grant points over real HTTP (§4 back office):
an addition is released by the next day's job, a deduction comes off the oldest grant,
too large a deduction is refused with nothing changed, the audit log keeps the reason,
a role without the right is refused, and `verify` replays it all."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.service.support import (
    OWNER_PASSWORD,
    OWNER_PHONE,
    World,
    bootstrap,
    open_world,
)
from zengzhi.app import verify_economy
from zengzhi.service.periodic import run_due_jobs

DAY = 86_400
POINT = 1_000_000


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def both(request: pytest.FixtureRequest) -> Iterator[World]:
    """The live service on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url = request.getfixturevalue(name)
    with open_world(url, f"eco-{uuid.uuid4().hex[:8]}") as w:
        yield w


def test_operators_add_and_deduct_locked_grant_points(both: World) -> None:
    world = both
    economy = f"sp-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, economy, "shared-purchase")
    eco = f"/v1/economies/{economy}"
    owner = world.auth(world.owner_token)
    token = world.register("13800000051", None, economy=economy)
    mine = world.auth(token)
    member = world.http.get(f"{eco}/me", headers=mine).json()["member_id"]
    world.add_merchant("shop-a", economy=economy)
    order = {"order_id": "a-1", "amount_fen": 1_000_000, "member_id": member}
    assert world.signed("shop-a", "POST", "/v1/merchant/orders", order).status_code == 201
    assert world.signed("shop-a", "POST", "/v1/merchant/orders/a-1/settle").status_code == 200
    url = f"{eco}/members/{member}/grant-adjustments"

    def post(amount: int, reason: str, key: str, headers: dict[str, str] = owner) -> httpx.Response:
        body = {"amount_micro": amount, "reason": reason}
        return world.http.post(url, json=body, headers={**headers, "Idempotency-Key": key})

    added = post(1_000 * POINT, "compensation: a lost order", "add-1")
    assert added.status_code == 200, added.text
    again = post(1_000 * POINT, "compensation: a lost order", "add-1")
    assert again.json()["replayed"] is True
    clash = post(2_000 * POINT, "compensation: a lost order", "add-1")
    assert clash.status_code == 409
    grants = world.http.get(f"{eco}/me/grants", headers=mine).json()
    assert grants["locked_micro"] == 11_000 * POINT

    # the next day's release includes the added grant: 0.1% of 10,000 and of 1,000
    world.clock.advance(DAY)
    assert economy in [e for e, _ in run_due_jobs(world.service)]
    grants = world.http.get(f"{eco}/me/grants", headers=mine).json()
    assert grants["released_micro"] == 11 * POINT
    assert grants["locked_micro"] == 10_989 * POINT

    # more than held: refused, nothing changes
    greedy = post(-10_990 * POINT, "clawback", "ded-1")
    assert greedy.status_code == 409
    assert greedy.json()["error"]["code"] == "insufficient_balance"
    assert world.http.get(f"{eco}/me/grants", headers=mine).json() == grants

    # a deduction comes off the oldest grant first
    taken = post(-500 * POINT, "duplicate grant from a refunded order", "ded-2")
    assert taken.status_code == 200, taken.text
    after = world.http.get(f"{eco}/me/grants", headers=mine).json()
    assert after["locked_micro"] == 10_489 * POINT
    rests = {g["grant_id"]: g for g in after["grants"]}
    assert rests["shop-a/a-1"]["locked_micro"] == (10_000 - 10 - 500) * POINT
    assert [g["locked_micro"] for g in after["grants"]][1:] == [999 * POINT]
    world.clock.advance(DAY)
    run_due_jobs(world.service)
    # the second day releases from the rests the deduction left
    assert (
        world.http.get(f"{eco}/me/grants", headers=mine).json()["locked_micro"]
        == (10_489 - 11) * POINT
    )

    # a role without "adjust" is refused and nothing changes
    added_op = world.http.post(
        f"{eco}/operators",
        json={"phone": "13700000061", "role": "operator", "password": "operator-password"},
        headers=owner,
    )
    assert added_op.status_code == 201, added_op.text
    lower = world.auth(world.operator_login("13700000061", "operator-password"))
    assert post(POINT, "not mine to give", "op-1", lower).status_code == 403

    audit = world.http.get(f"{eco}/audit", headers=owner).json()
    adjusted = [a for a in audit if a["action"] == "member.grant_adjusted"]
    assert [(a["details"]["reason"], a["details"]["delta_micro"]) for a in adjusted] == [
        ("compensation: a lost order", 1_000 * POINT),
        ("duplicate grant from a refunded order", -500 * POINT),
    ]
    with world.service.database.snapshot() as reader:
        assert verify_economy(reader, economy).ok


def test_a_pool_economy_has_no_grant_adjustments(world: World) -> None:
    token = world.register("13800000052", None)
    member = world.http.get(f"/v1/economies/{world.economy}/me", headers=world.auth(token)).json()[
        "member_id"
    ]
    refused = world.http.post(
        f"/v1/economies/{world.economy}/members/{member}/grant-adjustments",
        json={"amount_micro": POINT, "reason": "x"},
        headers={**world.auth(world.owner_token), "Idempotency-Key": "k"},
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_a_grant_system")


def test_the_console_member_page_adjusts_grant_points(world: World) -> None:
    economy = f"sp-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, economy, "shared-purchase")
    token = world.register("13800000053", None, economy=economy)
    mine = world.auth(token)
    member = world.http.get(f"/v1/economies/{economy}/me", headers=mine).json()["member_id"]
    page_url = f"/console/{economy}/members/{member}"
    with httpx.Client(base_url=str(world.http.base_url), headers={"Accept-Language": "zh-CN"}) as b:
        login = re.search(r'name="csrf_token" value="([^"]+)"', b.get("/console/login").text)
        assert login is not None
        form = {"csrf_token": login.group(1), "phone": OWNER_PHONE, "password": OWNER_PASSWORD}
        assert b.post("/console/login", data=form).status_code == 303
        page = b.get(page_url).text
        assert "调整锁仓积分" in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        key = re.search(r'name="key" value="([^"]+)"', page)
        assert csrf is not None
        assert key is not None
        fields = {"csrf_token": csrf.group(1), "key": key.group(1), "reason": "migration"}
        done = b.post(f"{page_url}/grant-adjust", data={**fields, "amount": "12.5"})
        assert done.status_code == 303, done.text
        assert b.get(done.headers["location"]).text.count("锁仓积分已调整") == 1
        refused = b.post(
            f"{page_url}/grant-adjust", data={**fields, "key": "other", "amount": "-13"}
        )
        assert refused.status_code == 200
        assert 'value="-13"' in refused.text  # the form comes back with the refusal
    grants = world.http.get(f"/v1/economies/{economy}/me/grants", headers=mine).json()
    assert grants["locked_micro"] == 12_500_000
    # a pool economy's member page has no grant form
    with httpx.Client(base_url=str(world.http.base_url)) as b:
        login = re.search(r'name="csrf_token" value="([^"]+)"', b.get("/console/login").text)
        assert login is not None
        form = {"csrf_token": login.group(1), "phone": OWNER_PHONE, "password": OWNER_PASSWORD}
        b.post("/console/login", data=form)
        other = world.register("13800000054", None)
        them = world.http.get(
            f"/v1/economies/{world.economy}/me", headers=world.auth(other)
        ).json()["member_id"]
        assert "grant-adjust-form" not in b.get(f"/console/{world.economy}/members/{them}").text
