"""``joblink match seekers|postings``: ranked lists with their explanations — jobseekers for a
posting (with the priority-group policy applied), postings for a jobseeker."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_json, reported_errors, session
from webapp.cli.matcher import ranker_or_fail


@click.group("match")
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
    from core.matching.services import DEFAULT_GROUP_SHARE, rank_seekers_for_posting
    from matching.profiles import GroupPolicy

    ranker = ranker_or_fail(as_json)
    policy = "auto"
    with reported_errors(as_json, also=(ValueError,)):
        if groups:
            policy = GroupPolicy({g: share or DEFAULT_GROUP_SHARE for g in groups}, name="命令行指定")
        outcome = rank_seekers_for_posting(session(), posting_id, ranker, k=k, policy=policy)
        people = _people([i.id for i in outcome.ranked.items], posting_id)
        session().commit()
    print_ranked(outcome, as_json, people)


def _people(ids: list[int], posting_id: int) -> dict:
    """The ranked people as a shell command may see them (masked: core.seekers.privacy), audited."""
    from sqlalchemy import select

    from core.seekers.models import Jobseeker
    from core.seekers.privacy import view_jobseekers
    from webapp.auth.inputs import cipher

    seekers = session().scalars(select(Jobseeker).where(Jobseeker.id.in_(ids))).all() if ids else []
    return view_jobseekers(session(), cipher(), None, seekers, purpose=f"命令行：岗位 #{posting_id} 的推荐人选")


@match_group.command("postings")
@click.option("--seeker", "seeker_id", type=int, required=True)
@click.option("--k", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def match_postings(seeker_id, k, as_json) -> None:
    """Recommend postings to a jobseeker (nothing when they opted out of recommendation)."""
    from core.matching.services import rank_postings_for_seeker

    ranker = ranker_or_fail(as_json)
    with reported_errors(as_json):
        outcome = rank_postings_for_seeker(session(), seeker_id, ranker, k=k)
        session().commit()
    print_ranked(outcome, as_json)


def _item_json(item, people: dict) -> dict:
    out = {"id": item.id, "rank": item.rank, "score": round(item.score, 4), "explanation": item.explanation_text,
           "groups": list(item.groups), "relevance_rank": item.relevance_rank,
           "features": {k: round(v, 4) for k, v in item.features.items()}}
    if item.id in people:
        out["profile"] = people[item.id].to_json()
    return out


def print_ranked(outcome, as_json: bool, people: dict | None = None) -> None:
    """A stored ranked list: the policy, each item with its score, groups and explanation (and, for
    jobseekers, the person as ``people`` — views from core.seekers.privacy — shows them)."""
    ranked = outcome.ranked
    people = people or {}
    if as_json:
        echo_json({
            "direction": ranked.direction, "subject_id": ranked.subject_id, "record_id": outcome.record_id,
            "model_version": ranked.model_version, "weights": ranked.weights,
            "policy": ranked.to_dict()["policy"], "filtered_out": ranked.filtered_out,
            "excluded": outcome.excluded, "items": [_item_json(i, people) for i in ranked.items],
        })
        return
    if ranked.policy:
        click.echo(ranked.policy.summary)
    if not ranked.items:
        click.echo("没有符合条件的结果。" + ("" if not ranked.filtered_out else f"（已排除：{ranked.filtered_out}）"))
    for item in ranked.items:
        groups = "、".join(item.groups)
        who = f" {people[item.id].name}" if item.id in people else ""
        click.echo(f"{item.rank:>3}. #{item.id}{who}  得分 {item.score:.3f}" + (f"  [{groups}]" if groups else ""))
        click.echo(f"     {item.explanation_text}")
    for e in outcome.excluded or ():
        click.echo(f"  专员排除 #{e['id']}：{e['reason']}")
    click.echo(f"（模型 {ranked.model_version}；已保存名单 {outcome.record_id}）")
