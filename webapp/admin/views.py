"""Administration (admin only): the channels of the "1+1+N" matrix and staff accounts."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from core.accounts.models import User
from core.accounts.services import create_user
from core.channels.models import Channel
from core.enums import Role, label
from core.errors import DomainError
from core.postings.models import Posting

from ..auth.inputs import field_errors, form_text, resolve_region
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

STAFF_ROLES = (Role.COMMISSIONER, Role.REVIEWER, Role.ADMIN)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.channels"))


@bp.get("/channels")
@roles_required(Role.ADMIN)
def channels():
    counts = dict(
        db.session.execute(select(Posting.channel_id, func.count(Posting.id)).group_by(Posting.channel_id)).all()
    )
    rows = list(db.session.scalars(select(Channel).order_by(Channel.kind, Channel.name)))
    return render_template("admin/channels.html", channels=rows, counts=counts)


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        role = form_text("role", 20)
        try:
            if role not in {r.value for r in STAFF_ROLES}:
                raise DomainError("invalid_role", "只能在此创建人社服务专员、审核员或管理员账号", "role")
            region = resolve_region(form_text("region_code", 100))
            if (request.form.get("password") or "") != (request.form.get("password_confirm") or ""):
                raise DomainError("password_mismatch", "两次输入的密码不一致", "password_confirm")
            user = create_user(
                db.session,
                username=form_text("username", 64),
                password=request.form.get("password") or "",
                role=role,
                display_name=form_text("display_name", 64) or None,
                region_code=region,
            )
        except DomainError as e:
            db.session.rollback()
            errors = field_errors(e)
        else:
            db.session.commit()
            flash(f"已创建{label(user.role)}账号：{user.username}", "success")
            return redirect(url_for("admin.users"))
    staff = list(
        db.session.scalars(select(User).where(User.role.in_([r.value for r in STAFF_ROLES])).order_by(User.role, User.username))
    )
    return render_template(
        "admin/users.html",
        staff=staff,
        values=request.form,
        errors=errors,
        role_options=[(r.value, label(r)) for r in STAFF_ROLES],
    ), (400 if errors else 200)
