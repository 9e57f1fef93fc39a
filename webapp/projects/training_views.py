"""Order-based training pages (订单式培训) on the ``projects`` blueprint: courses of training
institutions, orders linking a course to a project's demand line or an occupation, enrolment from the
survey roster, attendance and completion with the subsidy claims it gives rise to."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.enums import Role
from core.projects import training

from ..auth.inputs import attempt, commit_or_flash, form_text
from ..auth.policy import roles_required
from ..extensions import db
from .views import bp

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
_COURSE_FIELDS = ("institution_id", "name", "occupation_text", "hours", "sessions", "places", "start_date",
                  "end_date", "certificate_name")


@bp.get("/training/", endpoint="courses")
@roles_required(*_STAFF)
def courses():
    rows = [(c, training.taken(db.session, c.id)) for c in training.list_courses(db.session)]
    return render_template("projects/courses.html", rows=rows)


def _demand_options(actor) -> list[tuple[str, str]]:
    from core.projects.services import list_projects

    opts = [("", "不关联项目（填写紧缺工种）")]
    for p in list_projects(db.session, actor):
        opts += [(str(d.id), f"{p.name}：{d.title}") for d in p.demand_lines]
    return opts


@bp.route("/training/new", methods=["GET", "POST"], endpoint="course_new")
@roles_required(*_STAFF)
def course_new():
    insts = [(str(c.id), c.name) for c in training.institutions(db.session)]
    if request.method == "GET":
        return render_template("projects/course_form.html", values={"sessions": "1", "subsidy_eligible": True},
                               errors={}, institutions=insts)
    data = {k: form_text(k, 200) for k in _COURSE_FIELDS}
    data["subsidy_eligible"] = "1" if request.form.get("subsidy_eligible") else "0"
    done = attempt(lambda: training.create_course(db.session, current_user, data))
    if done.ok:
        flash(f"已登记培训课程“{done.result.name}”", "success")
        return redirect(url_for("projects.course", course_id=done.result.id), code=303)
    return render_template("projects/course_form.html", values=data, errors=done.errors(), institutions=insts), 400


@bp.get("/training/<int:course_id>", endpoint="course")
@roles_required(*_STAFF)
def course(course_id: int):
    c = training.get_course(db.session, course_id)
    from core.channels.models import Channel

    enrolments = training.course_enrolments(db.session, c.id)
    orders = training.course_orders(db.session, c.id)
    if enrolments:
        from core.audit.services import record_access

        from ..auth.inputs import client_ip

        record_access(db.session, actor_user_id=current_user.id, actor_role=current_user.role, action="view",
                      subject_type="training_course", subject_id=c.id, purpose="订单式培训：查看学员",
                      fields=["name", "attendance", "certificate"], ip=client_ip())
        db.session.commit()
    return render_template(
        "projects/course.html", course=c, institution=db.session.get(Channel, c.institution_id),
        orders=[(o, training.demand_title(db.session, o.demand_id), training.taken(db.session, c.id, o.id)) for o in orders],
        enrolments=enrolments, claims=training.claims_for(db.session, [e.id for e in enrolments]),
        names=_names([e.jobseeker_id for e in enrolments]), taken=training.taken(db.session, c.id),
        status=training.STATUS, rules=training.rule_names(), demand_options=_demand_options(current_user))


def _names(seeker_ids: list[int]) -> dict[int, str]:
    """Trainees' names: in full inside the viewer's jurisdiction, else the surname only."""
    from core.accounts.services import in_jurisdiction
    from core.seekers.models import Jobseeker

    if not seeker_ids:
        return {}
    rows = db.session.query(Jobseeker.id, Jobseeker.name, Jobseeker.region_code).filter(Jobseeker.id.in_(seeker_ids))
    return {i: (n if in_jurisdiction(current_user, r) else (n or "")[:1] + "**") for i, n, r in rows}


@bp.post("/training/<int:course_id>/orders", endpoint="course_order")
@roles_required(*_STAFF)
def course_order(course_id: int):
    data = {k: form_text(k, 100) for k in ("demand_id", "occupation_text", "places")}
    commit_or_flash(lambda: training.place_order(db.session, current_user, course_id, data),
                    lambda o: f"已下订单：{o.places} 个名额")
    return redirect(url_for("projects.course", course_id=course_id), code=303)


@bp.post("/training/<int:course_id>/enrol", endpoint="course_enrol")
@roles_required(*_STAFF)
def course_enrol(course_id: int):
    record = form_text("record_id")
    order = form_text("order_id")
    commit_or_flash(
        lambda: training.enrol(db.session, current_user, course_id, record_id=int(record) if record.isdigit() else None,
                               order_id=int(order) if order.isdigit() else None),
        lambda e: "已报名")
    return redirect(url_for("projects.course", course_id=course_id), code=303)


@bp.post("/land/people/<int:record_id>/enrol", endpoint="record_enrol")
@roles_required(*_STAFF)
def record_enrol(record_id: int):
    """A commissioner enrols a person of the roster on a course (and one of its orders): ``course_order``
    is ``<course id>:<order id or nothing>``."""
    from core.projects.placement import get_record

    record = get_record(db.session, record_id, current_user)
    course_id, _, order = form_text("course_order", 40).partition(":")
    if not course_id.isdigit():
        flash("请选择培训课程", "error")
    else:
        commit_or_flash(lambda: training.enrol(db.session, current_user, int(course_id), record_id=record_id,
                                               order_id=int(order) if order.isdigit() else None),
                        lambda e: f"{record.name} 已报名“{e.course.name}”")
    return redirect(url_for("projects.land_village", notice_id=record.notice_id, village_id=record.village_id,
                            _anchor=f"person-{record_id}"), code=303)


@bp.get("/training/open", endpoint="open_courses")
@roles_required(Role.JOBSEEKER)
def open_courses():
    """Courses a jobseeker may sign up for: not yet started, with places left."""
    rows = [(c, training.taken(db.session, c.id)) for c in training.open_courses(db.session)]
    mine = training.my_course_ids(db.session, current_user)
    return render_template("projects/open_courses.html", rows=rows, mine=mine)


@bp.post("/training/<int:course_id>/signup", endpoint="course_signup")
@roles_required(Role.JOBSEEKER)
def course_signup(course_id: int):
    commit_or_flash(lambda: training.enrol(db.session, current_user, course_id),
                    lambda e: f"已报名“{e.course.name}”，培训机构会与您联系")
    return redirect(url_for("projects.open_courses"), code=303)


@bp.post("/training/enrolments/<int:enrolment_id>/attendance", endpoint="enrolment_attendance")
@roles_required(*_STAFF)
def enrolment_attendance(enrolment_id: int):
    e = training.get_enrolment(db.session, enrolment_id, current_user)
    commit_or_flash(lambda: training.record_attendance(db.session, current_user, enrolment_id,
                                                       form_text("sessions_attended")),
                    lambda _e: "已记录出勤")
    return redirect(url_for("projects.course", course_id=e.course_id, _anchor=f"enrolment-{enrolment_id}"), code=303)


@bp.post("/training/enrolments/<int:enrolment_id>/complete", endpoint="enrolment_complete")
@roles_required(*_STAFF)
def enrolment_complete(enrolment_id: int):
    e = training.get_enrolment(db.session, enrolment_id, current_user)
    certificate = request.form.get("certificate") in ("1", "on")

    def message(claims):
        names = training.rule_names()
        said = "、".join(f"{names.get(c.rule, '补贴')} {c.amount:g} 元" for c in claims)
        return "已结业" + ("，已取得证书" if certificate else "") + (f"，生成补贴申领：{said}" if said else "，不符合补贴条件")

    commit_or_flash(lambda: training.complete(db.session, current_user, enrolment_id, certificate=certificate), message)
    return redirect(url_for("projects.course", course_id=e.course_id, _anchor=f"enrolment-{enrolment_id}"), code=303)

