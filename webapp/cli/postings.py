"""``joblink postings expire``: the daily job that takes postings past their valid-until day off
(see docs/operations.md)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, session


@click.group("postings")
def postings_group() -> None:
    """Posting lifecycle jobs."""


@postings_group.command("expire")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def postings_expire(as_json) -> None:
    """Take published postings past their valid-until day off (status expired, outbox events)."""
    from core.validity.services import expire_postings

    ids = expire_postings(session())
    session().commit()
    if as_json:
        echo_json({"expired": len(ids), "posting_ids": ids[:1000]})
    else:
        click.echo(f"已下线过期岗位 {len(ids)} 条")
