"""``joblink schedule run``: the periodic jobs (daily postings expire, monthly validity sample) in one
long-running process; ``joblink serve`` runs it beside the web server (see webapp/scheduler.py)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group("schedule")
def schedule_group() -> None:
    """Periodic jobs: daily expiry of postings, the monthly validity spot-check sample."""


@schedule_group.command("run")
@click.option("--once", is_flag=True, help="run the jobs due now, then exit")
@with_appcontext
def schedule_run(once) -> None:
    """Run the periodic jobs (daily: postings expire; monthly: validity sample) until SIGTERM."""
    from sqlalchemy.orm import sessionmaker

    from webapp.extensions import db
    from webapp.scheduler import run_scheduler

    sys.exit(run_scheduler(sessionmaker(bind=db.engine, expire_on_commit=False), once=once, echo=click.echo))
