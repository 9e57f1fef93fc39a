"""Commands for reviewers and administrators who need to see what the normaliser and the screening
rules make of a text: ``joblink normalise pay|region|occupation TEXT`` and ``joblink screening
check|load|export|set-wage`` (the rule set as data: validate a file, seed the database, export it)."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _db():
    from webapp.extensions import db

    return db


def _regions():
    from core.reference.services import region_directory

    try:
        return region_directory(_db().session)
    except Exception:  # no database configured: the shipped files
        return region_directory()


def register(cli) -> None:
    @cli.group("normalise")
    def normalise_group() -> None:
        """Show what the normaliser makes of one text (pay, region, occupation)."""

    @normalise_group.command("pay")
    @click.argument("text")
    @click.option("--unit", type=click.Choice(["month", "day", "hour"]), default=None,
                  help="the channel's unit when the text names none")
    @click.option("--json", "as_json", is_flag=True)
    def normalise_pay(text, unit, as_json) -> None:
        """薪资文本 -> 最低/最高、单位、折合月薪。"""
        from indexer.normalise import parse_pay

        r = parse_pay(text, context_unit=unit)
        if as_json:
            _echo_json(r.as_dict())
            return
        if r.unparsable:
            click.echo(f"无法识别：“{text}”（原文保留，需人工核对）")
        elif r.negotiable and r.min is None and r.max is None:
            click.echo("面议（未写明金额）")
        else:
            unit_cn = {"month": "月", "day": "天", "hour": "小时"}[r.unit]
            click.echo(f"{r.min or '—'} - {r.max or '—'} 元/{unit_cn}；折合月薪 {r.monthly_min or '—'} - "
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
        from indexer.normalise import resolve_region

        r = resolve_region(text, context_region, address, _regions())
        if as_json:
            _echo_json(r.as_dict())
        elif r.status == "resolved":
            click.echo(f"{r.code} {r.name}（{r.lat}, {r.lon}）")
        elif r.status == "ambiguous":
            click.echo(f"有歧义：“{text}”可能是 " + "、".join(f"{c} {n}" for c, n in zip(r.candidates, r.candidate_names)))
        else:
            click.echo(f"无法识别：“{text}”")
        if r.status != "resolved":
            sys.exit(1)

    @normalise_group.command("occupation")
    @click.argument("text")
    @click.option("--description", default="", help="the posting's description, used when the title is unclear")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def normalise_occupation(text, description, as_json) -> None:
        """岗位名称 -> 职业分类代码、置信度与候选。"""
        from core.reference.services import occupation_directory
        from indexer.normalise import default_classifier

        try:
            occ = occupation_directory(_db().session)
        except Exception:
            occ = occupation_directory()
        r = default_classifier(occ).classify(text, description)
        if as_json:
            d = r.as_dict()
            d["suggestions"] = [dict(s, name=(occ.get(s["code"]).name if occ.get(s["code"]) else None))
                                for s in d["suggestions"]]
            _echo_json(d)
            return
        flag = "（把握不足，需人工复核）" if r.needs_review else ""
        click.echo(f"{r.code or '—'} {r.name or ''}  置信度 {r.confidence:.2f}{flag}")
        for code, score in r.suggestions:
            o = occ.get(code)
            click.echo(f"  候选 {code} {o.name if o else ''} {score:.2f}")

    @cli.group("screening")
    def screening_group() -> None:
        """The screening rules (岗位审核规则) as data: check, load into the database, export."""

    @screening_group.command("check")
    @click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
    def screening_check(path) -> None:
        """Validate a rule file (default: data/screening/rules.json) before loading it."""
        from indexer.screening import DEFAULT_RULES_PATH, read_rules_file, validate_rules

        problems = validate_rules(read_rules_file(path or DEFAULT_RULES_PATH))
        for p in problems:
            click.echo(p, err=True)
        if problems:
            sys.exit(1)
        click.echo("规则文件有效")

    @screening_group.command("load")
    @click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
    @click.option("--replace", is_flag=True, help="overwrite rules an administrator changed")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def screening_load(path, replace, as_json) -> None:
        """Seed (or refresh) the database's rules from the rule file."""
        from core.screening.services import seed_rules
        from indexer.screening import DEFAULT_RULES_PATH, clear_rules_cache, read_rules_file, validate_rules

        data = read_rules_file(path or DEFAULT_RULES_PATH)
        problems = validate_rules(data)
        if problems:
            for p in problems:
                click.echo(p, err=True)
            sys.exit(1)
        db = _db()
        counts = seed_rules(db.session, data, replace=replace, by="cli")
        db.session.commit()
        clear_rules_cache()
        _echo_json(counts) if as_json else click.echo(
            f"已载入：新增 {counts['added']} 条，更新 {counts['updated']} 条，共 {counts['rules']} 条规则")

    @screening_group.command("export")
    @with_appcontext
    def screening_export() -> None:
        """Print the rule set in use (database if seeded, else the file) as JSON."""
        from indexer.screening import load_rules

        rules = load_rules(_db().session, refresh=True)
        _echo_json(dict(rules.as_dict(), source=rules.source))

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

        from core.errors import DomainError
        from core.screening.services import set_minimum_wage
        from indexer.screening import clear_rules_cache

        db = _db()
        try:
            eff = dt.date.fromisoformat(effective) if effective else None
            set_minimum_wage(db.session, province_code, monthly, hourly, eff, source, verified=True)
        except (DomainError, ValueError) as exc:
            click.echo(getattr(exc, "message", str(exc)), err=True)
            sys.exit(1)
        db.session.commit()
        clear_rules_cache()
        click.echo(f"已记录 {province_code} 月最低工资 {monthly:g} 元" + (f"，小时 {hourly:g} 元" if hourly else ""))
