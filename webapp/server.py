"""The production server on one machine (``joblink serve``): gunicorn (the web app), the outbox relay
and the scheduler, each a child process of one supervisor that restarts a child that dies (with
back-off) and stops them all together on SIGTERM/SIGINT. The children die with the supervisor even
when it is killed outright (PR_SET_PDEATHSIG on Linux; gunicorn's workers follow their master).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger("joblink.server")

MAX_WORKERS = 8  # beyond this a single machine gains nothing but memory use
HEALTHY_AFTER = 60.0  # a child that ran this long before dying starts its back-off afresh


def die_with_parent() -> None:
    """In a child (Linux): the kernel sends it SIGTERM when its parent dies, even by SIGKILL, so
    nothing is left running without its supervisor."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its live descendants (Linux /proc; 0 elsewhere):
    what a supervised server costs, which the benchmarks divide by the requests served."""
    from pathlib import Path

    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def default_workers(cores: int | None = None) -> int:
    """gunicorn's rule of thumb, 2 x cores + 1, capped for one machine."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_WORKERS)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_bind(bind: str) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``) as in the WEB_BIND setting."""
    host, _, port = bind.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def check_port_free(host: str, port: int) -> None:
    """Fail at once with a clear message instead of restarting gunicorn forever on a taken port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise OSError(f"无法在 {bind_address(host, port)} 上启动：端口已被占用或地址不可用（{exc.strerror}）") from None


@dataclass(frozen=True)
class ChildSpec:
    name: str  # shown in the log: web, relay, scheduler
    argv: list[str]


def web_spec(bind: str, workers: int, threads: int) -> ChildSpec:
    """gunicorn with the shared settings of webapp/gunicorn_conf.py, address and sizes given here."""
    return ChildSpec("web", [
        sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads), "webapp.wsgi:app",
    ])


def cli_spec(name: str, *args: str) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-m", "webapp.cli", *args])


def production_specs(bind: str, workers: int, threads: int, relay: bool = True) -> list[ChildSpec]:
    """What ``joblink serve`` runs: the web server, the outbox relay (unless there is no search
    backend to relay to) and the scheduler."""
    specs = [web_spec(bind, workers, threads)]
    if relay:
        specs.append(cli_spec("relay", "index", "work"))
    specs.append(cli_spec("scheduler", "schedule", "run"))
    return specs


@dataclass
class Child:
    spec: ChildSpec
    proc: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0  # consecutive quick deaths, for the back-off
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    specs: list[ChildSpec]
    env: dict[str, str] | None = None
    backoff_start: float = 1.0
    backoff_max: float = 60.0
    stop_timeout: float = 25.0
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def _spawn(self, child: Child) -> None:
        child.proc = subprocess.Popen(
            child.spec.argv, env=self.env if self.env is not None else os.environ.copy(),
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
        child.started = time.monotonic()
        child.restart_at = None
        log.info("已启动 %s（pid %s）", child.spec.name, child.proc.pid)

    def start(self) -> None:
        self.children = [Child(spec) for spec in self.specs]
        for child in self.children:
            self._spawn(child)

    def backoff(self, child: Child) -> float:
        return min(self.backoff_start * 2 ** max(child.failures - 1, 0), self.backoff_max)

    def check(self, now: float | None = None) -> None:
        """Notice children that died and restart them once their back-off has passed."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if self.stopping:
                return
            if child.restart_at is None and child.proc is not None and child.proc.poll() is not None:
                ran = now - child.started
                child.failures = 1 if ran >= HEALTHY_AFTER else child.failures + 1
                delay = self.backoff(child)
                child.restart_at = now + delay
                log.warning("%s（pid %s）已退出，退出码 %s，运行了 %.0f 秒；%.0f 秒后重启",
                            child.spec.name, child.proc.pid, child.proc.returncode, ran, delay)
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._spawn(child)

    def stop(self) -> None:
        """SIGTERM to every child, then SIGKILL to any still running after ``stop_timeout``."""
        self.stopping = True
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for proc in running:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("pid %s 未在 %.0f 秒内退出，强制结束", proc.pid, self.stop_timeout)
                proc.kill()
                proc.wait()
        log.info("已全部停止")

    def run(self, poll_interval: float = 0.5) -> int:
        """Start the children and watch them until SIGTERM or SIGINT; then stop them all."""
        stop = {"signal": None}

        def _on_signal(signum, _frame):
            stop["signal"] = signum

        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while stop["signal"] is None:
                self.check()
                time.sleep(poll_interval)
            log.info("收到停止信号（%s），正在停止 ...", signal.Signals(stop["signal"]).name)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


def resolve_bind(config, host: str | None, port: int | None) -> tuple[str, int]:
    """--host/--port, else the WEB_BIND setting."""
    bind_host, bind_port = parse_bind(config.get("WEB_BIND") or "127.0.0.1:5000")
    return host or bind_host, port or bind_port


def serve_production(config, host: str | None = None, port: int | None = None, relay: bool = True) -> int:
    """``joblink serve``: check the address, then supervise gunicorn (WEB_WORKERS x WEB_THREADS),
    the relay and the scheduler until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    host, port = resolve_bind(config, host, port)
    check_port_free(host, port)
    from webapp.config import SETTINGS

    workers = int(config.get("WEB_WORKERS") or default_workers())
    threads = int(config.get("WEB_THREADS") or SETTINGS["WEB_THREADS"][0])
    specs = production_specs(bind_address(host, port), workers, threads, relay=relay)
    print(f"JobLink 已启动：http://{bind_address(host, port)}/  （{workers} 个网页进程 × {threads} 线程，"
          f"另有索引同步和定时任务进程；Ctrl+C 停止）", file=sys.stderr, flush=True)
    return Supervisor(specs).run()
