"""Land acquisition pages (征地与被征地人员安置) on the ``projects`` blueprint: notices with the 30-working-day
survey deadline and days left, the roster per village (names only for the village's jurisdiction,
every view audited), phone entry and file import, proposals, offers, outcomes, the plan's export, the
working-day calendar (admins edit), and a project's employment impact."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.audit.services import record_access
from core.enums import Role
from core.projects import impact, land, placement, plan_export, survey, workdays
from core.projects import services as svc

from ..auth.inputs import attempt, cipher, client_ip, commit_or_flash, form_text
from ..auth.policy import roles_required
from ..extensions import db
from .views import bp

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
_NOTICE_FIELDS = ("notice_date", "reference", "area_mu", "households", "villages")
_PERSON_FIELDS = ("name", "id_number", "village", "age", "household", "household_size", "phone", "skills",
                  "employment_now", "wants", "training_wishes")
_ROSTER_FIELDS = ["name", "id_number_masked", "age", "household", "phone", "skills", "employment_now", "wants",
                  "training_wishes", "outcome"]


def _audit(action: str, subject_type: str, subject_id: int, purpose: str, fields=None) -> None:
    record_access(db.session, actor_user_id=current_user.id, actor_role=current_user.role, action=action,
                  subject_type=subject_type, subject_id=subject_id, purpose=purpose, fields=fields or _ROSTER_FIELDS,
                  ip=client_ip())


def _today() -> dt.date:
    return dt.date.today()


@bp.get("/land/", endpoint="land_index")
@roles_required(*_STAFF)
def land_index():
    cal = workdays.working_calendar(db.session)
    notices = land.visible_notices(db.session, current_user)
    rows = [(n, land.survey_deadline(cal, n, _today())) for n in notices]
    return render_template("projects/land_list.html", rows=rows)


@bp.route("/<int:project_id>/land/new", methods=["GET", "POST"], endpoint="land_new")
@roles_required(*_STAFF)
def land_new(project_id: int):
    project = svc.get_project(db.session, project_id, current_user)
    if request.method == "GET":
        return render_template("projects/land_form.html", project=project, values={}, errors={})
    data = {k: form_text(k) for k in _NOTICE_FIELDS}
    done = attempt(lambda: land.record_notice(db.session, current_user, project_id, data))
    if done.ok:
        due = land.survey_deadline(workdays.working_calendar(db.session), done.result, _today())
        flash(f"已登记征地公告，调查须在 {due.deadline:%Y年%m月%d日} 前完成（公告后30个工作日）", "success")
        return redirect(url_for("projects.land_detail", notice_id=done.result.id), code=303)
    return render_template("projects/land_form.html", project=project, values=data, errors=done.errors()), 400


@bp.get("/land/<int:notice_id>", endpoint="land_detail")
@roles_required(*_STAFF)
def land_detail(notice_id: int):
    notice = land.get_notice(db.session, notice_id, current_user)
    due = land.survey_deadline(workdays.working_calendar(db.session), notice, _today())
    progress = survey.survey_progress(db.session, notice)
    named = {v.id for v in notice.villages if land.sees_names(current_user, v)}
    return render_template("projects/land_detail.html", notice=notice, due=due, progress=progress, named=named,
                           figures=placement.plan_figures(db.session, notice), outcomes=placement.OUTCOMES,
                           wants=survey.WANTS)


@bp.post("/land/<int:notice_id>/complete", endpoint="land_complete")
@roles_required(*_STAFF)
def land_complete(notice_id: int):
    commit_or_flash(lambda: land.complete_survey(db.session, current_user, notice_id), lambda _n: "已确认调查完成")
    return redirect(url_for("projects.land_detail", notice_id=notice_id), code=303)


def _people_rows(village, records) -> list[dict]:
    proposals = placement.record_proposals(db.session, [r.id for r in records])
    return [{"r": r, "id_masked": survey.masked_id(cipher(), r), "proposals": proposals.get(r.id, [])}
            for r in records]


@bp.get("/land/<int:notice_id>/villages/<int:village_id>", endpoint="land_village")
@roles_required(*_STAFF)
def land_village(notice_id: int, village_id: int):
    village = land.get_village(db.session, notice_id, village_id, current_user)
    records = survey.village_records(db.session, village)
    _audit("view", "land_survey_village", village.id, f"征地人员调查：查看{village.name}名单")
    db.session.commit()
    from core.projects.training import course_orders, list_courses

    courses = [(c, course_orders(db.session, c.id)) for c in list_courses(db.session)]
    return render_template("projects/land_village.html", notice=village.notice, village=village,
                           people=_people_rows(village, records), employment=survey.EMPLOYMENT, wants=survey.WANTS,
                           outcomes=placement.OUTCOMES, courses=courses,
                           may_edit=current_user.role == Role.COMMISSIONER)


@bp.route("/land/<int:notice_id>/people/new", methods=["GET", "POST"], endpoint="land_person_new")
@roles_required(*_STAFF)
def land_person_new(notice_id: int):
    notice = land.get_notice(db.session, notice_id, current_user)
    villages = [v for v in notice.villages if land.sees_names(current_user, v)]
    if not villages:
        abort(403)
    context = {"notice": notice, "villages": villages, "employment": survey.EMPLOYMENT, "wants": survey.WANTS}
    if request.method == "GET":
        village = request.args.get("village", "")
        return render_template("projects/land_person.html", values={"village": village}, errors={}, **context)
    data = {k: form_text(k, 300) for k in _PERSON_FIELDS}
    done = attempt(lambda: survey.add_person(db.session, cipher(), current_user, notice_id, data))
    if done.ok:
        record = done.result
        note = f"，身份证号码有误（{record.id_problem}），已先保存，请核实后更正" if record.id_problem else ""
        flash(f"已登记 {record.name}{note}", "success" if not note else "info")
        if form_text("next") == "another":
            return redirect(url_for("projects.land_person_new", notice_id=notice_id, village=record.village_id), code=303)
        return redirect(url_for("projects.land_village", notice_id=notice_id, village_id=record.village_id), code=303)
    return render_template("projects/land_person.html", values=data, errors=done.errors(), **context), 400


@bp.route("/land/<int:notice_id>/import", methods=["GET", "POST"], endpoint="land_import")
@roles_required(*_STAFF)
def land_import(notice_id: int):
    notice = land.get_notice(db.session, notice_id, current_user)
    if not any(land.sees_names(current_user, v) for v in notice.villages):
        abort(403)
    if request.method == "GET":
        return render_template("projects/land_import.html", notice=notice, report=None, columns=survey.COLUMNS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择名单文件（Excel 或 CSV）", "error")
        return render_template("projects/land_import.html", notice=notice, report=None, columns=survey.COLUMNS), 400
    done = attempt(lambda: survey.import_survey(db.session, cipher(), current_user, notice_id, upload.stream,
                                                filename=upload.filename))
    if not done.ok:
        flash(done.refusal.message, "error")
        return render_template("projects/land_import.html", notice=notice, report=None, columns=survey.COLUMNS), 400
    report = done.result
    _audit("import", "land_notice", notice.id, "征地人员调查：导入名单", ["name", "id_number"])
    db.session.commit()
    flash(f"已导入 {len(report.added)} 人", "success")
    return render_template("projects/land_import.html", notice=notice, report=report, columns=survey.COLUMNS)


@bp.route("/land/people/<int:record_id>/edit", methods=["GET", "POST"], endpoint="land_person_edit")
@roles_required(Role.COMMISSIONER)
def land_person_edit(record_id: int):
    """Correct a person's situation and needs (the village's own commissioners only, audited)."""
    record = survey.record_for_edit(db.session, current_user, record_id)
    context = {"record": record, "employment": survey.EMPLOYMENT, "wants": survey.WANTS}
    if request.method == "GET":
        values = {k: getattr(record, k) for k in survey.EDITABLE}
        values["skills"] = "、".join(record.skills or [])
        return render_template("projects/land_person_edit.html", values=values, errors={}, **context)
    data = {k: form_text(k, 300) for k in survey.EDITABLE}
    done = attempt(lambda: survey.edit_record(db.session, current_user, record_id, data, ip=client_ip()))
    if done.ok:
        flash(f"已修改 {record.name} 的调查情况" if done.result else "没有改动", "success" if done.result else "info")
        return _back_to_person(record_id)
    return render_template("projects/land_person_edit.html", values=data, errors=done.errors(), **context), 400


@bp.post("/land/<int:notice_id>/villages/<int:village_id>/propose", endpoint="land_propose")
@roles_required(*_STAFF)
def land_propose(notice_id: int, village_id: int):
    commit_or_flash(lambda: placement.propose_for_village(db.session, current_user, notice_id, village_id),
                    lambda n: f"已为 {n} 人推荐岗位（本项目岗位在前，其次为附近岗位）")
    return redirect(url_for("projects.land_village", notice_id=notice_id, village_id=village_id), code=303)


@bp.post("/land/proposals/<int:proposal_id>/offer", endpoint="land_offer")
@roles_required(*_STAFF)
def land_offer(proposal_id: int):
    done = commit_or_flash(lambda: placement.confirm_offer(db.session, current_user, proposal_id),
                           lambda p: f"已确认向其推荐“{p.title}”")
    return _back_to_person(done.result.record_id if done.ok else None)


def _back_to_person(record_id: int | None):
    from core.projects.models import SurveyRecord

    record = db.session.get(SurveyRecord, record_id) if record_id else None
    if record is None:
        return redirect(url_for("projects.land_index"), code=303)
    return redirect(url_for("projects.land_village", notice_id=record.notice_id, village_id=record.village_id,
                            _anchor=f"person-{record.id}"), code=303)


@bp.post("/land/people/<int:record_id>/outcome", endpoint="land_outcome")
@roles_required(*_STAFF)
def land_outcome(record_id: int):
    raw = form_text("proposal_id")
    proposal_id = int(raw) if raw.isdigit() else None
    commit_or_flash(lambda: placement.record_outcome(db.session, current_user, record_id, form_text("outcome"),
                                                     form_text("reason", 200), proposal_id),
                    lambda r: f"已记录 {r.name} 的安置结果：{placement.OUTCOMES[r.outcome]}")
    return _back_to_person(record_id)


@bp.post("/land/people/<int:record_id>/identity", endpoint="land_identity")
@roles_required(*_STAFF)
def land_identity(record_id: int):
    commit_or_flash(lambda: survey.fix_identity(db.session, cipher(), current_user, record_id, form_text("id_number", 30)),
                    lambda r: f"已更正 {r.name} 的身份证号码")
    return _back_to_person(record_id)


@bp.get("/land/<int:notice_id>/plan.<any(xlsx, docx):kind>", endpoint="land_plan")
@roles_required(*_STAFF)
def land_plan(notice_id: int, kind: str):
    notice = land.get_notice(db.session, notice_id, current_user)
    _audit("export", "land_notice", notice.id, "安置分流方案：导出")
    db.session.commit()
    if kind == "xlsx":
        data = plan_export.plan_xlsx(db.session, cipher(), current_user, notice)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = plan_export.plan_docx(db.session, cipher(), current_user, notice)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(data, mimetype=mime,
                    headers={"Content-Disposition": f"attachment; filename=placement-plan-{notice.id}.{kind}"})


@bp.route("/calendar", methods=["GET", "POST"], endpoint="calendar")
@roles_required(*_STAFF)
def calendar():
    year = request.values.get("year", "")
    year = int(year) if year.isdigit() and 2000 < int(year) < 2100 else _today().year
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if request.method == "POST":
        if current_user.role != Role.ADMIN:
            abort(403)
        values = {k: form_text(k, 60) for k in ("day", "kind", "name")}
        done = attempt(lambda: workdays.set_calendar_day(db.session, current_user, values["day"], values["kind"],
                                                         values["name"]))
        if done.ok:
            flash(f"已保存：{done.result.day:%Y年%m月%d日} {workdays.KINDS[done.result.kind]}", "success")
            return redirect(url_for("projects.calendar", year=done.result.day.year), code=303)
        errors = done.errors()
    return render_template("projects/calendar.html", year=year, rows=workdays.calendar_rows(db.session, year),
                           shipped_years=workdays.shipped_years(), kinds=workdays.KINDS, errors=errors,
                           values=values, may_edit=current_user.role == Role.ADMIN), 400 if errors else 200


@bp.route("/<int:project_id>/impact", methods=["GET", "POST"], endpoint="impact")
@roles_required(*_STAFF)
def impact_edit(project_id: int):
    project = svc.project_for_change(db.session, project_id, current_user)
    keys = ("impact_jobs_created", "impact_jobs_lost", "impact_land_lost_farmers", "impact_industries")
    if request.method == "GET":
        values = {k: "" if getattr(project, k) is None else getattr(project, k) for k in keys}
        return render_template("projects/impact_form.html", project=project, values=values, errors={})
    data = {k: form_text(k, 300) for k in keys}
    done = attempt(lambda: impact.set_impact(db.session, current_user, project_id, data))
    if done.ok:
        flash("已保存就业影响评估", "success")
        return redirect(url_for("projects.detail", project_id=project_id, _anchor="impact"), code=303)
    return render_template("projects/impact_form.html", project=project, values=data, errors=done.errors()), 400


def project_extras(project) -> dict:
    """What the project page shows from this module: the impact beside what happened, the notices."""
    cal = workdays.working_calendar(db.session)
    notices = [(n, land.survey_deadline(cal, n, _today())) for n in land.project_notices(db.session, project)
               if land.sees_notice(current_user, n)]
    return {"impact": impact.impact_comparison(db.session, project), "notices": notices}

