"""Passwords, one-time codes and merchant request signatures."""

from __future__ import annotations

from typing import Any

import pytest

from zengzhi.security.codes import CODE_DIGITS, code_digest, code_matches, new_code
from zengzhi.security.passwords import (
    WeakPassword,
    hash_password,
    needs_rehash,
    verify_password,
)
from zengzhi.security.signing import SignatureRejected, check_signature, sign, string_to_sign


def test_a_password_is_stored_as_an_argon2id_hash_and_verifies() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")
    assert not needs_rehash(stored)


def test_a_malformed_hash_never_verifies() -> None:
    assert not verify_password("not-a-hash", "anything at all")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(WeakPassword, match="at least 8"):
        hash_password("1234567")


def test_codes_are_six_digits_and_differ() -> None:
    codes = {new_code() for _ in range(50)}
    assert all(len(c) == CODE_DIGITS and c.isdigit() for c in codes)
    assert len(codes) > 40


def test_a_code_matches_only_its_phone_and_purpose() -> None:
    digest = code_digest("s", "login", "13800000000", "123456")
    assert "123456" not in digest
    assert code_matches("s", "login", "13800000000", "123456", digest)
    assert not code_matches("s", "reset", "13800000000", "123456", digest)
    assert not code_matches("s", "login", "13900000000", "123456", digest)
    assert not code_matches("other-secret", "login", "13800000000", "123456", digest)


SECRET = "merchant-secret"
NOW = 1_700_000_000
BODY = b'{"order_id":"A1"}'
PATH = "/v1/merchant/orders"


def _check(
    *,
    timestamp: str = str(NOW),
    nonce: str = "nonce-12345",
    now: int = NOW,
    signature: str | None = None,
    body: bytes = BODY,
) -> None:
    """Sign the request honestly (unless a signature is given) and check it at `now`."""
    signed = signature or sign(SECRET, "POST", PATH, timestamp, nonce, BODY)
    check_signature(
        SECRET,
        method="POST",
        path=PATH,
        timestamp=timestamp,
        nonce=nonce,
        body=body,
        signature=signed,
        now=now,
        window_seconds=300,
    )


def test_the_string_to_sign_has_five_documented_lines() -> None:
    lines = string_to_sign("post", "/p?a=1", "1", "nonce-123", b"").split("\n")
    assert lines[:4] == ["POST", "/p?a=1", "1", "nonce-123"]
    assert lines[4] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_correctly_signed_fresh_request_passes() -> None:
    _check()
    _check(now=NOW + 300)


def test_an_uppercase_signature_is_accepted() -> None:
    _check(signature=sign(SECRET, "POST", PATH, str(NOW), "nonce-12345", BODY).upper())


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"now": NOW + 301}, "stale_request"),
        ({"now": NOW - 301}, "stale_request"),
        ({"timestamp": "17e8"}, "bad_timestamp"),
        ({"nonce": "short"}, "bad_nonce"),
        ({"nonce": "has space!"}, "bad_nonce"),
        ({"signature": "0" * 64}, "bad_signature"),
    ],
)
def test_stale_malformed_or_forged_requests_are_rejected(
    overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(SignatureRejected) as error:
        _check(**overrides)
    assert error.value.code == code


def test_a_tampered_body_breaks_the_signature() -> None:
    with pytest.raises(SignatureRejected, match="does not match"):
        _check(body=b'{"order_id":"A2"}')
