"""``joblink index work|rebuild|reconcile|status|retry-dead``: the outbox relay, zero-downtime
rebuild, drift repair and the backend's health."""
from __future__ import annotations

import json
import signal

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import sessionmaker

from webapp.cli.common import EXIT_FAILED, echo_json, session

COLLECTIONS = ("postings", "seekers", "fairs")


def _backend():
    backend = current_app.extensions.get("search")
    if backend is None:
        raise click.ClickException("没有配置搜索后端（SEARCH_BACKEND）")
    return backend


def _posting_embedder():
    """The relay stores the vectors of the postings it indexes (so 为我推荐 only reads), when a model is there."""
    from core.matching.services import embed_postings
    from webapp.matching.runtime import optional_ranker

    ranker = optional_ranker()
    return None if ranker is None else (lambda session, ids: embed_postings(session, ranker, ids))


def _posting_vectors():
    """The postings' vectors for their search documents (semantic search), when a model is there."""
    from indexer.search.semantic import posting_vectors
    from webapp.matching.runtime import optional_ranker

    ranker = optional_ranker()
    return None if ranker is None else posting_vectors(ranker)


def _collections(choice: str) -> tuple[str, ...]:
    return COLLECTIONS if choice == "all" else (choice,)


def build_or_reconcile_index(skip_model: bool = False) -> None:
    """``joblink setup``: build the index when it is empty (first run), else reconcile it."""
    from indexer.worker import rebuild, reconcile

    backend = _backend()
    vectors = _posting_vectors()
    for name in COLLECTIONS:
        if not backend.versions(name):
            n = rebuild(session(), backend, name, vectors=vectors)
            click.echo(f"  {name}: 已建立索引，{n} 条", err=True)
        else:
            r = reconcile(session(), backend, name, vectors=vectors)
            click.echo(f"  {name}: 已核对（补 {len(r.missing)}，删 {len(r.orphans)}，更新 {len(r.stale)}）", err=True)


@click.group("index")
def index_group() -> None:
    """Search index: relay the outbox, rebuild, reconcile."""


@index_group.command("work")
@click.option("--once", is_flag=True, help="drain what is due, then exit")
@click.option("--batch", "batch_size", default=200, show_default=True, type=int)
@click.option("--poll", default=0.5, show_default=True, type=float, help="seconds between polls when idle")
@click.option("--max-attempts", default=8, show_default=True, type=int, help="attempts before dead-lettering")
@click.option("--claim-timeout", default=300.0, show_default=True, type=float,
              help="seconds after which events claimed by a relay that died are taken over")
@with_appcontext
def work(once, batch_size, poll, max_attempts, claim_timeout) -> None:
    """Relay outbox events to the search backend (safe to run several at once)."""
    from indexer.worker import Relay
    from webapp.extensions import db

    relay = Relay(_backend(), batch_size=batch_size, max_attempts=max_attempts, embed=_posting_embedder(),
                  claim_timeout=claim_timeout, vectors=_posting_vectors())
    if once:
        stats = relay.drain(session())
        click.echo(f"已处理 {stats.claimed} 条事件：完成 {stats.done}，稍后重试 {stats.retried}，转入死信 {stats.dead}")
        for err in stats.errors[:10]:
            click.echo(f"  错误：{err}", err=True)
        return
    stop = {"flag": False}

    def _stop(*_):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"索引同步进程运行中（{_backend().name}），Ctrl+C 停止", err=True)
    # the long-running relay opens sessions of its own, one per batch
    sessions = sessionmaker(bind=db.engine, expire_on_commit=False)
    relay.run_forever(sessions, poll_interval=poll, should_stop=lambda: stop["flag"])


@index_group.command("rebuild")
@click.option("--collection", type=click.Choice(COLLECTIONS + ("all",)), default="all", show_default=True)
@with_appcontext
def rebuild_cmd(collection) -> None:
    """Build a fresh index from the database beside the live one, then swap (no downtime)."""
    from indexer.worker import rebuild

    for name in _collections(collection):
        n = rebuild(session(), _backend(), name, vectors=_posting_vectors())
        click.echo(f"{name}: 已重建，{n} 条文档")


@index_group.command("reconcile")
@click.option("--collection", type=click.Choice(COLLECTIONS + ("all",)), default="all", show_default=True)
@click.option("--dry-run", is_flag=True, help="only report the differences")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def reconcile_cmd(collection, dry_run, as_json) -> None:
    """Find and fix drift: postings missing from the index, orphans, stale versions."""
    from indexer.worker import reconcile

    vectors = _posting_vectors()
    reports = [reconcile(session(), _backend(), name, fix=not dry_run, vectors=vectors)
               for name in _collections(collection)]
    if as_json:
        echo_json([{"collection": r.collection, "missing": r.missing, "orphans": r.orphans,
                    "stale": r.stale, "failed": r.failed, "fixed": not dry_run} for r in reports])
        return
    for r in reports:
        _print_reconcile_report(r, "发现" if dry_run else "已修复")


def _print_reconcile_report(r, verb: str) -> None:
    if r.clean:
        click.echo(f"{r.collection}: 索引与数据库一致")
        return
    click.echo(f"{r.collection}: {verb} 缺失 {len(r.missing)} 条，多余 {len(r.orphans)} 条，版本过期 {len(r.stale)} 条")
    for label, ids in (("缺失", r.missing), ("多余", r.orphans), ("过期", r.stale)):
        if ids:
            more = f" 等 {len(ids)} 条" if len(ids) > 20 else ""
            click.echo(f"  {label}：{', '.join(map(str, ids[:20]))}{more}")
    if r.failed:
        click.echo(f"  失败 {len(r.failed)} 条：{next(iter(r.failed.items()))}", err=True)


@index_group.command("status")
@with_appcontext
def status_cmd() -> None:
    """Backend health, document counts and the outbox queue; exits 1 when the backend is unhealthy
    (docker-compose uses it as the worker's health check)."""
    from indexer.worker import outbox_counts

    h = _backend().health()
    click.echo(f"后端：{h.backend}（{'正常' if h.ok else '异常'}）{h.detail}")
    for name, n in h.counts.items():
        click.echo(f"  {name}: {n} 条")
    click.echo("事件队列：" + json.dumps(outbox_counts(session()), ensure_ascii=False))
    if not h.ok:
        raise SystemExit(EXIT_FAILED)


@index_group.command("retry-dead")
@with_appcontext
def retry_dead_cmd() -> None:
    """Re-queue dead-lettered events once their cause is fixed."""
    from indexer.worker import retry_dead

    click.echo(f"已重新排队 {retry_dead(session())} 条")
