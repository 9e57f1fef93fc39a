"""`joblink serve` (what `make run` ends in): gunicorn with its workers, the outbox relay and the
scheduler under one supervisor, on a free loopback port with a temporary SQLite instance. A child
that dies comes back; SIGTERM stops everything; SIGKILL of the supervisor leaves nothing behind."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from webapp.server import ChildSpec, Supervisor, default_workers, parse_bind

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "webapp.cli"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.extend(int(x) for x in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread ended between listing and reading
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.split(")")[-1].split()[0] != "Z"  # a zombie has exited


def _wait(predicate, seconds: float = 30, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def _tree(supervisor: int) -> dict[str, list[int]]:
    """The supervisor's children by role, and gunicorn's workers."""
    tree: dict[str, list[int]] = {"web": [], "workers": [], "relay": [], "scheduler": [], "other": []}
    for pid in _children(supervisor):
        cmd = _cmdline(pid)
        if not _alive(pid):
            continue
        if "gunicorn" in cmd:
            tree["web"].append(pid)
            tree["workers"].extend(w for w in _children(pid) if _alive(w))
        elif "index work" in cmd:
            tree["relay"].append(pid)
        elif "schedule run" in cmd:
            tree["scheduler"].append(pid)
        else:
            tree["other"].append(pid)
    return tree


def _tree_when(supervisor: int, condition, seconds: float = 30) -> dict[str, list[int]] | None:
    """The process tree once ``condition(tree)`` holds, or None after ``seconds``."""
    def check():
        tree = _tree(supervisor)
        return tree if condition(tree) else None

    return _wait(check, seconds)


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


@pytest.fixture(scope="module")
def instance_env(tmp_path_factory):
    env = {**os.environ, "JOBLINK_INSTANCE": str(tmp_path_factory.mktemp("serve") / "instance"),
           "DATABASE_URL": "", "SEARCH_BACKEND": "embedded", "WEB_WORKERS": "2", "WEB_THREADS": "2"}
    subprocess.run([*CLI, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=180)
    return env


def _start(env) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up():
        try:
            return _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        except OSError:
            return False

    if not _wait(up, 90, 0.3):
        server.kill()
        pytest.fail("joblink serve did not answer /healthz within 90 s")
    return server, port


def _kill_all(server: subprocess.Popen, tree: dict[str, list[int]] | None) -> None:
    for pid in [server.pid, *(p for pids in (tree or {}).values() for p in pids)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_serve_runs_gunicorn_relay_and_scheduler_restarts_what_dies_and_stops_them_all(instance_env):
    server, port = _start(instance_env)
    tree = _tree(server.pid)
    try:
        base = f"http://127.0.0.1:{port}"
        status, headers, _ = _get(base + "/")
        assert status == 200
        assert "werkzeug" not in headers.get("Server", "").lower()
        assert "python" not in headers.get("Server", "").lower()
        status, headers, body = _get(base + "/api/v1/postings/search?q=%E5%8F%B8%E6%9C%BA")  # 司机
        assert status == 200 and headers["Content-Type"].startswith("application/json") and b'"items"' in body

        tree = _tree_when(server.pid, lambda t: len(t["workers"]) == 2) or _tree(server.pid)
        assert len(tree["web"]) == 1 and len(tree["workers"]) == 2, tree
        assert len(tree["relay"]) == 1 and len(tree["scheduler"]) == 1 and not tree["other"], tree

        # a gunicorn worker killed: its master starts another; the site keeps answering
        dead_worker = tree["workers"][0]
        os.kill(dead_worker, signal.SIGKILL)
        tree = _tree_when(server.pid, lambda t: len(t["workers"]) == 2 and dead_worker not in t["workers"])
        assert tree, "gunicorn did not replace a killed worker"
        assert _get(base + "/healthz")[0] == 200

        # the relay killed: the supervisor starts another
        dead_relay = tree["relay"][0]
        os.kill(dead_relay, signal.SIGKILL)
        tree = _tree_when(server.pid, lambda t: len(t["relay"]) == 1 and dead_relay not in t["relay"])
        assert tree, "the supervisor did not restart the killed relay"

        everything = [p for pids in tree.values() for p in pids]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        left = [p for p in everything if _wait(lambda p=p: not _alive(p), 15) is False]
        assert not left, f"still running after SIGTERM: {[(p, _cmdline(p)) for p in left]}"
    finally:
        _kill_all(server, tree)


def test_killing_the_supervisor_outright_leaves_no_child_running(instance_env):
    server, _port = _start(instance_env)
    tree = _tree_when(server.pid, lambda t: len(t["workers"]) == 2 and t["relay"] and t["scheduler"]) \
        or _tree(server.pid)
    try:
        everything = [p for pids in tree.values() for p in pids]
        assert len(everything) == 5, tree  # master, 2 workers, relay, scheduler
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=15)
        left = [p for p in everything if _wait(lambda p=p: not _alive(p), 30) is False]
        assert not left, f"orphans after SIGKILL: {[(p, _cmdline(p)) for p in left]}"
    finally:
        _kill_all(server, tree)


def test_serve_refuses_a_taken_port_at_once(instance_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*CLI, "serve", "--port", str(port)], cwd=ROOT, env=instance_env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "端口已被占用" in result.stderr


def test_schedule_run_once_runs_the_daily_and_monthly_jobs(instance_env):
    result = subprocess.run([*CLI, "schedule", "run", "--once"], cwd=ROOT, env=instance_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "postings expire: 完成" in result.stdout
    assert "validity sample: 完成" in result.stdout


# --- the supervisor itself, with stand-in children ---------------------------------------------

def _sleeper(name: str) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_child_that_keeps_dying_is_restarted_with_growing_back_off_and_the_others_left_alone():
    crasher = ChildSpec("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    sup = Supervisor([_sleeper("steady"), crasher], backoff_start=0.2, backoff_max=0.8, stop_timeout=5)
    sup.start()
    try:
        steady, crashing = sup.children
        first_steady = steady.proc.pid
        delays = []
        deadline = time.monotonic() + 20
        while crashing.restarts < 4 and time.monotonic() < deadline:
            sup.check()
            if crashing.restart_at is not None and (not delays or delays[-1][0] != crashing.failures):
                delays.append((crashing.failures, round(crashing.restart_at - time.monotonic(), 1)))
            time.sleep(0.02)
        assert crashing.restarts >= 4
        assert [f for f, _ in delays[:4]] == [1, 2, 3, 4]
        assert [sup.backoff(type(crashing)(crasher, failures=f)) for f in (1, 2, 3, 4)] == [0.2, 0.4, 0.8, 0.8]
        assert steady.proc.pid == first_steady and steady.restarts == 0
    finally:
        sup.stop()
    assert all(c.proc.poll() is not None for c in sup.children)


def test_stop_kills_a_child_that_ignores_sigterm():
    stubborn = ChildSpec("stubborn", [sys.executable, "-c",
                                      "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                      "print('ready', flush=True); time.sleep(60)"])
    sup = Supervisor([stubborn], stop_timeout=1)
    sup.start()
    time.sleep(0.5)  # let it install its handler
    t0 = time.monotonic()
    sup.stop()
    assert sup.children[0].proc.returncode == -signal.SIGKILL
    assert time.monotonic() - t0 < 5
    sup.check()  # a stopping supervisor restarts nothing
    assert sup.children[0].restarts == 0


def test_worker_count_and_bind_come_from_the_cores_and_the_setting():
    assert default_workers(1) == 3 and default_workers(2) == 5 and default_workers(16) == 8
    assert parse_bind("0.0.0.0:8000") == ("0.0.0.0", 8000)
    assert parse_bind("[::1]:5000") == ("::1", 5000)
