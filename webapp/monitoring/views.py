"""Enterprise employment monitoring pages (/monitoring): the monitored enterprise's monthly report form,
the commissioner's list of monitored enterprises (flag one, flag by rule, import a month's reports
with the rejected-row report), the alerts of my jurisdiction and, per alert, the laid-off workers'
roster import and follow-up (names shown only in the enterprise's jurisdiction, every view audited)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.audit.services import record_access
from core.enums import Role
from core.monitoring import importing
from core.monitoring import services as mon

from ..auth.inputs import EVERY_REFUSAL, attempt, cipher, client_ip, commit_or_flash, form_flag, form_text
from ..auth.policy import roles_required
from ..extensions import db

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

_STAFF = (Role.COMMISSIONER, Role.ADMIN)
_REPORT_FIELDS = ("month", "headcount", "hires", "separations", "production_state", "pay_change")
_WORKER_FIELDS = ["name", "phone", "groups", "follow_up"]


def _choices() -> dict:
    return {"production": list(mon.PRODUCTION.items()), "pay": list(mon.PAY_CHANGE.items())}


@bp.route("/report", methods=["GET", "POST"], endpoint="report")
@roles_required(Role.ENTERPRISE)
def report():
    """The enterprise's own monthly report (月度用工情况报送)."""
    monitored = mon.monitored_for_enterprise(db.session, current_user.enterprise_id)
    history = mon.enterprise_reports(db.session, monitored) if monitored else []
    context = {"monitored": monitored, "history": history, **_choices(), "labels": _labels()}
    if request.method == "GET" or monitored is None:
        return render_template("monitoring/report.html", values={}, errors={}, **context)
    data = {k: form_text(k, 40) for k in _REPORT_FIELDS}
    done = attempt(lambda: mon.submit_report(db.session, current_user, monitored.id, data))
    if done.ok:
        flash(f"已报送{done.result[0].month:%Y年%m月}的用工情况，谢谢", "success")
        return redirect(url_for("monitoring.report"), code=303)
    return render_template("monitoring/report.html", values=data, errors=done.errors(), **context), 400


def _labels() -> dict:
    return {"production": mon.PRODUCTION, "pay": mon.PAY_CHANGE, "rules": mon.RULES, "follow_up": mon.FOLLOW_UP}


@bp.get("/", endpoint="index")
@roles_required(*_STAFF)
def index():
    monitored = mon.visible_monitored(db.session, current_user)
    latest = mon.latest_reports(db.session, monitored)
    rows = [(m, latest.get(m.id)) for m in monitored]
    return render_template("monitoring/index.html", rows=rows, labels=_labels(), values={}, errors={})


@bp.route("/enterprises/<int:monitored_id>", methods=["GET", "POST"], endpoint="enterprise")
@roles_required(*_STAFF)
def enterprise(monitored_id: int):
    """One monitored enterprise's reports; staff record a month for it (a report taken by phone)."""
    monitored = mon.get_monitored(db.session, current_user, monitored_id)
    context = {"monitored": monitored, **_choices(), "labels": _labels()}
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        values = {k: form_text(k, 40) for k in _REPORT_FIELDS}
        done = attempt(lambda: mon.submit_report(db.session, current_user, monitored.id, values))
        if done.ok:
            flash(f"已录入{done.result[0].month:%Y年%m月}的用工情况", "success")
            return redirect(url_for("monitoring.enterprise", monitored_id=monitored_id), code=303)
        errors = done.errors()
    history = mon.enterprise_reports(db.session, monitored)
    return render_template("monitoring/enterprise.html", values=values, errors=errors, history=history,
                           **context), 400 if errors else 200


@bp.post("/flag", endpoint="flag")
@roles_required(*_STAFF)
def flag():
    def action():
        ent = mon.find_enterprise(db.session, form_text("enterprise", 200))
        return mon.flag_enterprise(db.session, current_user, ent.id, state_owned=form_flag("state_owned"),
                                   above_designated_size=form_flag("above_designated_size"))

    commit_or_flash(action, lambda m: f"已将{m.enterprise.name}列入监测", answered=EVERY_REFUSAL)
    return redirect(url_for("monitoring.index"), code=303)


