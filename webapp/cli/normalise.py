"""``joblink normalise pay|region|occupation TEXT``: what the normaliser makes of one text, for
reviewers and administrators checking a posting."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from webapp.cli.common import EXIT_FAILED, echo_json, session


def _directory(load):
    """A reference directory from the database, or the shipped files when no database is configured."""
    try:
        return load(session())
    except Exception:  # no database configured: the shipped files
        return load()


@click.group("normalise")
def normalise_group() -> None:
    """Show what the normaliser makes of one text (pay, region, occupation)."""


@normalise_group.command("pay")
@click.argument("text")
@click.option("--unit", type=click.Choice(["month", "day", "hour", "piece"]), default=None,
              help="the channel's unit when the text names none")
@click.option("--json", "as_json", is_flag=True)
def normalise_pay(text, unit, as_json) -> None:
    """薪资文本 -> 最低/最高、单位、折合月薪。"""
    from indexer.normalise import parse_pay

    r = parse_pay(text, context_unit=unit)
    if as_json:
        echo_json(r.as_dict())
        return
    if r.unparsable:
        click.echo(f"无法识别：“{text}”（原文保留，需人工核对）")
    elif r.negotiable and r.min is None and r.max is None:
        click.echo("面议（未写明金额）")
    else:
        unit_cn = {"month": "月", "day": "天", "hour": "小时", "piece": "件"}[r.unit]
        monthly = "写明的月收入" if r.unit == "piece" else "折合月薪"   # piece: never converted
        click.echo(f"{r.min or '—'} - {r.max or '—'} 元/{unit_cn}；{monthly} {r.monthly_min or '—'} - "
                   f"{r.monthly_max or '—'} 元" + (f"；{r.months}薪" if r.months else "")
                   + ("（单位为推断）" if r.unit_inferred else ""))


@normalise_group.command("region")
@click.argument("text")
@click.option("--context-region", default=None, help="the channel's region code, for namesakes (鼓楼区)")
@click.option("--address", default=None, help="the enterprise's address, for namesakes")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def normalise_region(text, context_region, address, as_json) -> None:
    """地区文本 -> 行政区划代码（或“有歧义/无法识别”及候选）。"""
    from core.reference.services import region_directory
    from indexer.normalise import resolve_region

    r = resolve_region(text, context_region, address, _directory(region_directory))
    if as_json:
        echo_json(r.as_dict())
    elif r.status == "resolved":
        click.echo(f"{r.code} {r.name}（{r.lat}, {r.lon}）")
    elif r.status == "ambiguous":
        click.echo(f"有歧义：“{text}”可能是 " + "、".join(f"{c} {n}" for c, n in zip(r.candidates, r.candidate_names)))
    else:
        click.echo(f"无法识别：“{text}”")
    if r.status != "resolved":
        sys.exit(EXIT_FAILED)


@normalise_group.command("occupation")
@click.argument("text")
@click.option("--description", default="", help="the posting's description, used when the title is unclear")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def normalise_occupation(text, description, as_json) -> None:
    """岗位名称 -> 职业分类代码、置信度与候选。"""
    from core.reference.services import occupation_directory
    from indexer.normalise import default_classifier

    occ = _directory(occupation_directory)
    r = default_classifier(occ).classify(text, description)
    if as_json:
        d = r.as_dict()
        d["suggestions"] = [dict(s, name=(occ.get(s["code"]).name if occ.get(s["code"]) else None))
                            for s in d["suggestions"]]
        echo_json(d)
        return
    flag = "（把握不足，需人工复核）" if r.needs_review else ""
    click.echo(f"{r.code or '—'} {r.name or ''}  置信度 {r.confidence:.2f}{flag}")
    for code, score in r.suggestions:
        o = occ.get(code)
        click.echo(f"  候选 {code} {o.name if o else ''} {score:.2f}")
