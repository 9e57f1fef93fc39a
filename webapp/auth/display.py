"""大字模式 (适老化): larger text, stronger contrast and bigger targets, switched from the header.
Remembered on the person's account when signed in, in a cookie of the browser otherwise."""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from core.accounts.models import User

from ..extensions import db
from .policy import public
from .views import _safe_next

bp = Blueprint("display", __name__)

COOKIE = "joblink_large_text"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def large_text_on() -> bool:
    """Whether this request's pages show in large text: the signed-in person's choice, else the browser's."""
    if current_user.is_authenticated:
        return bool(getattr(current_user, "large_text", False))
    return request.cookies.get(COOKIE) == "1"


@bp.post("/display")
@public
def toggle():
    on = request.values.get("large_text") == "1"
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        user.large_text = on
        db.session.commit()
    response = redirect(_safe_next(request.values.get("next")) or url_for("public.home"))
    response.set_cookie(COOKIE, "1" if on else "0", max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


@bp.app_context_processor
def _display_context() -> dict:
    return {"large_text": large_text_on()}
