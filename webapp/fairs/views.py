"""Job fairs (/fairs), the public and jobseeker side: upcoming fairs by theme, a fair's page,
registering (through the quick profile when there is none), the personal code (QR generated offline
with segno, plus the 6-digit code), cancelling, and "which booths for me". Commissioners' pages are in
``staff``, the door in ``door``, the enterprise's booth in ``exhibitor``: all on this blueprint."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from core.accounts.services import in_jurisdiction
from core.applications.services import seeker_for_user
from core.enums import NotificationKind, Role, label
from core.fairs import booth as booths
from core.fairs import services as svc
from core.fairs.codes import qr_text
from core.notifications.services import notify

from ..auth.inputs import EVERY_REFUSAL, attempt, commit_or_flash
from ..auth.policy import public, roles_required
from ..extensions import db

bp = Blueprint("fairs", __name__, url_prefix="/fairs")

STAFF = (Role.COMMISSIONER, Role.ADMIN)


@bp.app_template_filter("fair_status")
def fair_status(value) -> str:
    return svc.STATUS_LABELS.get(str(value), "")


@bp.app_template_filter("fair_theme")
def fair_theme(value) -> str:
    return svc.THEMES.get(str(value), "综合招聘")


@bp.app_template_filter("fair_kind")
def fair_kind(value) -> str:
    return svc.KIND_LABELS.get(str(value), "")


def qr_svg(text: str, scale: int = 6) -> Markup:
    """The QR code as inline SVG, made here (no network, no image service)."""
    import segno

    return Markup(segno.make(text, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff"))


MODEL_MISSING = "推荐暂时还不能用：系统还没有准备好匹配模型。可以先看下面的参展单位；一直这样请联系人社部门。"


def ranker_or_message():
    """The app's ranker, or (None, a message in words) when no model is there yet."""
    from flask import current_app

    from matching.encoder import ModelNotFound
    from webapp.matching.runtime import get_ranker

    try:
        return get_ranker(), None
    except ModelNotFound as exc:  # the path goes to the log, not to the page
        current_app.logger.warning("matching model unavailable: %s", exc)
        return None, MODEL_MISSING


def _role() -> str | None:
    return str(current_user.role) if current_user.is_authenticated else None


@bp.get("/", endpoint="index")
@public
def index():
    """Staff land on their fairs (the console); everyone else on the upcoming fairs."""
    if _role() in STAFF:
        from .staff import console

        return console()
    theme = (request.args.get("theme") or "").strip()
    if theme not in svc.THEMES:
        theme = ""
    home = _home_city()
    near = bool(home and request.args.get("near") == "1")
    fairs = svc.upcoming_fairs(db.session, theme=theme or None, region_prefix=home if near else None)
    return render_template("fairs/list.html", fairs=fairs, theme=theme, themes=svc.THEMES,
                           kinds=svc.KIND_LABELS, home=home, near=near)


def _home_city() -> str | None:
    """A signed-in jobseeker's city (region-code prefix), for 只看我所在的城市."""
    if _role() != Role.JOBSEEKER:
        return None
    seeker = seeker_for_user(db.session, current_user.id)
    return seeker.region_code[:4] if seeker and seeker.region_code else None


@bp.get("/<int:fair_id>", endpoint="detail")
@public
def detail(fair_id: int):
    role = _role()
    staff_here = role in STAFF and in_jurisdiction(current_user, svc.get_fair(db.session, fair_id).region_code)
    fair = svc.get_fair(db.session, fair_id) if staff_here else svc.public_fair(db.session, fair_id)  # drafts: staff only
    ctx = {"registration": None, "booth": None, "may_manage": staff_here}
    if role == Role.JOBSEEKER:
        seeker = seeker_for_user(db.session, current_user.id)
        ctx["registration"] = svc.registration_of(db.session, fair.id, seeker.id) if seeker else None
    elif role == Role.ENTERPRISE:
        ctx["booth"] = svc.own_booth(db.session, fair.id, current_user.enterprise_id)
    exhibitors = [b for b in fair.booths if b.status == "approved"]
    return render_template("fairs/detail.html", fair=fair, exhibitors=sorted(exhibitors, key=lambda b: b.booth_number or 0),
                           kinds=svc.KIND_LABELS, groups=[label(g) for g in fair.target_groups or []],
                           registered=svc.active_registrations(db.session, fair.id), **ctx)


