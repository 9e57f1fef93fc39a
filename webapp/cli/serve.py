"""``joblink serve``: the development server with the outbox relay running beside it (production:
``gunicorn webapp.wsgi:app`` and ``joblink index work``)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext


def _die_with_parent() -> None:
    """In the relay child (Linux): the kernel sends it SIGTERM when the server process dies, even
    by SIGKILL, so no relay is left running without its server."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _start_relay() -> None:
    import atexit
    import os
    import signal
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "webapp.cli", "index", "work"], env=os.environ.copy(),
                              preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    atexit.register(worker.terminate)
    # `kill`/`systemctl stop` send SIGTERM, which skips atexit unless it becomes a normal exit
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"索引同步进程已启动（pid {worker.pid}）", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="do not start the outbox relay beside the server")
@with_appcontext
def serve(host, port, no_worker) -> None:
    """Serve JobLink (development server) with the outbox relay running beside it."""
    from werkzeug.serving import run_simple

    if not no_worker:
        _start_relay()
    click.echo(f"JobLink 已启动：http://{host}:{port}/  （演示账号见 README）", err=True)
    # Flask's app.run() refuses to run inside a CLI command; the same server, started directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
