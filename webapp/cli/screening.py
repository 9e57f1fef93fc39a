"""``joblink screen FILE`` (what screening decides for each record of a file, nothing ingested) and
``joblink screening check|load|export|set-wage`` (the screening rules as data)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.cli.common import EXIT_BAD_INPUT, EXIT_FAILED, echo_json, reported_errors, session
from webapp.cli.ingest import file_drafts, reasons_text

OUTCOME_LABELS = {"publish": "发布", "hold": "待审核", "reject": "驳回"}


@click.command("screen")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", "channel_code", default=None,
              help="judge as this channel (kind, trust, licence); default: a standard public agency")
@click.option("--max-mb", type=float, default=10.0, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def screen(path, channel_code, max_mb, as_json) -> None:
    """For each record of a file, in file order: row number, outcome (publish/hold/reject), reasons.
    Nothing is ingested."""
    from core.channels.services import get_channel
    from indexer.intake import screen_drafts

    with reported_errors(as_json, exit_code=EXIT_BAD_INPUT):
        channel = get_channel(session(), channel_code) if channel_code else None
        _fmt, drafts, _info = file_drafts(path, channel.code if channel else "", int(max_mb * 1024 * 1024))
    rows = screen_drafts(session(), drafts, channel)
    session().rollback()
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"第 {r['row']} 行 {OUTCOME_LABELS[r['outcome']]} {r.get('title') or ''} {reasons_text(r['reasons'])}")


def _valid_rules_or_exit(path: str | None) -> dict:
    """The rule file's data; its problems on stderr and exit 1 when it is not valid."""
    from indexer.screening import DEFAULT_RULES_PATH, read_rules_file, validate_rules

    data = read_rules_file(path or DEFAULT_RULES_PATH)
    problems = validate_rules(data)
    for p in problems:
        click.echo(p, err=True)
    if problems:
        sys.exit(EXIT_FAILED)
    return data


@click.group("screening")
def screening_group() -> None:
    """The screening rules (岗位审核规则) as data: check, load into the database, export."""


@screening_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def screening_check(path) -> None:
    """Validate a rule file (default: data/screening/rules.json) before loading it."""
    _valid_rules_or_exit(path)
    click.echo("规则文件有效")


@screening_group.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="overwrite rules an administrator changed")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def screening_load(path, replace, as_json) -> None:
    """Seed (or refresh) the database's rules from the rule file."""
    from core.screening.services import seed_rules
    from indexer.screening import clear_rules_cache

    data = _valid_rules_or_exit(path)
    counts = seed_rules(session(), data, replace=replace, by="cli")
    session().commit()
    clear_rules_cache()
    if as_json:
        echo_json(counts)
    else:
        click.echo(f"已载入：新增 {counts['added']} 条，更新 {counts['updated']} 条，共 {counts['rules']} 条规则")


@screening_group.command("export")
@with_appcontext
def screening_export() -> None:
    """Print the rule set in use (database if seeded, else the file) as JSON."""
    from indexer.screening import load_rules

    rules = load_rules(session(), refresh=True)
    echo_json(dict(rules.as_dict(), source=rules.source))


@screening_group.command("set-wage")
@click.argument("province_code")
@click.argument("monthly", type=float)
@click.option("--hourly", type=float, default=None, help="part-time hourly minimum (非全日制)")
@click.option("--effective", default=None, help="YYYY-MM-DD the standard took effect")
@click.option("--source", default=None, help="the notice that published it")
@with_appcontext
def screening_set_wage(province_code, monthly, hourly, effective, source) -> None:
    """Record a province's minimum wage (lowest tier) from its published notice."""
    import datetime as dt

    from core.screening.services import set_minimum_wage
    from indexer.screening import clear_rules_cache

    with reported_errors(False, also=(ValueError,)):
        eff = dt.date.fromisoformat(effective) if effective else None
        set_minimum_wage(session(), province_code, monthly, hourly, eff, source, verified=True)
    session().commit()
    clear_rules_cache()
    click.echo(f"已记录 {province_code} 月最低工资 {monthly:g} 元" + (f"，小时 {hourly:g} 元" if hourly else ""))
