"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from core.accounts.services import authenticate

from ..extensions import db, limiter
from .forms import LoginForm
from .login import AuthUser
from .policy import login_required, public

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append("用户名或密码不正确")
        else:
            db.session.commit()
            login_user(AuthUser.from_user(user))
            flash(f"欢迎，{user.display_name}", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("public.home"))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("您已安全退出", "success")
    return redirect(url_for("public.home"))
