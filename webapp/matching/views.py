"""Matching pages and API.

- ``/commissioner/matching/``: postings of my jurisdiction, each with a link to its ranked list;
- ``/commissioner/matching/postings/<id>``: ranked jobseekers with explanations and the group policy
  applied; pin, exclude (with a reason) or move; every list shown is stored with its inputs' versions;
- ``/seeker/recommendations``: a jobseeker's recommended posts (none when they opted out);
- ``/api/v1/postings/<id>/matches``: enterprises (their own postings; name and phone masked unless the
  person applied to one of the enterprise's postings, ID numbers always) and commissioners (full
  profiles in their jurisdiction) — the rule is ``core.seekers.privacy``;
- ``/api/v1/jobseekers/<id>/recommendations``: the jobseeker themself or a commissioner.
Every display of a jobseeker is audited (one event per person, by ``view_jobseekers``).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.applications.models import Application
from core.audit.services import record_access
from core.enums import ApplicationStatus, PostingStatus, Role, label
from core.errors import DomainError
from core.matching import services as matching
from core.numbers import finite_float
from core.postings.models import Posting
from core.reference.services import RegionDirectory
from core.seekers.models import Jobseeker
from core.seekers.privacy import view_jobseekers

from ..auth.inputs import EVERY_REFUSAL, attempt, cipher, client_ip
from ..auth.policy import in_jurisdiction, owns_enterprise, roles_required
from ..extensions import db
from .runtime import get_ranker

bp = Blueprint("matching", __name__)

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
PROFILE_FIELDS = ["name", "id_number", "phone", "region_code", "education", "skills", "groups"]
MODEL_MISSING = "推荐暂时还不能用：系统还没有准备好匹配模型。请先用搜索找岗位，稍后再来看看；一直这样请联系人社部门。"


def _ranker_or_message():
    from matching.encoder import ModelNotFound

    try:
        return get_ranker(), None
    except ModelNotFound as exc:  # the path and the command to run go to the log, not to the page
        current_app.logger.warning("matching model unavailable: %s", exc)
        return None, MODEL_MISSING


def _audit(action: str, subject_type: str, subject_id: int | None, purpose: str, fields=None) -> None:
    record_access(db.session, actor_user_id=current_user.id, actor_role=str(current_user.role), action=action,
                  subject_type=subject_type, subject_id=subject_id, purpose=purpose, fields=fields, ip=client_ip())


def _staff_posting(posting_id: int) -> Posting:
    posting = db.session.get(Posting, posting_id)
    if posting is None:
        abort(404)
    if not in_jurisdiction(posting.region_code):
        abort(403)
    return posting


@bp.get("/commissioner/matching/")
@roles_required(*_STAFF)
def postings():
    q = (request.args.get("q") or "").strip()[:50]
    stmt = _in_my_area(select(Posting).where(Posting.status == PostingStatus.PUBLISHED), Posting.region_code)
    if q:
        stmt = stmt.where(Posting.title.contains(q))
    rows = db.session.scalars(stmt.order_by(Posting.id.desc()).limit(100)).all()
    people, without_consent = _rostered_people()
    views = view_jobseekers(db.session, cipher(), current_user, people, purpose="人岗匹配：名单导入人员列表",
                            ip=client_ip()) if people else {}
    db.session.commit()
    return render_template("matching/postings.html", postings=rows, q=q, people=people, views=views,
                           without_consent=without_consent)


def _in_my_area(stmt, column):
    if current_user.role == Role.ADMIN:
        return stmt
    prefix = RegionDirectory.code_prefix(current_user.region_code) if current_user.region_code else "-"
    return stmt.where(column.startswith(prefix))


def _rostered_people(limit: int = 50) -> tuple[list[Jobseeker], int]:
    """People of my jurisdiction imported from a roster (newest first), and how many of all of them
    have not agreed to automated recommendation."""
    from sqlalchemy import func

    base = _in_my_area(select(Jobseeker).where(Jobseeker.origin == "roster"), Jobseeker.region_code)
    people = db.session.scalars(base.order_by(Jobseeker.id.desc()).limit(limit)).all()
    count = _in_my_area(select(func.count(Jobseeker.id)).where(
        Jobseeker.origin == "roster", Jobseeker.consent_recommendation.is_(False)), Jobseeker.region_code)
    return list(people), db.session.scalar(count) or 0


def _staff_seeker(seeker_id: int) -> Jobseeker:
    seeker = db.session.get(Jobseeker, seeker_id)
    if seeker is None:
        abort(404)
    if not in_jurisdiction(seeker.region_code):
        abort(403)
    return seeker


@bp.get("/commissioner/matching/jobseekers/<int:seeker_id>")
@roles_required(*_STAFF)
def seeker_postings(seeker_id: int):
    """Ranked posts for one person of my jurisdiction, to review and offer by hand. A person who has
    not agreed to automated recommendation (a rostered land-lost farmer, say) still gets this list:
    a commissioner decides what reaches them (the human in the loop); nothing is pushed on its own."""
    seeker = _staff_seeker(seeker_id)
    view = view_jobseekers(db.session, cipher(), current_user, [seeker], ip=client_ip(),
                           purpose="人岗匹配：为求职者人工挑选岗位")[seeker.id]
    ranker, problem = _ranker_or_message()
    cards, record_id, rec = [], None, None
    if ranker is not None:
        rec = matching.recommend_postings(db.session, seeker.id, ranker, k=20, human_review=True)
        record_id = matching.keep_recommendations(db.session, rec, k=20, actor_user_id=current_user.id)
        cards = _cards(rec, ranker, seeker.id, you="此人")
    hints = _shortage_hints(seeker, rec)
    _audit("view_seeker_postings", "jobseeker", seeker.id, "人岗匹配：为求职者人工挑选岗位", ["desired_titles", "skills"])
    db.session.commit()
    return render_template("matching/seeker_postings.html", seeker=seeker, view=view, cards=cards, problem=problem,
                           record_id=record_id, hints=hints), (503 if problem else 200)


@bp.post("/commissioner/matching/jobseekers/<int:seeker_id>/offer")
@roles_required(*_STAFF)
def offer_posting(seeker_id: int):
    """The commissioner offers one post to the person: in their inbox when they have an account,
    else recorded for a phone call. Either way the offer is in the audit trail."""
    from core.enums import NotificationKind
    from core.notifications.services import notify

    seeker = _staff_seeker(seeker_id)
    posting = db.session.get(Posting, request.form.get("posting_id", type=int) or 0)
    if posting is None or posting.status != PostingStatus.PUBLISHED:
        flash("这个岗位已经下线，请换一个岗位")
        return redirect(url_for("matching.seeker_postings", seeker_id=seeker.id))
    if seeker.user_id is not None:
        notify(db.session, user_id=seeker.user_id, kind=NotificationKind.POSTING,
               title=f"人社服务专员为您推荐了岗位：{posting.title[:60]}",
               body="专员看过您的情况后认为这个岗位适合您，愿意的话可以直接投递。", link=f"/postings/{posting.id}")
        message = "已推荐：此人会在消息中看到这个岗位"
    else:
        message = "已记录：此人还没有开通账号，请电话告诉本人这个岗位"
    _audit("offer_posting", "jobseeker", seeker.id, f"人岗匹配：专员向本人推荐岗位“{posting.title[:60]}”", ["phone"])
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("matching.seeker_postings", seeker_id=seeker.id))


def _requested_policy():
    """A policy the commissioner set on the page (?group=veteran&group=graduate&share=0.3), else "auto"."""
    from core.enums import PriorityGroup
    from matching.profiles import GroupPolicy

    groups = [g for g in request.args.getlist("group") if g in {x.value for x in PriorityGroup}]
    if not groups:
        return "auto", None
    share = request.args.get("share", matching.DEFAULT_GROUP_SHARE, type=finite_float)  # nan/inf: the default
    share = min(max(share, 0.05), 1.0)
    return GroupPolicy({g: round(share / len(groups), 4) for g in groups}, name="专员设定"), share


@bp.get("/commissioner/matching/postings/<int:posting_id>")
@roles_required(*_STAFF)
def posting_matches(posting_id: int):
    from core.enums import PriorityGroup

    posting = _staff_posting(posting_id)
    k = min(max(request.args.get("k", 50, type=int), 1), 200)
    policy, share = _requested_policy()
    form = {"groups": request.args.getlist("group"), "share": share or matching.DEFAULT_GROUP_SHARE,
            "choices": [(g.value, label(g.value)) for g in PriorityGroup]}
    ranker, problem = _ranker_or_message()
    if ranker is None:
        return render_template("matching/posting_matches.html", posting=posting, outcome=None, problem=problem,
                               seekers={}, views={}, overrides=[], k=k, form=form), 503
    outcome = matching.rank_seekers_for_posting(db.session, posting.id, ranker, k=k, policy=policy,
                                                actor_user_id=current_user.id)
    seekers = _seekers([i.id for i in outcome.ranked.items] + [e["id"] for e in outcome.excluded])
    views = view_jobseekers(db.session, cipher(), current_user, seekers.values(),
                            purpose=f"人岗匹配：岗位“{posting.title[:60]}”的推荐人选", ip=client_ip())
    _audit("view_ranked_list", "posting", posting.id, "人岗匹配：查看岗位推荐人选", PROFILE_FIELDS)
    db.session.commit()
    return render_template("matching/posting_matches.html", posting=posting, outcome=outcome, problem=None,
                           seekers=seekers, views=views, overrides=matching.overrides_for(db.session, posting.id), k=k,
                           form=form)


@bp.post("/commissioner/matching/postings/<int:posting_id>/override")
@roles_required(*_STAFF)
def override(posting_id: int):
    posting = _staff_posting(posting_id)
    action = request.form.get("action", "")
    seeker_id = request.form.get("jobseeker_id", type=int)
    if seeker_id is None:
        flash("请选择求职者")
        return redirect(url_for("matching.posting_matches", posting_id=posting.id))

    def change():
        if action == "clear":
            return matching.clear_override(db.session, posting_id=posting.id, jobseeker_id=seeker_id)
        return matching.set_override(db.session, posting_id=posting.id, jobseeker_id=seeker_id, action=action,
                                     actor_user_id=current_user.id, reason=request.form.get("reason", ""),
                                     position=request.form.get("position", type=int))

    done = attempt(change, answered=EVERY_REFUSAL)
    flash(done.refusal.message if not done.ok else
          {"pin": "已置顶", "exclude": "已排除", "move": "已调整名次", "clear": "已撤销人工调整"}.get(action, "已保存"))
    return redirect(url_for("matching.posting_matches", posting_id=posting.id))


def _seekers(ids: list[int]) -> dict[int, Jobseeker]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Jobseeker).where(Jobseeker.id.in_(ids)))}


def _own_seeker() -> Jobseeker | None:
    return db.session.scalar(select(Jobseeker).where(Jobseeker.user_id == current_user.id))


@bp.get("/seeker/recommendations")
@roles_required(Role.JOBSEEKER)
def my_recommendations():
    """为我推荐: reads only (the person's stored vector, the pool of published postings, the candidates'
    rows); no ranked list is stored and no transaction writes. Each card: company, pay, place,
    distance, kind of work, two or three reasons in second person, 投递 or 已投递."""
    seeker = _own_seeker()
    if seeker is None:
        return render_template("matching/recommendations.html", seeker=None, cards=[], problem="请先完善求职资料")
    ranker, problem = _ranker_or_message()
    cards, rec = [], None
    if ranker is not None:
        rec = matching.recommend_postings(db.session, seeker.id, ranker, k=20)
        cards = _cards(rec, ranker, seeker.id)
    hints = _shortage_hints(seeker, rec) if seeker.consent_recommendation else None
    return render_template("matching/recommendations.html", seeker=seeker, cards=cards, problem=problem, hints=hints)


def _shortage_hints(seeker: Jobseeker, rec):
    """Training and subsidy hints when the person's work is in the published shortage catalogue:
    what they want to do (the codes they chose and those their own words name) and the posts shown."""
    from core.statistics.hints import training_hints

    occupations = []
    if rec is not None:
        occupations = [*rec.seeker.desired_occupations,
                       *(p.occupation_code for p in rec.profiles.values() if p.occupation_code)]
    return training_hints(db.session, seeker, occupations=occupations)


def _applied(seeker_id: int, posting_ids) -> set[int]:
    ids = list(posting_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Application.posting_id).where(
        Application.jobseeker_id == seeker_id, Application.posting_id.in_(ids),
        Application.status != ApplicationStatus.WITHDRAWN)))


def _cards(rec, ranker, seeker_id: int, you: str = "您") -> list[dict]:
    """One card per ranked post: the row, the reasons said to the person, distance, applied or not."""
    from matching.constraints import distance_km
    from matching.reasons import reasons_for_seeker

    applied = _applied(seeker_id, rec.postings)
    cards = []
    for item in rec.ranked.items:
        prof = rec.profiles[item.id]
        cards.append({
            "posting": rec.postings[item.id], "rank": item.rank, "applied": item.id in applied,
            "distance": distance_km(rec.seeker, prof),
            "reasons": reasons_for_seeker(rec.seeker, prof, item.features.get("semantic", 0.0),
                                          ranker.occupation_names, you=you),
        })
    return cards


# --- JSON API ---------------------------------------------------------------------------------------

def _api_error(status: int, code: str, message: str):
    resp = jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


def _requested_k(default: int, maximum: int) -> int:
    """How many to rank: the ``k`` query parameter, refused (400, field ``k``) unless a whole number
    from 1 to ``maximum`` — never quietly clamped into range."""
    raw = request.args.get("k")
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise DomainError("invalid_query", f"k 应为 1 到 {maximum} 之间的整数", "k")
    return int(raw)


@bp.get("/api/v1/postings/<int:posting_id>/matches")
@roles_required(Role.ENTERPRISE, Role.COMMISSIONER, Role.ADMIN)
def api_posting_matches(posting_id: int):
    k = _requested_k(50, 200)
    posting = db.session.get(Posting, posting_id)
    if posting is None:
        return _api_error(404, "not_found", "岗位不存在")
    staff = current_user.role in _STAFF
    if staff and not in_jurisdiction(posting.region_code):
        return _api_error(403, "forbidden", "该岗位不在您的管辖范围内")
    if not staff and not owns_enterprise(posting.enterprise_id):
        return _api_error(403, "forbidden", "只能查看本单位岗位的推荐人选")
    ranker, problem = _ranker_or_message()
    if ranker is None:
        return _api_error(503, "model_not_found", problem)
    outcome = matching.rank_seekers_for_posting(db.session, posting.id, ranker, k=k, actor_user_id=current_user.id)
    ids = [i.id for i in outcome.ranked.items]
    views = view_jobseekers(db.session, cipher(), current_user, _seekers(ids).values(), ip=client_ip(),
                            purpose=f"人岗匹配：接口获取岗位“{posting.title[:60]}”的推荐人选")
    applied = set(db.session.scalars(select(Application.jobseeker_id).where(
        Application.posting_id == posting.id, Application.jobseeker_id.in_(ids),
        Application.status != ApplicationStatus.WITHDRAWN))) if ids else set()
    items = [{"id": item.id, "rank": item.rank, "score": round(item.score, 4), "explanation": item.explanation_text,
              "groups": item.groups, "applied": item.id in applied, "profile": views[item.id].to_json()}
             for item in outcome.ranked.items]
    _audit("api_ranked_list", "posting", posting.id,
           "人岗匹配：接口获取岗位推荐人选" + ("" if staff else "（用人单位，未投递者脱敏）"), PROFILE_FIELDS)
    db.session.commit()
    ranked = outcome.ranked
    return jsonify({"posting_id": posting.id, "record_id": outcome.record_id, "model_version": ranked.model_version,
                    "policy": ranked.to_dict()["policy"], "weights": ranked.weights, "items": items,
                    "excluded": outcome.excluded if staff else []})


@bp.get("/api/v1/jobseekers/<int:seeker_id>/recommendations")
@roles_required(Role.JOBSEEKER, Role.COMMISSIONER, Role.ADMIN)
def api_recommendations(seeker_id: int):
    k = _requested_k(20, 100)
    seeker = db.session.get(Jobseeker, seeker_id)
    if seeker is None:
        return _api_error(404, "not_found", "求职者不存在")
    if current_user.role == Role.JOBSEEKER and seeker.user_id != current_user.id:
        return _api_error(403, "forbidden", "只能查看自己的推荐岗位")
    if current_user.role in _STAFF and not in_jurisdiction(seeker.region_code):
        return _api_error(403, "forbidden", "该求职者不在您的管辖范围内")
    ranker, problem = _ranker_or_message()
    if ranker is None:
        return _api_error(503, "model_not_found", problem)
    # the person reading their own list only reads (as 为我推荐); staff act on it: kept with its inputs
    outcome = matching.rank_postings_for_seeker(db.session, seeker.id, ranker, k=k, actor_user_id=current_user.id,
                                                store=current_user.role in _STAFF)
    if current_user.role in _STAFF:
        _audit("api_recommendations", "jobseeker", seeker.id, "人岗匹配：查看求职者推荐岗位", ["desired_titles", "skills"])
    db.session.commit()
    return jsonify({"jobseeker_id": seeker.id, "record_id": outcome.record_id,
                    "model_version": outcome.ranked.model_version,
                    "opted_out": not seeker.consent_recommendation,
                    "items": [{"id": i.id, "rank": i.rank, "score": round(i.score, 4), "explanation": i.explanation_text,
                               "groups": i.groups} for i in outcome.ranked.items]})


@bp.app_template_filter("group_label")
def group_label(value) -> str:
    return label(value)
