"""Commissioner home (/commissioner): call-back tasks of my jurisdiction, recording their outcomes,
and the validity rates per channel. Other areas (fairs, livestreams, projects) add their links to the
home page's link list. Admins see every jurisdiction."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.db import utcnow
from core.enums import Role, label
from core.postings.models import PostingSource
from core.accounts.services import commissioner_jurisdiction
from core.validity import services as validity
from core.validity.models import OUTCOME_LABELS, CallbackOutcome

from ..auth.inputs import EVERY_REFUSAL, cipher, client_ip, commit_or_flash, form_text
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("commissioner", __name__, url_prefix="/commissioner")

_CONTACT_KEY = re.compile(r"联系|电话|手机|contact|phone|tel|mobile", re.I)

# Links other areas add to the home page: (endpoint, text, roles that may open it). Only endpoints
# that exist in this checkout are shown.
_BOTH = frozenset({Role.COMMISSIONER, Role.ADMIN})
HOME_LINKS: list[tuple[str, str, frozenset]] = [
    ("commissioner.validity", "岗位有效率抽查", _BOTH),
    ("matching.postings", "人岗匹配", _BOTH),
    ("review.queue", "岗位审核", frozenset({Role.ADMIN})),
    ("fairs.index", "招聘会", _BOTH),
    ("livestreams.index", "直播带岗", _BOTH),
    ("projects.index", "重大项目用工", _BOTH),
    ("projects.land_index", "征地与被征地农民", _BOTH),
    ("projects.courses", "订单式培训", _BOTH),
    ("commissioner.priority_groups", "重点群体认定", _BOTH),
    ("stats.index", "统计分析", _BOTH),
    ("monitoring.index", "企业用工监测", _BOTH),
    ("households.index", "零就业家庭", _BOTH),
]


def _region_prefix() -> str | None:
    return commissioner_jurisdiction(current_user)  # the one jurisdiction rule (core.accounts)


def _contacts(posting_id: int) -> list[tuple[str, str]]:
    """Contact fields the channels sent with the posting, for the call."""
    found: list[tuple[str, str]] = []
    for raw in db.session.scalars(select(PostingSource.raw).where(PostingSource.posting_id == posting_id)):
        for key, value in (raw or {}).items():
            if _CONTACT_KEY.search(str(key)) and value not in (None, "") and (str(key), str(value)) not in found:
                found.append((str(key), str(value)[:100]))
    return found[:5]


@bp.get("/")
@roles_required(Role.COMMISSIONER, Role.ADMIN)
def index():
    mine_only = request.args.get("mine") == "1"
    tasks, total = validity.list_tasks(db.session, current_user, open_only=True, mine_only=mine_only, limit=100)
    report = validity.validity_report(db.session, region_prefix=_region_prefix())
    return render_template(
        "commissioner/home.html",
        tasks=tasks, total=total, mine_only=mine_only, report=report,
        outcomes=[(o.value, OUTCOME_LABELS[o]) for o in CallbackOutcome],
        contacts=_contacts, today=utcnow().date(), links=[(e, t) for e, t, roles in HOME_LINKS if current_user.role in roles], unreachable_limit=validity.UNREACHABLE_LIMIT,
    )


@bp.post("/tasks/<int:task_id>/outcome")
@roles_required(Role.COMMISSIONER, Role.ADMIN)
def record_outcome(task_id: int):
    outcome = request.form.get("outcome", "")
    commit_or_flash(
        lambda: validity.record_outcome(db.session, task_id, outcome, current_user, request.form.get("note", ""),
                                        ip=request.remote_addr),
        _outcome_recorded, answered=EVERY_REFUSAL,
    )
    return redirect(url_for("commissioner.index"), code=303)


def _outcome_recorded(result) -> str:
    if not result.final:
        return f"已记录第 {result.task.attempts} 次联系不上；满 {validity.UNREACHABLE_LIMIT} 次将撤下该岗位"
    if result.posting_status is not None:
        return f"已登记「{OUTCOME_LABELS[result.task.outcome]}」，岗位已下线（{label(result.posting_status)}）"
    return f"已登记「{OUTCOME_LABELS[result.task.outcome]}」"


@bp.get("/validity", endpoint="validity")
@roles_required(Role.COMMISSIONER, Role.ADMIN, Role.REVIEWER)
def validity_page():
    month = (request.args.get("month") or "").strip() or None
    # Admins and unbound reviewers see the whole platform; anyone bound to a region sees its share.
    if current_user.role == Role.ADMIN or (current_user.role == Role.REVIEWER and not current_user.region_code):
        prefix = None
    else:
        prefix = _region_prefix()
    asked = commit_or_flash(lambda: validity.validity_report(db.session, month, region_prefix=prefix), None,
                            answered=EVERY_REFUSAL, keep=None)
    report = asked.result if asked.ok else validity.validity_report(db.session, None, region_prefix=prefix)
    return render_template("commissioner/validity.html", report=report, runs=validity.list_runs(db.session),
                           outcomes=[(o.value, OUTCOME_LABELS[o]) for o in CallbackOutcome])


@bp.post("/validity/sample")
@roles_required(Role.ADMIN)
def draw_sample():
    """What the monthly scheduled job does, for an admin who wants this month's tasks now."""
    per_channel = request.form.get("per_channel", "")
    done = commit_or_flash(
        lambda: validity.draw_monthly_sample(
            db.session, request.form.get("month") or None,
            int(per_channel) if per_channel.isdigit() else validity.DEFAULT_PER_CHANNEL,
            actor_id=current_user.id,
        ),
        None, answered=EVERY_REFUSAL,
    )
    if not done.ok:
        return redirect(url_for("commissioner.validity"), code=303)
    result = done.result
    if result.created:
        extra = f"，其中 {result.unassigned} 个所在地区暂无服务专员" if result.unassigned else ""
        flash(f"已抽取 {result.run.month} 样本：{result.tasks} 个回访任务{extra}", "success")
    else:
        flash(f"{result.run.month} 已抽查过（{result.tasks} 个回访任务），未重复抽取", "error")
    return redirect(url_for("commissioner.validity", month=result.run.month), code=303)



