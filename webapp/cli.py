"""The ``joblink`` command: a Flask CLI group with the project's commands.

Areas add their commands by listing a module in ``CLI_MODULES``; each exposes ``register(group)``
and is handed ``app.cli`` by ``create_app``.
"""
from __future__ import annotations

import importlib
import json
import sys
import time

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

CLI_MODULES = [
    "webapp.ingest_cli",
    "webapp.normalise_cli",
    "webapp.index_cli",
    "webapp.matching_cli",
    "webapp.review_cli",
]

# Steps an area adds to `joblink setup` (e.g. build the search index, train the matcher model):
# (label, callable(skip_model: bool)). Appended by the areas' ``register``.
SETUP_STEPS: list[tuple[str, object]] = []


def _create_app():
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def cli() -> None:
    """JobLink 就业联动平台 — management commands."""


def main() -> None:
    cli(prog_name="joblink")


def _db():
    from webapp.extensions import db

    return db


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# --- reference data ---------------------------------------------------------------------------------

@click.group("ref")
def ref_group() -> None:
    """Reference data: administrative divisions and the occupational classification."""


@ref_group.command("load")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="folder holding regions/ and occupations/ (default: the project's data/)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ref_load(data_dir, as_json) -> None:
    """Load all regions and occupations (idempotent)."""
    from pathlib import Path

    from core.reference.services import DEFAULT_DATA_DIR, load_reference_data

    db = _db()
    counts = load_reference_data(db.session, Path(data_dir) if data_dir else DEFAULT_DATA_DIR)
    db.session.commit()
    if as_json:
        _echo_json(counts)
    else:
        click.echo(
            f"行政区划：{counts['provinces']} 个省级，{counts['cities']} 个地级（另有东莞、中山、儋州不设区，按县级存储），"
            f"{counts['counties']} 个县级"
            f"（{counts['counties_with_coordinates']} 个有坐标）"
        )
        click.echo(
            f"职业分类：{counts['occupation_major']} 大类 / {counts['occupation_middle']} 中类 / "
            f"{counts['occupation_minor']} 小类 / {counts['occupation_detail']} 细类"
        )


# --- users ---------------------------------------------------------------------------------------

@click.group("user")
def user_group() -> None:
    """Accounts."""


@user_group.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["jobseeker", "enterprise", "commissioner", "reviewer", "admin"]))
@click.option("--region", "region_code", default=None, help="jurisdiction region code (commissioners)")
@click.option("--name", "display_name", default=None)
@click.option("--password", default=None, help="prompted for when omitted")
@with_appcontext
def user_create(username, role, region_code, display_name, password) -> None:
    """Create an account (commissioner, reviewer and admin accounts are created here or by an admin)."""
    from core.accounts.services import create_user
    from core.errors import DomainError

    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    db = _db()
    try:
        user = create_user(
            db.session, username=username, password=password, role=role,
            display_name=display_name, region_code=region_code,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field or ''}: {exc.message}") from None
    click.echo(f"已创建用户 {user.username}（{role}），编号 {user.id}")


# --- demo ----------------------------------------------------------------------------------------

@click.group("demo")
def demo_group() -> None:
    """Demo data: real postings, labelled demo accounts, generated demo jobseekers."""


