"""A `zengzhi serve` or `zengzhi demo` process for end-to-end tests: started, awaited on
/health, stopped; its output kept in a log file that a failure shows."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.live_server import free_port


@contextmanager
def server_process(
    args: list[str], log: Path, env: Mapping[str, str] | None = None, start_seconds: float = 60
) -> Iterator[str]:
    """Run `args` with `--port PORT` appended; yield the base URL once /health answers."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [*args, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the server did not start:\n{log.read_text()}"
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
