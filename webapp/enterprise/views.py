"""Enterprise pages: publish a post (through the same intake pipeline as every channel), my postings
with their status, and the applicants to them (contact shown only to whom the person applied;
every read audited)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.enterprises.models import Enterprise
from core.enterprises.services import (
    applicants_for_enterprise,
    close_posting,
    enterprise_postings,
    owned_posting,
    set_application_status,
)
from core.enums import ApplicationStatus, Education, EmploymentType, PayUnit, PostingStatus, PriorityGroup, Role, label
from core.errors import DomainError
from core.numbers import finite_float

from ..auth.inputs import cipher, client_ip, commit_or_flash, form_text, region_input, resolve_occupations
from ..auth.policy import owner_required, owns_enterprise, roles_required
from ..extensions import db

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")

MAX_PAY = 1_000_000  # yuan per pay unit; a larger figure is a typo (and inf/nan are no figure at all)

# Education as the form offers it; the pipeline's normaliser reads the Chinese text like any channel's.
EDUCATION_CHOICES = [("", "学历不限")] + [(label(e), label(e)) for e in Education if e != Education.NONE]
EXPERIENCE_CHOICES = [("", "经验不限"), ("1年以上", "1年以上"), ("2年以上", "2年以上"), ("3年以上", "3年以上"),
                      ("5年以上", "5年以上"), ("10年以上", "10年以上")]


def _owns_posting(user, posting_id: int, **_) -> bool:
    from core.postings.models import Posting

    posting = db.session.get(Posting, posting_id)
    if posting is None:
        abort(404)
    return owns_enterprise(posting.enterprise_id, user)


def _owns_application(user, application_id: int, **_) -> bool:
    from core.applications.models import Application

    app = db.session.get(Application, application_id)
    if app is None:
        abort(404)
    return owns_enterprise(app.posting.enterprise_id, user)


def _enterprise_id() -> int:
    if not current_user.enterprise_id:
        abort(403)
    return current_user.enterprise_id


@bp.get("/postings")
@roles_required(Role.ENTERPRISE)
def postings():
    ent = db.session.get(Enterprise, _enterprise_id())
    rows = enterprise_postings(db.session, ent.id)
    return render_template("enterprise/postings.html", enterprise=ent, rows=rows)


def _form_choices() -> dict:
    return {
        "employment_options": [(t.value, label(t)) for t in EmploymentType],
        "pay_unit_options": [(u.value, "元/" + label(u)) for u in PayUnit],
        "education_options": EDUCATION_CHOICES,
        "experience_options": EXPERIENCE_CHOICES,
        "group_options": [(g.value, label(g)) for g in PriorityGroup],
    }


def _posting_form_data(ent: Enterprise, errors: dict[str, list[str]]) -> dict:
    """The form as the pipeline's enterprise-form adapter reads it (see indexer/sources/enterprise_form.py)."""
    data = {
        "title": form_text("title", 200),
        "description": form_text("description", 10000),
        "address": form_text("address", 300),
        "pay_min": form_text("pay_min", 12) or None,
        "pay_max": form_text("pay_max", 12) or None,
        "pay_unit": form_text("pay_unit", 10) or PayUnit.MONTH.value,
        "headcount": form_text("headcount", 10) or "若干",
        "education": form_text("education", 20) or "学历不限",
        "experience": form_text("experience", 20) or "经验不限",
        "employment_type": form_text("employment_type", 20) or EmploymentType.FULL_TIME.value,
        "welfare": form_text("welfare", 500),
        "skills": form_text("skills", 500),
        "target_groups": [g for g in request.form.getlist("target_groups") if g],
        "contact": form_text("contact", 100),
        "valid_until": form_text("valid_until", 10) or None,
    }
    for key, msg in (("pay_min", "最低薪资应为 0 到 1000000 之间的数字（元）"),
                     ("pay_max", "最高薪资应为 0 到 1000000 之间的数字（元）")):
        if data[key] is not None:
            try:
                if not 0 <= finite_float(data[key]) <= MAX_PAY:
                    raise ValueError
            except ValueError:
                errors.setdefault(key, []).append(msg)
    if data["pay_unit"] not in {u.value for u in PayUnit}:
        errors.setdefault("pay_unit", []).append("薪资单位选项无效")
    if data["employment_type"] not in {t.value for t in EmploymentType}:
        errors.setdefault("employment_type", []).append("用工形式选项无效")
    bad_groups = [g for g in data["target_groups"] if g not in {p.value for p in PriorityGroup}]
    if bad_groups:
        errors.setdefault("target_groups", []).append("重点群体选项无效")
    data["region_code"] = region_input(errors, check=_known_region) or ent.region_code
    occupation = form_text("occupation", 100)
    if occupation:
        codes, problems = resolve_occupations(occupation, "occupation")
        if problems:
            errors.setdefault("occupation", []).extend(problems)
        elif codes:
            from core.reference.models import Occupation

            if db.session.get(Occupation, codes[0]) is None:
                errors.setdefault("occupation", []).append(f"职业代码 {codes[0]} 不存在")
            data["occupation_code"] = codes[0]
    return data


