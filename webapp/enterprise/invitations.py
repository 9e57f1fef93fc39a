"""The jobseeker's side of 邀请投递 (/me/invitations): the invitations enterprises sent, each to
accept (which is applying to the posting, origin invitation) or decline. A blueprint of its own
because its pages are the jobseeker's, under /me, while the enterprise's side is in candidates.py."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core.applications.invitations import accept_invitation, decline_invitation, seeker_invitations, status_words
from core.applications.services import rejection_words, seeker_for_user
from core.enums import Role

from ..auth.inputs import attempt
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("invitations", __name__, url_prefix="/me/invitations")


def _seeker():
    seeker = seeker_for_user(db.session, current_user.id)
    if seeker is None:
        abort(404)
    return seeker


@bp.get("")
@roles_required(Role.JOBSEEKER)
def mine():
    seeker = seeker_for_user(db.session, current_user.id)
    rows = seeker_invitations(db.session, seeker.id) if seeker else []
    return render_template("enterprise/invitations.html", invitations=rows, words=status_words)


@bp.post("/<int:invitation_id>/accept")
@roles_required(Role.JOBSEEKER)
def accept(invitation_id: int):
    seeker = _seeker()
    # another person's invitation is a 404 (NotFound goes to the error page); a refusal is flashed
    done = attempt(lambda: accept_invitation(db.session, jobseeker_id=seeker.id, invitation_id=invitation_id))
    if done.ok:
        flash("已接受邀请并投递。用人单位现在可以看到您的姓名和电话，会直接与您联系。", "success")
        return redirect(url_for("seeker.applications"))
    flash(done.refusal.message, "error")
    if done.refusal.field == "phone":
        return redirect(url_for("seeker.profile_edit"))
    return redirect(url_for("invitations.mine"))


@bp.post("/<int:invitation_id>/decline")
@roles_required(Role.JOBSEEKER)
def decline(invitation_id: int):
    seeker = _seeker()
    done = attempt(lambda: decline_invitation(db.session, jobseeker_id=seeker.id, invitation_id=invitation_id))
    flash("已婉拒这条邀请，对方不会看到您的资料。" if done.ok else done.refusal.message,
          "success" if done.ok else "error")
    return redirect(url_for("invitations.mine"))


@bp.app_template_filter("rejection_words")
def _rejection_words(code) -> str:
    """A declined application's reason in words (the jobseeker's applications page)."""
    return rejection_words(code)