@bp.post("/flag-by-rule", endpoint="flag_by_rule")
@roles_required(*_STAFF)
def flag_by_rule():
    raw = form_text("min_size", 10)
    industries = [w for w in form_text("industries", 200).replace("，", "、").replace(",", "、").split("、") if w.strip()]
    if raw and not raw.isdigit():
        flash("职工人数下限应为整数", "error")
        return redirect(url_for("monitoring.index"), code=303)
    commit_or_flash(lambda: mon.flag_by_rule(db.session, current_user, min_size=int(raw) if raw else None,
                                             industries=[w.strip() for w in industries]),
                    lambda n: f"按条件新列入监测 {n} 家企业", answered=EVERY_REFUSAL)
    return redirect(url_for("monitoring.index"), code=303)


@bp.route("/import", methods=["GET", "POST"], endpoint="import_reports")
@roles_required(*_STAFF)
def import_reports():
    context = {"columns": importing.COLUMNS, "labels": _labels()}
    if request.method == "GET":
        return render_template("monitoring/import.html", result=None, **context)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择报表文件（Excel 或 CSV）", "error")
        return render_template("monitoring/import.html", result=None, **context), 400
    done = attempt(lambda: importing.import_reports(db.session, current_user, upload.stream, filename=upload.filename))
    if not done.ok:
        flash(done.refusal.message, "error")
        return render_template("monitoring/import.html", result=None, **context), 400
    flash(f"已导入 {len(done.result.added)} 份月报", "success")
    return render_template("monitoring/import.html", result=done.result, **context)


@bp.get("/alerts", endpoint="alerts")
@roles_required(*_STAFF)
def alerts():
    return render_template("monitoring/alerts.html", alerts=mon.visible_alerts(db.session, current_user),
                           labels=_labels())


def _audit(action: str, alert_id: int, purpose: str) -> None:
    record_access(db.session, actor_user_id=current_user.id, actor_role=current_user.role, action=action,
                  subject_type="monitoring_alert", subject_id=alert_id, purpose=purpose, fields=_WORKER_FIELDS,
                  ip=client_ip())


@bp.get("/alerts/<int:alert_id>", endpoint="alert")
@roles_required(*_STAFF)
def alert(alert_id: int):
    found = mon.get_alert(db.session, current_user, alert_id)
    workers = mon.laid_off_workers(db.session, found)
    _audit("view", found.id, "规模性减员预警：查看失业职工跟进名单")
    page = render_template("monitoring/alert.html", alert=found, workers=workers, counts=mon.follow_up_counts(workers),
                           labels=_labels(), report=None, hired=mon.hired_through_platform(db.session, found, workers))
    db.session.commit()
    return page


@bp.post("/alerts/<int:alert_id>/roster", endpoint="alert_roster")
@roles_required(*_STAFF)
def alert_roster(alert_id: int):
    found = mon.get_alert(db.session, current_user, alert_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择失业职工名单文件（Excel 或 CSV）", "error")
        return redirect(url_for("monitoring.alert", alert_id=alert_id), code=303)
    done = attempt(lambda: mon.import_laid_off(db.session, cipher(), current_user, alert_id, upload.stream,
                                               filename=upload.filename), keep=None)
    if not done.ok:
        db.session.rollback()
        flash(done.refusal.message, "error")
        return redirect(url_for("monitoring.alert", alert_id=alert_id), code=303)
    _audit("import", found.id, "规模性减员预警：导入失业职工名单")
    db.session.commit()
    roster, added = done.result
    flash(f"已导入失业职工 {added} 人", "success")
    workers = mon.laid_off_workers(db.session, found)
    return render_template("monitoring/alert.html", alert=found, workers=workers, counts=mon.follow_up_counts(workers),
                           labels=_labels(), report=roster, added=added,
                           hired=mon.hired_through_platform(db.session, found, workers))


@bp.post("/laid-off/<int:worker_id>/follow-up", endpoint="follow_up")
@roles_required(*_STAFF)
def follow_up(worker_id: int):
    done = commit_or_flash(lambda: mon.set_follow_up(db.session, current_user, worker_id, form_text("status", 20)),
                           lambda w: f"已记录跟进情况：{mon.FOLLOW_UP[w.status]}", answered=EVERY_REFUSAL)
    if done.ok:
        return redirect(url_for("monitoring.alert", alert_id=done.result.alert_id, _anchor=f"w-{worker_id}"), code=303)
    return redirect(url_for("monitoring.alerts"), code=303)
