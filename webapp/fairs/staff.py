"""The commissioner's fair console: my jurisdiction's fairs, the cadence planner, creating and
changing a fair, its booth requests with the qualification check, moving it through its stages,
cancelling it, the report (on screen and XLSX), the poster and the follow-up call-backs."""
from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.accounts.services import commissioner_jurisdiction
from core.enums import PriorityGroup, label
from core.fairs import followups
from core.fairs import report as reports
from core.fairs import services as svc
from core.fairs.cadence import propose_dates
from core.fairs.models import FairBooth, JobFair

from ..auth.inputs import EVERY_REFUSAL, attempt, cipher, client_ip, commit_or_flash, form_text, region_input
from ..auth.policy import roles_required
from ..extensions import db
from .views import STAFF, bp, qr_svg

_FIELDS = ("title", "theme", "kind", "venue", "region_code", "lat", "lon", "date", "start_time", "end_time",
           "booth_capacity", "visitor_capacity", "organiser", "project_id")


def console():
    status = (request.args.get("status") or "").strip()
    fairs = svc.list_staff_fairs(db.session, current_user, status if status in svc.STATUS_LABELS else None)
    due = followups.list_follow_ups(db.session, current_user)
    return render_template("fairs/console.html", fairs=fairs, status=status, statuses=svc.STATUS_LABELS,
                           due=[t for t in due if t.due_date <= dt.date.today()])


@bp.route("/plan", methods=["GET", "POST"], endpoint="plan")
@roles_required(*STAFF)
def plan():
    """The cadence planner: proposed dates (busy months weekly, slack twice a month); accepting one
    makes a draft fair on that date, to be completed (or moved) in its form."""
    if request.method == "POST":
        return redirect(url_for("fairs.new", date=form_text("date", 10)), code=303)
    prefix = commissioner_jurisdiction(current_user)
    taken = {f.date for f in svc.list_staff_fairs(db.session, current_user) if f.status != "cancelled"}
    proposals = propose_dates(dt.date.today(), months=3, taken=taken)
    return render_template("fairs/plan.html", proposals=proposals, prefix=prefix)


def _fair_form(fair, values, errors, status=200):
    return render_template("fairs/form.html", fair=fair, values=values, errors=errors, themes=svc.THEMES,
                           kinds=svc.KIND_LABELS, groups=[(g.value, label(g)) for g in PriorityGroup]), status


def _submitted(errors: dict) -> dict:
    data = {k: (request.form.get(k) or "").strip() for k in _FIELDS}
    data["target_groups"] = request.form.getlist("target_groups")
    if data.get("region_code"):
        data["region_code"] = region_input(errors, text=data["region_code"]) or ""
    return data


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@roles_required(*STAFF)
def new():
    if request.method == "GET":
        values = {"region_code": current_user.region_code or "", "date": request.args.get("date", ""),
                  "start_time": "09:00", "end_time": "12:00", "booth_capacity": "50", "visitor_capacity": "1000",
                  "kind": "onsite", "theme": "general", "target_groups": []}
        return _fair_form(None, values, {})
    errors: dict[str, list[str]] = {}
    data = _submitted(errors)
    if not errors:
        done = attempt(lambda: svc.create_fair(db.session, current_user, data))
        if done.ok:
            flash(f"已登记招聘会“{done.result.title}”（草稿）。开放展位报名后，单位即可申请展位", "success")
            return redirect(url_for("fairs.manage", fair_id=done.result.id), code=303)
        done.add_errors_to(errors)
    return _fair_form(None, dict(request.form, target_groups=request.form.getlist("target_groups")), errors, 400)


@bp.route("/<int:fair_id>/edit", methods=["GET", "POST"], endpoint="edit")
@roles_required(*STAFF)
def edit(fair_id: int):
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    if request.method == "GET":
        values = {k: getattr(fair, k) for k in _FIELDS}
        values = {k: ("" if v is None else str(v)) for k, v in values.items()}
        values["target_groups"] = list(fair.target_groups or [])
        return _fair_form(fair, values, {})
    errors: dict[str, list[str]] = {}
    data = _submitted(errors)
    if not errors:
        done = attempt(lambda: svc.update_fair(db.session, current_user, fair_id, data))
        if done.ok:
            flash("招聘会信息已保存", "success")
            return redirect(url_for("fairs.manage", fair_id=fair_id), code=303)
        done.add_errors_to(errors)
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    return _fair_form(fair, dict(request.form, target_groups=request.form.getlist("target_groups")), errors, 400)


@bp.get("/<int:fair_id>/manage", endpoint="manage")
@roles_required(*STAFF)
def manage(fair_id: int):
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    requests_ = sorted(fair.booths, key=lambda b: ({"pending": 0, "approved": 1}.get(b.status, 2), b.booth_number or 0, b.id))
    checks = {b.id: svc.qualification(db.session, b.enterprise_id) for b in requests_ if b.status != "approved"}
    return render_template("fairs/manage.html", fair=fair, requests=requests_, checks=checks,
                           approved=svc.approved_booths(db.session, fair.id),
                           registered=svc.active_registrations(db.session, fair.id),
                           next_status=svc.NEXT_STATUS.get(fair.status), kinds=svc.KIND_LABELS,
                           booth_labels=svc.BOOTH_STATUS_LABELS)


