"""``joblink ingest file|pull|retry|rejected|runs``: intake from the command line — a channel's file
or feed through the pipeline, the kept rejected records, recent runs. Each prints a summary people
can read, or JSON with ``--json``."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from webapp.cli.common import EXIT_BAD_INPUT, EXIT_FAILED, echo_json, fail, reported_errors, session


def sniff_format(path: Path) -> str:
    """spreadsheet | job51_raw | jobhunting | zhilian30 | partner (a JSON array / feed page)."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return _sniff_json_lines(path, gzip.open if name.endswith(".gz") else open)
    if name.endswith(".json"):
        return "partner"
    if name.endswith(".csv"):
        with open(path, "rb") as fh:
            head = fh.read(200)
        for enc in ("utf-8-sig", "gb18030"):
            try:
                if head.decode(enc, errors="strict").startswith("职位,薪资,公司,公司信息"):
                    return "job51_raw"
            except UnicodeDecodeError:
                continue
    return "spreadsheet"


def _sniff_json_lines(path: Path, opener) -> str:
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
        rec = json.loads(first)
    except (ValueError, OSError):
        return "jobhunting"
    if isinstance(rec, dict) and "jobId" in rec:
        return "zhilian30"
    if isinstance(rec, dict) and "platform" in rec:
        return "jobhunting"
    return "partner_lines"


def file_drafts(path: Path, channel_code: str, max_bytes: int):
    """(format, drafts iterator, extra info) for a file in any format a channel sends."""
    from core.tabular import TabularError
    from indexer.sources import job51_raw, jobhunting, partner, spreadsheet, zhilian

    fmt = sniff_format(path)
    size = path.stat().st_size
    if size > max_bytes and fmt in ("spreadsheet", "job51_raw", "partner"):
        raise TabularError("file_too_large",
                           f"文件大小 {size / 1048576:.1f} MB 超过上限 {max_bytes / 1048576:.1f} MB，未读取。", "file")
    if fmt == "spreadsheet":
        table, drafts = spreadsheet.read(path, channel_code, max_bytes=max_bytes)
        return spreadsheet.FORMAT, drafts, {"columns": table.mapping, "unknown_columns": table.unknown_headers,
                                            "encoding": table.encoding, "file_format": table.format}
    if fmt == "job51_raw":
        return job51_raw.FORMAT, job51_raw.read(path, channel_code), {}
    if fmt == "jobhunting":
        return jobhunting.FORMAT, jobhunting.read(jobhunting.open_lines(path), None, channel_code), {}
    if fmt == "zhilian30":
        return zhilian.FORMAT, zhilian.read(jobhunting.open_lines(path), channel_code), {}
    if fmt == "partner_lines":
        return partner.FORMAT, _partner_lines(path, channel_code), {}
    return partner.FORMAT, _partner_json(path, channel_code), {}