# --- priority group verification (重点群体认定) -------------------------------------------------------
# The queue shows ID number and phone masked (enough to tell people apart); the per-jobseeker page,
# where the commissioner checks the person's documents, shows them in full to a commissioner of the
# jobseeker's jurisdiction (core.seekers.privacy decides; every display is audited there).


def _seeker_to_verify(seeker_id: int):
    from core.seekers.models import Jobseeker
    from core.seekers.services import may_verify

    seeker = db.session.get(Jobseeker, seeker_id)
    if seeker is None:
        abort(404)
    if not may_verify(current_user, seeker):
        abort(403)
    return seeker


@bp.get("/priority-groups", endpoint="priority_groups")
@roles_required(Role.COMMISSIONER, Role.ADMIN)
def priority_groups():
    from core.enums import PriorityGroup
    from core.seekers.privacy import NAME_ONLY, view_jobseekers
    from core.seekers.services import list_awaiting_group_verification

    group = (request.args.get("group") or "").strip() or None
    page_no = request.args.get("page", 1, type=int) or 1
    asked = commit_or_flash(lambda: list_awaiting_group_verification(db.session, current_user, group=group, page=page_no),
                            None, answered=EVERY_REFUSAL, keep=None)
    if not asked.ok:
        group = None
    queue = asked.result if asked.ok else list_awaiting_group_verification(db.session, current_user, page=page_no)
    views = view_jobseekers(db.session, cipher(), current_user, queue.items, purpose="重点群体认定：待认定列表",
                            ip=client_ip(), at_most=NAME_ONLY)
    db.session.commit()
    return render_template(
        "commissioner/priority_groups.html", queue=queue, views=views, group=group,
        choices=[(g.value, label(g.value)) for g in PriorityGroup],
    )


@bp.get("/priority-groups/<int:seeker_id>", endpoint="priority_group_seeker")
@roles_required(Role.COMMISSIONER, Role.ADMIN)
def priority_group_seeker(seeker_id: int):
    from core.seekers.privacy import view_jobseeker
    from core.seekers.services import AWAITING_VERIFICATION, REFUSAL_NOTE_MAX

    seeker = _seeker_to_verify(seeker_id)
    view = view_jobseeker(db.session, cipher(), current_user, seeker, purpose="重点群体认定：核对求职者身份与申报类别",
                          ip=client_ip())
    db.session.commit()
    return render_template("commissioner/priority_group_seeker.html", seeker=seeker, view=view,
                           awaiting=AWAITING_VERIFICATION, note_max=REFUSAL_NOTE_MAX)


@bp.post("/priority-groups/<int:seeker_id>/decide", endpoint="priority_group_decide")
@roles_required(Role.COMMISSIONER, Role.ADMIN)
def priority_group_decide(seeker_id: int):
    from core.seekers.services import decide_group_verification

    seeker = _seeker_to_verify(seeker_id)
    back = url_for("commissioner.priority_group_seeker", seeker_id=seeker.id)
    decision = request.form.get("decision", "")
    group = form_text("group", 64)
    if decision not in ("approve", "refuse"):
        flash("请选择“认定通过”或“不予认定”", "error")
        return redirect(back, code=303)
    approve = decision == "approve"
    commit_or_flash(
        lambda: decide_group_verification(db.session, current_user, seeker, group, approve=approve,
                                          note=form_text("note", 500), ip=client_ip()),
        lambda g: f"{label(g.group.value)}：{'已认定' if approve else '不予认定'}",
    )
    return redirect(back, code=303)
