"""Many writers, one economy: every request applied exactly once, in one order.

Workers are separate processes (forked), each with its own connections and engine cache,
so they meet only in the database: the writer lock, the idempotency keys and the
sequence numbers are what keep them apart. Every wait is bounded.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import threading
import time
from typing import Any

from tests.integration.ledger.support import new_economy, scalar, verify
from zengzhi.app import EngineCache, SettleOrderRequest, settle_order, submit
from zengzhi.app.codec import replay_config_line
from zengzhi.domain import format_price
from zengzhi.presets import load_preset
from zengzhi.replay import replay_lines
from zengzhi.store import Database

TIMEOUT = 120  # seconds: no worker may hang the suite
_FORK = multiprocessing.get_context("fork")


def _clock() -> int:
    return time.time_ns() // 1000


def _same_key_worker(url: str, economy_id: str, threads: int, barrier: Any, results: Any) -> None:
    db = Database(url, pool_size=4, max_overflow=0, pool_timeout=TIMEOUT)
    engines = EngineCache()
    request = SettleOrderRequest("the-one-order", "alice", 100_000)
    replies: list[tuple[int | None, str]] = []
    errors: list[str] = []

    def submit_once() -> None:
        try:
            reply = db.run(lambda uow: settle_order(uow, engines, economy_id, request, _clock()))
            replies.append((reply.event_seq, reply.body))
        except Exception as error:  # reported to the parent, which fails the test
            errors.append(repr(error))

    workers = [threading.Thread(target=submit_once) for _ in range(threads)]
    barrier.wait(timeout=TIMEOUT)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT)
    results.put((replies, errors))
    db.dispose()


def _run_processes(target: Any, args_per_process: list[tuple[Any, ...]]) -> list[Any]:
    results = _FORK.Queue()
    processes = [_FORK.Process(target=target, args=(*args, results)) for args in args_per_process]
    for process in processes:
        process.start()
    try:
        collected = [results.get(timeout=TIMEOUT) for _ in processes]
    finally:
        for process in processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    return collected


def test_one_key_submitted_100_times_at_once_is_one_transaction(
    db_url: str, economy_id: str
) -> None:
    db = Database(db_url)
    new_economy(db, economy_id)
    processes, threads = 4, 25
    barrier = _FORK.Barrier(processes)
    collected = _run_processes(
        _same_key_worker, [(db_url, economy_id, threads, barrier)] * processes
    )
    replies = [reply for got, _ in collected for reply in got]
    errors = [error for _, found in collected for error in found]
    assert errors == []
    assert len(replies) == processes * threads
    assert len(set(replies)) == 1  # identical replies: same event, same body
    assert scalar(db, "SELECT count(*) FROM transactions WHERE economy_id = :e", e=economy_id) == 1
    assert scalar(db, "SELECT count(*) FROM events WHERE economy_id = :e", e=economy_id) == 1
    assert verify(db, economy_id).ok
    db.dispose()


WORKERS, PER_WORKER, DUPLICATES = 8, 500, 100  # 20% of each worker's orders are duplicates


def _orders_of(worker: int) -> list[SettleOrderRequest]:
    """The worker's own orders (400) plus 100 it re-sends of its neighbour's."""

    def own(w: int, i: int) -> SettleOrderRequest:
        n = w * PER_WORKER + i
        return SettleOrderRequest(f"w{w}-o{i}", f"m{n % 37}", 5_000 + (n * 7_919) % 95_000)

    mine = [own(worker, i) for i in range(PER_WORKER - DUPLICATES)]
    theirs = [own((worker + 1) % WORKERS, i) for i in range(DUPLICATES)]
    orders = mine + theirs
    random.Random(worker).shuffle(orders)
    return orders


def _orders_worker(url: str, economy_id: str, worker: int, results: Any) -> None:
    db = Database(url, pool_size=1, max_overflow=0, pool_timeout=TIMEOUT)
    engines = EngineCache()
    orders = _orders_of(worker)
    bodies: dict[str, str] = {}
    for start in range(0, len(orders), 25):
        chunk = orders[start : start + 25]
        replies = db.run(lambda uow, c=chunk: submit(uow, engines, economy_id, c, _clock()))
        bodies.update((reply.key, reply.body) for reply in replies if reply.ok)
    results.put((worker, bodies))
    db.dispose()


def test_eight_workers_with_duplicates_apply_each_order_once(db_url: str, economy_id: str) -> None:
    db = Database(db_url)
    new_economy(db, economy_id, checkpoint_every=256)
    by_worker = _run_processes(_orders_worker, [(db_url, economy_id, w) for w in range(WORKERS)])
    collected = [bodies for _, bodies in sorted(by_worker)]
    unique = WORKERS * (PER_WORKER - DUPLICATES)
    assert sum(len(bodies) for bodies in collected) == WORKERS * PER_WORKER
    for worker, bodies in enumerate(collected):  # a duplicate got the original's reply
        neighbour = collected[(worker + 1) % WORKERS]
        shared = [key for key in bodies if key in neighbour]
        assert len(shared) == DUPLICATES
        assert all(bodies[key] == neighbour[key] for key in shared)
    count = "SELECT count(*) FROM {} WHERE economy_id = :e"
    assert scalar(db, count.format("events"), e=economy_id) == unique
    assert scalar(db, count.format("orders"), e=economy_id) == unique
    assert scalar(db, count.format("transactions"), e=economy_id) == unique
    # the applied sequence, replayed by `zengzhi replay`, gives the stored price
    with db.engine.connect() as conn:
        payloads = (
            conn.exec_driver_sql(
                "SELECT payload FROM events WHERE economy_id = ? ORDER BY seq"
                if db.is_sqlite
                else "SELECT payload FROM events WHERE economy_id = %s ORDER BY seq",
                (economy_id,),
            )
            .scalars()
            .all()
        )
    config = replay_config_line(load_preset("appreciating-pool").pool)
    replayed = replay_lines([json.dumps(config), *payloads]).engine
    with db.unit_of_work() as uow:
        stored = uow.ledger.economy(economy_id).totals
    assert format_price(replayed.price()) == format_price(stored.idle_price)
    assert replayed.price() == stored.idle_price
    assert (replayed.pool_fen, replayed.points_micro) == (stored.pool_fen, stored.points_micro)
    assert verify(db, economy_id).ok
    db.dispose()


def test_verify_reads_a_consistent_snapshot_while_a_writer_writes(
    db: Database, economy_id: str
) -> None:
    engines = new_economy(db, economy_id, checkpoint_every=16)
    stop, started = threading.Event(), threading.Event()
    failures: list[str] = []

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 4_000:
            chunk = [SettleOrderRequest(f"o{n + i}", f"m{(n + i) % 29}", 20_000) for i in range(20)]
            try:
                db.run(lambda uow, c=chunk: submit(uow, engines, economy_id, c, _clock()))
            except Exception as error:  # reported below
                failures.append(repr(error))
                return
            n += 20
            started.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(TIMEOUT)
        reports = [verify(db, economy_id) for _ in range(5)]
    finally:
        stop.set()
        writer.join(TIMEOUT)
    assert failures == []
    assert all(report.ok for report in reports), [r.problems for r in reports]
    assert reports[-1].transactions > 0
