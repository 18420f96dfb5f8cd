"""Operators over HTTP: audited adjustments, rule changes as new versions, automatic
settlement after the return window, reports and CSV."""

from __future__ import annotations

import csv
import io

from tests.integration.service.support import World
from zengzhi.app import verify_economy
from zengzhi.service.merchants import settle_due_orders
from zengzhi.service.operators import apply_due_rule_changes

DAY = 86_400


def _member(world: World, phone: str) -> tuple[str, str]:
    token = world.register(phone)
    me = world.http.get(f"/v1/economies/{world.economy}/me", headers=world.auth(token)).json()
    return token, me["member_id"]


def test_adjustments_are_audited_ledger_transactions(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    owner = world.auth(world.owner_token)
    token, member = _member(world, "13800000020")
    # a member with no spend would be over the exit line at once: give them an order first
    world.add_merchant("shop-j")
    body = {"order_id": "j-1", "amount_fen": 10_000, "member_id": member}
    world.signed("shop-j", "POST", "/v1/merchant/orders", body)
    assert world.signed("shop-j", "POST", "/v1/merchant/orders/j-1/settle").status_code == 200
    cash = world.http.post(
        f"{eco}/members/{member}/adjustments",
        json={"asset": "cash", "amount": 500, "reason": "compensation for a late delivery"},
        headers={**owner, "Idempotency-Key": "adj-1"},
    )
    assert cash.status_code == 200, cash.text
    again = world.http.post(
        f"{eco}/members/{member}/adjustments",
        json={"asset": "cash", "amount": 500, "reason": "compensation for a late delivery"},
        headers={**owner, "Idempotency-Key": "adj-1"},
    )
    assert again.json()["replayed"] is True
    points = world.http.post(
        f"{eco}/members/{member}/adjustments",
        json={"asset": "points", "amount": 2_000_000, "reason": "migration from the old system"},
        headers={**owner, "Idempotency-Key": "adj-2"},
    )
    assert points.status_code == 200, points.text
    too_much = world.http.post(
        f"{eco}/members/{member}/adjustments",
        json={"asset": "cash", "amount": -501, "reason": "clawback"},
        headers={**owner, "Idempotency-Key": "adj-3"},
    )
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (409, "insufficient_cash")
    no_reason = world.http.post(
        f"{eco}/members/{member}/adjustments",
        json={"asset": "cash", "amount": 1, "reason": ""},
        headers={**owner, "Idempotency-Key": "adj-4"},
    )
    assert no_reason.status_code == 422
    wallet = world.http.get(f"{eco}/me/wallet", headers=world.auth(token)).json()
    assert (wallet["cash_fen"], wallet["points_micro"]) == (500, 21_000_000 + 2_000_000)
    audit = world.http.get(f"{eco}/audit", headers=owner).json()
    adjusted = [a for a in audit if a["action"] == "member.adjusted"]
    assert [a["details"]["reason"] for a in adjusted] == [
        "compensation for a late delivery",
        "migration from the old system",
    ]
    with world.service.database.snapshot() as reader:
        assert verify_economy(reader, world.economy).ok


def test_rule_changes_are_new_versions_that_apply_forward(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    owner = world.auth(world.owner_token)
    tomorrow = world.clock() + DAY * 1_000_000
    change = {
        "changes": {"pool": {"sell_fee": "0.25"}},
        "effective_at": tomorrow,
        "reason": "a larger reflow",
        "acknowledgements": [{"code": "returns_exceed_spend", "reason": "disclosed 3x line"}],
    }
    refused = world.http.post(
        f"{eco}/rules", json={**change, "acknowledgements": []}, headers=owner
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "rules_refused")
    saved = world.http.post(f"{eco}/rules", json=change, headers=owner)
    assert saved.status_code == 201, saved.text
    assert saved.json()["version"] == 2
    summary = world.http.get(eco, headers=owner).json()
    assert (summary["config_version"], summary["config"]["pool"]["sell_fee"]) == (1, "0.2")
    past = world.http.post(f"{eco}/rules", json={**change, "effective_at": 1}, headers=owner)
    assert past.status_code == 422
    # a member sells under the old fee, then (after the change) under the new one
    token, member = _member(world, "13800000024")
    world.add_merchant("shop-v")
    body = {"order_id": "v-1", "amount_fen": 10_000, "member_id": member}
    world.signed("shop-v", "POST", "/v1/merchant/orders", body)
    world.signed("shop-v", "POST", "/v1/merchant/orders/v-1/settle")

    def sell(key: str) -> int:
        sold = world.http.post(
            f"{eco}/me/sell",
            json={"points_micro": 7_000_000},
            headers={**world.auth(token), "Idempotency-Key": key},
        )
        assert sold.status_code == 200, sold.text
        payout: int = sold.json()["payout_fen"]
        return payout

    assert sell("before") == 800  # a third of the 3000 fen pool, less 20%
    world.clock.advance(DAY + 1)
    assert apply_due_rule_changes(world.service) == 1
    summary = world.http.get(eco, headers=owner).json()
    assert (summary["config_version"], summary["config"]["pool"]["sell_fee"]) == (2, "0.25")
    actions = [a["action"] for a in world.http.get(f"{eco}/audit", headers=owner).json()]
    assert actions.index("rules.changed") < actions.index("rules.applied") == len(actions) - 1
    token = world.login("13800000024")
    assert sell("after") == 825  # half of the 2200 fen left, less 25%
    with world.service.database.snapshot() as reader:
        report = verify_economy(reader, world.economy)
    assert report.ok, report.problems


def test_orders_settle_by_themselves_after_the_return_window(world: World) -> None:
    world.add_merchant("shop-a")
    token, member = _member(world, "13800000021")
    order = {"order_id": "late-1", "amount_fen": 5_000, "member_id": member}
    assert world.signed("shop-a", "POST", "/v1/merchant/orders", order).status_code == 201
    assert settle_due_orders(world.service) == 0
    world.clock.advance(7 * DAY - 10)
    assert settle_due_orders(world.service) == 0
    world.clock.advance(20)
    assert settle_due_orders(world.service) == 1
    listed = world.signed("shop-a", "GET", "/v1/merchant/orders").json()
    assert listed[0]["status"] == "settled"
    token = world.login("13800000021")  # a week later the first session has expired
    wallet = world.http.get(
        f"/v1/economies/{world.economy}/me/wallet", headers=world.auth(token)
    ).json()
    assert wallet["points_micro"] == 10_500_000  # 30% of 50 yuan, 70% of it at 1.00


def test_reports_in_json_and_csv(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    owner = world.auth(world.owner_token)
    world.add_merchant("shop-r")
    _, referrer = _member(world, "13800000022")
    code = world.http.get(f"{eco}/members", headers=owner).json()[0]["referral_code"]
    token = world.register("13800000023", referral=code)
    member = world.http.get(f"{eco}/me", headers=world.auth(token)).json()["member_id"]
    for n in range(3):
        body = {"order_id": f"r-{n}", "amount_fen": 10_000, "member_id": member}
        world.signed("shop-r", "POST", "/v1/merchant/orders", body)
        world.signed("shop-r", "POST", f"/v1/merchant/orders/r-{n}/settle")
    orders = world.http.get(f"{eco}/reports/orders", headers=owner).json()
    assert (orders[0]["settled"], orders[0]["settled_amount_fen"]) == (3, 30_000)
    pool = world.http.get(f"{eco}/reports/pool", headers=owner).json()
    assert pool[-1]["pool_fen"] == 9_000
    teams = world.http.get(f"{eco}/reports/teams", headers=owner).json()
    assert teams == [
        {"member_id": referrer, "direct": 1, "second_level": 0, "team_spend_fen": 30_000}
    ]
    exported = world.http.get(f"{eco}/reports/orders?format=csv", headers=owner)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["settled"] == "3"
