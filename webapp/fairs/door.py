"""The door of a fair: staff type a 6-digit code or a phone number, or scan the visitor's QR code with
the device camera (jsQR, served from /static/vendor); both go through ONE JSON check-in endpoint.
Walk-in registration (现场登记) gives the visitor a code on the spot."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from core.errors import DomainError
from core.fairs import door as doors
from core.fairs import services as svc
from core.seekers.privacy import NAME_ONLY, view_jobseeker

from ..auth.inputs import attempt, cipher, client_ip, form_text
from ..auth.policy import roles_required
from ..extensions import db
from .views import STAFF, bp


@bp.get("/<int:fair_id>/door", endpoint="door")
@roles_required(*STAFF)
def door(fair_id: int):
    fair = svc.fair_for_staff(db.session, fair_id, current_user)
    from sqlalchemy import func, select

    from core.fairs.models import FairRegistration

    checked = db.session.scalar(select(func.count()).select_from(FairRegistration).where(
        FairRegistration.fair_id == fair.id, FairRegistration.checked_in_at.is_not(None))) or 0
    return render_template("fairs/door.html", fair=fair, checked=checked,
                           registered=svc.active_registrations(db.session, fair.id),
                           open=fair.status in svc.VISITORS_OPEN)


def _error(exc: DomainError):
    resp = jsonify({"ok": False, "error": {"code": exc.code, "message": exc.message}})
    resp.status_code = exc.status if exc.status in (403, 404) else 400
    return resp


@bp.post("/<int:fair_id>/checkin", endpoint="checkin")
@roles_required(*STAFF)
def checkin(fair_id: int):
    """One check-in, typed or scanned: {"code": "..."} (JSON or form) → {"ok", "already", "message", "name"}."""
    as_json = request.is_json  # the page's script; a plain form post (no script) gets the page back
    body = request.get_json(silent=True) or {}
    raw = str(body.get("code") or request.form.get("code") or "")[:120]
    try:
        result = doors.check_in(db.session, current_user, fair_id, raw)
        person = view_jobseeker(db.session, cipher(), current_user, result.person,
                                purpose="招聘会入场签到核对", ip=client_ip(), at_most=NAME_ONLY)
        answer = {"ok": True, "already": result.already, "message": result.message, "name": person.name,
                  "walk_in": result.walk_in}
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if not as_json:
            flash(exc.message, "error")
            return redirect(url_for("fairs.door", fair_id=fair_id), code=303)
        return _error(exc)
    if not as_json:
        flash(f"{answer['name']}：{answer['message']}", "success")
        return redirect(url_for("fairs.door", fair_id=fair_id), code=303)
    return jsonify(answer)


@bp.post("/<int:fair_id>/walk-in", endpoint="walk_in")
@roles_required(*STAFF)
def walk_in(fair_id: int):
    done = attempt(lambda: doors.walk_in(db.session, cipher(), current_user, fair_id, name=form_text("name", 64),
                                         phone=form_text("phone", 20)))
    if done.ok:
        reg = done.result.registration
        flash(f"已现场登记并签到。请告诉对方签到码：{reg.code}（到展位洽谈时报出这个号码）", "success")
    else:
        flash("未能登记：" + "；".join(m for ms in done.errors().values() for m in ms), "error")
    return redirect(url_for("fairs.door", fair_id=fair_id), code=303)
