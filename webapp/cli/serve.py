"""``joblink serve``: the production server on one machine (gunicorn, the outbox relay and the
scheduler under one supervisor, webapp/server.py); ``joblink serve --dev``: the development server
with the outbox relay running beside it."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext


def _start_relay() -> None:
    import atexit
    import os
    import signal
    import subprocess

    from webapp.server import die_with_parent

    worker = subprocess.Popen([sys.executable, "-m", "webapp.cli", "index", "work"], env=os.environ.copy(),
                              preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
    atexit.register(worker.terminate)
    # `kill`/`systemctl stop` send SIGTERM, which skips atexit unless it becomes a normal exit
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"索引同步进程已启动（pid {worker.pid}）", err=True)


@click.command("serve")
@click.option("--host", default=None, help="default: the WEB_BIND setting (127.0.0.1)")
@click.option("--port", default=None, type=int, help="default: the WEB_BIND setting (5000)")
@click.option("--no-worker", is_flag=True, help="do not start the outbox relay beside the server")
@click.option("--dev", is_flag=True, help="the development server (werkzeug) with the relay, instead of gunicorn")
@with_appcontext
def serve(host, port, no_worker, dev) -> None:
    """Serve JobLink: gunicorn (WEB_WORKERS x WEB_THREADS), the outbox relay and the scheduler under
    one supervisor that restarts what dies and stops them together; --dev: the development server."""
    from werkzeug.serving import run_simple

    from webapp.server import resolve_bind, serve_production

    if not dev:
        try:
            sys.exit(serve_production(current_app.config, host, port, relay=not no_worker))
        except OSError as exc:
            raise click.ClickException(str(exc)) from None
    host, port = resolve_bind(current_app.config, host, port)
    if not no_worker:
        _start_relay()
    click.echo(f"JobLink 已启动：http://{host}:{port}/  （演示账号见 README）", err=True)
    # Flask's app.run() refuses to run inside a CLI command; the same server, started directly.
    from webapp.auth.hardening import QuietRequestHandler  # no "Server: Werkzeug/… Python/…"

    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False,
               request_handler=QuietRequestHandler)
