"""`make demo` runs `zengzhi demo`: the server comes up with demo data and every app answers."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.test_replay_cli import _zengzhi


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_demo_serves_all_four_apps_with_demo_data(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*_zengzhi(), "demo", "--port", str(port), "--database", str(tmp_path / "d.sqlite3")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the demo server did not start"
            time.sleep(0.3)
        printed = log.read_text()
        for path in ("/m", "/console", "/merchant", "/explorer/demo", "/docs"):
            assert f"{base}{path}" in printed  # it says where to click
            assert httpx.get(f"{base}{path}", follow_redirects=True).status_code == 200, path
        referral = re.search(r"(/m/join\?economy=demo&ref=\w+)", printed)
        assert referral is not None
        assert httpx.get(base + referral.group(1)).status_code == 200
        books = httpx.get(f"{base}/v1/public/economies/demo").json()
        assert books["pool_fen"] > 0  # demo orders were settled into the pool
        assert books["outstanding_micro"] > 0
        assert books["totals"]["transactions_by_kind"]["order"] >= 1
    finally:
        server.terminate()
        server.wait(timeout=20)
