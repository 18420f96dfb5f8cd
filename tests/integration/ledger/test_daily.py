"""The cyclic-purchase daily dividend through the whole stack (issue 5), SQLite and PostgreSQL.

Seed 003's worked number: 10 of 100 shares, a static pool of 3,000 yuan → 300 yuan, which
consumes 300 yuan of that member's quota.
"""

from __future__ import annotations

import multiprocessing
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.ledger.support import scalar, verify
from zengzhi.app import EngineCache, SettleOrderRequest, create_economy, settle_order
from zengzhi.app.daily import DayNotOver, NotCyclicPurchase, due_day, settle_day
from zengzhi.presets import load_preset
from zengzhi.store import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = date(2026, 3, 1)
YUAN = 100
TIMEOUT = 120
_FORK = multiprocessing.get_context("fork")


def at(day: date, hour: int) -> int:
    """Microseconds since the epoch of a local (Shanghai) hour of `day`."""
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).timestamp()) * 10**6


def cyclic(db: Database, economy_id: str) -> EngineCache:
    config = load_preset("cyclic-purchase")
    db.run(lambda uow: create_economy(uow, economy_id, config, at(DAY1, 0), 8))
    return EngineCache()


def order(
    db: Database, engines: EngineCache, eid: str, oid: str, who: str, fen: int, when: int
) -> dict[str, Any]:
    request = SettleOrderRequest(oid, who, fen)
    return db.run(lambda uow: settle_order(uow, engines, eid, request, when)).result()


_CASH = "SELECT cash_fen FROM members WHERE economy_id=:e AND member_id=:m"
_QUOTA = "SELECT quota_fen FROM daily_positions WHERE economy_id=:e AND member_id=:m"


def cash(db: Database, eid: str, member: str) -> int:
    return int(scalar(db, _CASH, e=eid, m=member) or 0)


def quota(db: Database, eid: str, member: str) -> int | None:
    found: int | None = scalar(db, _QUOTA, e=eid, m=member)
    return found


def settle(db: Database, engines: EngineCache, eid: str, day: date, now: int) -> list[Any]:
    return db.run(lambda uow: settle_day(uow, engines, eid, day, now))


def golden_economy(db: Database, eid: str) -> EngineCache:
    """Day 1: alice buys 10 shares, bob 90. Day 2: carol's 10,000 yuan are the day's sales."""
    engines = cyclic(db, eid)
    order(db, engines, eid, "o1", "alice", 10_000 * YUAN, at(DAY1, 10))
    order(db, engines, eid, "o2", "bob", 90_000 * YUAN, at(DAY1, 11))
    order(db, engines, eid, "o3", "carol", 10_000 * YUAN, at(DAY1 + timedelta(days=1), 9))
    return engines


def test_the_seed_golden_number_through_the_ledger(db: Database, economy_id: str) -> None:
    engines = golden_economy(db, economy_id)
    day2 = DAY1 + timedelta(days=1)
    settled = settle(db, engines, economy_id, day2, at(day2 + timedelta(days=1), 1))
    # day 1 is caught up first: nobody held quota at its start, so everything went back
    assert [(s.day, s.sales_fen, s.paid_fen) for s in settled] == [
        ("2026-03-01", 100_000 * YUAN, 0),
        ("2026-03-02", 10_000 * YUAN, 2_700 * YUAN + 300 * YUAN + 100 * YUAN),
    ]
    # static pool 30% of 10,000 = 3,000 yuan; alice holds 10 of 100 shares → 300 yuan
    assert cash(db, economy_id, "alice") == 300 * YUAN
    assert quota(db, economy_id, "alice") == 20_000 * YUAN - 300 * YUAN
    # bob: 90 shares → 2,700 yuan pro rata, plus all of tier V1 (1% of sales) alone
    assert cash(db, economy_id, "bob") == 2_700 * YUAN + 100 * YUAN
    # carol bought on day 2: her quota and shares count from day 3
    assert cash(db, economy_id, "carol") == 0
    assert quota(db, economy_id, "carol") == 20_000 * YUAN
    assert verify(db, economy_id).ok


def test_settling_a_day_twice_pays_once(db: Database, economy_id: str) -> None:
    engines = golden_economy(db, economy_id)
    day2 = DAY1 + timedelta(days=1)
    now = at(day2 + timedelta(days=2), 1)
    settle(db, engines, economy_id, day2, now)
    events = scalar(db, "SELECT COUNT(*) FROM events WHERE economy_id=:e", e=economy_id)
    again = settle(db, EngineCache(), economy_id, day2, now + 1)
    assert [s.replayed for s in again] == [True]
    assert cash(db, economy_id, "alice") == 300 * YUAN
    assert scalar(db, "SELECT COUNT(*) FROM events WHERE economy_id=:e", e=economy_id) == events
    assert verify(db, economy_id).ok


