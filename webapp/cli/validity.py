"""``joblink validity sample|report``: the monthly validity spot-check (岗位信息有效率抽查), a
scheduled job (see docs/operations.md)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, reported_errors, session


@click.group("validity")
def validity_group() -> None:
    """Posting validity spot-checks (岗位信息有效率抽查)."""


@validity_group.command("sample")
@click.option("--month", default=None, help="YYYY-MM (default: the current month)")
@click.option("--per-channel", type=int, default=None, help="postings drawn per channel (default 20)")
@click.option("--seed", type=int, default=None, help="random seed, to reproduce a draw")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def validity_sample(month, per_channel, seed, as_json) -> None:
    """Draw the month's stratified sample of live postings and create call-back tasks (once a month)."""
    from core.validity.services import DEFAULT_PER_CHANNEL, draw_monthly_sample

    with reported_errors(as_json):
        result = draw_monthly_sample(session(), month, per_channel or DEFAULT_PER_CHANNEL, seed=seed)
        session().commit()
    run = result.run
    if as_json:
        echo_json({"month": run.month, "created": result.created, "per_channel": run.per_channel, "seed": run.seed,
                   "tasks": result.tasks, "unassigned": result.unassigned,
                   "population": run.population, "sampled": run.sampled})
        return
    if not result.created:
        click.echo(f"{run.month} 已抽查过（{result.tasks} 个回访任务），未重复抽取")
        return
    click.echo(f"{run.month} 抽查：{result.tasks} 个回访任务（每渠道最多 {run.per_channel} 条，随机种子 {run.seed}）")
    for key, n in sorted(run.population.items()):
        click.echo(f"  渠道 {key}: 在架 {n}，抽取 {run.sampled.get(key, 0)}")
    if result.unassigned:
        click.echo(f"  其中 {result.unassigned} 个任务所在地区没有服务专员，待分配", err=True)


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@validity_group.command("report")
@click.option("--month", default=None, help="YYYY-MM (default: the latest run)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def validity_report(month, as_json) -> None:
    """Validity rate per channel and overall."""
    from core.validity.services import validity_report as report_of

    with reported_errors(as_json):
        report = report_of(session(), month)
    if as_json:
        echo_json(report.as_dict())
        return
    if report.month is None:
        click.echo("尚未进行有效率抽查")
        return
    click.echo(f"{report.month} 岗位有效率")
    for s in report.channels + [report.overall]:
        click.echo(f"  {s.channel_name}: 抽取 {s.sampled}，已回访 {s.checked}，仍在招 {s.valid}，"
                   f"待回访 {s.pending}，有效率 {_percent(s.rate)}")
    click.echo(f"  按在架岗位加权估计：{_percent(report.weighted_rate)}")
