"""Scheduled jobs of the review and validity area: ``joblink validity sample|report`` and
``joblink postings expire`` (see docs/operations.md for running them from cron or the worker)."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


def _db():
    from webapp.extensions import db

    return db


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _group(cli, name: str, help_text: str) -> click.Group:
    """Reuse a group another area already registered under ``name`` (e.g. ``postings``)."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing

    @cli.group(name, help=help_text)
    def group() -> None:
        pass

    return group


def register(cli) -> None:
    validity = _group(cli, "validity", "Posting validity spot-checks (岗位信息有效率抽查).")
    postings = _group(cli, "postings", "Posting lifecycle jobs.")

    @validity.command("sample")
    @click.option("--month", default=None, help="YYYY-MM (default: the current month)")
    @click.option("--per-channel", type=int, default=None, help="postings drawn per channel (default 20)")
    @click.option("--seed", type=int, default=None, help="random seed, to reproduce a draw")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def validity_sample(month, per_channel, seed, as_json) -> None:
        """Draw the month's stratified sample of live postings and create call-back tasks (once a month)."""
        from core.errors import DomainError
        from core.validity.services import DEFAULT_PER_CHANNEL, draw_monthly_sample

        db = _db()
        try:
            result = draw_monthly_sample(db.session, month, per_channel or DEFAULT_PER_CHANNEL, seed=seed)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        run = result.run
        data = {"month": run.month, "created": result.created, "per_channel": run.per_channel, "seed": run.seed,
                "tasks": result.tasks, "unassigned": result.unassigned,
                "population": run.population, "sampled": run.sampled}
        if as_json:
            _echo_json(data)
            return
        if not result.created:
            click.echo(f"{run.month} 已抽查过（{result.tasks} 个回访任务），未重复抽取")
            return
        click.echo(f"{run.month} 抽查：{result.tasks} 个回访任务（每渠道最多 {run.per_channel} 条，随机种子 {run.seed}）")
        for key, n in sorted(run.population.items()):
            click.echo(f"  渠道 {key}: 在架 {n}，抽取 {run.sampled.get(key, 0)}")
        if result.unassigned:
            click.echo(f"  其中 {result.unassigned} 个任务所在地区没有服务专员，待分配", err=True)

    @validity.command("report")
    @click.option("--month", default=None, help="YYYY-MM (default: the latest run)")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def validity_report(month, as_json) -> None:
        """Validity rate per channel and overall."""
        from core.errors import DomainError
        from core.validity.services import validity_report as report_of

        try:
            report = report_of(_db().session, month)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        if as_json:
            _echo_json(report.as_dict())
            return
        if report.month is None:
            click.echo("尚未进行有效率抽查")
            return

        def pct(rate):
            return "—" if rate is None else f"{rate * 100:.1f}%"

        click.echo(f"{report.month} 岗位有效率")
        for s in report.channels + [report.overall]:
            click.echo(f"  {s.channel_name}: 抽取 {s.sampled}，已回访 {s.checked}，仍在招 {s.valid}，"
                       f"待回访 {s.pending}，有效率 {pct(s.rate)}")
        click.echo(f"  按在架岗位加权估计：{pct(report.weighted_rate)}")

    @postings.command("expire")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def postings_expire(as_json) -> None:
        """Take published postings past their valid-until day off (status expired, outbox events)."""
        from core.validity.services import expire_postings

        db = _db()
        ids = expire_postings(db.session)
        db.session.commit()
        if as_json:
            _echo_json({"expired": len(ids), "posting_ids": ids[:1000]})
        else:
            click.echo(f"已下线过期岗位 {len(ids)} 条")
