"""`joblink serve --dev` (the development server): the server and the outbox relay it starts beside it
stop together, whether the server is stopped politely (SIGTERM) or killed (SIGKILL). The production
`joblink serve` is tested in test_server.py."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# the process helpers (free port, /proc children, alive, wait) of the production server's test
from .test_server import CLI, ROOT, _alive, _children, _free_port, _wait

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _start(tmp_path: Path) -> tuple[subprocess.Popen, int, int]:
    env = {**os.environ, "JOBLINK_INSTANCE": str(tmp_path / "instance"), "DATABASE_URL": "",
           "SEARCH_BACKEND": "embedded"}
    subprocess.run([*CLI, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([*CLI, "serve", "--dev", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("joblink serve did not answer /healthz within 60 s")
    relays = _children(server.pid)
    assert len(relays) == 1, f"expected one relay process beside the server, found {relays}"
    return server, port, relays[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_the_relay_stops_with_the_server(tmp_path, sig):
    server, _port, relay = _start(tmp_path)
    try:
        assert _alive(relay)
        server.send_signal(sig)
        server.wait(timeout=15)
        assert _wait(lambda: not _alive(relay), 15), "the outbox relay kept running after its server stopped"
    finally:
        for pid in (server.pid, relay):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
