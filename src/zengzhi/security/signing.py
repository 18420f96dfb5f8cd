"""Merchant API request signatures: HMAC-SHA256 over method, path, timestamp, nonce, body.

The string to sign is five lines joined by "\n":
    METHOD            upper case, e.g. POST
    PATH              the request path with its query string, e.g. /v1/merchant/orders?x=1
    TIMESTAMP         Unix seconds, as sent in the X-Zengzhi-Timestamp header
    NONCE             a one-time random string, as sent in X-Zengzhi-Nonce (8-64 chars)
    SHA256(BODY)      hex digest of the raw request body (of b"" when there is none)
The signature is the hex HMAC-SHA256 of that string under the API key's secret, sent in
X-Zengzhi-Signature. Requests outside the time window are rejected; nonce reuse is
rejected by the store, which remembers nonces for the window.
"""

from __future__ import annotations

import hashlib
import hmac
import re

KEY_HEADER = "X-Zengzhi-Key"
TIMESTAMP_HEADER = "X-Zengzhi-Timestamp"
NONCE_HEADER = "X-Zengzhi-Nonce"
SIGNATURE_HEADER = "X-Zengzhi-Signature"

_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SignatureRejected(ValueError):
    """A request whose signature, time or nonce cannot be accepted; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, digest))


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, path, timestamp, nonce, body).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_signature(
    secret: str,
    *,
    method: str,
    path: str,
    timestamp: str,
    nonce: str,
    body: bytes,
    signature: str,
    now: int,
    window_seconds: int,
) -> None:
    """Raise SignatureRejected unless the request is fresh, well-formed and signed."""
    if not timestamp.isdigit():
        raise SignatureRejected("bad_timestamp", f"{TIMESTAMP_HEADER} must be Unix seconds")
    if abs(now - int(timestamp)) > window_seconds:
        raise SignatureRejected(
            "stale_request",
            f"the request time is more than {window_seconds // 60} minutes from the server's",
        )
    if not _NONCE.match(nonce):
        raise SignatureRejected("bad_nonce", f"{NONCE_HEADER} must be 8-64 letters or digits")
    expected = sign(secret, method, path, timestamp, nonce, body)
    if not hmac.compare_digest(expected, signature.lower()):
        raise SignatureRejected("bad_signature", "the request signature does not match")
