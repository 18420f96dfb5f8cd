"""One-time SMS codes: drawn from the OS's secure generator, stored only as keyed hashes.

A code is stored as HMAC-SHA256(secret, purpose | phone | code): a stolen table reveals no
code, and a code for one phone or purpose cannot be replayed for another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(secret: str, purpose: str, phone: str, code: str) -> str:
    message = f"{purpose}|{phone}|{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def code_matches(secret: str, purpose: str, phone: str, code: str, digest: str) -> bool:
    return hmac.compare_digest(code_digest(secret, purpose, phone, code), digest)
