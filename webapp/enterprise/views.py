"""Enterprise pages: publish a post (through the same intake pipeline as every channel), my postings
with their status; the applicants pipeline (pipeline.py) and recommended candidates (candidates.py)
register on the same blueprint."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.enterprises.models import Enterprise
from core.enterprises.services import (
    close_posting,
    enterprise_postings,
    merged_submissions,
    own_form_source,
    owned_posting,
)
from core.enums import Education, EmploymentType, PayUnit, PostingStatus, PriorityGroup, Role, label
from core.errors import DomainError
from core.numbers import finite_float
from core.review.services import latest_decisions

from ..auth.inputs import attempt, commit_or_flash, form_text, region_input, resolve_occupations
from ..auth.policy import owner_required, owns_enterprise, roles_required
from ..extensions import db
from .reasons import plain_reasons

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
    decisions = latest_decisions(db.session, [p.id for p, _ in rows if p.status in _REVIEWED])
    notes = {p.id: plain_reasons(p.review_reasons) for p, _ in rows if p.status in _REVIEWED}
    return render_template("enterprise/postings.html", enterprise=ent, rows=rows, decisions=decisions, notes=notes,
                           merged=merged_submissions(db.session, ent.id))


_REVIEWED = (PostingStatus.PENDING_REVIEW, PostingStatus.REJECTED)


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
    if request.method == "POST":
        return _submit(ent)
    return _render_form(ent, {}, {})


def _render_form(ent: Enterprise, values, errors: dict, *, heading: str = "发布岗位", action: str | None = None,
                 status: int = 200):
    groups = values.getlist("target_groups") if hasattr(values, "getlist") else list(values.get("target_groups") or [])
    return render_template("enterprise/publish.html", enterprise=ent, values=values, errors=errors, groups=groups,
                           heading=heading, form_action=action or url_for("enterprise.publish"),
                           **_form_choices()), status


def _submit(ent: Enterprise, *, external_id: str | None = None, heading: str = "发布岗位"):
    """Check the form, send it through the intake pipeline (``external_id``: the posting it edits)
    and say what became of it; the form again, with what to correct, when it is refused."""
    errors: dict[str, list[str]] = {}
    data = _posting_form_data(ent, errors)
    if not data["title"]:
        errors.setdefault("title", []).append("请填写职位名称")
    if external_id:
        data["external_id"] = external_id
    if not errors:
        from indexer.intake import submit_enterprise_posting

        posting, issues = submit_enterprise_posting(db.session, ent.id, data, current_user.id)
        if posting is not None:
            db.session.commit()
            _flash_outcome(posting, issues, edited=external_id is not None)
            return redirect(url_for("enterprise.postings"))
        db.session.rollback()
        for i in issues or []:
            errors.setdefault(_ISSUE_FIELD.get(i.field or "", i.field or "_form"), []).append(i.message)
        errors = errors or {"_form": ["岗位未能发布，请检查后重试"]}
    return _render_form(ent, request.form, errors, heading=heading, action=request.path, status=400)


def _flash_outcome(posting, issues, *, edited: bool) -> None:
    if any(i.code == "merged_into" for i in issues):
        flash(f"岗位已提交，但与贵单位已有的岗位“{posting.title}”相同，已合并到该岗位，不另外展示。"
              "如果不是同一个岗位，可在下方“已合并的提交”里撤销合并", "info")
    elif posting.status == PostingStatus.PUBLISHED:
        flash("修改已保存，岗位已更新" if edited else "岗位已发布", "success")
    else:
        notes = "；".join(plain_reasons(i.as_dict() for i in issues))
        flash(("修改已提交，" if edited else "岗位已提交，") + label(posting.status) + (f"：{notes}" if notes else ""),
              "info")


def _mine_or_404(user, posting_id: int, **_) -> bool:
    """Ownership for the posting's life-cycle pages: another enterprise's posting is as missing."""
    if not _owns_posting(user, posting_id):
        abort(404)
    return True


_mine_or_404.hides_foreign = True  # type: ignore[attr-defined]  (tests/web/test_route_policy.py holds it)


@bp.route("/postings/<int:posting_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE)
@owner_required(_mine_or_404)
def edit(posting_id: int):
    """Change a posting: the form goes through the pipeline again as an update of the same posting."""
    ent = db.session.get(Enterprise, _enterprise_id())
    done = attempt(lambda: own_form_source(db.session, ent.id, posting_id), keep=None)
    if not done.ok:
        flash(done.refusal.message, "error")
        return redirect(url_for("enterprise.postings"))
    heading = "修改岗位"
    if request.method == "POST":
        return _submit(ent, external_id=done.result.external_id, heading=heading)
    return _render_form(ent, _form_values(done.result.posting, done.result.raw), {}, heading=heading,
                        action=request.path)


@bp.get("/postings/<int:posting_id>/copy")
@roles_required(Role.ENTERPRISE)
@owner_required(_mine_or_404)
def copy(posting_id: int):
    """A new posting's form filled in from this one (published as a new posting)."""
    ent = db.session.get(Enterprise, _enterprise_id())
    posting = owned_posting(db.session, ent.id, posting_id)
    source = next((s for s in posting.sources if (s.raw or {}).get("enterprise_id") == ent.id), None)
    values = _form_values(posting, source.raw if source else None)
    values.pop("valid_until", None)
    return _render_form(ent, values, {}, heading="复制岗位")


def _form_values(posting, raw: dict | None) -> dict:
    """The form's fields as the enterprise last sent them, else as the posting holds them."""
    if raw:
        return {**raw, "occupation": raw.get("occupation_code") or ""}
    return {
        "title": posting.title, "description": posting.description, "address": posting.address or "",
        "region_code": posting.region_code or "", "occupation": posting.occupation_code or "",
        "pay_min": _figure(posting.pay_min), "pay_max": _figure(posting.pay_max),
        "pay_unit": str(posting.pay_unit or PayUnit.MONTH), "headcount": str(posting.headcount or "若干"),
        "employment_type": str(posting.employment_type), "welfare": "、".join(posting.welfare_tags or []),
        "skills": "、".join(posting.skills or []), "target_groups": list(posting.target_groups or []),
    }


def _figure(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _owns_submission(user, source_id: int, **_) -> bool:
    from core.postings.models import PostingSource

    source = db.session.get(PostingSource, source_id)
    if source is None or not user.enterprise_id or (source.raw or {}).get("enterprise_id") != user.enterprise_id:
        abort(404)
    return True


_owns_submission.hides_foreign = True  # type: ignore[attr-defined]


@bp.post("/merged/<int:source_id>/separate")
@roles_required(Role.ENTERPRISE)
@owner_required(_owns_submission)
def separate(source_id: int):
    """Undo a merge: "this is a different job" — the submission becomes its own posting."""
    from indexer.intake.use_cases import separate_enterprise_posting

    def undo():
        posting, issues = separate_enterprise_posting(db.session, _enterprise_id(), source_id, current_user.id)
        if posting is None:
            raise DomainError("separate_refused", "未能单独发布：" + "；".join(i.message for i in issues), None)
        return posting, issues

    done = attempt(undo)
    if done.ok:
        _flash_outcome(*done.result, edited=False)
    else:
        flash(done.refusal.message, "error")
    return redirect(url_for("enterprise.postings"))


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


# The hiring pages register their routes on this blueprint (imported last: they import from here).
from . import candidates, pipeline  # noqa: E402,F401
