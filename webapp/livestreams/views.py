"""Livestream job promotion (/live), the commissioner's console: sessions of my jurisdiction, a
session's details and run-sheet (add posts from search, talking points, reorder by buttons, keyboard
or drag), the claims check, going live, the phone remote that moves the "now presenting" pointer,
ending, viewer figures and the conversion report. The public viewer pages (listing, overlay,
carousel, replay, the state poll, apply links) are in ``viewer``, on this blueprint."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from core.enums import PriorityGroup, Role, label
from core.livestreams import figures as figs
from core.livestreams import report as rpt
from core.livestreams import services as svc
from core.postings.services import simple_text_search

from ..auth.inputs import EVERY_REFUSAL, attempt, commit_or_flash, form_text, region_input
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("livestreams", __name__, url_prefix="/live")

STAFF = (Role.COMMISSIONER, Role.ADMIN)
HOSTS = (Role.COMMISSIONER,)  # changes: the session's own commissioners (svc.may_run) — never admins
_FIELDS = ("title", "theme", "platform", "hosts", "region_code", "scheduled_start", "scheduled_end", "stream_url",
           "replay_url")


def screen_text(text: str):
    """The compliance screening's findings on a text, for the claims check (core may not import indexer)."""
    from indexer.screening import load_rules, text_findings

    rules = load_rules(db.session)
    return [(i.code, i.message, i.severity, i.evidence) for i in text_findings(None, text, rules)]


@bp.app_template_filter("live_status")
def live_status(value) -> str:
    return svc.STATUS_LABELS.get(str(value), "")


@bp.app_template_filter("live_platform")
def live_platform(value) -> str:
    return svc.PLATFORM_LABELS.get(str(value), "")


@bp.app_template_filter("live_local")
def live_local(value) -> str:
    """A stored UTC time as Beijing time (China has one time zone, no daylight saving)."""
    return (value + dt.timedelta(hours=8)).strftime("%Y年%m月%d日 %H:%M") if value else ""


@bp.get("/", endpoint="index")
@roles_required(*STAFF)
def index():
    sessions = svc.list_sessions(db.session, current_user)
    return render_template("livestreams/list.html", sessions=sessions,
                           may_create=current_user.role == Role.COMMISSIONER)


def _form_values(errors: dict) -> dict:
    data = {k: form_text(k, 500) for k in _FIELDS}
    data["target_groups"] = [g for g in request.form.getlist("target_groups") if g]
    if data["region_code"]:
        data["region_code"] = region_input(errors, text=data["region_code"]) or ""
    return data


def _session_form(live, values, errors, status=200):
    return render_template("livestreams/form.html", live=live, values=values, errors=errors,
                           platforms=list(svc.PLATFORM_LABELS.items()),
                           groups=[(g.value, label(g.value)) for g in PriorityGroup]), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*HOSTS)
def new():
    if request.method == "GET":
        return _session_form(None, {"platform": "own", "region_code": current_user.region_code or "",
                                    "target_groups": []}, {})
    errors: dict[str, list[str]] = {}
    data = _form_values(errors)
    if not errors:
        done = attempt(lambda: svc.create_session(db.session, current_user, data))
        if done.ok:
            flash("已创建直播，请添加要讲解的岗位", "success")
            return redirect(url_for("livestreams.console", session_id=done.result.id), code=303)
        errors = done.errors()
    return _session_form(None, dict(request.form, target_groups=request.form.getlist("target_groups")), errors, 400)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*HOSTS)
def edit(session_id: int):
    live = svc.session_for_change(db.session, session_id, current_user)
    if request.method == "GET":
        values = {k: getattr(live, k) or "" for k in _FIELDS}
        for k in ("scheduled_start", "scheduled_end"):
            values[k] = getattr(live, k).strftime("%Y-%m-%dT%H:%M") if getattr(live, k) else ""
        values["target_groups"] = list(live.target_groups or [])
        return _session_form(live, values, {})
    errors: dict[str, list[str]] = {}
    data = _form_values(errors)
    if not errors:
        done = attempt(lambda: svc.update_session(db.session, current_user, session_id, data))
        if done.ok:
            flash("直播信息已保存", "success")
            return redirect(url_for("livestreams.console", session_id=session_id), code=303)
        errors = done.errors()
    return _session_form(live, dict(request.form, target_groups=request.form.getlist("target_groups")), errors, 400)


