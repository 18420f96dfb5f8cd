"""Every preset starts with `zengzhi serve` (issues 5 and 6): the CLI creates one economy
per preset (its high findings acknowledged, as an operator must), one server runs them
all, each answers its public disclosure and explorer page, and `zengzhi verify` passes."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.test_replay_cli import _zengzhi
from tests.e2e.test_two_tokens_serve import _free_port

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
        for n, preset in enumerate(PRESETS):
            disclosed = httpx.get(f"{base}/v1/public/economies/e{n}", timeout=10)
            assert disclosed.status_code == 200, (preset, disclosed.text)
            assert disclosed.json()["economy_id"] == f"e{n}"
            page = httpx.get(f"{base}/explorer/e{n}", timeout=10)
            assert page.status_code == 200, preset
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "Traceback" not in log.read_text()
    for n, preset in enumerate(PRESETS):
        verified = cli("verify", f"e{n}")
        assert verified.returncode == 0, (preset, verified.stdout + verified.stderr)
