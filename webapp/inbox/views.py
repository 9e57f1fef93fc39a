"""The inbox (消息): every notification of the signed-in person, newest first, read state per message,
and the unread count the menu shows (also as JSON for a badge that refreshes itself)."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from core.enums import NotificationKind, label
from core.notifications.services import inbox as inbox_of
from core.notifications.services import mark_all_read, mark_read, unread_count

from ..auth.inputs import attempt
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("inbox", __name__)

PAGE_SIZE = 30
KIND_LABELS = {
    NotificationKind.APPLICATION: "投递进展", NotificationKind.INVITATION: "邀请投递", NotificationKind.POSTING: "岗位变动",
    NotificationKind.ALERT: "岗位订阅", NotificationKind.VERIFICATION: "认定结果", NotificationKind.FAIR: "招聘会",
    NotificationKind.LIVESTREAM: "直播带岗", NotificationKind.TRAINING: "培训", NotificationKind.TASK: "待办",
    NotificationKind.ACCOUNT: "账号",
}


@bp.app_context_processor
def _inbox_helpers():
    def inbox_unread() -> int:
        """The signed-in person's unread messages (for the menu); 0 when signed out."""
        if not current_user.is_authenticated:
            return 0
        try:
            return unread_count(db.session, current_user.id)
        except SQLAlchemyError:  # an error page after a failed write still renders its menu
            return 0

    return {"inbox_unread": inbox_unread}


def _safe_link(link: str | None) -> str | None:
    """Only a path inside JobLink is followed (never another site)."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


@bp.get("/me/inbox")
@roles_required()
def inbox():
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 1000))
    notes = inbox_of(db.session, current_user.id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("inbox/inbox.html", notes=notes[:PAGE_SIZE], more=len(notes) > PAGE_SIZE, page=page,
                           kind_label=lambda k: KIND_LABELS.get(k, label(k)), unread=unread_count(db.session,
                                                                                                   current_user.id))


@bp.post("/me/inbox/<int:notification_id>/read")
@roles_required()
def read(notification_id: int):
    """Mark one message read and go where it points (or back to the inbox)."""
    done = attempt(lambda: mark_read(db.session, user_id=current_user.id, notification_id=notification_id),
                   answered=())
    target = _safe_link(done.result.link) if done.ok and request.form.get("open") else None
    return redirect(target or url_for("inbox.inbox"))


@bp.post("/me/inbox/read-all")
@roles_required()
def read_all():
    attempt(lambda: mark_all_read(db.session, user_id=current_user.id))
    return redirect(url_for("inbox.inbox"))


@bp.get("/api/v1/me/inbox/unread")
@roles_required()
def api_unread():
    return jsonify({"unread": unread_count(db.session, current_user.id), "url": url_for("inbox.inbox")})
