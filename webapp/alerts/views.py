"""Saved searches and job alerts (岗位订阅) of a jobseeker: save the search page's filters with one
button, list, change how often, pause, delete, and a one-tap unsubscribe link that works signed out
(its random token is the only key)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.alerts.services import (
    MAX_PER_PERSON,
    alert_params,
    by_token,
    create_saved_search,
    delete_saved_search,
    saved_searches,
    search_link,
    unsubscribe as unsubscribe_alert,
    update_saved_search,
)
from core.db import begin_write
from core.enums import AlertFrequency, Role, label
from core.reference.services import occupation_directory, region_directory
from core.search import InvalidQuery

from ..auth.inputs import commit_or_flash, form_flag, form_text
from ..auth.policy import public, roles_required
from ..extensions import db
from ..search.query import parse_search

bp = Blueprint("alerts", __name__)

FREQUENCIES = [(f.value, label(f)) for f in AlertFrequency]


def _describe(params) -> str:
    """The alert's name by default: its filters in words (关键词、地区、工种…)."""
    from werkzeug.datastructures import MultiDict

    args = MultiDict([(k, v) for k, values in params.items() for v in values if k not in ("near", "lat", "lon")])
    try:
        parsed = parse_search(args, region_directory(db.session), occupation_directory(db.session))
    except InvalidQuery:
        return "我的搜索"
    parts = ([parsed.text] if parsed.text else []) + [a["label"] for a in parsed.applied.values()]
    if params.get("near"):
        parts.append("附近")
    return "，".join(parts)[:60] or "全部新岗位"


@bp.post("/me/alerts")
@roles_required(Role.JOBSEEKER)
def save():
    """The search page's 保存搜索 button: the current filters arrive as the form's fields."""
    params = alert_params(request.form)
    try:  # only a search the page itself accepts is kept
        parse_search(request.form, region_directory(db.session), occupation_directory(db.session), home=(0.0, 0.0))
    except InvalidQuery as exc:
        flash(f"这个搜索条件有误，没有保存：{exc.message}", "error")
        return redirect(search_link(params))
    name = form_text("name", 60) or _describe(params)
    commit_or_flash(
        lambda: create_saved_search(db.session, user_id=current_user.id, name=name, params=params,
                                    frequency=form_text("frequency", 20) or AlertFrequency.DAILY.value),
        lambda ss: f"已保存订阅“{ss.name}”：有符合条件的新岗位会发到您的消息里",
    )
    return redirect(url_for("alerts.my_alerts"))


@bp.get("/me/alerts")
@roles_required(Role.JOBSEEKER)
def my_alerts():
    return render_template("alerts/alerts.html", alerts=saved_searches(db.session, current_user.id),
                           frequencies=FREQUENCIES, search_link=search_link, limit=MAX_PER_PERSON)


@bp.post("/me/alerts/<int:alert_id>")
@roles_required(Role.JOBSEEKER)
def update(alert_id: int):
    commit_or_flash(
        lambda: update_saved_search(db.session, user_id=current_user.id, saved_search_id=alert_id,
                                    name=form_text("name", 60), frequency=form_text("frequency", 20),
                                    by_sms=form_flag("by_sms"), active=form_flag("active")),
        lambda ss: f"已保存：“{ss.name}”" + ("，" + label(ss.frequency) if ss.active else "，已暂停"),
        answered=None,
    )
    return redirect(url_for("alerts.my_alerts"))


@bp.post("/me/alerts/<int:alert_id>/delete")
@roles_required(Role.JOBSEEKER)
def delete(alert_id: int):
    commit_or_flash(lambda: delete_saved_search(db.session, user_id=current_user.id, saved_search_id=alert_id),
                    lambda _: "已删除这个订阅", answered=None)
    return redirect(url_for("alerts.my_alerts"))


@bp.get("/alerts/unsubscribe/<token>")
@public
def unsubscribe(token: str):
    """One tap from a text message or the inbox stops the alert; no sign-in needed."""
    begin_write(db.session)  # a GET that writes: take the write lock first (webapp/transactions.py)
    ss = unsubscribe_alert(db.session, token[:64])
    if ss is None:
        return render_template("alerts/unsubscribed.html", alert=None, token=None), 404
    db.session.commit()
    return render_template("alerts/unsubscribed.html", alert=ss, token=token)


@bp.post("/alerts/unsubscribe/<token>/resume")
@public
def resume(token: str):
    ss = by_token(db.session, token[:64])
    if ss is None:
        abort(404)
    ss.active = True
    db.session.commit()
    flash(f"已恢复订阅“{ss.name}”", "success")
    return render_template("alerts/unsubscribed.html", alert=ss, token=token)
