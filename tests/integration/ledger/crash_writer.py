"""A writer process for the crash test: submits the same 600 orders in batches of 50.

    python -m tests.integration.ledger.crash_writer URL ECONOMY PAUSE

Prints `written N` once a batch is in the open transaction and `committed N replayed=R`
after its commit; with PAUSE > 0 it waits that long between the two, so that a SIGKILL
lands in the middle of a batch.
"""

from __future__ import annotations

import sys
import time

from zengzhi.app import EngineCache, SettleOrderRequest, submit
from zengzhi.store import Database

ORDERS = [
    SettleOrderRequest(f"o{n}", f"m{n % 23}", 10_000 + (n * 104_729) % 90_000) for n in range(600)
]
BATCH = 50


def main(url: str, economy_id: str, pause: float) -> None:
    db = Database(url)
    engines = EngineCache()
    for start in range(0, len(ORDERS), BATCH):
        with db.unit_of_work() as uow:
            replies = submit(
                uow, engines, economy_id, ORDERS[start : start + BATCH], time.time_ns() // 1000
            )
            print(f"written {start}", flush=True)
            if pause:
                time.sleep(pause)
            uow.commit()
        replayed = sum(reply.replayed for reply in replies)
        print(f"committed {start} replayed={replayed}", flush=True)
    print("done", flush=True)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
