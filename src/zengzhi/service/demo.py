"""`zengzhi demo`: a fresh SQLite file with a demo economy, merchant, members and orders.

Everything is made through the same service functions the API uses, so the demo's books
verify like any other. Passwords here are for the local demo only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zengzhi.security.passwords import hash_password
from zengzhi.service.accounts import create_member, create_operator
from zengzhi.service.context import Service
from zengzhi.service.merchants import create_key, create_merchant, report_order, settle
from zengzhi.service.operators import create_economy_from_preset

ECONOMY = "demo"
MERCHANT = "demo-shop"
OWNER_PHONE = "13900000000"
OWNER_PASSWORD = "demo-owner-password"
MEMBER_PASSWORD = "demo-member-password"
MEMBERS = (("13800000001", None), ("13800000002", 0), ("13800000003", 1))  # phone, referrer
ORDERS = ((0, 20_000), (1, 10_000), (2, 5_000), (1, 8_000))  # member index, fen


@dataclass(frozen=True, slots=True)
class DemoData:
    economy: str
    owner_phone: str
    owner_password: str
    member_phones: tuple[str, ...]
    member_password: str
    merchant: str
    key_id: str
    secret: str


def reset_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def seed(service: Service) -> DemoData:
    """Fill a migrated, empty database with the demo economy."""
    acks = [{"code": "returns_exceed_spend", "reason": "the seed documents' 3x exit line"}]

    def setup(uow: Any) -> tuple[list[str], tuple[str, str]]:
        now = service.now()
        owner = create_operator(service, uow, OWNER_PHONE, "Demo owner", OWNER_PASSWORD, now)
        create_economy_from_preset(service, uow, ECONOMY, "appreciating-pool", owner, now, acks)
        create_merchant(service, uow, ECONOMY, MERCHANT, "Demo shop", "demo", now)
        key = create_key(service, uow, ECONOMY, MERCHANT, "demo", now)
        ids: list[str] = []
        password = hash_password(MEMBER_PASSWORD)
        for phone, referrer in MEMBERS:
            by = None if referrer is None else ids[referrer]
            ids.append(create_member(uow, ECONOMY, phone, by, password, now))
        return ids, key

    members, (key_id, secret) = service.run(setup)
    for n, (who, amount) in enumerate(ORDERS, start=1):
        report_order(service, ECONOMY, MERCHANT, f"demo-{n}", amount, members[who], None, None)
        settle(service, ECONOMY, MERCHANT, f"demo-{n}")
    return DemoData(
        ECONOMY,
        OWNER_PHONE,
        OWNER_PASSWORD,
        tuple(phone for phone, _ in MEMBERS),
        MEMBER_PASSWORD,
        MERCHANT,
        key_id,
        secret,
    )
