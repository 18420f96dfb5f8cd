"""Issue 6 §2 done-when, over real HTTP on SQLite and PostgreSQL: an economy from the
two-tokens preset; orders settled through the signed merchant API; a member converts
appreciating points to stable points and pays a merchant; the merchant exchanges part back
to points and cashes out the rest (then withdraws the cash); the operator buys points back
and they are burned; bad requests are refused with clear 4xx errors and change nothing;
`verify` passes at the end.

Golden numbers (seed 003, mechanisms.md §1-§2): an order of 100 yuan puts 30 into the pool
and mints 21 points at 1.00, so P = 30/21 = 1.4286; a second one mints 14.7 points and
P = 60/35.7 = 1.6807 (the treasury's points still count). With convert fee 1% and exchange
fee 2%, the stable round trip at P gives back 0.99 × 0.98 of the points and nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
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
from zengzhi.app import verify_economy
from zengzhi.domain.money import format_price

POINT = 1_000_000  # micro-points (and micro-stable-points) per point


@contextmanager
def two_token_world(url: str) -> Iterator[World]:
    clock = Clock()
    service, sms = make_service(url, clock)
    economy = f"tt-{uuid.uuid4().hex[:8]}"
    bootstrap(service, economy, preset="two-tokens")
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


def journey(w: World) -> None:
    owner = w.auth(w.owner_token)
    eco = f"/v1/economies/{w.economy}"

    def overview() -> dict[str, Any]:
        response = w.http.get(f"{eco}/two-tokens")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    start = overview()
    assert start["issuance_cap_micro"] == 100_000_000 * POINT  # the fixed total issuance
    assert (start["issued_micro"], start["minting_ended"]) == (0, False)
    assert "不承诺" in start["risk"]

    # the owner sets the conversion fees the round trip will lose (audited rule change)
    change = {
        "changes": {"stable": {"convert_fee": "0.01", "merchant_exchange_fee": "0.02"}},
        "reason": "fees for the two-token launch",
        "acknowledgements": [{"code": "returns_exceed_spend", "reason": "disclosed"}],
    }
    changed = w.http.post(f"{eco}/rules", json=change, headers=owner)
    assert changed.status_code == 201, changed.text
    assert overview()["fees"]["convert_fee"] == "0.01"

    w.add_merchant("cafe")
    w.add_merchant("books")
    alice = w.register("13800000101")
    bob = w.register("13800000102")
    alice_id = w.http.get(f"{eco}/me", headers=w.auth(alice)).json()["member_id"]

    # an order settled through the signed merchant API: 21 points at 1.00; P = 1.4286
    order = {"order_id": "A-1", "amount_fen": 100_00, "member_phone": "13800000101"}
    assert w.signed("cafe", "POST", "/v1/merchant/orders", order).status_code == 201
    settled = w.signed("cafe", "POST", "/v1/merchant/orders/A-1/settle")
    assert settled.status_code == 200, settled.text
    assert settled.json()["settlement"]["minted_micro"] == 21 * POINT
    assert overview()["price"] == "1.4286"

    me = f"{eco}/me/stable"
    alice_h = w.auth(alice)

    # the confirmation: price, fee and what she receives; nothing moves
    quote = w.http.get(f"{me}/convert-quote?points_micro={21 * POINT}", headers=alice_h).json()
    assert (quote["price"], quote["convert_fee"]) == ("1.4286", "0.01")
    assert (quote["stable_micro"], quote["fee_stable_micro"]) == (29_700_000, 300_000)

    def post(path: str, body: dict[str, Any], token: dict[str, str], key: str) -> httpx.Response:
        return w.http.post(path, json=body, headers={**token, "Idempotency-Key": key})

    # refusals first: more than held, zero, no key; nothing changes
    too_much = post(f"{me}/convert", {"points_micro": 21 * POINT + 1}, alice_h, "c-x")
    assert _error(too_much) == (409, "insufficient_points")
    assert "cannot convert" in too_much.json()["error"]["message"]
    assert _error(post(f"{me}/convert", {"points_micro": 0}, alice_h, "c-0"))[0] == 422
    no_key = w.http.post(f"{me}/convert", json={"points_micro": POINT}, headers=alice_h)
    assert _error(no_key) == (422, "invalid_request")

    converted = post(f"{me}/convert", {"points_micro": 21 * POINT}, alice_h, "c-1")
    assert converted.status_code == 200, converted.text
    assert converted.json()["stable_micro"] == 29_700_000  # 30 yuan less the 1% fee
    again = post(f"{me}/convert", {"points_micro": 21 * POINT}, alice_h, "c-1")
    assert (again.json()["stable_micro"], again.json()["replayed"]) == (29_700_000, True)
    other = post(f"{me}/convert", {"points_micro": POINT}, alice_h, "c-1")
    assert _error(other) == (409, "idempotency_conflict")
    mine = w.http.get(me, headers=alice_h).json()
    assert (mine["stable_micro"], mine["points_micro"]) == (29_700_000, 0)
    after = overview()
    assert after["price"] == "1.4286"  # converting burns nothing: the price stands
    assert after["treasury_micro"] == 21 * POINT
    assert after["stable_outstanding_micro"] == 29_700_000

    # paying a merchant: refusals, then the payment
    pay = f"{me}/payments"
    held = w.http.get(me, headers=alice_h).json()
    bad = [
        (post(pay, {"merchant_id": "cafe", "stable_micro": 29_700_001}, alice_h, "p-x"),
         (409, "insufficient_balance")),
        (post(pay, {"merchant_id": "nobody", "stable_micro": POINT}, alice_h, "p-y"),
         (404, "unknown_merchant")),
        (post(pay, {"merchant_id": "cafe", "store_id": "nope", "stable_micro": POINT},
              alice_h, "p-z"), (404, "unknown_merchant")),
        (post(pay, {"merchant_id": "cafe", "stable_micro": 0}, alice_h, "p-0"),
         (422, "invalid_request")),
    ]  # fmt: skip
    for response, expected in bad:
        assert _error(response) == expected, response.text
    assert w.http.get(me, headers=alice_h).json() == held
    paid = post(pay, {"merchant_id": "cafe", "stable_micro": 29_700_000}, alice_h, "p-1")
    assert paid.status_code == 200, paid.text
    assert (paid.json()["payee"], paid.json()["stable_micro"]) == ("merchant:cafe", 29_700_000)
    replayed = post(pay, {"merchant_id": "books", "stable_micro": 29_700_000}, alice_h, "p-1")
    assert _error(replayed) == (409, "idempotency_conflict")  # same key, another merchant

    # the merchant: balance, quote, exchange two thirds back at P, cash out the rest
    balance = w.signed("cafe", "GET", "/v1/merchant/stable").json()
    assert (balance["stable_micro"], balance["merchant_id"]) == (29_700_000, "cafe")
    quote = w.signed("cafe", "GET", "/v1/merchant/stable/quote?stable_micro=19800000").json()
    assert quote["exchange_points_micro"] == 13_582_800
    over = w.signed(
        "cafe", "POST", "/v1/merchant/stable/exchange",
        {"request_id": "x-0", "stable_micro": 29_700_001},
    )  # fmt: skip
    assert _error(over) == (409, "insufficient_balance")
    exchanged = w.signed(
        "cafe", "POST", "/v1/merchant/stable/exchange",
        {"request_id": "x-1", "stable_micro": 19_800_000},
    )  # fmt: skip
    assert exchanged.status_code == 200, exchanged.text
    # the round trip at P loses only the fees: 14 of the 21 points × 0.99 × 0.98
    assert exchanged.json()["points_micro"] == 14 * POINT * Fraction(99, 100) * Fraction(98, 100)
    assert exchanged.json()["points_micro"] == 13_582_800
    assert overview()["treasury_micro"] == 21 * POINT - 13_582_800  # the fees stay there
    reused = w.signed(
        "cafe", "POST", "/v1/merchant/stable/exchange",
        {"request_id": "x-1", "stable_micro": 1_000_000},
    )  # fmt: skip
    assert _error(reused) == (409, "idempotency_conflict")  # its request id, other fields
    assert overview()["price"] == "1.4286"
    cashed = w.signed(
        "cafe", "POST", "/v1/merchant/stable/cash-out",
        {"request_id": "x-2", "stable_micro": 9_900_000},
    )  # fmt: skip
    assert cashed.status_code == 200, cashed.text
    assert cashed.json()["cash_fen"] == 984  # 9.90 yuan less the 0.6% settlement fee, floored
    balance = w.signed("cafe", "GET", "/v1/merchant/stable").json()
    assert (balance["stable_micro"], balance["points_micro"], balance["cash_fen"]) == (
        0, 13_582_800, 984,
    )  # fmt: skip
    assert overview()["stable_outstanding_micro"] == 0

    # the merchant withdraws its cash; an operator approves it
    wd = {"request_id": "wd-1", "amount_fen": 984, "payout_account": "bank 6222 1111"}
    withdrawal = w.signed("cafe", "POST", "/v1/merchant/withdrawals", wd)
    assert withdrawal.status_code == 201, withdrawal.text
    assert w.signed("cafe", "POST", "/v1/merchant/withdrawals", wd).status_code == 200
    approved = w.http.post(
        f"{eco}/withdrawals/{withdrawal.json()['withdrawal_id']}/approve",
        json={"reference": "BANK-7"},
        headers=owner,
    )
    assert approved.json()["status"] == "paid", approved.text
    assert w.signed("cafe", "GET", "/v1/merchant/stable").json()["cash_fen"] == 0

    # a second order: the treasury's points still count, so P = 60/35.7 = 1.6807 (seed 003)
    order_b = {"order_id": "B-1", "amount_fen": 100_00, "member_phone": "13800000102"}
    assert w.signed("cafe", "POST", "/v1/merchant/orders", order_b).status_code == 201
    settled = w.signed("cafe", "POST", "/v1/merchant/orders/B-1/settle")
    assert settled.json()["settlement"]["minted_micro"] == 14_700_000
    before = overview()
    assert before["price"] == "1.6807"
    assert before["issued_micro"] == 35_700_000

    # the operator buys the merchant's points back: burned, and the fee lifts P (§1)
    buy = f"{eco}/buybacks"
    member_h = w.auth(bob)
    refused = post(buy, {"merchant_id": "cafe"}, member_h, "b-m")
    assert refused.status_code == 403
    unknown = post(buy, {"member_id": "m_nobody"}, owner, "b-u")
    assert _error(unknown) == (404, "unknown_member")
    both = post(buy, {"member_id": alice_id, "merchant_id": "cafe"}, owner, "b-2")
    assert _error(both) == (422, "invalid_request")
    bought = post(buy, {"merchant_id": "cafe"}, owner, "b-1")
    assert bought.status_code == 200, bought.text
    n, pool, outstanding = 13_582_800, before["pool_fen"], before["points_outstanding_micro"]
    payout = n * pool * 9 // (outstanding * 10)  # n × P × (1 − 10%), floored
    assert (bought.json()["burned_micro"], bought.json()["cash_fen"]) == (n, payout)
    end = overview()
    assert end["points_outstanding_micro"] == outstanding - n
    assert end["pool_fen"] == pool - payout
    p_before = Fraction(pool, outstanding) / 100 * POINT
    p_after = Fraction(end["pool_fen"], end["points_outstanding_micro"]) / 100 * POINT
    assert p_after >= p_before * (1 + Fraction(1, 10) * Fraction(n, outstanding - n))
    assert end["price"] == format_price(p_after)
    again = post(buy, {"merchant_id": "cafe"}, owner, "b-1")
    assert again.json()["replayed"] is True
    other = post(buy, {"merchant_id": "cafe", "points_micro": 1}, owner, "b-1")
    assert _error(other) == (409, "idempotency_conflict")
    assert overview()["points_outstanding_micro"] == outstanding - n  # applied once
    audit = w.http.get(f"{eco}/audit", headers=owner).json()
    assert [a["action"] for a in audit].count("stable.buyback") == 1

    # the member sees her moves in her history
    kinds = [h["kind"] for h in w.http.get(f"{eco}/me/history", headers=alice_h).json()]
    assert kinds == ["stable_payment", "stable_conversion", "order"]

    # the books verify: chain, balances, and a replay of every command under its rules
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, w.economy)
    assert report.ok, report.problems


def test_two_tokens_end_to_end_on_sqlite(sqlite_url: str) -> None:
    with two_token_world(sqlite_url) as w:
        journey(w)


@pytest.mark.pg
def test_two_tokens_end_to_end_on_postgresql(pg_url: str) -> None:
    with two_token_world(pg_url) as w:
        journey(w)


def concurrent_payments(w: World) -> None:
    """Ten payments of 5 at once from a balance of 30: exactly six go through, the rest are
    refused with insufficient_balance, and nothing goes negative or is paid twice."""
    from concurrent.futures import ThreadPoolExecutor

    eco = f"/v1/economies/{w.economy}"
    w.add_merchant("cafe")
    token = w.register("13800000201")
    order = {"order_id": "C-1", "amount_fen": 100_00, "member_phone": "13800000201"}
    assert w.signed("cafe", "POST", "/v1/merchant/orders", order).status_code == 201
    assert w.signed("cafe", "POST", "/v1/merchant/orders/C-1/settle").status_code == 200
    headers = {**w.auth(token), "Idempotency-Key": "c-all"}
    converted = w.http.post(
        f"{eco}/me/stable/convert", json={"points_micro": 21 * POINT}, headers=headers
    )
    assert converted.json()["stable_micro"] == 30 * POINT

    def pay(n: int) -> tuple[int, str]:
        with httpx.Client(base_url=str(w.http.base_url), timeout=30) as client:
            response = client.post(
                f"{eco}/me/stable/payments",
                json={"merchant_id": "cafe", "stable_micro": 5 * POINT},
                headers={**w.auth(token), "Idempotency-Key": f"par-{n}"},
            )
        body = response.json()
        return response.status_code, body.get("error", {}).get("code", "ok")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(pay, range(10)))
    assert sorted(results).count((200, "ok")) == 6, results
    assert sorted(results).count((409, "insufficient_balance")) == 4, results
    mine = w.http.get(f"{eco}/me/stable", headers=w.auth(token)).json()
    assert mine["stable_micro"] == 0
    assert w.signed("cafe", "GET", "/v1/merchant/stable").json()["stable_micro"] == 30 * POINT
    with w.service.database.snapshot() as reader:
        report = verify_economy(reader, w.economy)
    assert report.ok, report.problems


def test_concurrent_payments_never_overdraw_on_sqlite(sqlite_url: str) -> None:
    with two_token_world(sqlite_url) as w:
        concurrent_payments(w)


@pytest.mark.pg
def test_concurrent_payments_never_overdraw_on_postgresql(pg_url: str) -> None:
    with two_token_world(pg_url) as w:
        concurrent_payments(w)


def test_the_fixed_total_issuance_ends_minting_and_the_api_says_so(sqlite_url: str) -> None:
    with two_token_world(sqlite_url) as w:
        eco = f"/v1/economies/{w.economy}"
        w.add_merchant("cafe")
        w.register("13800000401")
        w.register("13800000402")
        # 500 million yuan at 30% to the pool would mint 105 million points at 1.00: capped
        huge = {"order_id": "H-1", "amount_fen": 500_000_000_00, "member_phone": "13800000401"}
        assert w.signed("cafe", "POST", "/v1/merchant/orders", huge).status_code == 201
        settled = w.signed("cafe", "POST", "/v1/merchant/orders/H-1/settle").json()
        assert settled["settlement"]["minted_micro"] == 100_000_000 * POINT
        tokens = w.http.get(f"{eco}/two-tokens").json()
        assert (tokens["issued_micro"], tokens["issuance_left_micro"]) == (100_000_000 * POINT, 0)
        assert tokens["minting_ended"] is True
        late = {"order_id": "L-1", "amount_fen": 100_00, "member_phone": "13800000402"}
        assert w.signed("cafe", "POST", "/v1/merchant/orders", late).status_code == 201
        settled = w.signed("cafe", "POST", "/v1/merchant/orders/L-1/settle").json()
        assert settled["settlement"]["minted_micro"] == 0  # orders still feed the pool
        after = w.http.get(f"{eco}/two-tokens").json()
        assert after["pool_fen"] == tokens["pool_fen"] + 30_00
