"""Zero-employment household pages (/households): the open list of my jurisdiction with days open, the
register's import with its rejected-row report, a household's members and referrals (every view of
the members audited), offering a posting and recording its outcome (已上岗 clears the household)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.audit.services import record_access
from core.enums import Role
from core.households import services as hh

from ..auth.inputs import EVERY_REFUSAL, attempt, client_ip, commit_or_flash, form_text
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("households", __name__, url_prefix="/households")

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
_MEMBER_FIELDS = ["name", "id_number_masked", "age", "employed", "phone"]


@bp.get("/", endpoint="index")
@roles_required(*_STAFF)
def index():
    cleared = request.args.get("show") == "cleared"
    rows = hh.list_households(db.session, current_user, cleared=cleared)
    return render_template("households/index.html", rows=rows, cleared=cleared, days_open=hh.days_open)


@bp.route("/import", methods=["GET", "POST"], endpoint="import_roster")
@roles_required(*_STAFF)
def import_roster():
    if request.method == "GET":
        return render_template("households/import.html", result=None, columns=hh.COLUMNS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择名单文件（Excel 或 CSV）", "error")
        return render_template("households/import.html", result=None, columns=hh.COLUMNS), 400
    done = attempt(lambda: hh.import_households(db.session, current_user, upload.stream, filename=upload.filename),
                   keep=None)
    if not done.ok:
        db.session.rollback()
        flash(done.refusal.message, "error")
        return render_template("households/import.html", result=None, columns=hh.COLUMNS), 400
    record_access(db.session, actor_user_id=current_user.id, actor_role=current_user.role, action="import",
                  subject_type="household_register", subject_id=current_user.id, purpose="零就业家庭：导入名单",
                  fields=_MEMBER_FIELDS, ip=client_ip())
    db.session.commit()
    flash(f"已登记零就业家庭 {len(done.result.added)} 户", "success")
    return render_template("households/import.html", result=done.result, columns=hh.COLUMNS)


@bp.get("/<int:household_id>", endpoint="detail")
@roles_required(*_STAFF)
def detail(household_id: int):
    household = hh.get_household(db.session, current_user, household_id)
    record_access(db.session, actor_user_id=current_user.id, actor_role=current_user.role, action="view",
                  subject_type="household", subject_id=household.id, purpose="零就业家庭：查看家庭成员与推荐",
                  fields=_MEMBER_FIELDS, ip=client_ip())
    page = render_template("households/detail.html", household=household, referrals=hh.referrals(db.session, household),
                           outcomes=hh.OUTCOMES, working_age=hh.is_working_age, days_open=hh.days_open(household),
                           nearby=hh.nearby_postings(db.session, household) if household.cleared_on is None else [])
    db.session.commit()
    return page


@bp.post("/<int:household_id>/referrals", endpoint="refer")
@roles_required(*_STAFF)
def refer(household_id: int):
    member, posting = form_text("member_id", 12), form_text("posting_number", 12) or form_text("posting_id", 12)
    commit_or_flash(lambda: hh.refer(db.session, current_user, household_id, int(member) if member.isdigit() else 0,
                                     int(posting) if posting.isdigit() else None),
                    lambda r: f"已向{r.member.name}推荐“{r.title}”", answered=EVERY_REFUSAL)
    return redirect(url_for("households.detail", household_id=household_id, _anchor="referrals"), code=303)


@bp.post("/referrals/<int:referral_id>/outcome", endpoint="outcome")
@roles_required(*_STAFF)
def outcome(referral_id: int):
    done = commit_or_flash(lambda: hh.record_outcome(db.session, current_user, referral_id, form_text("outcome", 20)),
                           lambda r: f"已记录：{r.member.name} {hh.OUTCOMES[r.outcome]}", answered=EVERY_REFUSAL)
    if not done.ok:
        return redirect(url_for("households.index"), code=303)
    return redirect(url_for("households.detail", household_id=done.result.household_id, _anchor="referrals"), code=303)


@bp.post("/members/<int:member_id>/employed", endpoint="found_work")
@roles_required(*_STAFF)
def found_work(member_id: int):
    done = commit_or_flash(lambda: hh.record_found_work(db.session, current_user, member_id),
                           lambda m: f"已记录{m.name}已就业", answered=EVERY_REFUSAL)
    if not done.ok:
        return redirect(url_for("households.index"), code=303)
    return redirect(url_for("households.detail", household_id=done.result.household_id), code=303)
