"""`zengzhi serve` with an economy made from presets/two-tokens.toml (issue 6 §2): the
CLI creates it (its rules checked, the finding acknowledged), the server starts, the
two-token figures answer with the fixed total issuance, and `zengzhi verify` passes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.e2e.test_replay_cli import _zengzhi
from tests.server_process import server_process


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

    serve = [*_zengzhi(), "serve", "--host", "127.0.0.1"]
    with server_process(serve, tmp_path / "serve.log", env) as base:
        tokens = httpx.get(f"{base}/v1/economies/tt/two-tokens").json()
        assert tokens["issuance_cap_micro"] == 100_000_000 * 1_000_000
        assert (tokens["price"], tokens["peg_fen"]) == ("1.0000", 100)
        assert tokens["fees"]["merchant_cashout_fee"] == "0.006"
        pages = httpx.get(f"{base}/m/stable", follow_redirects=True)
        assert pages.status_code == 200  # the join page for a visitor without a session
    verified = cli("verify", "tt")
    assert verified.returncode == 0, verified.stdout + verified.stderr
