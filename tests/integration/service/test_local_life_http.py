"""Local life (§6, seed 004) end to end over real HTTP, on SQLite and PostgreSQL.

An owner creates a local-life economy; an operator gives a store its commission, the
promoter who signed it up, its owner and its region, and names the region's agents; members
join through the store's QR link and each other's referral codes; the merchant reports and
settles orders over the signed API. The ledger then holds seed 004's numbers: of a 1,000
order at 20%, 20 platform, 20 referral, 160 pool, 112 of points; 0.3%/0.2% to the two
referrers, 0.5% to the promoter and 0.1% to each agent up the chain. Bad inputs are
refused with clear 4xx errors and change nothing; `verify` passes at the end.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.integration.service.support import OWNER_PASSWORD, OWNER_PHONE, World, open_world
from zengzhi.app import verify_economy

YUAN = 100
REGION = {"province": "广东", "city": "深圳", "district": "南山"}


def _create_economy(w: World) -> str:
    economy = f"ll-{uuid.uuid4().hex[:6]}"
    ack = {"code": "paid_positions", "reason": "regional agents are licensed franchisees"}
    body = {"economy_id": economy, "preset": "local-life", "acknowledgements": [ack]}
    created = w.http.post("/v1/economies", json=body, headers=w.auth(w.owner_token))
    assert created.status_code == 201, created.text
    w.economy = economy
    return economy


def _me(w: World, token: str) -> dict[str, Any]:
    response = w.http.get(f"/v1/economies/{w.economy}/me", headers=w.auth(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _cash(w: World, token: str) -> int:
    wallet = w.http.get(f"/v1/economies/{w.economy}/me/wallet", headers=w.auth(token))
    fen: int = wallet.json()["cash_fen"]
    return fen


def _order(w: World, order_id: str, member: str, yuan: int, store: str) -> dict[str, Any]:
    body = {"order_id": order_id, "amount_fen": yuan * YUAN, "member_id": member,
            "store_id": store}  # fmt: skip
    reported = w.signed("noodle-co", "POST", "/v1/merchant/orders", body)
    assert reported.status_code == 201, reported.text
    settled = w.signed("noodle-co", "POST", f"/v1/merchant/orders/{order_id}/settle")
    assert settled.status_code == 200, settled.text
    result: dict[str, Any] = settled.json()
    return result


def local_life_journey(w: World) -> None:
    pool_economy = w.economy  # the world's own economy runs the plain appreciating pool
    economy = _create_economy(w)
    owner = w.auth(w.owner_token)
    ll = f"/v1/economies/{economy}/local-life"
    w.add_merchant("noodle-co", economy=economy)

    # the people: a promoter, a store owner who joined through the promoter's code, and
    # one agent per level of the store's region
    promoter = w.register("13700000001")
    promoter_me = _me(w, promoter)
    store_owner = w.register("13700000002", referral=promoter_me["referral_code"])
    owner_me = _me(w, store_owner)
    agents = {level: w.register(phone) for level, phone in
              (("district", "13700000011"), ("city", "13700000012"),
               ("province", "13700000013"))}  # fmt: skip
    agent_ids = {level: _me(w, token)["member_id"] for level, token in agents.items()}

    # the operator sets the store up: 20% commission, its promoter, its owner, its region
    terms = {"merchant_id": "noodle-co", "commission": "0.20", "name": "牛肉面",
             "promoter": promoter_me["member_id"], "owner_member": owner_me["member_id"],
             **REGION}  # fmt: skip
    put = w.http.put(f"{ll}/stores/noodles-1", json=terms, headers=owner)
    assert put.status_code == 200, put.text
    assert put.json()["commission"] == "0.2"
    for level, member in agent_ids.items():
        depth = ("province", "city", "district").index(level) + 1
        region = {k: REGION[k] for k in ("province", "city", "district")[:depth]}
        response = w.http.put(
            f"{ll}/agents/{level}", json={"member_id": member, **region}, headers=owner
        )
        assert response.status_code == 200, response.text
    listed = w.http.get(f"{ll}/agents", headers=owner).json()
    assert {a["region"] for a in listed} == {"广东", "广东/深圳", "广东/深圳/南山"}
    audit = w.http.get(f"/v1/economies/{economy}/audit", headers=owner).json()
    assert [a["action"] for a in audit].count("agent.set") == 3
    assert "store.terms_set" in [a["action"] for a in audit]

    # the merchant sees its store and the link its QR code opens: it carries the owner's code
    stores = w.signed("noodle-co", "GET", "/v1/merchant/local-life/stores")
    assert stores.status_code == 200, stores.text
    [store] = stores.json()
    assert store["terms"]["promoter"] == promoter_me["member_id"]
    query = parse_qs(urlparse(store["link"]).query)
    assert query["store"] == ["noodles-1"]
    assert query["economy"] == [economy]
    assert query["ref"] == [owner_me["referral_code"]]

    # Alice arrives through the store's QR code, Bob through Alice's link: Bob's chain is
    # Alice (direct), then the store owner (indirect)
    alice = w.register("13800000001", referral=query["ref"][0])
    alice_me = _me(w, alice)
    assert alice_me["referrer"] == owner_me["member_id"]
    bob = w.register("13800000002", referral=alice_me["referral_code"])
    bob_id = _me(w, bob)["member_id"]

    # seed 004: Bob's 1,000 order at 20% → 160 pool, 112 of points at 1.00
    result = _order(w, "N-1", bob_id, 1_000, "noodles-1")
    assert result["settlement"]["minted_micro"] == 112_000_000
    summary = w.http.get(f"/v1/economies/{economy}", headers=owner).json()
    assert summary["pool_fen"] == 160 * YUAN
    assert summary["points_micro"] == 112_000_000

    # the rewards, into each payee's cash wallet: 0.3% / 0.2% / 0.5% / 0.1% x 3
    paid = {
        "alice": _cash(w, alice),
        "store_owner": _cash(w, store_owner),
        "promoter": _cash(w, promoter),
        **{level: _cash(w, token) for level, token in agents.items()},
    }
    assert paid == {
        "alice": 3 * YUAN, "store_owner": 2 * YUAN, "promoter": 5 * YUAN,
        "district": 1 * YUAN, "city": 1 * YUAN, "province": 1 * YUAN,
    }  # fmt: skip
    rewards = w.http.get(f"/v1/economies/{economy}/me/referral-rewards", headers=w.auth(alice))
    assert rewards.json()["by_role"] == {"direct_referrer": 3 * YUAN}

    # the operators' report: 200 commission = 20 platform + 160 pool + 13 rewards + 7 back
    [day] = w.http.get(f"{ll}/reports/splits", headers=owner).json()
    assert (day["store_id"], day["orders"], day["amount_fen"]) == ("noodles-1", 1, 1_000 * YUAN)
    assert (day["commission_fen"], day["platform_fen"], day["pool_fen"]) == (20_000, 2_000, 16_000)
    assert (day["rewards_fen"], day["returned_fen"]) == (1_300, 700)
    earned = w.http.get(f"{ll}/reports/agents", headers=owner).json()
    assert sorted(e["earned_fen"] for e in earned) == [YUAN, YUAN, YUAN]

    # settling again answers from the record, even after the store's terms changed:
    # nobody is paid twice and the split is not decided anew
    changed = {**terms, "commission": "0.3"}
    assert w.http.put(f"{ll}/stores/noodles-1", json=changed, headers=owner).status_code == 200
    again = w.signed("noodle-co", "POST", "/v1/merchant/orders/N-1/settle")
    assert again.status_code == 200
    assert again.json()["settlement"] == result["settlement"]
    assert _cash(w, alice) == 3 * YUAN
    assert w.http.put(f"{ll}/stores/noodles-1", json=terms, headers=owner).status_code == 200

    # a second store at 25% in a district with no agent: the pool part keeps the [split]
    # proportions (25% x 16/20 = 20%), the city agent takes the district's share (0.2%)
    terms2 = {**terms, "commission": "1/4", "district": "福田", "owner_member": None}
    assert w.http.put(f"{ll}/stores/noodles-2", json=terms2, headers=owner).status_code == 200
    before = w.http.get(f"/v1/economies/{economy}", headers=owner).json()["pool_fen"]
    _order(w, "N-2", alice_me["member_id"], 1_000, "noodles-2")
    after = w.http.get(f"/v1/economies/{economy}", headers=owner).json()["pool_fen"]
    assert after - before == 200 * YUAN
    assert _cash(w, store_owner) == 2 * YUAN + 3 * YUAN  # now Alice's direct referrer
    assert _cash(w, promoter) == 5 * YUAN + 2 * YUAN + 5 * YUAN  # indirect + promoter
    assert _cash(w, agents["city"]) == 1 * YUAN + 2 * YUAN
    assert _cash(w, agents["district"]) == 1 * YUAN  # not this district's agent

    # bad inputs: clear 4xx errors, nothing changes
    stores_before = w.http.get(f"{ll}/stores", headers=owner).json()
    bad = [
        ({**terms, "commission": "0.1"}, 422, "invalid_rule"),  # below 13%: rewards unpaid
        ({**terms, "commission": "0.2.1"}, 422, "invalid_request"),
        ({**terms, "commission": "1.5"}, 422, "invalid_rule"),
        ({**terms, "promoter": "nobody"}, 404, "unknown_member"),
        ({**terms, "merchant_id": "other-co"}, 422, "invalid_request"),  # not its merchant
        ({**terms, "city": "", "district": "南山"}, 422, "invalid_request"),
    ]
    for body, status, code in bad:
        refused = w.http.put(f"{ll}/stores/noodles-1", json=body, headers=owner)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), body
        assert refused.json()["error"]["message"]
    new_store = w.http.put(f"{ll}/stores/x", json={**terms, "merchant_id": "ghost"}, headers=owner)
    assert (new_store.status_code, new_store.json()["error"]["code"]) == (404, "not_found")
    assert w.http.get(f"{ll}/stores", headers=owner).json() == stores_before
    wrong_level = {"member_id": agent_ids["city"], "province": "广东"}
    refused = w.http.put(f"{ll}/agents/city", json=wrong_level, headers=owner)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_request")
    refused = w.http.put(f"{ll}/agents/town", json=wrong_level, headers=owner)
    assert refused.status_code == 422
    as_member = w.http.put(f"{ll}/stores/noodles-1", json=terms, headers=w.auth(alice))
    assert as_member.status_code in (401, 403)
    assert w.http.get(f"{ll}/agents", headers=owner).json() == listed

    # an economy of another system has no store terms
    other = w.http.put(
        f"/v1/economies/{pool_economy}/local-life/stores/noodles-9", json=terms, headers=owner
    )
    assert (other.status_code, other.json()["error"]["code"]) == (409, "wrong_system")

    # the books verify: every split replays to the same postings
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, economy)
    assert report.ok, report.problems


def test_local_life_on_sqlite(world: World) -> None:
    local_life_journey(world)


@pytest.mark.pg
def test_local_life_on_postgresql(pg_url: str) -> None:
    with open_world(pg_url, f"eco-{uuid.uuid4().hex[:8]}") as w:
        local_life_journey(w)


def auto_settled_orders(w: World) -> None:
    """Orders settled in a batch when their return window passes; one names no store."""
    economy = _create_economy(w)
    owner = w.auth(w.owner_token)
    w.add_merchant("noodle-co", economy=economy)
    referrer = w.register("13700000001")
    buyer = w.register("13700000002", referral=_me(w, referrer)["referral_code"])
    buyer_id = _me(w, buyer)["member_id"]
    for order_id, store in (("B-1", None), ("B-2", "unknown-store")):
        body = {"order_id": order_id, "amount_fen": 500 * YUAN, "member_id": buyer_id,
                "store_id": store}  # fmt: skip
        assert w.signed("noodle-co", "POST", "/v1/merchant/orders", body).status_code == 201
    w.clock.advance(8 * 86_400)  # past the preset's 7-day return window
    owner = w.auth(w.operator_login(OWNER_PHONE, OWNER_PASSWORD))  # the session expired
    settled = w.http.post(f"/v1/economies/{economy}/orders/settle-due", headers=owner)
    assert settled.json() == {"settled": 2}

    # no terms: the reference 20% commission, 16% of each order into the pool; the
    # referrer earns 0.3% of both orders, and nothing is owed to a promoter or an agent
    summary = w.http.get(f"/v1/economies/{economy}", headers=owner).json()
    assert summary["pool_fen"] == 2 * 80 * YUAN
    assert _cash(w, w.login("13700000001")) == 2 * 150
    days = w.http.get(f"/v1/economies/{economy}/local-life/reports/splits", headers=owner)
    by_store = {d["store_id"]: d for d in days.json()}
    assert set(by_store) == {"noodle-co", "unknown-store"}
    assert all(d["returned_fen"] == 1_000 - 150 for d in by_store.values())
    again = w.http.post(f"/v1/economies/{economy}/orders/settle-due", headers=owner)
    assert again.json() == {"settled": 0}
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, economy)
    assert report.ok, report.problems


def test_auto_settlement_on_sqlite(world: World) -> None:
    auto_settled_orders(world)


@pytest.mark.pg
def test_auto_settlement_on_postgresql(pg_url: str) -> None:
    with open_world(pg_url, f"eco-{uuid.uuid4().hex[:8]}") as w:
        auto_settled_orders(w)


def test_a_rule_change_cannot_strand_a_stores_terms(world: World) -> None:
    """Raising the minimum commission above a store's terms is refused, naming the store;
    once its terms are raised the same change is accepted."""
    economy = _create_economy(world)
    owner = world.auth(world.owner_token)
    world.add_merchant("noodle-co", economy=economy)
    terms = {"merchant_id": "noodle-co", "commission": "0.20", "name": "牛肉面"}
    put = f"/v1/economies/{economy}/local-life/stores/s1"
    assert world.http.put(put, json=terms, headers=owner).status_code == 200
    change = {
        # a 30% reference with a 1.5% referral part: every reward now needs a store
        # commission of at least 0.013 × 0.30 / 0.015 = 0.26
        "changes": {"split": {"commission": "0.30", "platform": "0.125", "referral": "0.015"}},
        "reason": "a larger platform share",
        "acknowledgements": [{"code": "paid_positions", "reason": "licensed franchisees"}],
    }
    refused = world.http.post(f"/v1/economies/{economy}/rules", json=change, headers=owner)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_rule")
    assert "raise the terms of s1 (0.2) first" in refused.json()["error"]["message"]
    summary = world.http.get(f"/v1/economies/{economy}", headers=owner).json()
    assert summary["config"]["split"]["referral"] == "0.02"  # nothing changed
    raised = {**terms, "commission": "0.26"}
    assert world.http.put(put, json=raised, headers=owner).status_code == 200
    accepted = world.http.post(f"/v1/economies/{economy}/rules", json=change, headers=owner)
    assert accepted.status_code == 201, accepted.text
