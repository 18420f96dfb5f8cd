"""Micro-batching: requests from many threads reach the single writer in batches."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from tests.integration.ledger.support import new_economy, now, scalar, verify
from zengzhi.app import MicroBatcher, Reply, Request, SettleOrderRequest, submit
from zengzhi.store import Database


def test_threads_share_batches_and_each_gets_its_own_reply(db: Database, economy_id: str) -> None:
    engines = new_economy(db, economy_id)
    sizes: list[int] = []

    def run(requests: Sequence[Request]) -> list[Reply]:
        sizes.append(len(requests))
        return db.run(lambda uow: submit(uow, engines, economy_id, requests, now()))

    replies: dict[str, Reply] = {}
    with MicroBatcher(run, max_batch=64, max_wait=0.02) as batcher:
        gate = threading.Barrier(40)

        def client(n: int) -> None:
            gate.wait(30)
            futures = [
                batcher.submit(SettleOrderRequest(f"c{n}-{i}", f"m{n}", 10_000)) for i in range(5)
            ]
            for future in futures:
                reply = future.result(timeout=60)
                replies[reply.key] = reply

        clients = [threading.Thread(target=client, args=(n,)) for n in range(40)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(60)
    assert len(replies) == 200
    assert all(reply.ok for reply in replies.values())
    assert sum(sizes) == 200
    assert len(sizes) < 200  # requests were batched together
    assert max(sizes) <= 64
    events = scalar(db, "SELECT count(*) FROM events WHERE economy_id = :e", e=economy_id)
    assert events == 200
    assert verify(db, economy_id).ok


def test_a_failing_batch_fails_every_request_in_it() -> None:
    def run(requests: Sequence[Request]) -> list[Reply]:
        raise RuntimeError("the database is gone")

    with MicroBatcher(run) as batcher:
        future = batcher.submit(SettleOrderRequest("o1", "m1", 100))
        with pytest.raises(RuntimeError, match="database is gone"):
            future.result(timeout=10)
