"""``joblink matcher train|embed|info``: the in-domain encoder — train it, (re-)embed what the
current model has not, show what is configured."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, fail, session


def train_model(output, limit=None, epochs=None, demo=False, log=None, as_json=False):
    """Train the in-domain model on the published and held postings in the database (demo settings: small and
    quick)."""
    from core.matching.corpus import training_occupations, training_postings
    from matching.training import train_on_postings

    if demo:
        kwargs = dict(epochs=epochs or 3, dim=128, vocab_size=12000, batch_size=512, time_budget_s=150)
    else:
        kwargs = dict(epochs=epochs or 2)
    postings = list(training_postings(session(), limit=limit))
    if not postings:
        fail(as_json, "no_postings", "还没有岗位，无法训练匹配模型：请先导入岗位（或加载演示数据）")
    source = f"{len(postings)} published or held postings in the JobLink database"
    return train_on_postings(postings, training_occupations(session()), output, source=source,
                             log=log or (lambda m: click.echo(m, err=True)), **kwargs)


def train_demo_model(skip_model: bool = False) -> None:
    """``joblink setup``: train the demo model once, if none is there."""
    from webapp.matching.runtime import model_path

    path = Path(model_path())
    if skip_model or (path / "modules.json").exists():
        click.echo(f"  匹配模型：{'跳过' if skip_model else '已存在 ' + str(path)}", err=True)
        return
    result = train_model(path, demo=True)
    click.echo(f"  匹配模型 {result.model_version} 已训练（{result.seconds} 秒）：{path}", err=True)


def ranker_or_fail(as_json: bool):
    """The configured model's ranker; a clear failure when no model is there yet."""
    from matching.encoder import ModelNotFound
    from webapp.matching.runtime import get_ranker

    try:
        return get_ranker()
    except ModelNotFound as exc:
        fail(as_json, "model_not_found", str(exc))


@click.group("matcher")
def matcher_group() -> None:
    """The in-domain encoder: train it, (re-)embed, show what is configured."""


@matcher_group.command("train")
@click.option("--output", default=None, help="model folder (default: MATCHER_MODEL)")
@click.option("--limit", type=int, default=None, help="at most this many postings (oldest first)")
@click.option("--epochs", type=int, default=None)
@click.option("--demo", is_flag=True, help="quick settings: a small model in about two minutes")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def matcher_train(output, limit, epochs, demo, as_json) -> None:
    """Train the small Chinese sentence encoder from the published and held postings in the database (CPU, minutes)."""
    from dataclasses import asdict

    from webapp.matching.runtime import model_path, reset_ranker

    out = output or model_path()
    result = train_model(out, limit=limit, epochs=epochs, demo=demo, log=(lambda m: None) if as_json else None,
                         as_json=as_json)
    # Only a model trained into the configured folder replaces the one in use; a model trained
    # elsewhere (for evaluation) leaves the stored vectors current.
    active = Path(out).resolve() == Path(model_path()).resolve()
    stale = None
    if active:
        from core.matching.services import mark_embeddings_stale

        reset_ranker()
        stale = mark_embeddings_stale(session(), result.model_version)
        session().commit()
    if as_json:
        echo_json({**asdict(result), "active": active, "embeddings_marked_stale": stale})
        return
    click.echo(f"模型 {result.model_version} 已保存到 {result.output_dir}（{result.seconds} 秒，{result.pairs} 个训练样本对）")
    for k, v in result.evaluation.items():
        click.echo(f"  {k}: {v}")
    if active:
        click.echo(f"  旧模型的向量已标记过期：{stale}")
    else:
        click.echo(f"  该模型不是当前使用的模型（MATCHER_MODEL={model_path()}），已有向量保持不变")


@matcher_group.command("embed")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def matcher_embed(as_json) -> None:
    """Embed every published posting and consenting jobseeker missing a current vector."""
    from sqlalchemy import select

    from core.enums import PostingStatus
    from core.matching.services import load_embeddings, posting_profile, seeker_profile
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker

    ranker = ranker_or_fail(as_json)
    s = session()
    postings = s.scalars(select(Posting).where(Posting.status == PostingStatus.PUBLISHED)).all()
    n_p = load_embeddings(s, ranker, "posting", postings, [posting_profile(p) for p in postings])
    seekers = s.scalars(select(Jobseeker)).all()
    n_s = load_embeddings(s, ranker, "seeker", seekers, [seeker_profile(j) for j in seekers])
    s.commit()
    if as_json:
        echo_json({"model_version": ranker.model_version, "postings_embedded": n_p, "seekers_embedded": n_s})
    else:
        click.echo(f"已计算向量：岗位 {n_p}，求职者 {n_s}（模型 {ranker.model_version}）")


@matcher_group.command("info")
@with_appcontext
def matcher_info() -> None:
    """Which model is configured, and its card."""
    from webapp.matching.runtime import model_path

    path = Path(model_path())
    meta = path / "joblink_model.json"
    if not meta.exists():
        raise click.ClickException(f"没有找到匹配模型：{path}（请先运行 joblink matcher train）")
    echo_json(json.loads(meta.read_text(encoding="utf-8")))
