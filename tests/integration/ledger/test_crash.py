"""A writer killed with SIGKILL mid-batch loses nothing and doubles nothing once resubmitted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.ledger.crash_writer import BATCH, ORDERS
from tests.integration.ledger.support import new_economy, scalar, verify
from zengzhi.store import Database

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 120


def _writer(url: str, economy_id: str, pause: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.ledger.crash_writer",
            url,
            economy_id,
            str(pause),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _count(db: Database, table: str, economy_id: str) -> int:
    return int(scalar(db, f"SELECT count(*) FROM {table} WHERE economy_id = :e", e=economy_id))


def test_sigkill_in_the_middle_of_a_batch_then_resubmit(db_url: str, economy_id: str) -> None:
    db = Database(db_url)
    new_economy(db, economy_id, checkpoint_every=64)
    url = db.engine.url.render_as_string(hide_password=False)
    writer = _writer(url, economy_id, pause=0.5)
    assert writer.stdout is not None
    committed = 0
    deadline = time.monotonic() + TIMEOUT
    for line in writer.stdout:
        assert time.monotonic() < deadline
        if line.startswith("committed"):
            committed += 1
        elif line.startswith("written") and committed == 3:
            writer.send_signal(signal.SIGKILL)  # the 4th batch is written, not committed
            break
    writer.wait(TIMEOUT)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    assert _count(db, "events", economy_id) == 3 * BATCH  # the open batch left no trace
    assert verify(db, economy_id).ok

    again = _writer(url, economy_id, pause=0)
    output, _ = again.communicate(timeout=TIMEOUT)
    assert again.returncode == 0
    replayed = [line.split("replayed=")[1] for line in output.splitlines() if "replayed=" in line]
    assert replayed[:4] == [str(BATCH)] * 3 + ["0"]  # committed batches answered from the record
    for table in ("events", "orders", "transactions"):
        assert _count(db, table, economy_id) == len(ORDERS)
    assert verify(db, economy_id).ok
    db.dispose()


def test_sigkill_at_random_moments_then_resubmit(db_url: str, economy_id: str) -> None:
    db = Database(db_url)
    new_economy(db, economy_id, checkpoint_every=64)
    url = db.engine.url.render_as_string(hide_password=False)
    chance = random.Random(20261122)
    counts = []
    for _ in range(3):
        writer = _writer(url, economy_id, pause=0.03)
        assert writer.stdout is not None
        writer.stdout.readline()  # the writer is up and has written its first batch
        time.sleep(chance.uniform(0.0, 0.3))
        writer.kill()
        writer.communicate(timeout=TIMEOUT)
        counts.append(_count(db, "events", economy_id))
        assert verify(db, economy_id).ok
    assert min(counts) < len(ORDERS)  # at least one kill landed before the end
    final = _writer(url, economy_id, pause=0)
    final.communicate(timeout=TIMEOUT)
    assert final.returncode == 0
    for table in ("events", "orders", "transactions"):
        assert _count(db, table, economy_id) == len(ORDERS)
    assert verify(db, economy_id).ok
    db.dispose()
