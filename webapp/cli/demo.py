"""``joblink demo load``: real postings under demo channels, the labelled demo accounts, generated
demo jobseekers and this month's validity sample (so every demo role has something to do)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.cli.common import SAMPLES_DIR, CommandFailed, echo_json, progress_printer, session


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
    from core.demo.services import create_demo_accounts, generate_demo_jobseekers
    from core.reference.services import reference_loaded
    from indexer.demo import load_demo_postings

    if not reference_loaded(session()):
        raise CommandFailed("请先运行 joblink ref load 载入行政区划和职业分类")
    src = Path(path) if path else _default_postings_folder(full)
    if not as_json:
        click.echo(f"载入岗位：{src}{'（全部）' if full else '（样本）'}", err=True)
    summary: dict = {}
    # the full sets (90k records) use a staging worker process beside this one; the sample does not need it
    summary["postings"] = load_demo_postings(session(), src, sample=not full, limit=limit,
                                             progress=progress_printer(quiet=as_json), workers="auto" if full else 1)
    if not as_json:
        click.echo("", err=True)
    summary["accounts"] = create_demo_accounts(session())
    session().commit()
    summary["jobseekers"] = generate_demo_jobseekers(session(), seekers, current_app.config)
    session().commit()
    summary["validity_sample"] = _demo_validity_sample(session())
    if as_json:
        echo_json(summary)
        return
    for key, value in summary.items():
        click.echo(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")


def _default_postings_folder(full: bool) -> Path:
    if full:
        return Path(current_app.config["JOBLINK_SHARED_DATA"]) / "postings"
    return SAMPLES_DIR


def _demo_validity_sample(db_session) -> dict | str:
    """So the demo commissioner has call-back tasks: this month's spot-check sample, if not drawn yet."""
    from core.errors import DomainError
    from core.validity.services import draw_monthly_sample

    try:
        result = draw_monthly_sample(db_session, None, 5)
        db_session.commit()
    except DomainError as exc:
        db_session.rollback()
        return exc.message
    return {"month": result.run.month, "tasks": result.tasks, "new": result.created}
