"""忘记密码: jobseekers and enterprises reset their password with a one-time code; an account whose
password an admin reset must choose a new one before anything else. The pages answer the same
whether or not the account exists, and are throttled per client address and per named account."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from core.accounts.reset import normalise_target, request_reset_code, reset_with_code

from ..extensions import db, limiter
from .inputs import EVERY_REFUSAL, attempt, cipher
from .policy import public, wants_json

bp = Blueprint("password", __name__)

SENT = "如果该账号存在，验证码已发送到账号绑定的手机，请查收短信。没有收到？请稍等一会儿再重新获取。"
# what an account waiting for a new password may still open
_MUST_CHANGE_OPEN = {"auth.password_change", "auth.logout", "static", "display.toggle"}


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _target_limit() -> str:
    return current_app.config["PASSWORD_RESET_TARGET_RATE_LIMIT"]


def _target_key() -> str:
    """Requests naming one account share a budget whatever address they come from (keyed by a hash
    of the name, never the name itself)."""
    return "reset-target:" + cipher().lookup_hash(normalise_target(request.form.get("account") or "").lower()[:64])


def _no_target() -> bool:
    return not normalise_target(request.form.get("account") or "")


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


# one budget across both steps: asking for codes and guessing them
_per_address = limiter.shared_limit(_reset_limit, scope="reset-address", methods=["POST"])
_per_target = limiter.shared_limit(_target_limit, scope="reset-target", methods=["POST"], key_func=_target_key,
                                   exempt_when=_no_target)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@_per_address
@_per_target
def forgot():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        target = normalise_target(request.form.get("account") or "")[:64]
        if not target:
            errors["account"] = ["请输入用户名或注册时填写的手机号"]
        else:
            minutes = int(current_app.config["PASSWORD_RESET_CODE_MINUTES"])
            request_reset_code(db.session, target, key=_key(), ttl=dt.timedelta(minutes=minutes))
            db.session.commit()
            session["reset_account"] = target
            flash(SENT, "success")
            return redirect(url_for("password.reset"))
    return render_template("auth/forgot.html", errors=errors), (400 if errors else 200)


@bp.route("/password/reset", methods=["GET", "POST"])
@public
@_per_address
@_per_target
def reset():
    errors: dict[str, list[str]] = {}
    account = session.get("reset_account", "")
    if request.method == "POST":
        account = normalise_target(request.form.get("account") or "")[:64]
        done = attempt(lambda: reset_with_code(db.session, account, request.form.get("code") or "",
                                               request.form.get("new_password") or "",
                                               request.form.get("new_password_confirm") or "",
                                               key=_key(), ip=request.remote_addr),
                       answered=EVERY_REFUSAL, keep=None)
        db.session.commit()  # the new password, or a wrong guess counted against the code
        if done.ok:
            session.pop("reset_account", None)
            flash("密码已重新设置，所有设备上的登录都已退出，请用新密码登录", "success")
            return redirect(url_for("auth.login"))
        errors = done.errors()
    return render_template("auth/reset.html", account=account, errors=errors), (400 if errors else 200)


@bp.before_app_request
def must_change_password():
    """After an admin's reset the temporary password opens only the page that replaces it."""
    if not current_user.is_authenticated or not getattr(current_user, "must_change_password", False):
        return None
    if request.endpoint in _MUST_CHANGE_OPEN:
        return None
    if wants_json():
        return jsonify({"error": {"code": "password_change_required", "message": "请先设置新密码"}}), 403
    flash("您的密码已由管理员重置，请先设置一个只有您知道的新密码", "error")
    return redirect(url_for("auth.password_change"))
