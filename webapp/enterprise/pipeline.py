"""The applicants pipeline: the enterprise's applications by stage (new, viewed, interview, offer,
hired, declined with a reason), moved one at a time or several at once, with the enterprise's notes,
where each came from, and subsidy hints. Names and phones as core.seekers.privacy says, every person
shown recorded in the audit trail; each stage change tells the jobseeker."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.applications.services import (
    ENTERPRISE_MOVES,
    REJECTION_REASONS,
    STAGES,
    add_note,
    enterprise_applications,
    mark_viewed,
    move_application,
    move_applications,
    origin_ref_names,
    origin_words,
    rejection_words,
)
from core.enterprises.services import owned_posting
from core.enums import ApplicationStatus, Role, label
from core.seekers.privacy import view_jobseekers
from core.subsidies.services import current_rules, hints_for

from ..auth.inputs import attempt, cipher, client_ip, form_text
from ..auth.policy import owner_required, roles_required
from ..extensions import db
from .views import _enterprise_id, _owns_application, _owns_posting, bp

# The filter tabs: every stage, and the jobseeker's own withdrawals.
STAGE_TABS = [*STAGES, ApplicationStatus.WITHDRAWN]


def _stage_arg() -> str | None:
    stage = request.args.get("stage") or None
    return stage if stage in {s.value for s in STAGE_TABS} else None


def _render(posting=None):
    ent_id = _enterprise_id()
    stage = _stage_arg()
    apps, counts = enterprise_applications(db.session, ent_id, posting_id=posting.id if posting else None, stage=stage)
    purpose = f"查看投递岗位“{posting.title[:60]}”的求职者" if posting else "查看收到的投递"
    views = view_jobseekers(db.session, cipher(), current_user, [a.jobseeker for a in apps], purpose=purpose,
                            ip=client_ip())
    seen = mark_viewed(db.session, apps)  # seeing a new application is the first stage change the person hears of
    counts[ApplicationStatus.SUBMITTED.value] = counts.get(ApplicationStatus.SUBMITTED.value, 0) - seen
    counts[ApplicationStatus.VIEWED.value] = counts.get(ApplicationStatus.VIEWED.value, 0) + seen
    rules = current_rules(db.session)
    names = origin_ref_names(db.session, apps)
    rows = [{"app": a, "person": views[a.jobseeker_id], "origin": origin_words(a, names),
             "hints": hints_for(rules, a.jobseeker.group_values(verified_only=True), a.posting),
             "reason": rejection_words(a.rejection_reason) if a.status == ApplicationStatus.DECLINED else ""}
            for a in apps]
    tabs = [(None, "全部", sum(counts.values()))] + [(s.value, label(s), counts.get(s.value, 0)) for s in STAGE_TABS]
    html = render_template("enterprise/applicants.html", rows=rows, posting=posting, stage=stage, tabs=tabs,
                           move_options=[(s.value, label(s)) for s in ENTERPRISE_MOVES],
                           reasons=list(REJECTION_REASONS.items()))
    # the audit events and the viewed stage are kept before the page goes out; rendered first, because
    # a commit expires every loaded row and the template would load each card's rows again
    db.session.commit()
    return html


@bp.get("/applicants")
@roles_required(Role.ENTERPRISE)
def applicants():
    return _render()


@bp.get("/postings/<int:posting_id>/applicants")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_posting)
def posting_applicants(posting_id: int):
    return _render(owned_posting(db.session, _enterprise_id(), posting_id))


def _back():
    target = request.form.get("next") or ""
    if target.startswith("/enterprise/") and "//" not in target:  # only back to a page of ours
        return redirect(target)
    return redirect(url_for("enterprise.applicants"))


def _move_fields() -> dict:
    return {"stage": form_text("status", 20), "reason": form_text("reason", 32) or None,
            "note": form_text("reason_note", 500)}


@bp.post("/applications/<int:application_id>/status")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_application)
def application_status(application_id: int):
    done = attempt(lambda: move_application(db.session, enterprise_id=_enterprise_id(),
                                            application_id=application_id, **_move_fields()))
    if done.ok:
        flash(f"已移到“{label(done.result.status)}”，已通知求职者", "success")
    else:
        flash(done.refusal.message, "error")
    return _back()


@bp.post("/applications/move")
@roles_required(Role.ENTERPRISE)
def move_many():
    """Bulk move: the ticked applications to one stage (all of them the enterprise's, or none moves)."""
    ids = [int(v) for v in request.form.getlist("application_ids") if v.isascii() and v.isdigit()][:500]
    done = attempt(lambda: move_applications(db.session, enterprise_id=_enterprise_id(), application_ids=ids,
                                             **_move_fields()))
    if done.ok:
        moved, unchanged = done.result
        stage = label(form_text("status", 20))
        flash(f"已把 {moved} 份投递移到“{stage}”，已通知求职者" + (f"；{unchanged} 份未变（已撤回或已在该阶段）"
                                                           if unchanged else ""), "success")
    else:
        flash(done.refusal.message, "error")
    return _back()


@bp.post("/applications/<int:application_id>/notes")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_application)
def add_application_note(application_id: int):
    done = attempt(lambda: add_note(db.session, enterprise_id=_enterprise_id(), author_user_id=current_user.id,
                                    application_id=application_id, body=form_text("body", 2000)))
    flash("备注已保存（只有本单位能看到）" if done.ok else done.refusal.message, "success" if done.ok else "error")
    return _back()
