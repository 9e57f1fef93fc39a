"""``joblink seekers import FILE``: a commissioner's roster of jobseekers, row by row."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, reported_errors, session


@click.group("seekers")
def seekers_group() -> None:
    """Jobseeker rosters."""


@seekers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--verified-by", type=int, default=None,
              help="user id of the commissioner attesting the groups (official list); default: pending")
@click.option("--consent", is_flag=True, help="the roster records the people's consent to recommendation")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def seekers_import(file, verified_by, consent, as_json) -> None:
    """Import a roster (XLSX/CSV, UTF-8 or GB18030) of jobseekers; report each row."""
    from core.seekers.roster import import_roster
    from webapp.auth.inputs import cipher

    with reported_errors(as_json):
        report = import_roster(session(), cipher(), file, verify_groups_by=verified_by,
                               consent_recommendation=consent)
        session().commit()
    _embed_people([r["id"] for r in report.created + report.updated])
    data = report.as_dict()
    if as_json:
        echo_json(data)
        return
    click.echo(f"共 {data['rows']} 行：新建 {data['created']}，已存在未改动 {data['existing']}，"
               f"已存在并记录同意智能推荐 {data['updated']}，未通过 {data['rejected']}"
               f"（{data['format']}{'，' + data['encoding'] if data['encoding'] else ''}）")
    for r in data["results"]:
        if r["status"] == "rejected":
            click.echo(f"  第 {r['row']} 行未通过：" + "；".join(e["message"] for e in r["errors"]))
        else:
            done = {"created": "新建", "updated": "已存在，已记录同意智能推荐："}.get(r["status"], "已存在，未改动：")
            click.echo(f"  第 {r['row']} 行：{done}求职者 {r['jobseeker_id']}")


def _embed_people(ids: list[int]) -> None:
    """The imported people's vectors, stored now (after the import's commit) so that their first
    recommendations only read; skipped when no matching model is there yet (``joblink matcher embed``
    fills them in later)."""
    from core.matching.services import embed_seekers
    from webapp.matching.runtime import optional_ranker

    ranker = optional_ranker()
    if ranker is not None and ids:
        embed_seekers(session(), ranker, ids)
