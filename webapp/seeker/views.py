"""Jobseeker pages: my profile (view and edit, or the one-minute quick profile), my applications,
applying to a posting."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError

from core.applications.services import (
    apply_to_posting,
    find_application,
    seeker_applications,
    seeker_for_user,
    withdraw_application,
)
from core.enums import ApplicationOrigin, Availability, Education, PriorityGroup, Role, label
from core.matching.services import embed_seeker
from core.seekers.privacy import NOTHING, view_jobseeker
from core.seekers.services import create_jobseeker, update_jobseeker

from ..auth.inputs import (
    EVERY_REFUSAL,
    attempt,
    cipher,
    commit_or_flash,
    form_flag,
    form_text,
    region_input,
    resolve_occupations,
    resolve_regions,
)
from ..auth.policy import owner_required, roles_required
from ..extensions import db
from ..matching.runtime import optional_ranker

log = logging.getLogger(__name__)
bp = Blueprint("seeker", __name__, url_prefix="/me")


@bp.app_context_processor
def _seeker_helpers():
    def my_application(posting_id: int):
        """The signed-in jobseeker's application to a posting, if any (for the posting page)."""
        if not (current_user.is_authenticated and current_user.role == Role.JOBSEEKER):
            return None
        seeker = seeker_for_user(db.session, current_user.id)
        return find_application(db.session, seeker.id, posting_id) if seeker else None

    return {"my_application": my_application}


def _own_seeker():
    return seeker_for_user(db.session, current_user.id)


@bp.get("/profile")
@roles_required(Role.JOBSEEKER)
def profile():
    seeker = _own_seeker()
    if seeker is None:
        return redirect(url_for("seeker.profile_edit"))
    view = view_jobseeker(db.session, cipher(), current_user, seeker, purpose="本人查看档案")  # own data: not audited
    return render_template("seeker/profile.html", seeker=seeker, view=view)


def _profile_form_data(errors: dict[str, list[str]]) -> dict:
    """Parse the profile form; region and occupation names are resolved to codes here."""
    data: dict = {
        "name": form_text("name", 64),
        "phone": form_text("phone", 30),
        "address": form_text("address", 300),
        "education": form_text("education", 20) or Education.NONE.value,
        "graduation_year": form_text("graduation_year", 8),
        "experience_years": form_text("experience_years", 8),
        "skills": form_text("skills", 2000),
        "certificates": form_text("certificates", 2000),
        "desired_titles": form_text("desired_titles", 1000),
        "expected_pay_min": form_text("expected_pay_min", 12),
        "availability": form_text("availability", 20) or Availability.IMMEDIATE.value,
        "summary": form_text("summary", 5000),
        "consent_recommendation": form_flag("consent_recommendation"),
        "consent_visible_to_enterprises": form_flag("consent_visible_to_enterprises"),
    }
    data["region_code"] = region_input(errors) or None
    for key, resolve in (("desired_occupations", resolve_occupations), ("desired_regions", resolve_regions)):
        codes, problems = resolve(form_text(key, 1000), key)
        data[key] = codes
        if problems:
            errors.setdefault(key, []).extend(problems)
    return data


@bp.route("/profile/edit", methods=["GET", "POST"])
@roles_required(Role.JOBSEEKER)
def profile_edit():
    seeker = _own_seeker()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _profile_form_data(errors)
        id_number = form_text("id_number", 30) or None
        groups = [g for g in request.form.getlist("groups") if g]
        if _save_profile(seeker, data, errors, id_number=id_number, groups=groups):
            flash("档案已保存", "success")
            return redirect(url_for("seeker.profile"))
        return render_template("seeker/profile_edit.html", values=request.form, errors=errors, **_choices(), masked_id=None,
                               groups=request.form.getlist("groups")), 400
    values = _values_from(seeker) if seeker else {"name": current_user.display_name}
    masked_id = view_jobseeker(db.session, cipher(), current_user, seeker, purpose="本人修改档案",
                               at_most=NOTHING).id_number if seeker else None
    return render_template("seeker/profile_edit.html", values=values, errors=errors, masked_id=masked_id,
                           groups=seeker.group_values() if seeker else [], **_choices())


