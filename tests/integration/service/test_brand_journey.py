"""Brand membership (§7, seed 000) end to end over real HTTP on SQLite and PostgreSQL.

A coffee brand's economy from its preset: purchases through the signed merchant API earn
coins and referral rewards (the first-purchase token once, across retries and batches);
coins convert to Bean Tokens (5,000 → 5; 50 → 0.05); a coupon; a month's dividend
(100,000 over 1,000 tokens pays 500 to 5 tokens); a proposal with snapshotted votes (below
10 tokens refused, a moved token cannot vote twice); a buyback (below the 80% floor
refused); bad inputs refused with clear 4xx errors; and books that verify at the end.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text

from tests.integration.service.support import (
    OWNER_PASSWORD,
    OWNER_PHONE,
    SECRET,
    Clock,
    World,
    bootstrap,
)
from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.app import verify_economy
from zengzhi.config import Settings
from zengzhi.service import Service
from zengzhi.service.merchants import settle_due_orders
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database

YUAN = 100
TOKEN = 1_000_000


@contextmanager
def brand_world(url: str) -> Iterator[World]:
    """A live service whose economy runs the brand membership preset; sessions last long
    enough for the clock to pass a return window and a voting window."""
    clock = Clock()
    settings = Settings(
        environment="test",
        secret_key=SECRET,
        database_url=url,
        public_base_url="http://z.test",
        session_ttl_seconds=90 * 24 * 3600,
    )
    sms = ConsoleSmsProvider(stream=io.StringIO())
    service = Service(Database(url), settings, sms, clock=clock)
    economy = f"brand-{uuid.uuid4().hex[:8]}"
    bootstrap(service, economy, preset="brand-membership")
    app = create_app(service.settings, service)
    try:
        with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            world = World(url, service, sms, clock, economy, http)
            world.owner_token = world.operator_login(OWNER_PHONE, OWNER_PASSWORD)
            yield world
    finally:
        service.database.dispose()


def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


class Brand:
    """The journey's HTTP calls, named for what a person does."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.eco = f"/v1/economies/{w.economy}"
        self.owner = w.auth(w.owner_token)
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.phones: dict[str, str] = {}

    def join(self, name: str, phone: str, referrer: str | None = None) -> None:
        token = self.w.register(phone, referral=self.codes[referrer] if referrer else None)
        me = self.w.http.get(f"{self.eco}/me", headers=self.w.auth(token)).json()
        self.tokens[name], self.ids[name] = token, me["member_id"]
        self.codes[name], self.phones[name] = me["referral_code"], phone

    def report(self, order_id: str, name: str, yuan: int) -> None:
        body = {"order_id": order_id, "amount_fen": yuan * YUAN, "member_phone": self.phones[name]}
        response = self.w.signed("cafe", "POST", "/v1/merchant/orders", body)
        assert response.status_code in (200, 201), response.text

    def buy(self, order_id: str, name: str, yuan: int) -> dict[str, Any]:
        self.report(order_id, name, yuan)
        response = self.w.signed("cafe", "POST", f"/v1/merchant/orders/{order_id}/settle")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def me(self, name: str) -> dict[str, Any]:
        response = self.w.http.get(f"{self.eco}/me/brand", headers=self.w.auth(self.tokens[name]))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def post(self, name: str, path: str, body: Any, key: str | None) -> httpx.Response:
        headers = self.w.auth(self.tokens[name])
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.w.http.post(f"{self.eco}/me/brand{path}", json=body, headers=headers)

    def convert(self, name: str, coins: int, key: str) -> httpx.Response:
        return self.post(name, "/convert", {"coins": coins}, key)

    def vote(self, name: str, option: str, key: str, proposal: str = "beans") -> httpx.Response:
        return self.post(name, f"/proposals/{proposal}/vote", {"option": option}, key)

    def operate(self, path: str, body: Any = None, key: str | None = None) -> httpx.Response:
        headers = dict(self.owner)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.w.http.post(f"{self.eco}/brand{path}", json=body, headers=headers)


