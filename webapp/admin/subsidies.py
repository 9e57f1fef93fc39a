"""Subsidies (补贴) on one page: the hiring-subsidy rules (招用补贴提示) an administrator edits — which
priority groups' hiring a rule is about, the posting's employment types it needs, and the sentence
enterprises read on their applicant and candidate pages — then the training subsidies' standards and
the claims completions gave rise to. Every change, and every look at the claims' names, is audited."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.audit.services import record_access
from core.enums import EmploymentType, PriorityGroup, Role, label
from core.subsidies.services import claim_rows, claim_rules, rule_rows, save_rule

from ..auth.inputs import attempt, form_flag, form_text
from ..auth.policy import roles_required
from ..extensions import db
from .views import bp


@bp.get("/subsidies")
@roles_required(Role.ADMIN)
def subsidies():
    claims = claim_rows(db.session)
    if claims:
        record_access(db.session, actor_user_id=current_user.id, actor_role=Role.ADMIN.value, action="view",
                      subject_type="training_subsidy_claims", subject_id=None, purpose="补贴：查看培训补贴申领名单",
                      fields=["name", "course", "amount"])
        db.session.commit()
    return render_template("admin/subsidies.html", rows=rule_rows(db.session),
                           group_options=[(g.value, label(g)) for g in PriorityGroup],
                           type_options=[(t.value, label(t)) for t in EmploymentType],
                           claim_rules=claim_rules(), claims=claims)


@bp.post("/subsidies")
@roles_required(Role.ADMIN)
def save_subsidy():
    """Save one rule (the form's ``code``) or add one (no code)."""
    code = form_text("code", 64) or None

    def save():
        row = save_rule(db.session, code=code, name=form_text("name", 200), hint=form_text("hint", 1000),
                        groups=request.form.getlist("groups"), employment_types=request.form.getlist("employment_types"),
                        source=form_text("source", 1000), active=form_flag("active"), by_user_id=current_user.id)
        record_access(db.session, actor_user_id=current_user.id, actor_role=Role.ADMIN.value, action="update",
                      subject_type="subsidy_rule", subject_id=row.id, purpose=f"修改补贴提示：{row.name}"[:200],
                      fields=["name", "groups", "employment_types", "hint", "source", "active"])
        return row

    done = attempt(save)
    if done.ok:
        flash(f"已保存“{done.result.name}”" + ("" if done.result.active else "（已停用，不再提示）"), "success")
    else:
        flash(done.refusal.message, "error")
    return redirect(url_for("admin.subsidies"))