def _partner_lines(path: Path, channel_code: str):
    """Partner records one JSON object a line; a line that is not JSON becomes a rejected draft."""
    from indexer.sources import jobhunting, partner
    from indexer.sources.base import rejected_draft

    for n, line in enumerate(jobhunting.open_lines(path), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            yield rejected_draft(channel_code, n, "malformed_json", f"第 {n} 行不是有效的 JSON", raw_text=line)
            continue
        yield partner.record_to_draft(rec, channel_code, n)


def _partner_json(path: Path, channel_code: str):
    """A JSON file: an array of partner records, {"postings": [...]}, or a feed page {"items": [...]}."""
    from core.tabular import TabularError
    from indexer.sources import partner

    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TabularError("malformed_json", f"文件不是有效的 UTF-8 JSON：{exc.__class__.__name__}", "file") from None
    records = data.get("postings") or data.get("items") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise TabularError("malformed_json", "JSON 文件应为岗位数组，或含 postings/items 数组的对象", "file")
    return (partner.record_to_draft(r, channel_code, i) for i, r in enumerate(records, start=1))


class StopPoint:
    """Where a run stopped: the record numbers drawn, and how many records were done (the pipeline's
    progress after each batch), so a failure names the first record of the batch it stopped in."""

    def __init__(self):
        self.numbers: list[int | None] = []
        self.done = 0

    def noting(self, drafts):
        for d in drafts:
            self.numbers.append(d.record_number)
            yield d

    def progress(self, done: int, total: int | None = None, label: str = "") -> None:
        self.done = done

    def where(self) -> str:
        number = self.numbers[self.done] if self.done < len(self.numbers) else None
        return f"第 {number} 条起的一批记录处" if number is not None else "开始写入时"


def database_reason(exc: SQLAlchemyError) -> str:
    """The database's own reason in one line (its first: later lines may quote the row's values)."""
    orig = getattr(exc, "orig", None)
    first = (str(orig) if orig is not None else exc.__class__.__name__).strip().splitlines()
    return (first[0] if first else exc.__class__.__name__)[:200]


def database_failure(as_json: bool, exc: SQLAlchemyError, where: str) -> NoReturn:
    """End an intake command the database refused: its reason and where it stopped, nothing of the
    records (what earlier batches saved stays; a replay does not double it)."""
    session().rollback()
    fail(as_json, "database_error", f"数据库拒绝写入，在{where}停止：{database_reason(exc)}。"
         "此前的批次已保存；排除原因后重新运行即可（已导入的记录不会重复）。")


def reasons_text(reasons: list[dict]) -> str:
    """A record's screening or rejection reasons on one line: message[code]；…"""
    return "；".join(f"{x['message']}[{x['code']}]" for x in reasons)


def print_summary(d: dict) -> None:
    """What an ingest run did, then its held and rejected records (the first 200 of each)."""
    click.echo(
        f"收到 {d['received']} 条：新增发布 {d['accepted']}，待审核 {d['held']}，更新 {d['updated']}"
        f"（未变化 {d['unchanged']}），合并重复 {d['merged']}，未通过 {d['rejected']}"
        + (f"（其中批内编号重复 {d['duplicates_in_batch']}）" if d.get("duplicates_in_batch") else "")
    )
    if d.get("held_records"):
        click.echo("待审核：")
        for r in d["held_records"][:200]:
            click.echo(f"  第 {r['record']} 条（{r.get('external_id')}）：{reasons_text(r.get('reasons', []))}")
    if d.get("rejected_records"):
        click.echo("未通过（已保留，可用 joblink ingest retry 重新处理）：")
        for r in d["rejected_records"][:200]:
            click.echo(f"  第 {r['record']} 条：{reasons_text(r.get('reasons', []))}")


@click.group("ingest")
def ingest_group() -> None:
    """Intake: load a channel's file, pull a feed, retry rejected records."""


@ingest_group.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", "channel_code", required=True, help="channel code (joblink channel list)")
@click.option("--max-mb", type=float, default=10.0, show_default=True, help="size limit of a spreadsheet")
@click.option("--workers", default="1", show_default=True,
              help="processes for a large file: a number or 'auto' (one per CPU); beyond 1, worker processes normalise, screen and fingerprint the next batch while this one writes")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_file(path, channel_code, max_mb, workers, as_json) -> None:
    """Ingest a file: XLSX/CSV spreadsheet, JSON/JSONL records, or the real data formats."""
    from core.channels.services import get_channel
    from indexer.intake import IntakeOptions, Pipeline
    from indexer.intake.runs import sigterm_as_interrupt

    with reported_errors(as_json, exit_code=EXIT_BAD_INPUT):
        channel = get_channel(session(), channel_code)
        fmt, drafts, info = file_drafts(path, channel.code, int(max_mb * 1024 * 1024))
    stopped = StopPoint()
    pipe = Pipeline(session(), IntakeOptions(run_kind="file", source_name=path.name, format=fmt, keep_results=as_json,
                                             workers=workers if workers == "auto" else int(workers),
                                             progress=stopped.progress))
    try:
        with sigterm_as_interrupt():  # SIGTERM: the run is recorded interrupted, not left running
            d = pipe.ingest(stopped.noting(drafts), channel.code).as_dict(with_results=as_json)
    except SQLAlchemyError as exc:  # the reason and the row only: never the statement's values
        database_failure(as_json, exc, stopped.where())
    d["format"] = fmt
    d.update(info)
    if as_json:
        echo_json(d)
    else:
        print_summary(d)


@ingest_group.command("pull")
@click.argument("channel_code")
@click.option("--url", default=None, help="feed URL (remembered for the channel)")
@click.option("--page-size", type=int, default=100, show_default=True)
@click.option("--max-pages", type=int, default=None)
@click.option("--timeout", type=float, default=30.0, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_pull(channel_code, url, page_size, max_pages, timeout, as_json) -> None:
    """Pull a provincial-site or gig-platform feed from its cursor (resumes an interrupted pull)."""
    from indexer.intake.runs import sigterm_as_interrupt
    from indexer.sources.feeds import FeedError, pull_feed

    with reported_errors(as_json, exit_code=EXIT_BAD_INPUT, also=(FeedError,)):
        try:
            with sigterm_as_interrupt():
                res = pull_feed(session(), channel_code, url, page_size=page_size, max_pages=max_pages,
                                timeout=timeout)
        except SQLAlchemyError as exc:
            database_failure(as_json, exc, "拉取过程中")
    d = res.as_dict(with_results=as_json)
    if as_json:
        echo_json(d)
    else:
        click.echo(f"读取 {d['pages']} 页，{'已读完' if d['complete'] else '未读完'}；游标：{d['cursor']}")
        print_summary(d)
        if d.get("error"):
            click.echo(f"中断：{d['error']['message']}（下次拉取将从游标处继续）", err=True)
    if d.get("error"):
        sys.exit(EXIT_FAILED)


@ingest_group.command("retry")
@click.option("--channel", "channel_code", default=None)
@click.option("--id", "ids", type=int, multiple=True, help="only these rejected-record ids")
@click.option("--limit", type=int, default=None)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_retry(channel_code, ids, limit, as_json) -> None:
    """Run the kept rejected records through the pipeline again."""
    from indexer.intake import retry_rejected

    try:
        d = retry_rejected(session(), channel_code=channel_code, ids=list(ids) or None, limit=limit)
    except SQLAlchemyError as exc:
        database_failure(as_json, exc, "重新处理过程中")
    if as_json:
        echo_json(d)
    else:
        click.echo(f"重新处理 {d['retried']} 条：通过 {d['resolved']}，仍未通过 {d['still_rejected']}")
        print_summary(d)


@ingest_group.command("rejected")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_rejected(limit, as_json) -> None:
    """List open rejected records and counts by reason."""
    from core.ingest.services import open_rejected, rejected_counts

    recs = open_rejected(session(), limit=limit)
    data = {"counts": rejected_counts(session()), "records": [
        {"id": r.id, "channel_id": r.channel_id, "record": r.record_number, "external_id": r.external_id,
         "code": r.code, "message": r.message, "attempts": r.attempts} for r in recs]}
    if as_json:
        echo_json(data)
        return
    for code, n in sorted(data["counts"].items(), key=lambda x: -x[1]):
        click.echo(f"{code}: {n}")
    for r in data["records"]:
        click.echo(f"#{r['id']} 第 {r['record']} 条 [{r['code']}] {r['message']}")


@ingest_group.command("runs")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_runs(limit, as_json) -> None:
    """Recent ingest runs with their counts (runs that stopped moving marked 可能已中断)."""
    from core.ingest.services import runs_with_state

    runs = [s.as_dict() for s in runs_with_state(session(), limit)]
    if as_json:
        echo_json(runs)
        return
    for r in runs:
        echo_run(r)


def echo_run(r: dict) -> None:
    state = f"（{r['label']}）" if r["state"] == "stale" else ""
    click.echo(f"#{r['id']} {r['kind']} {r['status']}{state} {r['source'] or ''} 收到 {r['received']} "
               f"新增 {r['created']} 更新 {r['updated']} 待审 {r['held']} 合并 {r['merged']} 未通过 {r['rejected']}"
               + (f" 原因：{r['error']}" if r["error"] else ""))


@ingest_group.command("status")
@click.option("--stale-minutes", type=float, default=None,
              help="a running run with no committed batch for this long is reported stale (default 15)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def ingest_status(stale_minutes, as_json) -> None:
    """Runs still marked running: in progress, or stale (可能已中断) when they stopped moving; and the last run."""
    import datetime as dt

    from core.ingest.services import STALE_AFTER, runs_with_state

    after = STALE_AFTER if stale_minutes is None else dt.timedelta(minutes=stale_minutes)
    states = runs_with_state(session(), 1, stale_after=after)
    d = {"running": [s.as_dict() for s in states if s.state in ("running", "stale")],
         "stale": sum(s.state == "stale" for s in states), "last": states[0].as_dict() if states else None}
    if as_json:
        echo_json(d)
        return
    click.echo(f"进行中的导入 {len(d['running']) - d['stale']} 个，可能已中断 {d['stale']} 个"
               if d["running"] else "没有进行中的导入")
    for r in d["running"]:
        click.echo(f"  {r['label']}：#{r['id']} {r['kind']} {r['source'] or ''}，开始于 {r['started_at']:%Y-%m-%d %H:%M}，"
                   f"已保存 {r['received']} 条")
    if d["last"]:
        click.echo("最近一次：", nl=False)
        echo_run(d["last"])
