"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from core.accounts.registration import IdNumberHeld, register_enterprise, register_jobseeker
from core.accounts.services import authenticate, change_password, end_sessions
from core.identity import validate_region_code

from ..extensions import db, limiter
from .forms import LoginForm
from .inputs import EVERY_REFUSAL, attempt, cipher, form_flag, form_text, region_input
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


def _home_for(role) -> str:
    """Where each role starts after signing in (when it did not come from a page)."""
    start = {"enterprise": "enterprise.postings", "admin": "admin.channels", "reviewer": "review.queue",
             "commissioner": "commissioner.index"}.get(str(role))
    return url_for(start) if start and start in current_app.view_functions else url_for("public.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


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
            return redirect(_safe_next(request.args.get("next")) or _home_for(user.role))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.post("/logout")
@login_required
def logout():
    end_sessions(db.session, current_user.id)  # a copy of this session's cookie stops working too
    db.session.commit()
    logout_user()
    flash("您已安全退出", "success")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    """A new password ends every other session of the account; this one stays signed in."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done = attempt(lambda: change_password(db.session, current_user.id, request.form.get("current_password") or "",
                                               request.form.get("new_password") or "",
                                               request.form.get("new_password_confirm") or ""),
                       answered=EVERY_REFUSAL)
        if done.ok:
            login_user(AuthUser.from_user(done.result))
            flash("密码已修改，其他设备上的登录已全部退出", "success")
            return redirect(_home_for(done.result.role))
        errors = done.errors()
    return render_template("auth/password.html", errors=errors), (400 if errors else 200)


# --- self-registration (jobseekers and enterprises) -----------------------------------------------

def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _region_input(errors: dict, field: str = "region_code") -> str | None:
    """Region typed as code or name; an unresolvable name becomes a field error (code checked later)."""
    return region_input(errors, field, check=lambda code: validate_region_code(code, field))


@bp.get("/register")
@public
def register():
    return render_template("auth/register_choose.html")


def _register_id_limit() -> str:
    return current_app.config["REGISTER_ID_RATE_LIMIT"]


def _id_number_key() -> str:
    """Registrations naming one ID number share a budget whatever address they come from (keyed by
    the ID number's keyed hash, never the number itself)."""
    number = "".join((request.form.get("id_number") or "").split()).upper()[:30]
    return "register-id:" + cipher().lookup_hash(number)


def _no_id_number() -> bool:
    return not (request.form.get("id_number") or "").strip()


@bp.route("/register/jobseeker", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
@limiter.limit(_register_id_limit, methods=["POST"], key_func=_id_number_key, exempt_when=_no_id_number,
               scope="register-id")
def register_jobseeker_view():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    errors: dict[str, list[str]] = {}
    values = request.form
    if request.method == "POST":
        region = _region_input(errors)
        done = attempt(lambda: register_jobseeker(
            db.session,
            cipher(),
            username=form_text("username", 64),
            password=request.form.get("password") or "",
            password_confirm=request.form.get("password_confirm") or "",
            name=form_text("name", 64),
            phone=form_text("phone", 30),
            id_number=form_text("id_number", 30) or None,
            region_code=None if errors else region,
            consent_recommendation=form_flag("consent_recommendation"),
            consent_visible_to_enterprises=form_flag("consent_visible_to_enterprises"),
        ), answered=EVERY_REFUSAL, keep=not errors)  # a region name that could not be resolved: keep nothing
        if isinstance(done.refusal, IdNumberHeld):
            if not errors:  # the same answer whether or not the number is on a profile
                return render_template("auth/register_check.html", message=done.refusal.message)
        else:
            done.add_errors_to(errors)
        if done.ok and not errors:
            login_user(AuthUser.from_user(done.result))
            flash("注册成功，请完善您的求职档案", "success")
            return redirect(url_for("seeker.profile_edit"))
    return render_template("auth/register_jobseeker.html", values=values, errors=errors), (400 if errors else 200)


@bp.route("/register/enterprise", methods=["GET", "POST"])
@public
@limiter.limit(_register_limit, methods=["POST"])
def register_enterprise_view():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    errors: dict[str, list[str]] = {}
    values = request.form
    if request.method == "POST":
        region = _region_input(errors)
        done = attempt(lambda: register_enterprise(
            db.session,
            username=form_text("username", 64),
            password=request.form.get("password") or "",
            password_confirm=request.form.get("password_confirm") or "",
            contact_name=form_text("contact_name", 64),
            enterprise_name=form_text("enterprise_name", 200),
            credit_code=form_text("credit_code", 30),
            region_code=region if not errors else "",
            industry=form_text("industry", 100),
            size=form_text("size", 50),
            contact_phone=form_text("contact_phone", 30),
        ), answered=EVERY_REFUSAL, keep=not errors)
        done.add_errors_to(errors, explained={"region_code"})  # the name look-up already explained what is wrong
        if done.ok and not errors:
            login_user(AuthUser.from_user(done.result))
            flash("注册成功。单位信息待人社部门核验，核验前发布的岗位将先经审核。", "success")
            return redirect(url_for("enterprise.postings"))
    return render_template("auth/register_enterprise.html", values=values, errors=errors), (400 if errors else 200)
