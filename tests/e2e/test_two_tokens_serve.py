"""`zengzhi serve` with an economy made from presets/two-tokens.toml (issue 6 §2): the
CLI creates it (its rules checked, the finding acknowledged), the server starts, the
two-token figures answer with the fixed total issuance, and `zengzhi verify` passes."""

from __future__ import annotations

import os
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


def test_serve_runs_an_economy_created_from_the_two_tokens_preset(tmp_path: Path) -> None:
    env = {**os.environ, "ZENGZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'tt.sqlite3'}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_zengzhi(), *args], capture_output=True, text=True, timeout=120, env=env, check=False
        )

    assert cli("db", "upgrade").returncode == 0
    refused = cli("economy", "create", "tt", "--preset", "two-tokens")
    assert refused.returncode != 0
    assert "returns_exceed_spend" in refused.stderr + refused.stdout  # what `check` finds
    created = cli(
        "economy", "create", "tt", "--preset", "two-tokens",
        "--ack", "returns_exceed_spend", "--reason", "the seed's 3x exit line, disclosed",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "股权电商" in created.stdout

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*_zengzhi(), "serve", "--port", str(port), "--host", "127.0.0.1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
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
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        tokens = httpx.get(f"{base}/v1/economies/tt/two-tokens").json()
        assert tokens["issuance_cap_micro"] == 100_000_000 * 1_000_000
        assert (tokens["price"], tokens["peg_fen"]) == ("1.0000", 100)
        assert tokens["fees"]["merchant_cashout_fee"] == "0.006"
        pages = httpx.get(f"{base}/m/stable", follow_redirects=True)
        assert pages.status_code == 200  # the join page for a visitor without a session
    finally:
        server.terminate()
        server.wait(timeout=20)
    verified = cli("verify", "tt")
    assert verified.returncode == 0, verified.stdout + verified.stderr