def _known_region(code: str) -> None:
    from core.identity import validate_region_code
    from core.reference.models import Region

    validate_region_code(code)
    if db.session.get(Region, code) is None:
        raise DomainError("unknown_region", f"行政区划代码 {code} 不存在", "region_code")


# Pipeline issue fields -> the form's field names.
_ISSUE_FIELD = {"region_text": "region_code", "occupation_text": "occupation", "occupation_code": "occupation",
                "pay_text": "pay_min", "headcount_text": "headcount", "education_text": "education",
                "experience_text": "experience", "welfare_tags": "welfare"}


@bp.route("/postings/new", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE)
def publish():
    ent = db.session.get(Enterprise, _enterprise_id())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _posting_form_data(ent, errors)
        if not data["title"]:
            errors.setdefault("title", []).append("请填写职位名称")
        if not errors:
            from indexer.intake import submit_enterprise_posting

            posting, issues = submit_enterprise_posting(db.session, ent.id, data, current_user.id)
            if posting is None:
                db.session.rollback()
                for i in issues or []:
                    errors.setdefault(_ISSUE_FIELD.get(i.field or "", i.field or "_form"), []).append(i.message)
                if not errors:
                    errors["_form"] = ["岗位未能发布，请检查后重试"]
            else:
                db.session.commit()
                if posting.status == PostingStatus.PUBLISHED:
                    flash("岗位已发布", "success")
                else:
                    notes = "；".join(i.message for i in issues if i.severity != "info")
                    flash(f"岗位已提交，{label(posting.status)}" + (f"：{notes}" if notes else ""), "info")
                return redirect(url_for("enterprise.postings"))
        return render_template("enterprise/publish.html", enterprise=ent, values=request.form, errors=errors,
                               groups=request.form.getlist("target_groups"), **_form_choices()), 400
    return render_template("enterprise/publish.html", enterprise=ent, values={}, errors=errors, groups=[],
                           **_form_choices())


@bp.get("/applicants")
@roles_required(Role.ENTERPRISE)
def applicants():
    views = applicants_for_enterprise(db.session, cipher(), current_user, ip=client_ip())
    db.session.commit()  # the audit events
    return render_template("enterprise/applicants.html", applicants=views, posting=None,
                           status_options=_status_options())


@bp.get("/postings/<int:posting_id>/applicants")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_posting)
def posting_applicants(posting_id: int):
    ent_id = _enterprise_id()
    posting = owned_posting(db.session, ent_id, posting_id)
    views = applicants_for_enterprise(db.session, cipher(), current_user, posting_id=posting_id, ip=client_ip())
    db.session.commit()
    return render_template("enterprise/applicants.html", applicants=views, posting=posting,
                           status_options=_status_options())


def _status_options():
    return [(s.value, label(s)) for s in ApplicationStatus if s not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN)]


@bp.post("/applications/<int:application_id>/status")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_application)
def application_status(application_id: int):
    app = set_application_status(db.session, enterprise_id=_enterprise_id(), application_id=application_id,
                                 status=form_text("status", 20))
    db.session.commit()
    flash(f"已更新为“{label(app.status)}”", "success")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("enterprise.applicants"))


@bp.post("/postings/<int:posting_id>/close")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_posting)
def close(posting_id: int):
    commit_or_flash(
        lambda: close_posting(db.session, enterprise_id=_enterprise_id(), posting_id=posting_id,
                              outcome=form_text("outcome", 20)),
        lambda posting: f"“{posting.title}”已设为{label(posting.status)}，不再对外展示",
    )
    return redirect(url_for("enterprise.postings"))


@bp.post("/postings/<int:posting_id>/refresh")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_posting)
def refresh(posting_id: int):
    """Extend the validity (an expired posting is published again) — the validity rules decide."""
    import datetime as dt

    from core.validity.services import refresh_posting

    def extend():
        try:
            until = dt.date.fromisoformat(form_text("valid_until", 10))
        except ValueError:
            raise DomainError("invalid_valid_until", "请选择有效期截止日期", "valid_until") from None
        refresh_posting(db.session, posting_id, until, enterprise_id=_enterprise_id(), actor_user_id=current_user.id,
                        actor_role=Role.ENTERPRISE.value)
        return until

    commit_or_flash(extend, lambda until: f"有效期已延长至 {until:%Y-%m-%d}")
    return redirect(url_for("enterprise.postings"))