@bp.post("/<int:fair_id>/advance", endpoint="advance")
@roles_required(*STAFF)
def advance(fair_id: int):
    commit_or_flash(lambda: svc.advance_fair(db.session, current_user, fair_id),
                    lambda f: f"招聘会现在是“{svc.STATUS_LABELS[f.status]}”", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.manage", fair_id=fair_id), code=303)


@bp.post("/<int:fair_id>/cancel", endpoint="cancel")
@roles_required(*STAFF)
def cancel(fair_id: int):
    commit_or_flash(lambda: svc.cancel_fair(db.session, current_user, fair_id, form_text("reason", 300)),
                    lambda n: f"招聘会已取消，已通知 {n} 个报名的求职者和参展单位", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.manage", fair_id=fair_id), code=303)


@bp.post("/<int:fair_id>/booths/<int:booth_id>/approve", endpoint="booth_approve")
@roles_required(*STAFF)
def booth_approve(fair_id: int, booth_id: int):
    commit_or_flash(lambda: svc.approve_booth(db.session, current_user, fair_id, booth_id),
                    lambda b: f"已通过“{b.enterprise.name}”，展位号 {b.booth_number}", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.manage", fair_id=fair_id, _anchor=f"booth-{booth_id}"), code=303)


@bp.post("/<int:fair_id>/booths/<int:booth_id>/refuse", endpoint="booth_refuse")
@roles_required(*STAFF)
def booth_refuse(fair_id: int, booth_id: int):
    commit_or_flash(lambda: svc.refuse_booth(db.session, current_user, fair_id, booth_id, form_text("reason", 300)),
                    lambda b: f"已告知“{b.enterprise.name}”不通过及原因", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.manage", fair_id=fair_id, _anchor=f"booth-{booth_id}"), code=303)


@bp.route("/<int:fair_id>/booth-numbers", methods=["GET", "POST"], endpoint="booth_numbers")
@roles_required(*STAFF)
def booth_numbers(fair_id: int):
    """Booth numbers by dragging the list (Sortable, served locally) or by typing them."""
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    if request.method == "POST":
        numbers = {k[len("number-"):]: v for k, v in request.form.items() if k.startswith("number-")}
        done = commit_or_flash(lambda: svc.renumber_booths(db.session, current_user, fair_id, numbers),
                               lambda _b: "展位号已保存", answered=EVERY_REFUSAL)
        if done.ok:
            return redirect(url_for("fairs.manage", fair_id=fair_id), code=303)
        fair = svc.fair_for_staff(db.session, fair_id, current_user)
    booths = sorted((b for b in fair.booths if b.status == "approved"), key=lambda b: b.booth_number or 0)
    return render_template("fairs/booth_numbers.html", fair=fair, booths=booths)


@bp.post("/<int:fair_id>/booth-numbers/auto", endpoint="booth_numbers_auto")
@roles_required(*STAFF)
def booth_numbers_auto(fair_id: int):
    """Number the approved booths by the kind of work their postings offer (occupation major group)."""
    def said(groups) -> str:
        parts, start = [], 1
        for name, booths in groups:
            end = start + len(booths) - 1
            parts.append(f"{name} {start}号" if start == end else f"{name} {start}–{end}号")
            start = end + 1
        return "已按岗位类别自动排号：" + "，".join(parts)

    commit_or_flash(lambda: svc.auto_number_booths(db.session, current_user, fair_id), said, answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.booth_numbers", fair_id=fair_id), code=303)


def _report(fair_id: int) -> tuple[JobFair, reports.FairReport]:
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    svc.audit(db.session, current_user, "fair.report", fair.id, "查看招聘会统计")
    result = reports.fair_report(db.session, fair)
    db.session.commit()
    return fair, result


@bp.get("/<int:fair_id>/report", endpoint="report")
@roles_required(*STAFF)
def report(fair_id: int):
    fair, result = _report(fair_id)
    return render_template("fairs/report.html", fair=fair, report=result, measures=reports.MEASURES)


@bp.get("/<int:fair_id>/report.xlsx", endpoint="report_xlsx")
@roles_required(*STAFF)
def report_xlsx(fair_id: int):
    fair, result = _report(fair_id)
    return Response(reports.report_xlsx(fair, result),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=fair-{fair.id}-report.xlsx"})


@bp.get("/<int:fair_id>/poster", endpoint="poster")
@roles_required(*STAFF)
def poster(fair_id: int):
    """A printable poster with the fair page's QR code, and the booth list."""
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    link = url_for("fairs.detail", fair_id=fair.id, _external=True)
    booths = sorted((b for b in fair.booths if b.status == "approved"), key=lambda b: b.booth_number or 0)
    return render_template("fairs/poster.html", fair=fair, qr=qr_svg(link, scale=8), booths=booths,
                           kinds=svc.KIND_LABELS)


@bp.get("/follow-ups", endpoint="follow_ups")
@roles_required(*STAFF)
def follow_ups():
    from core.seekers.privacy import view_jobseekers

    tasks = followups.list_follow_ups(db.session, current_user)
    people = view_jobseekers(db.session, cipher(), current_user,
                             [t.conversation.registration.jobseeker for t in tasks],
                             purpose="招聘会达成意向的回访", ip=client_ip())
    db.session.commit()  # the audit rows of that display
    return render_template("fairs/follow_ups.html", tasks=tasks, outcomes=followups.OUTCOME_LABELS, people=people,
                           today=dt.date.today(), fairs={t.fair_id: db.session.get(JobFair, t.fair_id) for t in tasks},
                           booths={t.id: db.session.get(FairBooth, t.conversation.booth_id) for t in tasks})


@bp.post("/follow-ups/<int:task_id>", endpoint="follow_up_outcome")
@roles_required(*STAFF)
def follow_up_outcome(task_id: int):
    commit_or_flash(lambda: followups.record_outcome(db.session, current_user, task_id, form_text("outcome", 16),
                                                     form_text("reason", 300)),
                    lambda t: f"已记录回访结果：{followups.OUTCOME_LABELS[t.outcome]}", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.follow_ups"), code=303)
