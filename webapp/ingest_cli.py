"""``joblink ingest`` (file, pull, retry, runs, rejected), ``joblink screen`` and ``joblink channel``:
the command-line side of intake. Each prints a summary people can read, or JSON with ``--json``."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


def _db():
    from webapp.extensions import db

    return db


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _fail(as_json: bool, code: str, message: str, field: str | None = None) -> None:
    if as_json:
        err = {"code": code, "message": message}
        if field:
            err["field"] = field
        _echo_json({"error": err})
        sys.exit(2)
    raise click.ClickException(message)


def sniff_format(path: Path) -> str:
    """spreadsheet | job51_raw | jobhunting | zhilian30 | partner (a JSON array / feed page)."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        opener = gzip.open if name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
                first = fh.readline()
            rec = json.loads(first)
        except (ValueError, OSError):
            return "jobhunting"
        if isinstance(rec, dict) and "jobId" in rec:
            return "zhilian30"
        if isinstance(rec, dict) and "platform" in rec:
            return "jobhunting"
        return "partner_lines"
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


def file_drafts(path: Path, channel_code: str, max_bytes: int):
    """(format, drafts iterator, extra info) for a file in any format a channel sends."""
    from core.tabular import TabularError
    from indexer.sources import job51_raw, jobhunting, partner, spreadsheet, zhilian
    from indexer.sources.base import rejected_draft

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
        def lines():
            for n, line in enumerate(jobhunting.open_lines(path), start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    yield rejected_draft(channel_code, n, "malformed_json", f"第 {n} 行不是有效的 JSON", raw_text=line)
                    continue
                yield partner.record_to_draft(rec, channel_code, n)
        return partner.FORMAT, lines(), {}
    # a JSON file: an array of partner records, {"postings": [...]}, or a feed page {"items": [...]}
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TabularError("malformed_json", f"文件不是有效的 UTF-8 JSON：{exc.__class__.__name__}", "file") from None
    records = data.get("postings") or data.get("items") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise TabularError("malformed_json", "JSON 文件应为岗位数组，或含 postings/items 数组的对象", "file")
    return partner.FORMAT, (partner.record_to_draft(r, channel_code, i) for i, r in enumerate(records, start=1)), {}


def _print_summary(d: dict) -> None:
    click.echo(
        f"收到 {d['received']} 条：新增发布 {d['accepted']}，待审核 {d['held']}，更新 {d['updated']}"
        f"（未变化 {d['unchanged']}），合并重复 {d['merged']}，未通过 {d['rejected']}"
        + (f"（其中批内编号重复 {d['duplicates_in_batch']}）" if d.get("duplicates_in_batch") else "")
    )
    if d.get("held_records"):
        click.echo("待审核：")
        for r in d["held_records"][:200]:
            reasons = "；".join(f"{x['message']}[{x['code']}]" for x in r.get("reasons", []))
            click.echo(f"  第 {r['record']} 条（{r.get('external_id')}）：{reasons}")
    if d.get("rejected_records"):
        click.echo("未通过（已保留，可用 joblink ingest retry 重新处理）：")
        for r in d["rejected_records"][:200]:
            reasons = "；".join(f"{x['message']}[{x['code']}]" for x in r.get("reasons", []))
            click.echo(f"  第 {r['record']} 条：{reasons}")


def register(cli: click.Group) -> None:
    @cli.group("ingest")
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
        from core.errors import DomainError
        from core.channels.services import get_channel
        from indexer.pipeline import Pipeline

        db = _db()
        try:
            channel = get_channel(db.session, channel_code)
            fmt, drafts, info = file_drafts(path, channel.code, int(max_mb * 1024 * 1024))
        except DomainError as exc:
            _fail(as_json, exc.code, exc.message, exc.field)
            return
        pipe = Pipeline(db.session, run_kind="file", source_name=path.name, format=fmt,
                        keep_results=as_json, workers=workers if workers == "auto" else int(workers))
        d = pipe.ingest(drafts, channel.code).as_dict(with_results=as_json)
        d["format"] = fmt
        d.update(info)
        if as_json:
            _echo_json(d)
        else:
            _print_summary(d)

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
        from core.errors import DomainError
        from indexer.sources.feeds import FeedError, pull_feed

        db = _db()
        try:
            res = pull_feed(db.session, channel_code, url, page_size=page_size, max_pages=max_pages, timeout=timeout)
        except (DomainError, FeedError) as exc:
            _fail(as_json, exc.code, exc.message)
            return
        d = res.as_dict(with_results=as_json)
        if as_json:
            _echo_json(d)
        else:
            click.echo(f"读取 {d['pages']} 页，{'已读完' if d['complete'] else '未读完'}；游标：{d['cursor']}")
            _print_summary(d)
            if d.get("error"):
                click.echo(f"中断：{d['error']['message']}（下次拉取将从游标处继续）", err=True)
        if d.get("error"):
            sys.exit(1)

    @ingest_group.command("retry")
    @click.option("--channel", "channel_code", default=None)
    @click.option("--id", "ids", type=int, multiple=True, help="only these rejected-record ids")
    @click.option("--limit", type=int, default=None)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def ingest_retry(channel_code, ids, limit, as_json) -> None:
        """Run the kept rejected records through the pipeline again."""
        from indexer.pipeline import retry_rejected

        d = retry_rejected(_db().session, channel_code=channel_code, ids=list(ids) or None, limit=limit)
        if as_json:
            _echo_json(d)
        else:
            click.echo(f"重新处理 {d['retried']} 条：通过 {d['resolved']}，仍未通过 {d['still_rejected']}")
            _print_summary(d)

    @ingest_group.command("rejected")
    @click.option("--limit", type=int, default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def ingest_rejected(limit, as_json) -> None:
        """List open rejected records and counts by reason."""
        from core.ingest.services import open_rejected, rejected_counts

        db = _db()
        recs = open_rejected(db.session, limit=limit)
        data = {"counts": rejected_counts(db.session), "records": [
            {"id": r.id, "channel_id": r.channel_id, "record": r.record_number, "external_id": r.external_id,
             "code": r.code, "message": r.message, "attempts": r.attempts} for r in recs]}
        if as_json:
            _echo_json(data)
        else:
            for code, n in sorted(data["counts"].items(), key=lambda x: -x[1]):
                click.echo(f"{code}: {n}")
            for r in data["records"]:
                click.echo(f"#{r['id']} 第 {r['record']} 条 [{r['code']}] {r['message']}")

    @ingest_group.command("runs")
    @click.option("--limit", type=int, default=20, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def ingest_runs(limit, as_json) -> None:
        """Recent ingest runs with their counts."""
        from core.ingest.services import recent_runs

        runs = [{"id": r.id, "kind": r.kind, "source": r.source_name, "status": r.status, "started_at": r.started_at,
                 "received": r.received, "created": r.created, "updated": r.updated, "held": r.held,
                 "merged": r.merged, "rejected": r.rejected, "error": r.error} for r in recent_runs(_db().session, limit)]
        if as_json:
            _echo_json(runs)
        else:
            for r in runs:
                click.echo(f"#{r['id']} {r['kind']} {r['status']} {r['source'] or ''} 收到 {r['received']} "
                           f"新增 {r['created']} 更新 {r['updated']} 待审 {r['held']} 合并 {r['merged']} 未通过 {r['rejected']}")

    @cli.command("screen")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--channel", "channel_code", default=None,
                  help="judge as this channel (kind, trust, licence); default: a standard public agency")
    @click.option("--max-mb", type=float, default=10.0, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def screen_file(path, channel_code, max_mb, as_json) -> None:
        """For each record of a file, in file order: row number, outcome (publish/hold/reject), reasons.
        Nothing is ingested."""
        from core.errors import DomainError
        from indexer.pipeline import screen_drafts

        db = _db()
        try:
            channel = None
            if channel_code:
                from core.channels.services import get_channel

                channel = get_channel(db.session, channel_code)
            _fmt, drafts, _info = file_drafts(path, channel.code if channel else "", int(max_mb * 1024 * 1024))
        except DomainError as exc:
            _fail(as_json, exc.code, exc.message, exc.field)
            return
        rows = screen_drafts(db.session, drafts, channel)
        db.session.rollback()
        if as_json:
            _echo_json(rows)
        else:
            labels = {"publish": "发布", "hold": "待审核", "reject": "驳回"}
            for r in rows:
                reasons = "；".join(f"{x['message']}[{x['code']}]" for x in r["reasons"])
                click.echo(f"第 {r['row']} 行 {labels[r['outcome']]} {r.get('title') or ''} {reasons}")

    @cli.group("channel")
    def channel_group() -> None:
        """Channels ("1+1+N") and their partner API keys."""

    @channel_group.command("create")
    @click.argument("code")
    @click.option("--name", required=True)
    @click.option("--kind", required=True, help="provincial_site, gig_platform, public_agency, hr_market, hr_firm, "
                                                 "training_institution, enterprise_direct, major_project")
    @click.option("--region", "region_code", default=None)
    @click.option("--trust", "trust_level", default="standard", show_default=True)
    @click.option("--licence", "licence_number", default=None, help="HR service licence number (HR firms)")
    @click.option("--feed-url", default=None, help="feed URL for provincial_site / gig_platform")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def channel_create(code, name, kind, region_code, trust_level, licence_number, feed_url, as_json) -> None:
        from core.errors import DomainError
        from core.channels.services import create_channel
        from core.ingest.services import get_cursor

        db = _db()
        try:
            ch = create_channel(db.session, code, name, kind, region_code=region_code, trust_level=trust_level,
                                licence_number=licence_number)
            if feed_url:
                get_cursor(db.session, ch).feed_url = feed_url
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _fail(as_json, exc.code, exc.message, exc.field)
            return
        if as_json:
            _echo_json({"id": ch.id, "code": ch.code, "kind": str(ch.kind)})
        else:
            click.echo(f"已创建渠道 {ch.code}（{ch.name}）")

    @channel_group.command("list")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def channel_list(as_json) -> None:
        from core.channels.services import list_channels

        rows = [{"code": c.code, "name": c.name, "kind": str(c.kind), "trust_level": str(c.trust_level),
                 "region_code": c.region_code, "licence_number": c.licence_number, "active": c.active,
                 "is_demo": c.is_demo, "api_key_prefix": c.api_key_prefix} for c in list_channels(_db().session)]
        if as_json:
            _echo_json(rows)
        else:
            for r in rows:
                click.echo(f"{r['code']:24} {r['kind']:20} {r['trust_level']:9} {r['name']}")

    @channel_group.command("key")
    @click.argument("code")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def channel_key(code, as_json) -> None:
        """Issue a new partner API key for the channel (replaces the old one; shown only once)."""
        from core.errors import DomainError
        from core.channels.services import get_channel, issue_api_key

        db = _db()
        try:
            ch = get_channel(db.session, code)
        except DomainError as exc:
            _fail(as_json, exc.code, exc.message)
            return
        key = issue_api_key(db.session, ch)
        db.session.commit()
        if as_json:
            _echo_json({"channel": ch.code, "api_key": key})
        else:
            click.echo(f"渠道 {ch.code} 的新 API 密钥（只显示这一次，请妥善保存）：\n{key}")
