"""Micro-batching: many threads submit requests, one writer applies them in batches.

Throughput comes from batching, not from parallel writers (one writer per economy keeps
every price change in a single order). The writer thread waits for a first request, then
gathers whatever else arrives within `max_wait` seconds, up to `max_batch`, and runs them
as one unit of work; each submitter gets its own reply through a future.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from zengzhi.app.requests import Request
from zengzhi.app.writer import Reply

_Item = tuple[Request, "Future[Reply]"]


class MicroBatcher:
    def __init__(
        self,
        run: Callable[[Sequence[Request]], list[Reply]],
        max_batch: int = 512,
        max_wait: float = 0.002,
    ) -> None:
        self._run = run
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="zengzhi-writer", daemon=True)
        self._thread.start()

    def submit(self, request: Request) -> Future[Reply]:
        future: Future[Reply] = Future()
        self._queue.put((request, future))
        return future

    def close(self, timeout: float | None = None) -> None:
        """Apply what was submitted, then stop the writer thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def __enter__(self) -> MicroBatcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            items = [first]
            deadline = time.monotonic() + self._max_wait
            while len(items) < self._max_batch:
                left = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                items.append(item)
            self._flush(items)

    def _flush(self, items: list[_Item]) -> None:
        try:
            replies = self._run([request for request, _ in items])
        except BaseException as error:  # the submitters must hear of any failure
            for _, future in items:
                future.set_exception(error)
            return
        for (_, future), reply in zip(items, replies, strict=True):
            future.set_result(reply)
