"""The enterprise at a fair: applying for a booth with its published postings, and the booth page on a
phone — the shortlist of registered visitors ranked for the booth's postings (masked by the privacy
rule until the person applies), recording a conversation from a visitor's code, and a hiring intention
(达成意向) with one of the booth's postings."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.enums import Role
from core.fairs import booth as booths
from core.fairs import services as svc
from core.seekers.privacy import APPLICANT_TO_ENTERPRISE, view_jobseekers

from ..auth.inputs import EVERY_REFUSAL, attempt, cipher, client_ip, commit_or_flash, form_text
from ..auth.policy import roles_required
from ..extensions import db
from .views import bp, ranker_or_message


@bp.route("/<int:fair_id>/apply", methods=["GET", "POST"], endpoint="apply")
@roles_required(Role.ENTERPRISE)
def apply(fair_id: int):
    fair = svc.public_fair(db.session, fair_id)
    booth = svc.own_booth(db.session, fair.id, current_user.enterprise_id)
    errors: dict[str, list[str]] = {}
    values = {"posting_ids": [str(i) for i in (booth.posting_ids if booth else [])],
              "headcount": str(booth.headcount) if booth else "", "needs": booth.needs if booth else ""}
    if request.method == "POST":
        values = {"posting_ids": request.form.getlist("posting_ids"), "headcount": form_text("headcount", 10),
                  "needs": form_text("needs", 300)}
        done = attempt(lambda: svc.request_booth(db.session, current_user, fair.id, posting_ids=values["posting_ids"],
                                                 headcount=values["headcount"], needs=values["needs"]),
                       answered=EVERY_REFUSAL)
        if done.ok:
            flash("展位申请已提交，人社部门审核后会通知您", "success")
            return redirect(url_for("fairs.detail", fair_id=fair.id), code=303)
        done.add_errors_to(errors)
    postings = svc.published_postings(db.session, current_user.enterprise_id)
    return render_template("fairs/apply.html", fair=fair, booth=booth, postings=postings, values=values,
                           errors=errors, check=svc.qualification(db.session, current_user.enterprise_id)), \
        400 if errors else 200


@bp.get("/<int:fair_id>/booth", endpoint="booth")
@roles_required(Role.ENTERPRISE)
def booth(fair_id: int):
    fair, mine = booths.booth_for_enterprise(db.session, current_user, fair_id)
    postings = booths.booth_postings(db.session, mine)
    ranker, problem = ranker_or_message()
    rows = booths.booth_shortlist(db.session, ranker, mine) if ranker is not None else []
    people = view_jobseekers(db.session, cipher(), current_user, [r.registration.jobseeker for r in rows],
                             purpose="招聘会展位候选人", ip=client_ip(), at_most=APPLICANT_TO_ENTERPRISE)
    convs = booths.booth_conversations(db.session, mine)
    talked = view_jobseekers(db.session, cipher(), current_user, [c.registration.jobseeker for c in convs],
                             purpose="招聘会展位洽谈记录", ip=client_ip(), at_most=APPLICANT_TO_ENTERPRISE)
    db.session.commit()  # the audit rows of those displays
    return render_template("fairs/booth.html", fair=fair, booth=mine, postings=postings, rows=rows, people=people,
                           problem=problem, convs=convs, talked=talked,
                           titles={p.id: p.title for p in postings})


@bp.post("/<int:fair_id>/booth/talk", endpoint="booth_talk")
@roles_required(Role.ENTERPRISE)
def booth_talk(fair_id: int):
    commit_or_flash(lambda: booths.record_conversation(db.session, current_user, fair_id, form_text("code", 120),
                                                       form_text("note", 2000)),
                    lambda _c: "已记录洽谈", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.booth", fair_id=fair_id), code=303)


@bp.post("/<int:fair_id>/booth/intention", endpoint="booth_intention")
@roles_required(Role.ENTERPRISE)
def booth_intention(fair_id: int):
    days = int(current_app.config.get("FAIR_FOLLOW_UP_DAYS") or booths.DEFAULT_FOLLOW_UP_DAYS)
    commit_or_flash(lambda: booths.record_intention(db.session, current_user, fair_id, form_text("code", 120),
                                                    form_text("posting_id", 12), note=form_text("note", 2000),
                                                    follow_up_days=days),
                    lambda _c: "已记录达成意向，对方的投递已进入您的应聘人员名单", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.booth", fair_id=fair_id), code=303)
