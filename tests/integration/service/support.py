"""A running service for tests: a database, a settable clock, the console SMS provider
(whose last codes the tests read), an economy with an owner, and signed merchant calls."""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.live_server import live_server
from zengzhi.api import create_app
from zengzhi.config import Settings
from zengzhi.security.signing import sign
from zengzhi.service import Service
from zengzhi.service.accounts import create_operator
from zengzhi.service.operators import create_economy_from_preset
from zengzhi.sms import ConsoleSmsProvider
from zengzhi.store import Database

SECRET = "test-secret-" + "x" * 40
OWNER_PHONE = "13900000001"
OWNER_PASSWORD = "owner-password-1"


class Clock:
    """Microseconds; starts at the real time so signatures made from it are fresh."""

    def __init__(self) -> None:
        self.now = time.time_ns() // 1000

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1_000_000)


@dataclass
class World:
    url: str
    service: Service
    sms: ConsoleSmsProvider
    clock: Clock
    economy: str
    http: httpx.Client
    owner_token: str = ""
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # merchant -> key

    # -- people -------------------------------------------------------------------------

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def code_for(self, phone: str, purpose: str, economy: str | None = None) -> str:
        response = self.http.post(
            f"/v1/economies/{economy or self.economy}/auth/sms-code",
            json={"phone": phone, "purpose": purpose},
        )
        assert response.status_code == 202, response.text
        return self.sms.last_code[phone]

    def register(
        self, phone: str, referral: str | None = None, economy: str | None = None, **extra: Any
    ) -> str:
        economy = economy or self.economy
        code = self.code_for(phone, "register", economy)
        response = self.http.post(
            f"/v1/economies/{economy}/members",
            json={"phone": phone, "code": code, "referral_code": referral, **extra},
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def login(self, phone: str) -> str:
        code = self.code_for(phone, "login")
        response = self.http.post(
            f"/v1/economies/{self.economy}/auth/login/sms", json={"phone": phone, "code": code}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def operator_login(self, phone: str, password: str) -> str:
        response = self.http.post(
            "/v1/operators/login", json={"phone": phone, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def add_merchant(
        self, merchant: str, economy: str | None = None, token: str | None = None
    ) -> None:
        economy = economy or self.economy
        headers = self.auth(token or self.owner_token)
        response = self.http.post(
            f"/v1/economies/{economy}/merchants", json={"merchant_id": merchant}, headers=headers
        )
        assert response.status_code == 201, response.text
        response = self.http.post(
            f"/v1/economies/{economy}/merchants/{merchant}/keys", headers=headers
        )
        assert response.status_code == 201, response.text
        body = response.json()
        self.keys[merchant] = (body["key_id"], body["secret"])

    # -- signed merchant requests ----------------------------------------------------------

    def signed(
        self,
        merchant: str,
        method: str,
        path: str,
        payload: Any = None,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        key_id, key_secret = self.keys[merchant]
        body = b"" if payload is None else json.dumps(payload).encode()
        ts = str(self.clock() // 1_000_000 if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(8)
        signature = sign(secret or key_secret, method, path, ts, nonce, body)
        headers = {
            "X-Zengzhi-Key": key_id,
            "X-Zengzhi-Timestamp": ts,
            "X-Zengzhi-Nonce": nonce,
            "X-Zengzhi-Signature": signature,
            "Content-Type": "application/json",
        }
        return self.http.request(method, path, content=body, headers=headers)


def make_service(url: str, clock: Clock) -> tuple[Service, ConsoleSmsProvider]:
    # every test's journeys share one address (127.0.0.1) and, on PostgreSQL, one database
    # for the whole session: the per-address limit is tested on its own with a low value
    settings = Settings(
        environment="test",
        secret_key=SECRET,
        database_url=url,
        public_base_url="http://z.test",
        sms_per_ip_per_hour=100_000,
    )
    sms = ConsoleSmsProvider(stream=io.StringIO())
    return Service(Database(url), settings, sms, clock=clock), sms


def bootstrap(service: Service, economy: str, preset: str = "appreciating-pool") -> str:
    """What `zengzhi economy create` and `zengzhi operator create` do: an economy, an owner."""

    def work(uow: Any) -> str:
        now = service.now()
        existing = uow.service.operator_by_phone(OWNER_PHONE)
        owner = (
            existing.operator_id
            if existing is not None
            else create_operator(service, uow, OWNER_PHONE, "Owner", OWNER_PASSWORD, now)
        )
        acks = [{"code": "returns_exceed_spend", "reason": "the seed's 3x exit line, disclosed"}]
        create_economy_from_preset(service, uow, economy, preset, owner, now, acks)
        return owner

    return service.run(work)


@contextmanager
def open_world(url: str, economy: str) -> Iterator[World]:
    clock = Clock()
    service, sms = make_service(url, clock)
    bootstrap(service, economy)
    app = create_app(service.settings, service)
    try:
        with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            world = World(url, service, sms, clock, economy, http)
            world.owner_token = world.operator_login(OWNER_PHONE, OWNER_PASSWORD)
            yield world
    finally:
        service.database.dispose()
