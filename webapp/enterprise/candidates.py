"""Recommended candidates for one of the enterprise's postings (/enterprise/postings/<id>/candidates):
the matcher's ranked list (the service behind GET /api/v1/postings/<id>/matches), each person masked
as core.seekers.privacy says (name and phone only once they applied, ID number never), with the
reasons in words, priority-group badges, subsidy hints and 邀请投递."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from core.applications.invitations import invitations_for_posting, invite, status_words
from core.applications.models import Application
from core.enterprises.services import owned_posting
from core.enums import ApplicationStatus, PostingStatus, Role, VerificationStatus
from core.matching import services as matching
from core.seekers.models import Jobseeker
from core.seekers.privacy import findable_by_enterprise, view_jobseekers
from core.subsidies.services import current_rules, hints_for, posting_hints

from ..auth.inputs import attempt, cipher, client_ip, form_text
from ..auth.policy import owner_required, roles_required
from ..extensions import db
from .views import _enterprise_id, _mine_or_404, bp

CANDIDATES_SHOWN = 30
MODEL_MISSING = "推荐人选暂时还不能用：系统还没有准备好匹配模型。请稍后再来看看，一直这样请联系人社部门。"


def _ranked(posting):
    """The matcher's ranked list for the posting, or None when no model is there yet."""
    from matching.encoder import ModelNotFound

    from ..matching.runtime import get_ranker

    try:
        ranker = get_ranker()
    except ModelNotFound as exc:  # the path goes to the log, not to the page
        current_app.logger.warning("matching model unavailable: %s", exc)
        return None
    return matching.rank_seekers_for_posting(db.session, posting.id, ranker, k=CANDIDATES_SHOWN,
                                             actor_user_id=current_user.id)


def plain_reasons(item, seeker: Jobseeker, posting) -> list[str]:
    """Why the person is recommended, in the employer's words: no scores, codes or field names (the
    staff's list keeps the figures)."""
    from matching.constraints import distance_km
    from matching.scoring import matched_skills

    sprof, pprof = matching.seeker_profile(seeker), matching.posting_profile(posting)
    f, out = item.features, []
    if f.get("occupation", 0) >= 1:
        out.append("想做的工作和本岗位是同一类")
    elif f.get("occupation", 0) > 0:
        out.append("想做的工作和本岗位相近")
    hits, _ = matched_skills(sprof, pprof)
    if hits:
        out.append("会" + "、".join(hits[:3]))
    if f.get("education_experience", 0) >= 0.99:
        out.append("学历和工作年限符合要求")
    if f.get("pay", 0) >= 0.99:
        out.append("期望工资在本岗位给的范围内")
    km = distance_km(sprof, pprof)
    if km is not None and km <= 20:
        out.append(f"住处离工作地点约 {max(1, round(km))} 公里")
    return out or ["求职意向和本岗位的工作内容相近"]


@bp.get("/postings/<int:posting_id>/candidates")
@roles_required(Role.ENTERPRISE)
@owner_required(_mine_or_404)
def candidates(posting_id: int):
    posting = owned_posting(db.session, _enterprise_id(), posting_id)
    rules = current_rules(db.session)
    page = {"posting": posting, "posting_hints": posting_hints(rules, posting), "items": [], "problem": None}
    if posting.status != PostingStatus.PUBLISHED:
        page["problem"] = "岗位发布后才有推荐人选。"
        return render_template("enterprise/candidates.html", **page)
    if posting.enterprise.verification_status != VerificationStatus.VERIFIED:
        page["problem"] = "贵单位通过人社部门认证后才能查看推荐人选：求职者只向已认证的单位公开求职资料。"
        return render_template("enterprise/candidates.html", **page)
    outcome = _ranked(posting)
    if outcome is None:
        page["problem"] = MODEL_MISSING
        return render_template("enterprise/candidates.html", **page), 503
    ids = [i.id for i in outcome.ranked.items]
    by_id = {s.id: s for s in db.session.scalars(select(Jobseeker).where(Jobseeker.id.in_(ids)))} if ids else {}
    applied = set(db.session.scalars(select(Application.jobseeker_id).where(
        Application.posting_id == posting.id, Application.jobseeker_id.in_(ids),
        Application.status != ApplicationStatus.WITHDRAWN))) if ids else set()
    # the ranker already keeps to the people who let this enterprise find them; the page holds it too
    findable = findable_by_enterprise(db.session, posting.enterprise_id, list(by_id.values()))
    shown = [by_id[i] for i in ids if i in findable]
    views = view_jobseekers(db.session, cipher(), current_user, shown, ip=client_ip(),
                            purpose=f"查看岗位“{posting.title[:60]}”的推荐人选")
    invitations = invitations_for_posting(db.session, posting.id)
    for item in outcome.ranked.items:
        if item.id not in views:
            continue
        seeker = by_id[item.id]
        inv = invitations.get(item.id)
        page["items"].append({
            "item": item, "person": views[item.id], "applied": item.id in applied,
            "reasons": plain_reasons(item, seeker, posting),
            "invitation": inv, "invitation_words": status_words(inv.status) if inv else "",
            "hints": hints_for(rules, seeker.group_values(verified_only=True), posting),
            "can_invite": seeker.user_id is not None,
        })
    html = render_template("enterprise/candidates.html", **page)
    db.session.commit()  # the stored ranked list and the audit trail, before the page goes out
    return html


@bp.post("/postings/<int:posting_id>/candidates/<int:jobseeker_id>/invite")
@roles_required(Role.ENTERPRISE)
@owner_required(_mine_or_404)
def invite_candidate(posting_id: int, jobseeker_id: int):
    """邀请投递: the person is told in their inbox; nothing of them is disclosed by it."""
    done = attempt(lambda: invite(db.session, enterprise_id=_enterprise_id(), posting_id=posting_id,
                                  jobseeker_id=jobseeker_id, invited_by_user_id=current_user.id,
                                  message=form_text("message", 400)))
    flash("已发出邀请，对方会在消息里收到。对方接受即投递本岗位，届时您可看到其姓名和电话" if done.ok
          else done.refusal.message, "success" if done.ok else "error")
    return redirect(url_for("enterprise.candidates", posting_id=posting_id) + f"#seeker-{jobseeker_id}")