@bp.get("/<int:session_id>/console", endpoint="console")
@roles_required(*STAFF)
def console(session_id: int):
    live = svc.get_session(db.session, session_id, current_user)
    q = (request.args.get("q") or "").strip()[:60]
    listed = {i.posting_id for i in live.items}
    found = [p for p in simple_text_search(db.session, q, limit=15) if p.id not in listed] if q else []
    flags = svc.claims_for(live, screen_text)
    unresolved = {f.key for f in svc.claims_check.unresolved(live, flags)}
    return render_template("livestreams/console.html", live=live, q=q, found=found, flags=flags,
                           unresolved=unresolved, may_run=svc.may_run(current_user, live),
                           flags_by_item={i.id: [f for f in flags if f.item_id == i.id] for i in live.items})


def _back(live_id: int, anchor: str | None = None):
    return redirect(url_for("livestreams.console", session_id=live_id, _anchor=anchor), code=303)


@bp.post("/<int:session_id>/items", endpoint="item_add")
@roles_required(*HOSTS)
def item_add(session_id: int):
    posting_id = request.form.get("posting_id", type=int)
    if posting_id is None:
        flash("请选择要添加的岗位", "error")
        return _back(session_id)
    done = commit_or_flash(lambda: svc.add_item(db.session, current_user, session_id, posting_id),
                           lambda item: f"已添加“{item.posting.title}”，请填写讲解要点")
    return _back(session_id, f"item-{done.result.id}" if done.ok else None)


@bp.post("/<int:session_id>/items/<int:item_id>", endpoint="item_save")
@roles_required(*HOSTS)
def item_save(session_id: int, item_id: int):
    commit_or_flash(lambda: svc.update_item(db.session, current_user, session_id, item_id,
                                            talking_points=form_text("talking_points", 2000),
                                            presenter=form_text("presenter", 100)),
                    lambda item: f"已保存“{item.posting.title}”的讲解要点")
    return _back(session_id, f"item-{item_id}")


