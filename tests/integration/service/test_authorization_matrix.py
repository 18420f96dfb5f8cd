"""The authorization matrix over HTTP: each operator role against each operator action,
operators of another economy, members outside their own data, merchants outside theirs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.service.support import World, bootstrap

ROLES = ("owner", "operator", "finance", "auditor")
ACK = [{"code": "returns_exceed_spend", "reason": "disclosed"}]

# action -> (method, path under /v1/economies/{e}, body, roles allowed)
ACTIONS: dict[str, tuple[str, str, Any, set[str]]] = {
    "read economy": ("GET", "", None, set(ROLES)),
    "change rules": (
        "POST", "/rules",
        {"changes": {"pool": {"sell_fee": "0.2"}}, "reason": "same", "acknowledgements": ACK},
        {"owner"},
    ),
    "grant a role": (
        "POST", "/operators", {"phone": "13700000004", "role": "auditor"}, {"owner"}
    ),
    "add a merchant": ("POST", "/merchants", "MERCHANT", {"owner", "operator"}),
    "list members": ("GET", "/members", None, set(ROLES)),
    "adjust a member": (
        "POST", "/members/m_nobody/adjustments",
        {"asset": "cash", "amount": 1, "reason": "test"}, {"owner", "finance"},
    ),
    "list withdrawals": ("GET", "/withdrawals", None, set(ROLES)),
    "approve a withdrawal": (
        "POST", "/withdrawals/w_nothing/approve", {"reference": "R"}, {"owner", "finance"}
    ),
    "reject a withdrawal": (
        "POST", "/withdrawals/w_nothing/reject", {"note": "no"}, {"owner", "finance"}
    ),
    "read the audit log": ("GET", "/audit", None, {"owner", "auditor"}),
    "read a report": ("GET", "/reports/orders?format=csv", None, set(ROLES)),
    "settle due orders": ("POST", "/orders/settle-due", None, {"owner", "operator"}),
    # local life (§6): allowed roles get past the role check (then wrong_system here)
    "set a store's terms": (
        "PUT", "/local-life/stores/s-1", {"merchant_id": "m", "commission": "0.2"},
        {"owner", "operator"},
    ),
    "name an agent": (
        "PUT", "/local-life/agents/province", {"member_id": "m_x", "province": "广东"},
        {"owner", "operator"},
    ),
    "read local-life stores": ("GET", "/local-life/stores", None, set(ROLES)),
    "read the split report": ("GET", "/local-life/reports/splits", None, set(ROLES)),
    "read agents' earnings": ("GET", "/local-life/reports/agents", None, set(ROLES)),
}  # fmt: skip


@pytest.fixture
def staff(world: World) -> dict[str, str]:
    """A token per role in the world's economy (the owner adds the other three)."""
    tokens = {"owner": world.owner_token}
    for n, role in enumerate(ROLES[1:], start=1):
        phone = f"1370000000{n}"
        added = world.http.post(
            f"/v1/economies/{world.economy}/operators",
            json={"phone": phone, "role": role, "password": f"{role}-password"},
            headers=world.auth(world.owner_token),
        )
        assert added.status_code == 201, added.text
        tokens[role] = world.operator_login(phone, f"{role}-password")
    return tokens


def _call(world: World, token: str, economy: str, action: str) -> int:
    method, path, body, _ = ACTIONS[action]
    if body == "MERCHANT":
        body = {"merchant_id": f"m-{uuid.uuid4().hex[:8]}"}
    response = world.http.request(
        method,
        f"/v1/economies/{economy}{path}",
        json=body,
        headers={**world.auth(token), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code < 500, response.text
    return response.status_code


def test_each_role_may_do_exactly_its_actions(world: World, staff: dict[str, str]) -> None:
    world.http.post(  # the phone the "grant a role" action uses must be an operator already
        f"/v1/economies/{world.economy}/operators",
        json={"phone": "13700000004", "role": "auditor", "password": "fourth-password"},
        headers=world.auth(world.owner_token),
    )
    outcome = {
        (role, action): _call(world, staff[role], world.economy, action) != 403
        for role in ROLES
        for action in ACTIONS
    }
    expected = {(role, action): role in ACTIONS[action][3] for role in ROLES for action in ACTIONS}
    assert outcome == expected


def test_an_operator_of_another_economy_is_refused_everything(world: World) -> None:
    other = f"eco-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, other)
    added = world.http.post(
        f"/v1/economies/{other}/operators",
        json={"phone": "13700000009", "role": "owner", "password": "other-owner-pw"},
        headers=world.auth(world.owner_token),
    )
    assert added.status_code == 201, added.text
    stranger = world.operator_login("13700000009", "other-owner-pw")
    for action in ACTIONS:
        assert _call(world, stranger, world.economy, action) == 403, action
    assert _call(world, stranger, other, "read economy") == 200


def test_members_see_only_their_own_economy_and_nothing_of_operators(world: World) -> None:
    other = f"eco-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, other)
    member = world.register("13600000001")
    mine = world.http.get(f"/v1/economies/{world.economy}/me", headers=world.auth(member))
    assert mine.status_code == 200
    theirs = world.http.get(f"/v1/economies/{other}/me", headers=world.auth(member))
    assert (theirs.status_code, theirs.json()["error"]["code"]) == (403, "forbidden")
    for action in ACTIONS:
        assert _call(world, member, world.economy, action) == 403, action
    # an operator's session is not a member's
    as_member = world.http.get(
        f"/v1/economies/{world.economy}/me", headers=world.auth(world.owner_token)
    )
    assert as_member.status_code == 403
    world.http.cookies.clear()  # the login responses also set the session cookie
    assert world.http.get(f"/v1/economies/{world.economy}/me").status_code == 401


def test_merchants_touch_only_their_own_orders(world: World) -> None:
    world.add_merchant("shop-1")
    world.add_merchant("shop-2")
    other = f"eco-{uuid.uuid4().hex[:8]}"
    bootstrap(world.service, other)
    world.add_merchant("shop-x", economy=other)
    token = world.register("13600000002")
    member = world.http.get(f"/v1/economies/{world.economy}/me", headers=world.auth(token)).json()[
        "member_id"
    ]
    order = {"order_id": "o-1", "amount_fen": 1000, "member_id": member}
    assert world.signed("shop-1", "POST", "/v1/merchant/orders", order).status_code == 201
    for merchant in ("shop-2", "shop-x"):
        for verb in ("settle", "cancel", "refund"):
            response = world.signed(merchant, "POST", f"/v1/merchant/orders/o-1/{verb}")
            assert (response.status_code, merchant, verb) == (404, merchant, verb)
        assert world.signed(merchant, "GET", "/v1/merchant/orders").json() == []
    # a member of economy A is unknown to economy B's merchant
    foreign = world.signed("shop-x", "POST", "/v1/merchant/orders", order)
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "unknown_member")
    # the same order id from another merchant is another order
    assert world.signed("shop-2", "POST", "/v1/merchant/orders", order).status_code == 201
    assert world.signed("shop-1", "POST", "/v1/merchant/orders/o-1/settle").status_code == 200
    assert world.signed("shop-2", "POST", "/v1/merchant/orders/o-1/settle").status_code == 200