def _save_profile(seeker, data: dict, errors: dict[str, list[str]], **extra) -> bool:
    """Create or update the person's profile with ``data`` (only the fields given change) and store
    its embedding; False with the refusals added to ``errors`` when it was not saved. A name that could
    not be resolved (already in ``errors``): the rest is still checked, and nothing of it kept."""
    def save():
        if seeker is None:
            return create_jobseeker(db.session, cipher(), user_id=current_user.id, **extra, **data)
        return update_jobseeker(db.session, cipher(), seeker, **extra, **data)

    done = attempt(save, answered=EVERY_REFUSAL, keep=not errors)
    if done.ok and not errors:
        _embed_profile(done.result)
        return True
    done.add_errors_to(errors)
    return False


@bp.route("/quick", methods=["GET", "POST"])
@roles_required(Role.JOBSEEKER)
def quick_profile():
    """快速求职登记: name, phone, what work, where, when — a minute on a phone, no résumé; it saves
    into the same profile (the full form can add the rest later) and lands on the recommendations."""
    seeker = _own_seeker()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if _save_profile(seeker, _quick_form_data(errors), errors):
            flash("已保存。下面是为您推荐的岗位，以后可以在“我的档案”里补充更多信息", "success")
            return redirect(url_for("matching.my_recommendations"))
        errors.setdefault("work", []).extend(errors.pop("desired_occupations", []))  # the service's name for it
        return render_template("seeker/quick.html", values=request.form, errors=errors, **_choices()), 400
    values = _values_from(seeker) if seeker else {"name": current_user.display_name}
    # the occupations already chosen, by name (they resolve back); else the person's own words
    named = _occupation_names(seeker.desired_occupations or []) if seeker else []
    values["work"] = "、".join(named or (seeker.desired_titles if seeker else None) or [])
    return render_template("seeker/quick.html", values=values, errors=errors, **_choices())


# The quick form's answers that must be there (the service checks what is given), with what to write.
_QUICK_REQUIRED = {"phone": "请填写手机号码，用人单位凭它联系您", "work": "请填写想做的工作，如：电焊工、保安、服务员",
                   "region_code": "请填写在哪里找工作，如：兰山区"}


def _quick_form_data(errors: dict[str, list[str]]) -> dict:
    """The quick form's five answers as profile fields. The work may be everyday names (电焊工), kept
    as the person's own words too."""
    for field, message in _QUICK_REQUIRED.items():
        if not form_text(field, 200):
            errors[field] = [message]
    work = form_text("work", 200)
    codes, problems = resolve_occupations(work, "work")
    if problems:
        errors.setdefault("work", []).extend(problems)
    return {
        "name": form_text("name", 64),
        "phone": form_text("phone", 30),
        "desired_occupations": codes,
        "desired_titles": work,
        "region_code": region_input(errors),
        "availability": form_text("availability", 20) or Availability.IMMEDIATE.value,
        "consent_recommendation": form_flag("consent_recommendation"),
    }


def _occupation_names(codes: list[str]) -> list[str]:
    from core.reference.services import occupation_directory

    directory = occupation_directory(db.session)
    return [o.name for o in map(directory.get, codes) if o]


def _embed_profile(seeker) -> None:
    """The person's embedding, computed now that the profile is stored (outside its transaction) and
    kept in a short one of its own, so that 为我推荐 only reads. The profile is saved either way: when
    this fails, the recommendations page computes the embedding in memory."""
    ranker = optional_ranker()
    if ranker is None:
        return
    try:
        embed_seeker(db.session, ranker, sa_inspect(seeker).identity[0])
    except DBAPIError:
        db.session.rollback()
        log.warning("profile embedding not stored for jobseeker %s", sa_inspect(seeker).identity[0], exc_info=True)


