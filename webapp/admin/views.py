"""Administration (admin only): the channels of the "1+1+N" matrix and staff accounts."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from core.accounts.models import User
from core.accounts.services import create_user
from core.channels.models import LICENSED_KINDS, Channel
from core.enums import ChannelKind, Role, TrustLevel, label
from core.errors import DomainError
from core.postings.models import Posting

from ..auth.inputs import EVERY_REFUSAL, attempt, commit_or_flash, form_text, resolve_region
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
        done = attempt(_create_staff_user, answered=EVERY_REFUSAL)
        if done.ok:
            flash(f"已创建{label(done.result.role)}账号：{done.result.username}", "success")
            return redirect(url_for("admin.users"))
        errors = done.errors()
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


def _create_staff_user() -> User:
    """The staff account the form describes (a commissioner, reviewer or admin)."""
    role = form_text("role", 20)
    if role not in {r.value for r in STAFF_ROLES}:
        raise DomainError("invalid_role", "只能在此创建人社服务专员、审核员或管理员账号", "role")
    region = resolve_region(form_text("region_code", 100))
    if (request.form.get("password") or "") != (request.form.get("password_confirm") or ""):
        raise DomainError("password_mismatch", "两次输入的密码不一致", "password_confirm")
    return create_user(
        db.session,
        username=form_text("username", 64),
        password=request.form.get("password") or "",
        role=role,
        display_name=form_text("display_name", 64) or None,
        region_code=region,
    )


def _channel_choices() -> dict:
    return {
        "kind_options": [(k.value, label(k)) for k in ChannelKind],
        "trust_options": [(t.value, label(t)) for t in TrustLevel],
    }


@bp.route("/channels/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def channel_new():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done = attempt(_create_channel, answered=EVERY_REFUSAL)
        if done.ok:
            flash(f"已创建渠道：{done.result.name}", "success")
            return redirect(url_for("admin.channels"))
        errors = done.errors()
    return render_template("admin/channel_new.html", values=request.form, errors=errors, **_channel_choices()), (
        400 if errors else 200)


def _create_channel() -> Channel:
    """The channel the form describes; HR service firms need their licence number."""
    from core.channels.services import create_channel
    from core.reference.models import Region

    kind = form_text("kind", 40)
    licence = form_text("licence_number", 64) or None
    region = resolve_region(form_text("region_code", 100))
    if region and (not region.isdigit() or db.session.get(Region, region) is None):
        raise DomainError("unknown_region", f"行政区划代码 {region} 不存在", "region_code")
    _require_licence(kind, licence)
    if not form_text("name", 128):
        raise DomainError("missing_name", "请填写渠道名称", "name")
    return create_channel(db.session, form_text("code", 64), form_text("name", 128), kind,
                          region_code=region, trust_level=form_text("trust_level", 20) or TrustLevel.STANDARD,
                          licence_number=licence)


def _require_licence(kind: str, licence: str | None) -> None:
    if kind in {k.value for k in LICENSED_KINDS} and not licence:
        raise DomainError("missing_licence", "人力资源服务机构须填写人力资源服务许可证编号", "licence_number")


@bp.route("/channels/<int:channel_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def channel_edit(channel_id: int):
    """Change a channel's trust level (whether its clean postings publish without review) and its
    licence number; every change is kept in the audit trail with the old and new values."""
    channel = db.session.get(Channel, channel_id) or abort(404)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done = attempt(lambda: _update_channel(channel), answered=EVERY_REFUSAL)
        if done.ok:
            flash(f"渠道“{channel.name}”已保存" + (f"：{done.result}" if done.result else "（没有改动）"), "success")
            return redirect(url_for("admin.channels"))
        errors = done.errors()
    values = request.form if request.method == "POST" else {"trust_level": str(channel.trust_level),
                                                              "licence_number": channel.licence_number or ""}
    return render_template("admin/channel_edit.html", channel=channel, values=values, errors=errors,
                           trust_options=_channel_choices()["trust_options"]), (400 if errors else 200)


def _update_channel(channel: Channel) -> str:
    """Apply the form to the channel and audit what changed; returns the change in words ("" if none)."""
    from flask_login import current_user

    from core.audit.services import record_access

    try:
        trust = TrustLevel(form_text("trust_level", 20))
    except ValueError:
        raise DomainError("invalid_trust_level", "请选择可信度", "trust_level") from None
    licence = form_text("licence_number", 64) or None
    _require_licence(str(channel.kind), licence)
    changes = []
    if trust != channel.trust_level:
        changes.append(f"可信度 {label(channel.trust_level)} → {label(trust)}")
    if licence != channel.licence_number:
        changes.append(f"许可证编号 {channel.licence_number or '无'} → {licence or '无'}")
    if not changes:
        return ""
    fields = [f for f, changed in (("trust_level", trust != channel.trust_level),
                                   ("licence_number", licence != channel.licence_number)) if changed]
    channel.trust_level, channel.licence_number = trust, licence
    record_access(db.session, actor_user_id=current_user.id, actor_role=Role.ADMIN.value, action="update",
                  subject_type="channel", subject_id=channel.id, purpose=("修改渠道：" + "；".join(changes))[:200],
                  fields=fields)
    return "；".join(changes)


@bp.post("/channels/<int:channel_id>/key")
@roles_required(Role.ADMIN)
def channel_key(channel_id: int):
    """Issue a new partner API key. It is shown once on this page (never put in the session cookie
    or a log); only its hash is kept, and the old key stops working."""
    from core.audit.services import record_access
    from flask_login import current_user

    from core.channels.services import issue_api_key

    channel = db.session.get(Channel, channel_id) or abort(404)
    key = issue_api_key(db.session, channel)
    record_access(db.session, actor_user_id=current_user.id, actor_role=Role.ADMIN.value, action="update",
                  subject_type="channel", subject_id=channel.id, purpose="签发新的合作渠道接口密钥", fields=["api_key"])
    db.session.commit()
    resp = render_template("admin/channel_key.html", channel=channel, key=key)
    return resp, 200, {"Cache-Control": "no-store"}


@bp.post("/channels/<int:channel_id>/active")
@roles_required(Role.ADMIN)
def channel_active(channel_id: int):
    channel = db.session.get(Channel, channel_id) or abort(404)
    channel.active = request.form.get("active") == "1"
    db.session.commit()
    flash(f"渠道“{channel.name}”已{'启用' if channel.active else '停用'}", "success")
    return redirect(url_for("admin.channels"))


@bp.get("/runs")
@roles_required(Role.ADMIN)
def runs():
    """Recent ingest runs with their counts; a run that stopped moving says 可能已中断."""
    from core.ingest.services import RUN_KIND_LABELS, STALE_AFTER, runs_with_state

    states = runs_with_state(db.session, 50)
    names = dict(db.session.execute(select(Channel.id, Channel.name)).all())
    return render_template("admin/runs.html", runs=states, channels=names, kind_labels=RUN_KIND_LABELS,
                           stale=sum(s.state == "stale" for s in states),
                           stale_minutes=int(STALE_AFTER.total_seconds() // 60))


@bp.get("/enterprises")
@roles_required(Role.ADMIN)
def enterprises():
    from core.enterprises.services import pending_enterprises

    return render_template("admin/enterprises.html", enterprises=pending_enterprises(db.session))


@bp.post("/enterprises/<int:enterprise_id>/verify")
@roles_required(Role.ADMIN)
def enterprise_verify(enterprise_id: int):
    from flask_login import current_user

    from core.enterprises.services import verify_enterprise

    approve = request.form.get("decision") == "approve"
    commit_or_flash(
        lambda: verify_enterprise(db.session, enterprise_id=enterprise_id, approve=approve,
                                  actor_user_id=current_user.id, actor_role=Role.ADMIN.value,
                                  note=form_text("note", 200)),
        lambda ent: f"“{ent.name}”{label(ent.verification_status)}",
    )
    return redirect(url_for("admin.enterprises"))


@bp.get("/requalification")
@roles_required(Role.ADMIN)
def requalification():
    """Enterprises and channels whose six-monthly qualification check is overdue or due soon."""
    from core.enterprises.requalification import REMINDER_DAYS, requalification_queue

    items = requalification_queue(db.session, dt.date.today())
    return render_template("admin/requalification.html", items=items, window=REMINDER_DAYS, today=dt.date.today())


@bp.post("/requalification/<kind>/<int:object_id>")
@roles_required(Role.ADMIN)
def requalify(kind: str, object_id: int):
    from flask_login import current_user

    from core.enterprises.requalification import KINDS, requalify as record_requalification

    if kind not in KINDS:   # enterprise | channel
        abort(404)

    commit_or_flash(
        lambda: record_requalification(db.session, kind, object_id, actor_user_id=current_user.id,
                                       actor_role=Role.ADMIN.value),
        lambda row: f"“{row.name}”已重新核验，下次复核前不再提醒",
    )
    return redirect(url_for("admin.requalification"))


@bp.app_template_global()
def requalification_due_count() -> int:
    """How many enterprises and channels are overdue for their qualification check (the admin's reminder)."""
    from core.enterprises.requalification import requalification_queue

    return sum(i.overdue for i in requalification_queue(db.session, dt.date.today()))


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def user_active(user_id: int):
    """Switch a staff account off (it is signed out at its next request) or on again."""
    from flask_login import current_user

    user = db.session.get(User, user_id) or abort(404)
    if user.role not in STAFF_ROLES:
        abort(404)
    if user.id == current_user.id:
        flash("不能停用自己的账号", "error")
        return redirect(url_for("admin.users"))
    user.is_active = request.form.get("active") == "1"
    db.session.commit()
    flash(f"账号 {user.username} 已{'启用' if user.is_active else '停用'}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/password")
@roles_required(Role.ADMIN)
def user_password_reset():
    """Give any account a temporary password, shown once here; the person must replace it at the next
    sign-in, and every session of the account ends (audited, and the person is told)."""
    from flask import make_response
    from flask_login import current_user

    from core.accounts.reset import admin_reset_password, find_account

    username = form_text("username", 64)
    user = find_account(db.session, username) if username else None
    if user is None:
        flash(f"没有找到用户名为“{username}”的账号" if username else "请输入要重置密码的用户名", "error")
        return redirect(url_for("admin.users"))
    done = attempt(lambda: admin_reset_password(db.session, admin_id=current_user.id, user_id=user.id,
                                                ip=request.remote_addr), answered=EVERY_REFUSAL)
    if not done.ok:
        flash(done.refusal.message, "error")
        return redirect(url_for("admin.users"))
    account, password = done.result
    response = make_response(render_template("admin/password_reset.html", account=account, password=password))
    response.headers["Cache-Control"] = "no-store"  # the temporary password is shown once, never cached
    return response


from . import subsidies  # noqa: E402,F401  (the subsidy rules page registers on this blueprint)