@bp.post("/<int:fair_id>/register", endpoint="register")
@roles_required(Role.JOBSEEKER)
def register(fair_id: int):
    fair = svc.public_fair(db.session, fair_id)
    seeker = seeker_for_user(db.session, current_user.id)
    if seeker is None or not seeker.phone:
        flash("报名前请先花一分钟填写快速求职登记（姓名、手机号等），保存后回到本招聘会页面点“报名”", "info")
        return redirect(url_for("seeker.quick_profile"), code=303)
    before = svc.registration_of(db.session, fair.id, seeker.id)
    if before is not None and before.cancelled_at is None:  # a second registration: the same one
        return redirect(url_for("fairs.my_pass", fair_id=fair.id), code=303)
    done = commit_or_flash(lambda: svc.register_for_fair(db.session, fair.id, seeker.id),
                           lambda reg: "报名成功，入场时出示下面的二维码或6位签到码")
    if not done.ok:
        return redirect(url_for("fairs.detail", fair_id=fair.id), code=303)
    reg = done.result
    attempt(lambda: notify(db.session, user_id=current_user.id, kind=NotificationKind.FAIR,
                           title=f"招聘会签到码：{fair.title}",
                           body=f"您的签到码是 {reg.code}，入场时出示二维码或报出这6位数字。",
                           link=url_for("fairs.my_pass", fair_id=fair.id)))
    return redirect(url_for("fairs.my_pass", fair_id=fair.id), code=303)


def _own_registration(fair_id: int):
    fair = svc.public_fair(db.session, fair_id)
    seeker = seeker_for_user(db.session, current_user.id)
    reg = svc.registration_of(db.session, fair.id, seeker.id) if seeker else None
    return fair, seeker, reg


@bp.get("/<int:fair_id>/pass", endpoint="my_pass")
@roles_required(Role.JOBSEEKER)
def my_pass(fair_id: int):
    fair, _seeker, reg = _own_registration(fair_id)
    if reg is None or reg.cancelled_at is not None:
        flash("您还没有报名这场招聘会", "info")
        return redirect(url_for("fairs.detail", fair_id=fair.id))
    return render_template("fairs/pass.html", fair=fair, reg=reg, qr=qr_svg(qr_text(reg.token)))


@bp.post("/<int:fair_id>/cancel-registration", endpoint="cancel_registration")
@roles_required(Role.JOBSEEKER)
def cancel_registration(fair_id: int):
    fair, seeker, _reg = _own_registration(fair_id)
    commit_or_flash(lambda: svc.cancel_registration(db.session, fair.id, seeker.id if seeker else 0),
                    lambda _r: "已取消报名", answered=EVERY_REFUSAL)
    return redirect(url_for("fairs.detail", fair_id=fair.id), code=303)


@bp.get("/<int:fair_id>/for-me", endpoint="for_me")
@roles_required(Role.JOBSEEKER)
def for_me(fair_id: int):
    """哪些展位适合我: the matcher ranks the fair's postings for the person, with its reasons."""
    fair, seeker, reg = _own_registration(fair_id)
    rows, problem = [], None
    if seeker is None:
        problem = "请先填写快速求职登记，才能为您挑选展位"
    else:
        ranker, problem = ranker_or_message()
        if ranker is not None:
            rows = booths.postings_for_visitor(db.session, ranker, fair, seeker)
            if not seeker.consent_recommendation:
                problem = "您没有同意为您推荐岗位，所以没有排序。可以在“我的档案”里打开，或直接看下面的参展单位"
    return render_template("fairs/for_me.html", fair=fair, rows=rows, problem=problem, reg=reg,
                           exhibitors=[b for b in fair.booths if b.status == "approved"])


from . import door, exhibitor, staff  # noqa: E402,F401  (their routes live on ``bp``)
