"""Schemathesis over the OpenAPI schema: generated requests, in process, never a 5xx.

Bounded: a fixed number of examples per operation, derandomized (the same cases every
run), no deadline. Requests carry a real economy id and the right kind of session, so
they reach the service rather than stopping at "not logged in".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from tests.integration.service.support import (
    OWNER_PASSWORD,
    OWNER_PHONE,
    Clock,
    bootstrap,
    make_service,
)
from zengzhi.api import create_app
from zengzhi.security.passwords import hash_password
from zengzhi.service.accounts import create_member, login_with_password, operator_login
from zengzhi.store import Database

ECONOMY = "fuzz"
MEMBER_PHONE = "13800000099"
EXAMPLES = 200 if os.environ.get("ZENGZHI_SLOW") else 20


def _world() -> dict[str, Any]:
    # built at import: schemathesis needs the schema when the tests are collected
    path = Path(tempfile.mkdtemp(prefix="zz-fuzz-")) / "fuzz.sqlite3"
    url = f"sqlite:///{path}"
    Database(url).upgrade()
    service, _ = make_service(url, Clock())
    bootstrap(service, ECONOMY)
    password = hash_password("member-password")
    service.run(
        lambda uow: create_member(uow, ECONOMY, MEMBER_PHONE, None, password, service.now())
    )
    return {
        "app": create_app(service.settings, service),
        "owner": operator_login(service, OWNER_PHONE, OWNER_PASSWORD).token,
        "member": login_with_password(service, ECONOMY, MEMBER_PHONE, "member-password").token,
    }


WORLD = _world()
schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD["app"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case: Any) -> None:
    if case.path_parameters and "economy_id" in case.path_parameters:
        case.path_parameters["economy_id"] = ECONOMY
    token = WORLD["member"] if "/me" in case.path else WORLD["owner"]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