def _choices() -> dict:
    return {
        "education_options": [(e.value, label(e) if e != Education.NONE else "无/不填") for e in Education],
        "availability_options": [(a.value, label(a)) for a in Availability],
        "group_options": [(g.value, label(g)) for g in PriorityGroup],
    }


def _values_from(seeker) -> dict:
    return {
        "name": seeker.name,
        "phone": seeker.phone or "",
        "region_code": seeker.region_code or "",
        "address": seeker.address or "",
        "education": seeker.education.value if seeker.education else "",
        "graduation_year": seeker.graduation_year or "",
        "experience_years": seeker.experience_years if seeker.experience_years is not None else "",
        "skills": "、".join(seeker.skills or []),
        "certificates": "、".join(seeker.certificates or []),
        "desired_occupations": "、".join(seeker.desired_occupations or []),
        "desired_titles": "、".join(seeker.desired_titles or []),
        "desired_regions": "、".join(seeker.desired_regions or []),
        "expected_pay_min": f"{seeker.expected_pay_min:g}" if seeker.expected_pay_min is not None else "",
        "availability": seeker.availability.value if seeker.availability else "",
        "summary": seeker.summary or "",
        "consent_recommendation": seeker.consent_recommendation,
        "consent_visible_to_enterprises": seeker.consent_visible_to_enterprises,
    }


@bp.get("/applications")
@roles_required(Role.JOBSEEKER)
def applications():
    seeker = _own_seeker()
    apps = seeker_applications(db.session, seeker.id) if seeker else []
    return render_template("seeker/applications.html", applications=apps)


@bp.post("/apply/<int:posting_id>")
@roles_required(Role.JOBSEEKER)
def apply(posting_id: int):
    seeker = _own_seeker()
    if seeker is None:
        flash("请先填写求职档案，再投递岗位", "error")
        return redirect(url_for("seeker.profile_edit"))
    origin = form_text("origin", 20) or ApplicationOrigin.SEARCH.value
    done = commit_or_flash(
        lambda: apply_to_posting(db.session, jobseeker_id=seeker.id, posting_id=posting_id, origin=origin),
        lambda _: "投递成功。用人单位可以看到您的联系方式，将直接与您联系。",
        answered={400, 403},  # a posting that is gone is the 404 page
    )
    if not done.ok and done.refusal.field == "phone":
        return redirect(url_for("seeker.profile_edit"))
    if origin == ApplicationOrigin.RECOMMENDATION.value:  # back to the card, which now says 已投递
        return redirect(url_for("matching.my_recommendations", _anchor=f"posting-{posting_id}"))
    return redirect(url_for("public.posting_detail", posting_id=posting_id))


def _owns_application(user, application_id: int, **_) -> bool:
    from core.applications.models import Application

    app = db.session.get(Application, application_id)
    if app is None:
        abort(404)
    seeker = seeker_for_user(db.session, user.id)
    return seeker is not None and app.jobseeker_id == seeker.id


@bp.post("/applications/<int:application_id>/withdraw")
@roles_required(Role.JOBSEEKER)
@owner_required(_owns_application)
def withdraw(application_id: int):
    seeker = _own_seeker()
    if seeker is None:
        abort(403)
    withdraw_application(db.session, jobseeker_id=seeker.id, application_id=application_id)
    db.session.commit()
    flash("已撤回投递，用人单位将不再看到您的联系方式", "success")
    return redirect(url_for("seeker.applications"))


@bp.route("/delete", methods=["GET", "POST"])
@roles_required(Role.JOBSEEKER)
def delete_account():
    """注销账号: the person deletes their profile, applications and account (confirmed by typing 注销)."""
    from core.accounts.registration import delete_jobseeker_account

    error = None
    if request.method == "POST":
        if form_text("confirm", 10) != "注销":
            error = "请输入“注销”两个字以确认"
        else:
            delete_jobseeker_account(db.session, current_user.id)
            db.session.commit()
            logout_user()
            flash("您的账号已注销，求职档案和投递记录已删除", "success")
            return redirect(url_for("public.home"))
    return render_template("seeker/delete.html", error=error), (400 if error else 200)
