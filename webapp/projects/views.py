"""Major project pages (/projects): the projects of my jurisdiction, a project's labour demand lines
and the posting each became, and publishing lines through the intake pipeline. Commissioners see the
projects of their region and those assigned to them; admins see all."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.enums import PostingStatus, Role, label
from core.projects import services as svc

from ..auth.inputs import EVERY_REFUSAL, attempt, commit_or_flash, region_input, resolve_region
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("projects", __name__, url_prefix="/projects")

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
_PROJECT_FIELDS = ("name", "region_code", "credit_code", "enterprise_id", "total_investment", "status",
                   "commissioner_user_id")
_DEMAND_FIELDS = ("title", "occupation_text", "headcount", "pay_text", "requirements", "region_code",
                  "start_date", "end_date")


def _form(fields: tuple[str, ...], errors: dict[str, list[str]]) -> dict:
    """The submitted fields; a region typed as a name is resolved to its code here, at the edge."""
    data = {k: (request.form.get(k) or "").strip() for k in fields if k in request.form}
    if data.get("region_code"):
        data["region_code"] = region_input(errors, text=data["region_code"]) or ""
    return data


def _status_options(blank: str | None = None) -> list[tuple[str, str]]:
    opts = [("", blank)] if blank else []
    return opts + list(svc.STATUS_LABELS.items())


@bp.get("/", endpoint="index")
@roles_required(*_STAFF)
def index():
    status = (request.args.get("status") or "").strip()
    region_text = (request.args.get("region") or "").strip()
    asked = commit_or_flash(
        lambda: svc.list_projects(db.session, current_user, status=status or None,
                                  region_code=resolve_region(region_text, "region") if region_text else None),
        None, answered=EVERY_REFUSAL, keep=None,
    )
    if not asked.ok:
        status = ""
    rows = asked.result if asked.ok else svc.list_projects(db.session, current_user)
    return render_template("projects/list.html", projects=rows, summaries=svc.project_summaries(db.session, rows),
                           status=status, region_text=region_text, status_options=_status_options("全部状态"),
                           status_labels=svc.STATUS_LABELS)


def _project_form(project, values, errors, status=200):
    from core.enterprises.models import Enterprise

    commissioners = svc.commissioner_choices(db.session) if current_user.role == Role.ADMIN else []
    ent = db.session.get(Enterprise, project.enterprise_id) if project and project.enterprise_id else None
    return render_template(
        "projects/project_form.html", project=project, values=values, errors=errors,
        status_options=_status_options(), commissioners=commissioners,
        commissioners_options=[(str(u.id), f"{u.display_name}（{u.region_code or '未设地区'}）") for u in commissioners],
        project_enterprise_name=ent.name if ent else None,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*_STAFF)
def new():
    if request.method == "GET":
        return _project_form(None, {"status": "construction", "region_code": current_user.region_code or ""}, {})
    errors: dict[str, list[str]] = {}
    data = _form(_PROJECT_FIELDS, errors)
    if not errors:
        done = attempt(lambda: svc.create_project(db.session, current_user, data))
        if done.ok:
            flash(f"已登记重大项目“{done.result.name}”，请添加用工需求", "success")
            return redirect(url_for("projects.detail", project_id=done.result.id), code=303)
        errors = done.errors()
    return _project_form(None, request.form, errors, 400)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required(*_STAFF)
def edit(project_id: int):
    project = svc.project_for_change(db.session, project_id, current_user)
    if request.method == "GET":
        values = {"name": project.name, "region_code": project.region_code or "", "status": project.status,
                  "total_investment": "" if project.total_investment is None else f"{project.total_investment:g}",
                  "enterprise_id": project.enterprise_id or "", "commissioner_user_id": project.commissioner_user_id or "",
                  "credit_code": ""}
        return _project_form(project, values, {})
    errors: dict[str, list[str]] = {}
    data = _form(_PROJECT_FIELDS, errors)
    if not errors:
        done = attempt(lambda: svc.update_project(db.session, current_user, project_id, data))
        if done.ok:
            flash("项目信息已保存", "success")
            return redirect(url_for("projects.detail", project_id=project_id), code=303)
        errors = done.errors()
    return _project_form(svc.get_project(db.session, project_id, current_user), request.form, errors, 400)


@bp.get("/<int:project_id>", endpoint="detail")
@roles_required(*_STAFF)
def detail(project_id: int):
    project = svc.get_project(db.session, project_id, current_user)
    from core.enterprises.models import Enterprise

    from .land_views import project_extras

    enterprise = db.session.get(Enterprise, project.enterprise_id) if project.enterprise_id else None
    return render_template("projects/detail.html", project=project, enterprise=enterprise, **project_extras(project),
                           may_change=svc.may_change(current_user, project),
                           changeable=svc.changeable_lines(current_user, project),
                           summary=svc.project_summary(db.session, project),
                           postings=svc.demand_postings(db.session, project), status_labels=svc.STATUS_LABELS)


def _demand_form(project, demand, values, errors, status=200):
    return render_template("projects/demand_form.html", project=project, demand=demand, values=values,
                           errors=errors), status


@bp.route("/<int:project_id>/demands/new", methods=["GET", "POST"])
@roles_required(*_STAFF)
def demand_new(project_id: int):
    project = svc.project_for_change(db.session, project_id, current_user)
    if request.method == "GET":
        return _demand_form(project, None, {}, {})
    errors: dict[str, list[str]] = {}
    data = _form(_DEMAND_FIELDS, errors)
    if not errors:
        done = attempt(lambda: svc.add_demand(db.session, current_user, project_id, data))
        if done.ok:
            flash(f"已添加用工需求“{done.result.title}”（尚未发布）", "success")
            return redirect(url_for("projects.detail", project_id=project_id, _anchor=f"demand-{done.result.id}"), code=303)
        errors = done.errors()
    return _demand_form(svc.get_project(db.session, project_id, current_user), None, request.form, errors, 400)


@bp.route("/<int:project_id>/demands/<int:demand_id>/edit", methods=["GET", "POST"])
@roles_required(*_STAFF)
def demand_edit(project_id: int, demand_id: int):
    demand = svc.demand_for_change(db.session, demand_id, current_user, project_id)
    if request.method == "GET":
        values = {k: getattr(demand, k) for k in _DEMAND_FIELDS}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        return _demand_form(demand.project, demand, values, {})
    errors: dict[str, list[str]] = {}
    data = _form(_DEMAND_FIELDS, errors)
    if not errors:
        done = attempt(lambda: svc.update_demand(db.session, current_user, demand_id, data, project_id))
        if done.ok:
            note = "；已发布的岗位需点“发布”后才会更新" if demand.posting_id else ""
            flash(f"用工需求已保存{note}", "success")
            return redirect(url_for("projects.detail", project_id=project_id, _anchor=f"demand-{demand_id}"), code=303)
        errors = done.errors()
    demand = svc.get_demand(db.session, demand_id, current_user, project_id)
    return _demand_form(demand.project, demand, request.form, errors, 400)


@bp.post("/<int:project_id>/demands/<int:demand_id>/delete")
@roles_required(*_STAFF)
def demand_delete(project_id: int, demand_id: int):
    title = svc.demand_for_change(db.session, demand_id, current_user, project_id).title

    def success(withdrawn):
        return f"已删除用工需求“{title}”" + ("，其岗位已撤回" if withdrawn is not None else "")

    commit_or_flash(lambda: svc.delete_demand(db.session, current_user, demand_id, project_id), success)
    return redirect(url_for("projects.detail", project_id=project_id), code=303)


def _publish_one(demand_id: int, project_id: int) -> tuple[str, str]:
    """Publish one line through the intake pipeline and commit; (flash category, Chinese message).
    A line the actor may not publish (its work place outside their jurisdiction) or the pipeline
    refuses rolls back, so nothing half-made is kept."""
    from indexer.intake import publish_labour_demand

    allowed = attempt(lambda: svc.demand_for_change(db.session, demand_id, current_user, project_id),
                      answered=EVERY_REFUSAL, keep=None)
    if not allowed.ok:
        return "error", allowed.refusal.message
    demand = allowed.result
    title, before = demand.title, demand.posting_id
    posting, issues = publish_labour_demand(db.session, demand_id)
    notes = "；".join(i.message for i in issues if i.severity != "info")
    if posting is None:
        db.session.rollback()
        return "error", f"“{title}”未能发布：{notes or '请检查后重试'}"
    db.session.commit()
    again = before is not None and before == posting.id
    if posting.status == PostingStatus.PUBLISHED:
        return "success", f"“{title}”" + ("已同步到原岗位" if again else "已发布为岗位")
    if posting.status == PostingStatus.PENDING_REVIEW:
        return "info", f"“{title}”已提交，待审核后公开" + (f"：{notes}" if notes else "")
    return "info", f"“{title}”对应岗位当前为“{label(posting.status)}”" + (f"：{notes}" if notes else "")


@bp.post("/<int:project_id>/demands/<int:demand_id>/publish")
@roles_required(*_STAFF)
def demand_publish(project_id: int, demand_id: int):
    svc.demand_for_change(db.session, demand_id, current_user, project_id)
    category, message = _publish_one(demand_id, project_id)
    flash(message, category)
    return redirect(url_for("projects.detail", project_id=project_id, _anchor=f"demand-{demand_id}"), code=303)


@bp.post("/<int:project_id>/publish")
@roles_required(*_STAFF)
def publish_all(project_id: int):
    project = svc.project_for_change(db.session, project_id, current_user)
    ids = [d.id for d in project.demand_lines]
    if not ids:
        flash("该项目还没有用工需求，请先添加", "error")
        return redirect(url_for("projects.detail", project_id=project_id), code=303)
    counts = {"success": 0, "info": 0, "error": 0}
    for demand_id in ids:
        category, message = _publish_one(demand_id, project_id)
        counts[category] += 1
        if category != "success":
            flash(message, category)
    flash(f"已处理 {len(ids)} 条用工需求：发布 {counts['success']} 条，待审核或其他 {counts['info']} 条，"
          f"未能发布 {counts['error']} 条", "success" if not counts["error"] else "info")
    return redirect(url_for("projects.detail", project_id=project_id), code=303)


from . import land_views, training_views  # noqa: E402,F401  (their pages register on ``bp``)