def _last_month(clock: Clock) -> tuple[str, str]:
    """(last month, this month) in the economy's time zone, like 2026-10 and 2026-11."""
    today = datetime.fromtimestamp(clock.now / 1e6, ZoneInfo("Asia/Shanghai")).date()
    last = today.replace(day=1) - timedelta(days=1)
    return last.strftime("%Y-%m"), today.strftime("%Y-%m")


def journey(w: World) -> None:
    b = Brand(w)
    w.add_merchant("cafe")
    b.join("rex", "13800000010")
    b.join("amy", "13800000011")
    b.join("ben", "13800000012", referrer="rex")
    b.join("cai", "13800000013", referrer="rex")
    b.join("dan", "13800000014")
    b.join("eve", "13800000015")
    b.join("fay", "13800000016")

    # seed 000: 5,000 yuan spent → 5,000 coins; a gold member
    assert b.buy("A-1", "amy", 5_000)["order"]["status"] == "settled"
    amy = b.me("amy")
    assert (amy["coins"], amy["tokens_micro"], amy["tier"]) == (5_000, 0, "gold")
    assert amy["next_tier"] == "platinum"
    assert "不承诺" in amy["risk"]

    # Ben's first purchase: 35 coins, Rex 10% of them (3, rounded down) and 0.1 token
    b.buy("B-1", "ben", 35)
    again = w.signed("cafe", "POST", "/v1/merchant/orders/B-1/settle")  # a retried settlement
    assert again.status_code == 200, again.text
    b.buy("B-2", "ben", 35)  # a second purchase: coins again, no second token
    rex = b.me("rex")
    assert (rex["coins"], rex["tokens_micro"]) == (6, TOKEN // 10)
    assert b.me("ben")["spend_to_next_token_fen"] == 930 * YUAN

    # Cai's two orders settle in one batch once their return window is over: one token
    b.report("C-1", "cai", 35)
    b.report("C-2", "cai", 35)
    w.clock.advance(8 * 86_400)
    assert settle_due_orders(w.service) == 2
    rex = b.me("rex")
    assert (rex["coins"], rex["tokens_micro"]) == (12, 2 * TOKEN // 10)

    # conversion: 5,000 coins → 5 tokens; 50 coins → 0.05 token; retried once
    done = b.convert("amy", 5_000, "conv-1")
    assert done.status_code == 200, done.text
    assert done.json()["tokens_micro"] == 5 * TOKEN
    retry = b.convert("amy", 5_000, "conv-1")
    assert (retry.json()["tokens_micro"], retry.json()["replayed"]) == (5 * TOKEN, True)
    assert b.convert("ben", 50, "conv-1").json()["tokens_micro"] == TOKEN * 5 // 100
    assert _error(b.convert("ben", 21, "conv-2")) == (409, "insufficient_balance")
    assert _error(b.convert("ben", 0, "conv-3")) == (422, "invalid_request")
    assert _error(b.convert("ben", 5, None)) == (422, "invalid_request")
    assert _error(b.convert("amy", 1, "conv-1")) == (409, "idempotency_conflict")
    amy = b.me("amy")
    assert (amy["coins"], amy["tokens_micro"]) == (0, 5 * TOKEN)
    assert amy["cost_basis_fen"] == 5_000 * YUAN  # 1,000 yuan of spend per token
    assert amy["buyback_floor_value_fen"] == 4_000 * YUAN  # 80% of it

    # a coupon bought with coins; an unknown one and one too many are refused
    b.buy("D-1", "dan", 400)
    coupon = b.post("dan", "/coupons", {"code": "coffee"}, "cp-1")
    assert coupon.status_code == 200, coupon.text
    assert coupon.json()["coins"] == 350
    assert _error(b.post("dan", "/coupons", {"code": "tea"}, "cp-2")) == (404, "unknown_coupon")
    too_many = b.post("dan", "/coupons", {"code": "coffee"}, "cp-3")
    assert _error(too_many) == (409, "insufficient_balance")
    dan = b.me("dan")
    assert dan["coins"] == 50
    assert [(c["code"], c["face_fen"]) for c in dan["coupons"]] == [("coffee", 35 * YUAN)]

    # 1,000 tokens outstanding: Eve holds the 994.75 that Amy, Rex and Ben do not
    b.buy("E-1", "eve", 994_750)
    assert b.convert("eve", 994_750, "conv-1").status_code == 200
    assert b.me("eve")["tier"] == "platinum"

    # a month's dividend: 20% of 500,000 declared profit, 100,000 over 1,000 tokens
    last, this = _last_month(w.clock)
    profit = {"period": last, "declared_profit_fen": 500_000 * YUAN}
    early = b.operate("/dividends", {**profit, "period": this})
    assert _error(early) == (409, "period_not_over")
    assert _error(b.operate("/dividends", {**profit, "period": "last month"})) == (
        422,
        "invalid_period",
    )
    paid = b.operate("/dividends", profit)
    assert paid.status_code == 200, paid.text
    assert (paid.json()["funded_fen"], paid.json()["paid_fen"]) == (100_000 * YUAN,) * 2
    assert b.operate("/dividends", profit).json()["replayed"] is True
    twice = b.operate("/dividends", {**profit, "declared_profit_fen": 1})
    assert _error(twice) == (409, "dividend_already_paid")
    amy = b.me("amy")
    assert (amy["dividends_received_fen"], amy["cash_fen"]) == (500 * YUAN, 500 * YUAN)
    assert b.me("rex")["dividends_received_fen"] == 20 * YUAN  # 0.2 token
    wallet = w.http.get(f"{b.eco}/me/wallet", headers=w.auth(b.tokens["amy"])).json()
    assert wallet["cash_fen"] == 500 * YUAN

    # a proposal: Eve (994 tokens) and Fay (12) may vote; Amy (5) may not
    b.buy("F-1", "fay", 12_000)
    assert b.convert("fay", 12_000, "conv-1").status_code == 200
    proposal = {"proposal_id": "beans", "title": "Next bean origin", "hours": 1,
                "options": ["yunnan", "ethiopia"]}  # fmt: skip
    opened = b.operate("/proposals", proposal)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["eligible_voters"], opened.json()["eligible_votes"]) == (2, 1_006)
    w.clock.advance(60)  # a retry a minute later is the same proposal, answered again
    retried = b.operate("/proposals", proposal)
    assert (retried.status_code, retried.json()["closes_at"]) == (200, opened.json()["closes_at"])
    changed = b.operate("/proposals", {**proposal, "options": ["yunnan", "kenya"]})
    assert _error(changed) == (409, "idempotency_conflict")
    assert _error(b.vote("amy", "yunnan", "v-1")) == (403, "not_eligible_to_vote")
    assert _error(b.vote("fay", "arabica", "v-1")) == (422, "unknown_option")
    ballot = b.vote("fay", "yunnan", "v-1")
    assert (ballot.status_code, ballot.json()["votes"]) == (200, 12), ballot.text
    assert b.vote("fay", "yunnan", "v-1").json()["replayed"] is True
    assert _error(b.vote("fay", "ethiopia", "v-2")) == (409, "already_voted")
    assert [p["my_ballot"] for p in b.me("fay")["proposals"]] == ["yunnan"]

    # Fay moves her 12 tokens to Amy: Amy now holds 17 but the snapshot gave her no vote
    moved = b.post("fay", "/give", {"to_member_id": b.ids["amy"], "tokens_micro": 12 * TOKEN}, "g1")
    assert moved.status_code == 200, moved.text
    assert b.me("amy")["tokens_micro"] == 17 * TOKEN
    assert _error(b.vote("amy", "yunnan", "v-2")) == (403, "not_eligible_to_vote")
    assert b.vote("eve", "ethiopia", "v-1").json()["votes"] == 994

    # the result is published once the window is over
    assert _error(b.operate("/proposals/beans/close")) == (409, "voting_open")
    w.clock.advance(2 * 3600)
    assert _error(b.vote("dan", "yunnan", "v-1")) == (409, "voting_closed")
    closed = b.operate("/proposals/beans/close")
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    assert result["counts"] == [["yunnan", 12], ["ethiopia", 994]]
    assert (result["winner"], result["votes_cast"], result["eligible_votes"]) == (
        "ethiopia",
        1_006,
        1_006,
    )
    public = w.http.get(f"/v1/public/economies/{w.economy}/proposals/beans").json()
    assert public["result"] == result
    assert public["audit"] == {"ok": True, "problems": []}
    assert len(public["ballots"]) == 2
    assert b.ids["fay"] not in str(public)  # voters appear under pseudonyms only

    # a buyback at no less than 80% of cost: 800 yuan per token
    sell = {"member_id": b.ids["amy"], "tokens_micro": 5 * TOKEN}
    low = b.operate("/buybacks", {**sell, "price_fen": 79_999}, key="bb-1")
    assert _error(low) == (422, "below_buyback_floor")
    bought = b.operate("/buybacks", sell, key="bb-2")
    assert bought.status_code == 200, bought.text
    assert bought.json()["payout_fen"] == 4_000 * YUAN
    stranger = {**sell, "member_id": "nobody"}
    assert _error(b.operate("/buybacks", stranger, key="bb-3")) == (404, "unknown_member")
    amy = b.me("amy")
    assert (amy["tokens_micro"], amy["cash_fen"]) == (12 * TOKEN, 4_500 * YUAN)

    # a member cannot act as an operator
    forbidden = w.http.post(
        f"{b.eco}/brand/dividends", json=profit, headers=w.auth(b.tokens["amy"])
    )
    assert forbidden.status_code == 403

    # the books verify: chain, balances and a replay of every brand command agree
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, w.economy)
    assert report.ok, report.problems

    # votes are tamper-evident: a ballot changed in the database breaks its chain and the
    # published tally, and a weight added to the snapshot no longer matches the ledger
    with w.service.database.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE brand_ballots SET option = 'yunnan' WHERE economy_id = :e"
                " AND member_id = :m"
            ),
            {"e": w.economy, "m": b.ids["eve"]},
        )
        conn.execute(
            text(
                "UPDATE brand_electorate SET votes = votes + 1 WHERE economy_id = :e"
                " AND member_id = :m"
            ),
            {"e": w.economy, "m": b.ids["fay"]},
        )
    audit = w.http.get(f"/v1/public/economies/{w.economy}/proposals/beans").json()["audit"]
    assert audit["ok"] is False
    assert (
        "the stored electorate differs from the ledger's balances at the snapshot"
        in audit["problems"]
    )
    assert "ballot 2 breaks the chain" in audit["problems"]
    assert "the published result differs from the ballots' tally" in audit["problems"]


