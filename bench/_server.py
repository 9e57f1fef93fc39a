"""Starting and stopping JobLink's web server for the benchmarks that measure it over HTTP
(bench/http_load.py, fairs.py, livestreams.py): a free port, the start-and-wait on ``/healthz``, the
stop. The server dies with the benchmark (``webapp.server.die_with_parent``), so none is left running."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "webapp.wsgi:app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], port: int, instance: Path, env: dict[str, str] | None = None, *,
          log: Path | None = None, wait_s: float = 120) -> subprocess.Popen:
    """Run ``cmd`` (serving on ``port``) on the SQLite database of ``instance`` and wait until it answers
    ``/healthz``; ``env`` adds to or overrides the environment (SEARCH_BACKEND is ``null`` unless given);
    ``log`` keeps its output. Exits the benchmark, naming the command, when it does not come up."""
    from webapp.server import die_with_parent

    full_env = {**os.environ, "JOBLINK_INSTANCE": str(instance), "DATABASE_URL": "", "SEARCH_BACKEND": "null",
                **(env or {})}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps its own copy)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                            preexec_fn=die_with_parent)
    if log:
        out.close()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise SystemExit(f"server did not start: {' '.join(cmd)}")


def start_gunicorn(instance: Path, workers: int | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn with the deployment's settings (webapp.gunicorn_conf) on a free port; ``workers`` (None:
    the configuration's 2 x cores + 1)."""
    port = free_port()
    env = {"WEB_BIND": f"127.0.0.1:{port}"}
    if workers:
        env["WEB_WORKERS"] = str(workers)
    return start(GUNICORN, port, instance, env), port


def stop(proc: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM (gunicorn finishes its requests), then kill if it has not stopped in ``timeout`` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
