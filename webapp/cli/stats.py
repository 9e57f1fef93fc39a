"""``joblink stats refresh``: rebuild the supply-and-demand cube the statistics pages read (daily,
from the scheduler; run it by hand after a large import)."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, reported_errors, session


@click.group("stats")
def stats_group() -> None:
    """Labour-market statistics (供求统计)."""


@stats_group.command("refresh")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def stats_refresh(as_json) -> None:
    """Recount demand and supply from postings and jobseekers into the statistics tables."""
    from core.statistics.cells import refresh_now

    started = time.perf_counter()
    with reported_errors(as_json):
        run = refresh_now(session())
        session().commit()
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        echo_json({"cells": run.cells, "seconds": seconds, "state": run.state})
        return
    click.echo(f"统计表已更新：{run.cells} 个统计单元，用时 {seconds} 秒")
