"""``joblink matcher`` (train, embed, info), ``joblink match`` (seekers, postings) and
``joblink seekers import``: the matcher's commands."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = REPO_ROOT / "data" / "samples"


def _db():
    from webapp.extensions import db

    return db


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _fail(as_json: bool, code: str, message: str) -> None:
    if as_json:
        click.echo(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
        sys.exit(1)
    raise click.ClickException(message)


def train_model(data, output, limit=None, epochs=None, demo=False, log=None):
    """Train the in-domain model (demo settings on the shipped sample: small and quick)."""
    from matching.training import train_encoder

    if demo:
        kwargs = dict(epochs=epochs or 3, dim=128, vocab_size=12000, batch_size=512, time_budget_s=150)
    else:
        kwargs = dict(epochs=epochs or 2)
    return train_encoder(data, output, limit=limit, log=log or (lambda m: click.echo(m, err=True)), **kwargs)


def _setup_step(skip_model: bool = False) -> None:
    """``joblink setup``: train the demo model once, if none is there."""
    from webapp.matching.runtime import model_path

    path = Path(model_path())
    if skip_model or (path / "modules.json").exists():
        click.echo(f"  匹配模型：{'跳过' if skip_model else '已存在 ' + str(path)}", err=True)
        return
    result = train_model(DEMO_DATA, path, demo=True)
    click.echo(f"  匹配模型 {result.model_version} 已训练（{result.seconds} 秒）：{path}", err=True)


def _ranker(as_json: bool):
    from matching.encoder import ModelNotFound
    from webapp.matching.runtime import get_ranker

    try:
        return get_ranker()
    except ModelNotFound as exc:
        _fail(as_json, "model_not_found", str(exc))


def _item_json(item, masked_names: dict | None = None) -> dict:
    d = {"id": item.id, "rank": item.rank, "score": round(item.score, 4), "explanation": item.explanation_text,
         "groups": list(item.groups), "relevance_rank": item.relevance_rank, "features":
         {k: round(v, 4) for k, v in item.features.items()}}
    return d


def register(cli: click.Group) -> None:
    from webapp.cli import SETUP_STEPS

    if not any(label == "训练匹配模型" for label, _ in SETUP_STEPS):
        SETUP_STEPS.append(("训练匹配模型", _setup_step))

    @cli.group("matcher")
    def matcher_group() -> None:
        """The in-domain encoder: train it, (re-)embed, show what is configured."""

    @matcher_group.command("train")
    @click.option("--data", "data", default=None,
                  help="postings (file or folder of *.jsonl[.gz]); default JOBLINK_SHARED_DATA, --demo: data/samples")
    @click.option("--output", default=None, help="model folder (default: MATCHER_MODEL)")
    @click.option("--limit", type=int, default=None, help="at most this many postings per file")
    @click.option("--epochs", type=int, default=None)
    @click.option("--demo", is_flag=True, help="the shipped sample with quick settings")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def matcher_train(data, output, limit, epochs, demo, as_json) -> None:
        """Train the small Chinese sentence encoder from the postings (CPU, minutes)."""
        from dataclasses import asdict

        from webapp.matching.runtime import model_path, reset_ranker

        if data is None:
            data = str(DEMO_DATA) if demo else current_app.config.get("JOBLINK_SHARED_DATA")
        if not data or not Path(data).exists():
            _fail(as_json, "data_not_found", f"找不到训练数据：{data}")
        out = output or model_path()
        result = train_model(data, out, limit=limit, epochs=epochs, demo=demo,
                             log=(lambda m: None) if as_json else None)
        # Only a model trained into the configured folder replaces the one in use; a model trained
        # elsewhere (for evaluation) leaves the stored vectors current.
        active = Path(out).resolve() == Path(model_path()).resolve()
        stale = None
        if active:
            reset_ranker()
            from core.matching.services import mark_embeddings_stale

            stale = mark_embeddings_stale(_db().session, result.model_version)
            _db().session.commit()
        if as_json:
            _echo_json({**asdict(result), "active": active, "embeddings_marked_stale": stale})
        else:
            click.echo(f"模型 {result.model_version} 已保存到 {result.output_dir}（{result.seconds} 秒，"
                       f"{result.pairs} 个训练样本对）")
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

        ranker = _ranker(as_json)
        session = _db().session
        postings = session.scalars(select(Posting).where(Posting.status == PostingStatus.PUBLISHED)).all()
        n_p = load_embeddings(session, ranker, "posting", postings, [posting_profile(p) for p in postings])
        seekers = session.scalars(select(Jobseeker)).all()
        n_s = load_embeddings(session, ranker, "seeker", seekers, [seeker_profile(s) for s in seekers])
        session.commit()
        data = {"model_version": ranker.model_version, "postings_embedded": n_p, "seekers_embedded": n_s}
        _echo_json(data) if as_json else click.echo(f"已计算向量：岗位 {n_p}，求职者 {n_s}（模型 {ranker.model_version}）")

    @matcher_group.command("info")
    @with_appcontext
    def matcher_info() -> None:
        """Which model is configured, and its card."""
        from webapp.matching.runtime import model_path

        path = Path(model_path())
        meta = path / "joblink_model.json"
        if not meta.exists():
            raise click.ClickException(f"没有找到匹配模型：{path}（请先运行 joblink matcher train）")
        _echo_json(json.loads(meta.read_text(encoding="utf-8")))

    @cli.group("match")
    def match_group() -> None:
        """Ranked lists: jobseekers for a posting, postings for a jobseeker."""

    @match_group.command("seekers")
    @click.option("--posting", "posting_id", type=int, required=True)
    @click.option("--k", type=int, default=50, show_default=True)
    @click.option("--group", "groups", multiple=True, help="target group (PriorityGroup value); default: the posting's")
    @click.option("--share", type=float, default=None, help="minimum share of each --group in every prefix")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def match_seekers(posting_id, k, groups, share, as_json) -> None:
        """Rank jobseekers for a posting (hard constraints, score, group policy, explanations)."""
        from core.errors import DomainError
        from core.matching.services import DEFAULT_GROUP_SHARE, rank_seekers_for_posting
        from matching.profiles import GroupPolicy

        ranker = _ranker(as_json)
        policy = "auto"
        try:
            if groups:
                policy = GroupPolicy({g: share or DEFAULT_GROUP_SHARE for g in groups}, name="命令行指定")
            outcome = rank_seekers_for_posting(_db().session, posting_id, ranker, k=k, policy=policy)
            _db().session.commit()
        except (DomainError, ValueError) as exc:
            _db().session.rollback()
            _fail(as_json, getattr(exc, "code", "invalid_input"), getattr(exc, "message", str(exc)))
        _print_list(outcome, as_json)

    @match_group.command("postings")
    @click.option("--seeker", "seeker_id", type=int, required=True)
    @click.option("--k", type=int, default=20, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def match_postings(seeker_id, k, as_json) -> None:
        """Recommend postings to a jobseeker (nothing when they opted out of recommendation)."""
        from core.errors import DomainError
        from core.matching.services import rank_postings_for_seeker

        ranker = _ranker(as_json)
        try:
            outcome = rank_postings_for_seeker(_db().session, seeker_id, ranker, k=k)
            _db().session.commit()
        except DomainError as exc:
            _db().session.rollback()
            _fail(as_json, exc.code, exc.message)
        _print_list(outcome, as_json)

    @cli.group("seekers")
    def seekers_group() -> None:
        """Jobseeker rosters."""

    @seekers_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--verified-by", type=int, default=None,
                  help="user id of the commissioner attesting the groups (official list); default: pending")
    @click.option("--consent", is_flag=True, help="the roster records the people's consent to recommendation")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def seekers_import(file, verified_by, consent, as_json) -> None:
        """Import a roster (XLSX/CSV, UTF-8 or GB18030) of jobseekers; report each row."""
        from core.errors import DomainError
        from core.seekers.roster import import_roster
        from webapp.auth.inputs import cipher

        session = _db().session
        try:
            report = import_roster(session, cipher(), file, verify_groups_by=verified_by,
                                   consent_recommendation=consent)
            session.commit()
        except DomainError as exc:
            session.rollback()
            _fail(as_json, exc.code, exc.message)
        data = report.as_dict()
        if as_json:
            _echo_json(data)
            return
        click.echo(f"共 {data['rows']} 行：新建 {data['created']}，已存在 {data['existing']}，未通过 {data['rejected']}"
                   f"（{data['format']}{'，' + data['encoding'] if data['encoding'] else ''}）")
        for r in data["results"]:
            if r["status"] == "rejected":
                click.echo(f"  第 {r['row']} 行未通过：" + "；".join(e["message"] for e in r["errors"]))
            else:
                click.echo(f"  第 {r['row']} 行：{'新建' if r['status'] == 'created' else '已存在'}求职者 {r['jobseeker_id']}")


def _print_list(outcome, as_json: bool) -> None:
    ranked = outcome.ranked
    if as_json:
        _echo_json({
            "direction": ranked.direction, "subject_id": ranked.subject_id, "record_id": outcome.record_id,
            "model_version": ranked.model_version, "weights": ranked.weights,
            "policy": ranked.to_dict()["policy"], "filtered_out": ranked.filtered_out,
            "excluded": outcome.excluded, "items": [_item_json(i) for i in ranked.items],
        })
        return
    if ranked.policy:
        click.echo(ranked.policy.summary)
    if not ranked.items:
        click.echo("没有符合条件的结果。" + ("" if not ranked.filtered_out else f"（已排除：{ranked.filtered_out}）"))
    for item in ranked.items:
        groups = "、".join(item.groups)
        click.echo(f"{item.rank:>3}. #{item.id}  得分 {item.score:.3f}" + (f"  [{groups}]" if groups else ""))
        click.echo(f"     {item.explanation_text}")
    if outcome.excluded:
        for e in outcome.excluded:
            click.echo(f"  专员排除 #{e['id']}：{e['reason']}")
    click.echo(f"（模型 {ranked.model_version}；已保存名单 {outcome.record_id}）")
