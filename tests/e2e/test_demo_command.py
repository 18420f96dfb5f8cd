"""`make demo` runs `zengzhi demo`: the server comes up with demo data and every app answers."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.e2e.test_replay_cli import _zengzhi
from tests.server_process import server_process


def test_demo_serves_all_four_apps_with_demo_data(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    command = [*_zengzhi(), "demo", "--database", str(tmp_path / "d.sqlite3")]
    with server_process(command, log) as base:
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