def _settle_worker(url: str, eid: str, day: date, now: int, barrier: Any, results: Any) -> None:
    db = Database(url)
    try:
        barrier.wait(timeout=TIMEOUT)
        settled = db.run(lambda uow: settle_day(uow, EngineCache(), eid, day, now))
        results.put([(s.day, s.replayed) for s in settled])
    except Exception as error:  # reported to the parent, which fails the test
        results.put(repr(error))
    finally:
        db.dispose()


def test_two_processes_settling_at_once_pay_once(db_url: str, economy_id: str) -> None:
    db = Database(db_url)
    try:
        golden_economy(db, economy_id)
    finally:
        db.dispose()
    day2 = DAY1 + timedelta(days=1)
    barrier = _FORK.Barrier(2)
    results = _FORK.Queue()
    args = (db_url, economy_id, day2, at(day2 + timedelta(days=1), 2), barrier, results)
    processes = [_FORK.Process(target=_settle_worker, args=args) for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=TIMEOUT) for _ in processes]
    for process in processes:
        process.join(TIMEOUT)
    # one process settled both days; the other found day 2 done
    assert sorted(map(str, outcomes)) == sorted(
        map(str, [[("2026-03-01", False), ("2026-03-02", False)], [("2026-03-02", True)]])
    )
    db = Database(db_url)
    try:
        assert cash(db, economy_id, "alice") == 300 * YUAN
        assert verify(db, economy_id).ok
    finally:
        db.dispose()


def test_three_missed_days_are_caught_up_in_order(db: Database, economy_id: str) -> None:
    engines = cyclic(db, economy_id)
    for n, who in enumerate(["alice", "bob", "carol", "dave"]):
        order(db, engines, economy_id, f"o{n}", who, 1_000 * YUAN, at(DAY1 + timedelta(n), 12))
    day4 = DAY1 + timedelta(days=3)
    settle(db, engines, economy_id, DAY1, at(DAY1 + timedelta(1), 0))
    assert due_day_of(db, economy_id, at(day4 + timedelta(1), 3)) == day4
    settled = settle(db, engines, economy_id, day4, at(day4 + timedelta(1), 3))
    assert [s.day for s in settled] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert [s.event_seq for s in settled] == sorted(s.event_seq for s in settled)
    # alice, alone eligible on day 2 (1 share), takes the whole static pool: 300 yuan
    assert settled[0].paid_fen == 300 * YUAN
    assert due_day_of(db, economy_id, at(day4 + timedelta(1), 4)) is None
    assert verify(db, economy_id).ok


def due_day_of(db: Database, eid: str, now: int) -> date | None:
    return db.run(lambda uow: due_day(uow, eid, now))


def test_a_day_not_over_and_other_systems_are_refused(db: Database, economy_id: str) -> None:
    engines = cyclic(db, economy_id)
    with pytest.raises(DayNotOver):
        settle(db, engines, economy_id, DAY1, at(DAY1, 23))
    other = economy_id + "-pool"
    db.run(lambda uow: create_economy(uow, other, load_preset("appreciating-pool"), 1, 8))
    with pytest.raises(NotCyclicPurchase):
        settle(db, engines, other, DAY1, at(DAY1 + timedelta(2), 0))


def test_zengzhi_settle_from_cron_pays_once(db_url: str, economy_id: str) -> None:
    from typer.testing import CliRunner

    from zengzhi.cli import app

    db = Database(db_url)
    try:
        golden_economy(db, economy_id)
    finally:
        db.dispose()
    args = ["settle", "--economy", economy_id, "--date", "2026-03-02", "--url", db_url]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2026-03-01: settled" in first.output
    assert "2026-03-02: settled" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "2026-03-02: already settled" in again.output
    bad = CliRunner().invoke(app, ["settle", "--economy", economy_id, "--date", "March"])
    assert bad.exit_code == 1
    assert "--date must be a day" in bad.output
    db = Database(db_url)
    try:
        config = load_preset("appreciating-pool")
        db.run(lambda uow: create_economy(uow, "plain-" + economy_id, config, at(DAY1, 0), 8))
    finally:
        db.dispose()
    plain = ["settle", "--economy", "plain-" + economy_id, "--date", "2026-03-02", "--url", db_url]
    none = CliRunner().invoke(app, plain)
    assert none.exit_code == 1
    assert "it has no day to settle" in none.output
    db = Database(db_url)
    try:
        assert cash(db, economy_id, "alice") == 300 * YUAN
    finally:
        db.dispose()


def test_the_service_settles_due_days_by_itself(db_url: str, economy_id: str) -> None:
    from tests.integration.service.support import make_service
    from zengzhi.service.periodic import run_due_jobs

    day3 = DAY1 + timedelta(days=2)
    service, _ = make_service(db_url, lambda: at(day3, 0) + 1)
    try:
        golden_economy(service.database, economy_id)
        done = [(e, s.day) for e, s in run_due_jobs(service) if e == economy_id]
        assert done == [(economy_id, "2026-03-01"), (economy_id, "2026-03-02")]
        assert [s for e, s in run_due_jobs(service) if e == economy_id] == []
        assert cash(service.database, economy_id, "alice") == 300 * YUAN
    finally:
        service.database.dispose()
