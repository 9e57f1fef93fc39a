"""``joblink ranker train``: learn the ranking (LightGBM lambdarank) over the score's features,
BM25 and the encoder's similarity, and save it beside the configured encoder (``<model>/ranker/``).
Its own group: a ``matcher`` subcommand would have to be defined in webapp/cli/matcher.py (every
group's commands live in the group's module, tests/unit/webapp/cli/test_package.py)."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, fail
from webapp.cli.matcher import ranker_or_fail


@click.group("ranker")
def ranker_group() -> None:
    """The learned ranking of the matcher: train it beside the encoder."""


@ranker_group.command("train")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="folder with postings/, occupations/ and regions/ (the real posting files)")
@click.option("--seekers", type=int, default=800, help="generated jobseekers to learn from")
@click.option("--seed", type=int, default=11)
@click.option("--output", default=None, help="model folder (default: MATCHER_MODEL, beside the encoder)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def matcher_train_ranker(data_dir, seekers, seed, output, as_json) -> None:
    """Learn the ranking from generated jobseekers over the posting files (held-out postings never used)."""
    from matching.ltr import train_from_files
    from webapp.matching.runtime import model_path

    ranker = ranker_or_fail(as_json)
    t0 = time.perf_counter()
    log = (lambda m: None) if as_json else (lambda m: click.echo(m, err=True))
    try:
        model = train_from_files(Path(data_dir), ranker, n_seekers=seekers, seed=seed, log=log)
    except (ValueError, FileNotFoundError) as exc:
        fail(as_json, "training_failed", f"无法训练排序模型：{exc}")
    folder = model.save(output or model_path())
    seconds = round(time.perf_counter() - t0, 1)
    if as_json:
        echo_json({"folder": str(folder), "seconds": seconds, **model.meta})
        return
    click.echo(f"排序模型已保存到 {folder}（{seconds} 秒，{model.meta['lists']} 份名单，{model.meta['rows']} 个岗位）")
    click.echo("  重启后为我推荐按学习排序（MATCHER_RANKER=learned，默认）；"
               "要改回综合评分，请设置 MATCHER_RANKER=score（见 docs/matching.md）")


def train_setup_ranker(skip_model: bool = False) -> None:
    """``joblink setup``: learn the ranking beside the model once, from the full posting files
    (JOBLINK_SHARED_DATA) when they are there; without them 为我推荐 keeps the hand-set score."""
    from flask import current_app

    from matching.encoder import ModelNotFound
    from matching.ltr import LearnedRanker, train_from_files
    from webapp.matching.runtime import build_ranker, model_path, reset_ranker

    path = Path(model_path())
    data = Path(current_app.config["JOBLINK_SHARED_DATA"])
    if skip_model:
        click.echo("  推荐排序：跳过", err=True)
        return
    if LearnedRanker.load(path) is not None:
        click.echo(f"  推荐排序：已存在 {path / 'ranker'}", err=True)
        return
    if not (data / "postings").is_dir():
        click.echo(f"  推荐排序：没有找到完整的招聘数据（{data}），为我推荐按综合评分排序", err=True)
        return
    try:
        # without the learned order: the ranker being learned is not there yet (and the log is not
        # told that it is missing)
        ranker = build_ranker(current_app, str(path), learned=False)
        t0 = time.perf_counter()
        model = train_from_files(data, ranker, n_seekers=800)
    except (ModelNotFound, ValueError, FileNotFoundError) as exc:
        click.echo(f"  推荐排序：没有学成（{exc}），为我推荐按综合评分排序", err=True)
        return
    model.save(path)
    reset_ranker()
    click.echo(f"  推荐排序已学好（{time.perf_counter() - t0:.0f} 秒，{model.meta['lists']} 份名单）：{path / 'ranker'}",
               err=True)
