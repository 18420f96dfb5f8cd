"""The done-when journey over real HTTP: an economy, a merchant's signed orders, members
by referral and SMS code, points, a sale, a withdrawal an operator approves (and one they
reject), and books that still verify at the end."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.service.support import World, open_world
from zengzhi.app import verify_economy


def journey(w: World) -> None:
    owner = w.auth(w.owner_token)
    eco = f"/v1/economies/{w.economy}"

    # an owner creates a second economy from seed 004's local-life preset
    other = f"ll-{uuid.uuid4().hex[:6]}"
    body = {"economy_id": other, "preset": "local-life"}
    refused = w.http.post("/v1/economies", json=body, headers=owner)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "rules_refused")
    assert "paid_positions" in refused.json()["error"]["message"]
    ack = {"code": "paid_positions", "reason": "regional agents are licensed franchisees"}
    created = w.http.post("/v1/economies", json={**body, "acknowledgements": [ack]}, headers=owner)
    assert created.status_code == 201, created.text
    audit = w.http.get(f"/v1/economies/{other}/audit", headers=owner).json()
    assert audit[0]["action"] == "economy.created"
    assert audit[0]["details"]["acknowledged"][0]["reason"] == ack["reason"]
    summary = w.http.get(f"/v1/economies/{other}", headers=owner).json()
    assert summary["config"]["pool"]["pool_share"] == "0.16"

    w.add_merchant("shop-1")

    # Alice registers (no referrer), Bob through Alice's referral code
    alice = w.register("13800000001", password="alice-password")
    alice_me = w.http.get(f"{eco}/me", headers=w.auth(alice)).json()
    assert alice_me["referral_link"].endswith(f"ref={alice_me['referral_code']}")
    assert len(alice_me["referral_code"]) == 8
    bob = w.register("13800000002", referral=alice_me["referral_code"])
    bob_me = w.http.get(f"{eco}/me", headers=w.auth(bob)).json()
    assert bob_me["referrer"] == alice_me["member_id"]
    team = w.http.get(f"{eco}/me/team", headers=w.auth(alice)).json()
    assert [m["member_id"] for m in team["direct"]] == [bob_me["member_id"]]
    assert "13800000002" not in str(team)  # never another member's phone

    # the merchant reports Bob's paid order (by phone): nothing is granted yet
    order = {"order_id": "A-1", "amount_fen": 10_000, "member_phone": "13800000002"}
    first = w.signed("shop-1", "POST", "/v1/merchant/orders", order)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "reported"
    again = w.signed("shop-1", "POST", "/v1/merchant/orders", order)
    assert (again.status_code, again.json()["status"]) == (200, "reported")
    changed = w.signed("shop-1", "POST", "/v1/merchant/orders", {**order, "amount_fen": 1})
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "idempotency_conflict")
    wallet = w.http.get(f"{eco}/me/wallet", headers=w.auth(bob)).json()
    assert wallet["points_micro"] == 0

    # settlement grants the points: 30% of 100 yuan to the pool, 70% of that in points at 1.00
    settled = w.signed("shop-1", "POST", "/v1/merchant/orders/A-1/settle")
    assert settled.status_code == 200, settled.text
    assert settled.json()["order"]["status"] == "settled"
    assert settled.json()["settlement"]["minted_micro"] == 21_000_000
    wallet = w.http.get(f"{eco}/me/wallet", headers=w.auth(bob)).json()
    assert wallet["points_micro"] == 21_000_000
    assert wallet["cycle_spend_fen"] == 10_000
    assert wallet["points_value_fen"] == 3_000  # all points hold the whole pool
    assert wallet["exit_line_fen"] == 30_000
    refused = w.signed("shop-1", "POST", "/v1/merchant/orders/A-1/refund")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "already_settled")

    # a refunded order earns nothing and cannot be settled afterwards
    w.signed("shop-1", "POST", "/v1/merchant/orders", {**order, "order_id": "A-2"})
    refunded = w.signed("shop-1", "POST", "/v1/merchant/orders/A-2/refund")
    assert refunded.json()["status"] == "refunded"
    late = w.signed("shop-1", "POST", "/v1/merchant/orders/A-2/settle")
    assert (late.status_code, late.json()["error"]["code"]) == (409, "order_closed")
    listed = w.signed("shop-1", "GET", "/v1/merchant/orders?status=settled")
    assert [o["order_id"] for o in listed.json()] == ["A-1"]

    # Bob sells half his points; the retry with the same key is not applied twice
    sale = w.http.post(
        f"{eco}/me/sell",
        json={"points_micro": 10_500_000},
        headers={**w.auth(bob), "Idempotency-Key": "sale-1"},
    )
    assert sale.status_code == 200, sale.text
    payout = sale.json()["payout_fen"]
    assert payout == 1_200  # half the pool (1500 fen) less the 20% fee that stays
    retry = w.http.post(
        f"{eco}/me/sell",
        json={"points_micro": 10_500_000},
        headers={**w.auth(bob), "Idempotency-Key": "sale-1"},
    )
    assert (retry.json()["payout_fen"], retry.json()["replayed"]) == (payout, True)
    wallet = w.http.get(f"{eco}/me/wallet", headers=w.auth(bob)).json()
    assert (wallet["points_micro"], wallet["cash_fen"]) == (10_500_000, 1_200)

    # withdrawals: one approved, one rejected (its cash comes back), one too large
    def withdraw(amount: int, key: str) -> dict[str, object]:
        response = w.http.post(
            f"{eco}/me/withdrawals",
            json={"amount_fen": amount, "payout_account": "bank 6222 0000"},
            headers={**w.auth(bob), "Idempotency-Key": key},
        )
        return {"http": response.status_code, **response.json()}

    paid = withdraw(1_000, "w-1")
    assert (paid["http"], paid["status"], paid["amount_fen"]) == (201, "pending", 1_000)
    same_key = withdraw(1_000, "w-1")
    assert (same_key["http"], same_key["withdrawal_id"]) == (200, paid["withdrawal_id"])
    wallet = w.http.get(f"{eco}/me/wallet", headers=w.auth(bob)).json()
    assert (wallet["cash_fen"], wallet["pending_withdrawal_fen"]) == (200, 1_000)
    too_much = withdraw(500, "w-2")
    assert (too_much["http"], too_much["error"]["code"]) == (409, "insufficient_cash")
    back = withdraw(200, "w-3")

    pending = w.http.get(f"{eco}/withdrawals?status=pending", headers=owner).json()
    assert {p["withdrawal_id"] for p in pending} == {paid["withdrawal_id"], back["withdrawal_id"]}
    approved = w.http.post(
        f"{eco}/withdrawals/{paid['withdrawal_id']}/approve",
        json={"reference": "BANK-TX-42"},
        headers=owner,
    )
    assert approved.json()["status"] == "paid", approved.text
    rejected = w.http.post(
        f"{eco}/withdrawals/{back['withdrawal_id']}/reject",
        json={"note": "account name does not match"},
        headers=owner,
    )
    assert rejected.json()["status"] == "rejected"
    twice = w.http.post(
        f"{eco}/withdrawals/{back['withdrawal_id']}/approve",
        json={"reference": "X"},
        headers=owner,
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_reviewed")
    wallet = w.http.get(f"{eco}/me/wallet", headers=w.auth(bob)).json()
    assert (wallet["cash_fen"], wallet["pending_withdrawal_fen"]) == (200, 0)
    mine = w.http.get(f"{eco}/me/withdrawals", headers=w.auth(bob)).json()
    assert {m["status"] for m in mine} == {"paid", "rejected"}

    history = w.http.get(f"{eco}/me/history", headers=w.auth(bob)).json()
    kinds = [h["kind"] for h in history]
    assert kinds == [
        "withdrawal_returned", "withdrawal_paid", "withdrawal_hold", "withdrawal_hold",
        "sale", "order",
    ]  # fmt: skip

    # Bob logs in again by SMS code; Alice by password
    code = w.code_for("13800000002", "login")
    login = w.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000002", "code": code})
    assert login.status_code == 200, login.text
    assert w.http.get(f"{eco}/me", headers=w.auth(login.json()["token"])).status_code == 200
    password = w.http.post(
        f"{eco}/auth/login/password", json={"phone": "13800000001", "password": "alice-password"}
    )
    assert password.status_code == 200, password.text

    # the books still verify: chain, balances and a replay of every event agree
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, w.economy)
    assert report.ok, report.problems


def test_the_journey_on_sqlite(world: World) -> None:
    journey(world)


@pytest.mark.pg
def test_the_journey_on_postgresql(pg_url: str) -> None:
    with open_world(pg_url, f"eco-{uuid.uuid4().hex[:8]}") as w:
        journey(w)