@bp.post("/<int:session_id>/items/<int:item_id>/move", endpoint="item_move")
@roles_required(*HOSTS)
def item_move(session_id: int, item_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    commit_or_flash(lambda: svc.move_item(db.session, current_user, session_id, item_id, step), None)
    return _back(session_id, f"item-{item_id}")


@bp.post("/<int:session_id>/items/<int:item_id>/delete", endpoint="item_delete")
@roles_required(*HOSTS)
def item_delete(session_id: int, item_id: int):
    commit_or_flash(lambda: svc.remove_item(db.session, current_user, session_id, item_id), lambda _: "已从讲解单移除")
    return _back(session_id)


@bp.post("/<int:session_id>/order", endpoint="order")
@roles_required(*HOSTS)
def order(session_id: int):
    """The whole order at once (drag and drop, keyboard): item ids, comma-separated."""
    try:
        ids = [int(x) for x in (request.form.get("order") or "").split(",") if x.strip()]
    except ValueError:
        ids = []
    done = attempt(lambda: svc.reorder_items(db.session, current_user, session_id, ids), answered=EVERY_REFUSAL)
    if request.accept_mimetypes.best == "application/json":
        if not done.ok:
            return jsonify(done.refusal.as_dict()), done.refusal.status
        return jsonify({"order": [i.id for i in done.result.items]})
    if not done.ok:
        flash(done.refusal.message, "error")
    return _back(session_id)


@bp.post("/<int:session_id>/commissioners", endpoint="add_commissioner")
@roles_required(*HOSTS)
def add_commissioner(session_id: int):
    commit_or_flash(lambda: svc.add_commissioner(db.session, current_user, session_id, form_text("username", 64)),
                    lambda user: f"已添加专员 {user.display_name}")
    return _back(session_id)


@bp.post("/<int:session_id>/start", endpoint="start")
@roles_required(*HOSTS)
def start(session_id: int):
    done = commit_or_flash(lambda: svc.go_live(db.session, current_user, session_id, screen=screen_text,
                                               override_reason=form_text("override_reason", 1000)),
                           lambda _: "直播已开始。用手机打开“讲解遥控”切换岗位")
    if done.ok:
        return redirect(url_for("livestreams.remote", session_id=session_id), code=303)
    return _back(session_id, "claims")


@bp.post("/<int:session_id>/end", endpoint="end")
@roles_required(*HOSTS)
def end(session_id: int):
    commit_or_flash(lambda: svc.end_session(db.session, current_user, session_id),
                    lambda _: "直播已结束。可以录入观看数据，查看回放章节和成效")
    return _back(session_id)


@bp.get("/<int:session_id>/remote", endpoint="remote")
@roles_required(*HOSTS)
def remote(session_id: int):
    live = svc.session_for_change(db.session, session_id, current_user)
    current = next((i for i in live.items if i.id == live.current_item_id), None)
    return render_template("livestreams/remote.html", live=live, current=current)


@bp.post("/<int:session_id>/pointer", endpoint="pointer")
@roles_required(*HOSTS)
def pointer(session_id: int):
    step = {"next": 1, "prev": -1}.get(request.form.get("move") or "", 0)
    item_id = request.form.get("item_id", type=int)
    done = attempt(lambda: svc.move_pointer(db.session, current_user, session_id, step=step, item_id=item_id),
                   answered=EVERY_REFUSAL)
    if request.accept_mimetypes.best == "application/json":
        if not done.ok:
            return jsonify(done.refusal.as_dict()), done.refusal.status
        return jsonify({"current_item_id": done.result.current_item_id, "version": done.result.pointer_version})
    if not done.ok:
        flash(done.refusal.message, "error")
    return redirect(url_for("livestreams.remote", session_id=session_id), code=303)


@bp.route("/<int:session_id>/figures", methods=["GET", "POST"], endpoint="figures")
@roles_required(*HOSTS)
def figures(session_id: int):
    live = svc.session_for_change(db.session, session_id, current_user)
    result, errors = None, {}
    if request.method == "POST" and request.files.get("file"):
        upload = request.files["file"]
        done = attempt(lambda: figs.import_figures(db.session, current_user, session_id, upload.read(),
                                                   upload.filename), answered=EVERY_REFUSAL)
        if done.ok:
            result = done.result
            flash(f"已导入 {result.accepted} 行" + (f"，{len(result.rejected)} 行未导入（见下表）" if result.rejected else ""),
                  "success" if not result.rejected else "info")
        else:
            errors = {"file": [done.refusal.message]}
    elif request.method == "POST":
        posting_id = request.form.get("posting_id", type=int)
        done = attempt(lambda: figs.record_figures(db.session, current_user, session_id, posting_id, request.form))
        if done.ok:
            flash("观看数据已保存", "success")
            return redirect(url_for("livestreams.figures", session_id=session_id), code=303)
        errors = done.errors()
    rows, total = rpt.conversion_report(db.session, live)
    return render_template("livestreams/figures.html", live=live, rows=rows, total=total, result=result,
                           errors=errors, columns=figs.COLUMNS), (400 if errors else 200)


@bp.get("/<int:session_id>/report", endpoint="report")
@roles_required(*STAFF)
def report(session_id: int):
    live = svc.get_session(db.session, session_id, current_user)
    rows, total = rpt.conversion_report(db.session, live)
    return render_template("livestreams/report.html", live=live, rows=rows, total=total, groups=rpt.group_columns(),
                           chapters=svc.chapters(db.session, live))


@bp.get("/<int:session_id>/report.xlsx", endpoint="report_xlsx")
@roles_required(*STAFF)
def report_xlsx(session_id: int):
    live = svc.get_session(db.session, session_id, current_user)
    data = rpt.report_xlsx(db.session, live)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=livestream-{live.id}-report.xlsx"})


from . import viewer  # noqa: E402,F401  (the public pages register on ``bp``)
