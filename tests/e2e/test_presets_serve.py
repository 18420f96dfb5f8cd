"""Every preset starts with `zengzhi serve` (issues 5 and 6): the CLI creates one economy
per preset (its high findings acknowledged, as an operator must), one server runs them
all, each answers its public disclosure and explorer page, and `zengzhi verify` passes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.e2e.test_replay_cli import _zengzhi
from tests.server_process import server_process

PRESETS = (
    "appreciating-pool",
    "two-tokens",
    "cyclic-purchase",
    "locked-grants",
    "shared-purchase",
    "local-life",
    "brand-membership",
)


def test_serve_runs_an_economy_of_every_preset(tmp_path: Path) -> None:
    env = {**os.environ, "ZENGZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'all.sqlite3'}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_zengzhi(), *args], capture_output=True, text=True, timeout=120, env=env, check=False
        )

    assert cli("db", "upgrade").returncode == 0
    for n, preset in enumerate(PRESETS):
        checked = cli("check", preset, "--no-strict", "--json")
        high = [
            f["code"] for f in json.loads(checked.stdout)["findings"] if f["severity"] == "high"
        ]
        acks = [arg for code in high for arg in ("--ack", code)]
        reason = ["--reason", "disclosed to members in the rules and the risk text"] if acks else []
        created = cli("economy", "create", f"e{n}", "--preset", preset, *acks, *reason)
        assert created.returncode == 0, (preset, created.stdout + created.stderr)

    serve = [*_zengzhi(), "serve", "--host", "127.0.0.1"]
    with server_process(serve, tmp_path / "serve.log", env) as base:
        for n, preset in enumerate(PRESETS):
            disclosed = httpx.get(f"{base}/v1/public/economies/e{n}", timeout=10)
            assert disclosed.status_code == 200, (preset, disclosed.text)
            assert disclosed.json()["economy_id"] == f"e{n}"
            page = httpx.get(f"{base}/explorer/e{n}", timeout=10)
            assert page.status_code == 200, preset
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
    for n, preset in enumerate(PRESETS):
        verified = cli("verify", f"e{n}")
        assert verified.returncode == 0, (preset, verified.stdout + verified.stderr)
