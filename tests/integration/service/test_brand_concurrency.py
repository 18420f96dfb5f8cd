"""A referee's first purchase rewards the referrer once, also when two of the referee's
orders settle at the same moment in two threads (each its own unit of work), on SQLite
and PostgreSQL: the order effects decide "first" under the economy's writer lock."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from tests.integration.service.support import Clock, bootstrap, make_service
from zengzhi.app import verify_economy
from zengzhi.service import brand, merchants
from zengzhi.service.accounts import create_member
from zengzhi.service.merchants import create_merchant


def _race(url: str) -> None:
    service, _ = make_service(url, Clock())
    economy = f"brand-{uuid.uuid4().hex[:8]}"
    bootstrap(service, economy, preset="brand-membership")

    def setup(uow: Any) -> tuple[str, str]:
        now = service.now()
        create_merchant(service, uow, economy, "cafe", "", "test", now)
        rex = create_member(uow, economy, "13800000031", None, None, now)
        ben = create_member(uow, economy, "13800000032", rex, None, now)
        return rex, ben

    try:
        rex, ben = service.run(setup)
        orders = [f"R-{n}" for n in range(4)]
        for order in orders:
            merchants.report_order(service, economy, "cafe", order, 3_500, ben, None, None)
        errors: list[BaseException] = []
        start = threading.Barrier(len(orders))

        def settle(order: str) -> None:
            try:
                start.wait()
                merchants.settle(service, economy, "cafe", order)
            except BaseException as error:  # reported below, not swallowed
                errors.append(error)

        threads = [threading.Thread(target=settle, args=(o,)) for o in orders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        rex_view = brand.member_view(service, economy, rex)
        assert rex_view["tokens_micro"] == 100_000  # 0.1 token, once
        assert rex_view["coins"] == 4 * 3  # 10% of 35 coins, rounded down, per order
        with service.database.snapshot() as reader:
            report = verify_economy(reader, economy)
        assert report.ok, report.problems
    finally:
        service.database.dispose()


def test_concurrent_first_orders_reward_once_on_sqlite(sqlite_url: str) -> None:
    _race(sqlite_url)


@pytest.mark.pg
def test_concurrent_first_orders_reward_once_on_postgresql(pg_url: str) -> None:
    _race(pg_url)