@demo_group.command("load")
@click.option("--full", is_flag=True, help="load all real postings from --path instead of the shipped sample")
@click.option("--path", default=None, help="folder of the real posting sets (default: JOBLINK_SHARED_DATA/postings)")
@click.option("--limit", type=int, default=None, help="at most this many postings per file")
@click.option("--seekers", type=int, default=400, show_default=True, help="demo jobseekers to generate")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo_load(full, path, limit, seekers, as_json) -> None:
    """Load demo data (idempotent: postings are keyed by channel + external id)."""
    from pathlib import Path

    from core.demo.services import create_demo_accounts, generate_demo_jobseekers
    from core.reference.services import reference_loaded

    db = _db()
    if not reference_loaded(db.session):
        raise click.ClickException("请先运行 joblink ref load 载入行政区划和职业分类")
    summary: dict = {}
    started = time.monotonic()

    def progress(done: int, total: int | None, label: str = "") -> None:
        if as_json:
            return
        total_s = f"/{total}" if total else ""
        click.echo(f"\r  {label} {done}{total_s}  {time.monotonic() - started:.0f}s", nl=False, err=True)

    try:
        from indexer.demo import load_demo_postings
    except ImportError:
        load_demo_postings = None
    if load_demo_postings is not None:
        if full:
            src = Path(path) if path else Path(current_app.config["JOBLINK_SHARED_DATA"]) / "postings"
        else:
            src = Path(path) if path else Path(__file__).resolve().parents[1] / "data" / "samples"
        if not as_json:
            click.echo(f"载入岗位：{src}{'（全部）' if full else '（样本）'}", err=True)
        # the full sets (90k records) use a staging worker process beside this one; the sample does not need it
        summary["postings"] = load_demo_postings(db.session, src, sample=not full, limit=limit, progress=progress,
                                                 workers="auto" if full else 1)
        if not as_json:
            click.echo("", err=True)
    summary["accounts"] = create_demo_accounts(db.session)
    db.session.commit()
    summary["jobseekers"] = generate_demo_jobseekers(db.session, seekers, current_app.config)
    db.session.commit()
    summary["validity_sample"] = _demo_validity_sample(db.session)
    if as_json:
        _echo_json(summary)
    else:
        for key, value in summary.items():
            click.echo(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")


def _demo_validity_sample(session) -> dict | str:
    """So the demo commissioner has call-back tasks: this month's spot-check sample, if not drawn yet."""
    try:
        from core.validity.services import draw_monthly_sample
    except ImportError:
        return "unavailable"
    from core.errors import DomainError

    try:
        result = draw_monthly_sample(session, None, 5)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return exc.message
    return {"month": result.run.month, "tasks": result.tasks, "new": result.created}


# --- one-shot set-up for `make run` ---------------------------------------------------------------

@click.command("setup")
@click.option("--skip-model", is_flag=True, help="do not train the in-domain matcher model")
@with_appcontext
def setup(skip_model) -> None:
    """Migrate, load reference and demo data if missing, build the index and model. Safe to re-run."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from core.postings.models import Posting
    from core.reference.services import reference_loaded

    db = _db()
    click.echo("1/4 数据库迁移 ...", err=True)
    upgrade()
    if not reference_loaded(db.session):
        click.echo("2/4 载入参考数据 ...", err=True)
        ctx = click.get_current_context()
        ctx.invoke(ref_load)
    else:
        click.echo("2/4 参考数据已存在", err=True)
    if not db.session.scalar(select(func.count()).select_from(Posting)):
        click.echo("3/4 载入演示数据 ...", err=True)
        click.get_current_context().invoke(demo_load)
    else:
        click.echo("3/4 演示数据已存在", err=True)
    for label, step in SETUP_STEPS:
        click.echo(f"4/4 {label} ...", err=True)
        step(skip_model=skip_model)
    click.echo("完成", err=True)


def _die_with_parent() -> None:
    """In the relay child (Linux): the kernel sends it SIGTERM when the server process dies, even
    by SIGKILL, so no relay is left running without its server."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="do not start the outbox relay beside the server")
@with_appcontext
def serve(host, port, no_worker) -> None:
    """Serve JobLink (development server) with the outbox relay running beside it."""
    import atexit
    import os
    import signal
    import subprocess

    worker = None
    index_group = current_app.cli.commands.get("index")
    if not no_worker and index_group is not None and "work" in getattr(index_group, "commands", {}):
        worker = subprocess.Popen([sys.executable, "-m", "webapp.cli", "index", "work"], env=os.environ.copy(),
                                  preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        atexit.register(worker.terminate)
        # `kill`/`systemctl stop` send SIGTERM, which skips atexit unless it becomes a normal exit
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        click.echo(f"索引同步进程已启动（pid {worker.pid}）", err=True)
    click.echo(f"JobLink 已启动：http://{host}:{port}/  （演示账号见 README）", err=True)
    from werkzeug.serving import run_simple

    # Flask's app.run() refuses to run inside a CLI command; the same server, started directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


def register_commands(app) -> None:
    """Attach every command to ``app.cli`` (so ``joblink`` and ``app.test_cli_runner()`` see the same)."""
    for command in (ref_group, user_group, demo_group, setup, serve):
        app.cli.add_command(command)
    for name in CLI_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(app.cli)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