def test_the_brand_journey_on_sqlite(sqlite_url: str) -> None:
    with brand_world(sqlite_url) as w:
        journey(w)


@pytest.mark.pg
def test_the_brand_journey_on_postgresql(pg_url: str) -> None:
    with brand_world(pg_url) as w:
        journey(w)


def test_brand_roles_on_sqlite(sqlite_url: str) -> None:
    """Finance declares dividends and buys back; an operator opens proposals; an auditor
    does neither."""
    with brand_world(sqlite_url) as w:
        b = Brand(w)
        tokens = {}
        for n, role in enumerate(("operator", "finance", "auditor")):
            phone, password = f"1370000000{n}", f"{role}-password-1"
            body = {"phone": phone, "name": role, "password": password, "role": role}
            granted = w.http.post(f"{b.eco}/operators", json=body, headers=b.owner)
            assert granted.status_code in (200, 201), granted.text
            tokens[role] = w.operator_login(phone, password)
        last, _ = _last_month(w.clock)
        dividend = {"period": last, "declared_profit_fen": 0}
        proposal = {"proposal_id": "p1", "title": "T", "hours": 1, "options": ["a", "b"]}
        b.join("amy", "13800000011")
        buyback = {"member_id": b.ids["amy"], "tokens_micro": 1}

        def call(role: str, path: str, body: Any) -> int:
            headers = {**w.auth(tokens[role]), "Idempotency-Key": f"{role}-{path}"}
            return w.http.post(f"{b.eco}/brand{path}", json=body, headers=headers).status_code

        assert [call(r, "/dividends", dividend) for r in tokens] == [403, 200, 403]
        assert [call(r, "/proposals", proposal) for r in tokens] == [201, 403, 403]
        # allowed, then refused by the books: Amy holds no token to sell back
        assert [call(r, "/buybacks", buyback) for r in tokens] == [403, 409, 403]
