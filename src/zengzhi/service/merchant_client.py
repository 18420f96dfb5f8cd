"""A signed merchant request, as a merchant's own code would send it (CLI, demo, tests)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx

from zengzhi.security.signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)


def signed_request(
    client: httpx.Client, key_id: str, secret: str, method: str, path: str, payload: Any = None
) -> httpx.Response:
    body = b"" if payload is None else json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(12)
    headers = {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, method, path, timestamp, nonce, body),
        "Content-Type": "application/json",
    }
    return client.request(method, path, content=body, headers=headers)
