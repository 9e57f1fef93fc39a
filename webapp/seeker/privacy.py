"""A jobseeker's privacy page (/me/privacy): who may find me, blocked enterprises, automated
recommendation on or off, and my data as a readable page or a JSON file. The use cases and their
audit records are in ``core.seekers.controls``; the rule they feed is ``core.seekers.privacy``."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.applications.services import seeker_for_user
from core.db import begin_write
from core.enums import Role, SeekerVisibility, label
from core.reference.services import region_directory
from core.seekers import controls

from ..auth.inputs import attempt, cipher, client_ip, commit_or_flash, form_flag, form_text
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("privacy", __name__, url_prefix="/me/privacy")

ACTION_WORDS = {"read": "查看", "update": "修改", "export": "导出", "review": "审核", "create": "创建", "delete": "删除"}
ROLE_VALUES = {r.value for r in Role}

VISIBILITY_CHOICES = [
    (SeekerVisibility.OPEN.value, "对已认证单位公开",
     "经人社部门认证的单位可以在推荐人选里看到您的求职意向、技能和学历（姓名打码，看不到电话），可以邀请您投递。"),
    (SeekerVisibility.ON_APPLY.value, "仅在我投递时可见",
     "单位找不到您；只有您投递的单位能看到您的资料和电话。"),
    (SeekerVisibility.HIDDEN.value, "对所有单位隐藏",
     "任何单位都看不到您，连以前投递过的单位也看不到；隐藏期间不能投递。适合暂时不找工作时使用。"),
]


def _seeker_or_redirect():
    seeker = seeker_for_user(db.session, current_user.id)
    if seeker is None:
        flash("请先填写求职资料，再设置隐私", "error")
    return seeker


@bp.get("")
@roles_required("jobseeker")
def page():
    seeker = _seeker_or_redirect()
    if seeker is None:
        return redirect(url_for("seeker.profile_edit"))
    found, search_text = None, (request.args.get("enterprise") or "").strip()[:60]
    if search_text:
        done = attempt(lambda: controls.find_enterprises(db.session, search_text), keep=None)
        found = done.result if done.ok else []
        if not done.ok:
            flash(done.refusal.message, "error")
    return render_template("seeker/privacy.html", seeker=seeker, choices=VISIBILITY_CHOICES,
                           blocks=controls.blocked_enterprises(db.session, seeker), found=found,
                           search_text=search_text)


@bp.post("/visibility")
@roles_required("jobseeker")
def visibility():
    seeker = _seeker_or_redirect()
    if seeker is not None:
        commit_or_flash(lambda: controls.set_visibility(db.session, seeker, form_text("visibility", 20), ip=client_ip()),
                        lambda s: f"已保存：{label(s.visibility)}")
    return redirect(url_for("privacy.page"))


@bp.post("/recommendation")
@roles_required("jobseeker")
def recommendation():
    seeker = _seeker_or_redirect()
    if seeker is not None:
        commit_or_flash(lambda: controls.set_recommendation(db.session, seeker, form_flag("enabled"), ip=client_ip()),
                        lambda s: "已开启自动推荐" if s.consent_recommendation else
                        "已关闭自动推荐：不再为您推荐岗位，也不会把您推荐给单位；您仍可以自己搜索、投递")
    return redirect(url_for("privacy.page"))


@bp.post("/blocks")
@roles_required("jobseeker")
def block():
    seeker = _seeker_or_redirect()
    enterprise_id = request.form.get("enterprise_id", type=int)
    if seeker is not None and enterprise_id:
        commit_or_flash(lambda: controls.block_enterprise(db.session, seeker, enterprise_id, ip=client_ip()),
                        lambda b: f"已屏蔽“{b.enterprise.name}”：它在推荐人选里找不到您", answered=None)
    return redirect(url_for("privacy.page"))


@bp.post("/blocks/<int:block_id>/delete")
@roles_required("jobseeker")
def unblock(block_id: int):
    seeker = _seeker_or_redirect()
    if seeker is not None:
        commit_or_flash(lambda: controls.unblock_enterprise(db.session, seeker, block_id, ip=client_ip()),
                        lambda _: "已取消屏蔽", answered=None)
    return redirect(url_for("privacy.page"))


@bp.get("/export")
@roles_required("jobseeker")
def export_page():
    seeker = _seeker_or_redirect()
    if seeker is None:
        return redirect(url_for("seeker.profile_edit"))
    begin_write(db.session)  # a GET that writes its audit record: take the write lock first
    data = controls.export_my_data(db.session, cipher(), seeker, ip=client_ip())
    db.session.commit()  # the audit record of the export
    regions = region_directory(db.session)

    def region_name(code):
        ref = regions.get(code) if code else None
        return ref.full_name if ref is not None else ""

    return render_template("seeker/privacy_export.html", data=data, region_name=region_name,
                           role_words=lambda role: label(role) if role in ROLE_VALUES else "系统",
                           action_words=lambda action: ACTION_WORDS.get(action, "处理"))


@bp.get("/export.json")
@roles_required("jobseeker")
def export_json():
    seeker = _seeker_or_redirect()
    if seeker is None:
        return redirect(url_for("seeker.profile_edit"))
    begin_write(db.session)  # a GET that writes its audit record: take the write lock first
    data = controls.export_my_data(db.session, cipher(), seeker, ip=client_ip())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=my-joblink-data.json",
                             "Cache-Control": "no-store"})
