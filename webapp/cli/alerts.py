"""``joblink alerts run`` / ``alerts deliver``: the job alerts and the SMS/e-mail outbox, one pass each
(the scheduler runs both every ten minutes; these are for cron or by hand)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .common import echo_json, session


@click.group("alerts")
def alerts_group() -> None:
    """Job alerts (saved searches) and the SMS/e-mail copies of notifications."""


@alerts_group.command("run")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def alerts_run(as_json) -> None:
    """Run the due alerts: new matching postings into the inbox (and texts into the outbox)."""
    from webapp.alerts.runner import run_due_alerts

    run = run_due_alerts(session(), current_app)
    if as_json:
        echo_json({"checked": run.checked, "notified": run.notified, "postings": run.postings, "texts": run.texts,
                   "problems": run.problems})
    else:
        click.echo(f"岗位订阅：检查 {run.checked} 个，{run.notified} 人收到新岗位 {run.postings} 条，短信 {run.texts} 条")


@alerts_group.command("deliver")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def alerts_deliver(as_json) -> None:
    """Send the SMS/e-mail outbox through the adapter NOTIFY_ADAPTER names."""
    from webapp.alerts.runner import deliver

    run = deliver(session(), current_app)
    if as_json:
        echo_json({"sent": run.sent, "retry_later": run.failed, "given_up": run.given_up})
    else:
        click.echo(f"短信/邮件：发出 {run.sent} 条，稍后重试 {run.failed} 条，放弃 {run.given_up} 条")
