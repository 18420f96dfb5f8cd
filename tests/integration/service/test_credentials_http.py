"""Logging in and signing over HTTP: code limits, lockouts, resets, expiry, and every way a
merchant request can be refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.integration.service.support import World
from zengzhi.service import accounts
from zengzhi.service.errors import RateLimited


def test_wrong_codes_lock_the_phone_and_a_right_code_then_fails_too(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    world.register("13800000010")
    code = world.code_for("13800000010", "login")
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(4):
        r = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000010", "code": wrong})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "wrong_code"), attempt
    fifth = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000010", "code": wrong})
    assert (fifth.status_code, fifth.json()["error"]["code"]) == (429, "locked")
    right = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000010", "code": code})
    assert right.status_code == 429
    world.clock.advance(world.service.settings.sms_lock_seconds + 1)
    fresh = world.code_for("13800000010", "login")
    ok = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000010", "code": fresh})
    assert ok.status_code == 200, ok.text


def test_codes_expire_after_five_minutes_and_work_once(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    world.register("13800000011")
    code = world.code_for("13800000011", "login")
    world.clock.advance(301)
    late = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000011", "code": code})
    assert late.status_code == 401
    code = world.code_for("13800000011", "login")
    first = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000011", "code": code})
    assert first.status_code == 200
    again = world.http.post(f"{eco}/auth/login/sms", json={"phone": "13800000011", "code": code})
    assert again.status_code == 401


def test_codes_are_limited_per_phone_per_hour(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    limit = world.service.settings.sms_per_phone_per_hour
    for _ in range(limit):
        world.code_for("13800000012", "register")
    over = world.http.post(f"{eco}/auth/sms-code", json={"phone": "13800000012"})
    assert (over.status_code, over.json()["error"]["code"]) == (429, "rate_limited")
    world.clock.advance(3601)
    assert world.http.post(f"{eco}/auth/sms-code", json={"phone": "13800000012"}).status_code == 202


def test_codes_are_stored_hashed(world: World) -> None:
    world.code_for("13800000013", "register")
    code = world.sms.last_code["13800000013"]
    with world.service.database.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT digest FROM sms_codes").scalars().all()
    assert stored
    assert all(code not in digest for digest in stored)


def test_password_reset_by_sms_ends_old_sessions(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    old = world.register("13800000014", password="first-password")
    code = world.code_for("13800000014", "reset")
    reset = world.http.post(
        f"{eco}/auth/password-reset",
        json={"phone": "13800000014", "code": code, "new_password": "second-password"},
    )
    assert reset.status_code == 204, reset.text
    assert world.http.get(f"{eco}/me", headers=world.auth(old)).status_code == 401
    wrong = world.http.post(
        f"{eco}/auth/login/password", json={"phone": "13800000014", "password": "first-password"}
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "wrong_credentials")
    right = world.http.post(
        f"{eco}/auth/login/password", json={"phone": "13800000014", "password": "second-password"}
    )
    assert right.status_code == 200


def test_one_account_per_phone_and_referral_codes_must_exist(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    world.register("13800000015")
    code = world.code_for("13800000015", "register")
    again = world.http.post(f"{eco}/members", json={"phone": "13800000015", "code": code})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "phone_taken")
    code = world.code_for("13800000016", "register")
    bad = world.http.post(
        f"{eco}/members", json={"phone": "13800000016", "code": code, "referral_code": "NOPE2345"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (404, "unknown_referral_code")


def test_sessions_expire_and_logout_ends_them(world: World) -> None:
    eco = f"/v1/economies/{world.economy}"
    token = world.register("13800000017")
    assert world.http.get(f"{eco}/me", headers=world.auth(token)).status_code == 200
    out = world.http.post("/v1/auth/logout", headers=world.auth(token))
    assert out.status_code == 204
    assert world.http.get(f"{eco}/me", headers=world.auth(token)).status_code == 401
    token = world.register("13800000018")
    world.clock.advance(world.service.settings.session_ttl_seconds + 1)
    assert world.http.get(f"{eco}/me", headers=world.auth(token)).status_code == 401


def test_merchant_requests_are_refused_when_not_signed_right(world: World) -> None:
    world.add_merchant("shop-s")
    path = "/v1/merchant/orders"
    ok = world.signed("shop-s", "GET", path, nonce="nonce-0001")
    assert ok.status_code == 200, ok.text
    cases = {
        "nonce_reused": world.signed("shop-s", "GET", path, nonce="nonce-0001"),
        "stale_request": world.signed(
            "shop-s", "GET", path, timestamp=world.clock() // 1_000_000 - 301
        ),
        "bad_signature": world.signed("shop-s", "GET", path, secret="not-the-secret"),
        "unsigned_request": world.http.get(path),
    }
    for code, response in cases.items():
        assert (response.status_code, response.json()["error"]["code"]) == (401, code)
    # a body changed after signing does not match the signature
    key_id, secret = world.keys["shop-s"]
    from zengzhi.security.signing import sign

    ts = str(world.clock() // 1_000_000)
    signature = sign(secret, "POST", path, ts, "nonce-0002", b'{"amount_fen": 1}')
    tampered = world.http.post(
        path,
        content=b'{"amount_fen": 100000}',
        headers={
            "X-Zengzhi-Key": key_id,
            "X-Zengzhi-Timestamp": ts,
            "X-Zengzhi-Nonce": "nonce-0002",
            "X-Zengzhi-Signature": signature,
        },
    )
    assert (tampered.status_code, tampered.json()["error"]["code"]) == (401, "bad_signature")
    # a revoked key stops working
    revoked = world.http.delete(
        f"/v1/economies/{world.economy}/merchant-keys/{key_id}",
        headers=world.auth(world.owner_token),
    )
    assert revoked.status_code == 204
    after = world.signed("shop-s", "GET", path)
    assert (after.status_code, after.json()["error"]["code"]) == (401, "unknown_key")


def test_codes_are_limited_per_address_per_hour(world: World) -> None:
    """Many phones from one address: the fourth code in an hour is refused, others go on."""
    strict = world.service.settings.model_copy(update={"sms_per_ip_per_hour": 3})
    svc = replace(world.service, settings=strict)
    for n in range(3):
        accounts.request_code(svc, world.economy, f"1380000005{n}", "register", "203.0.113.9")
    with pytest.raises(RateLimited, match="too many codes from this address"):
        accounts.request_code(svc, world.economy, "13800000059", "register", "203.0.113.9")
    accounts.request_code(svc, world.economy, "13800000059", "register", "198.51.100.7")
    world.clock.advance(3601)
    accounts.request_code(svc, world.economy, "13800000058", "register", "203.0.113.9")
