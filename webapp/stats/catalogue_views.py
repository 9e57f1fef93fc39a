"""The shortage-occupation catalogue's pages: the published versions (anyone: page, XLSX, JSON API),
and the draft an administrator computes, edits and publishes. Also the 紧缺 tag for templates."""
from __future__ import annotations

import json

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from core.enums import Role
from core.reference.services import occupation_directory
from core.statistics import catalogue as cat
from core.statistics import export
from core.statistics.cells import month_of
from core.statistics.queries import Filters, StatsError, parse_period, quarter_of
from core.db import utcnow

from ..auth.inputs import EVERY_REFUSAL, commit_or_flash, form_text
from ..auth.policy import public, roles_required
from ..extensions import db
from .views import bp, xlsx_response


def configured_rules() -> dict:
    raw = current_app.config.get("STATS_SHORTAGE_RULES") or ""
    try:
        return cat.rules_from(json.loads(raw) if raw else None)
    except (ValueError, TypeError):
        current_app.logger.warning("STATS_SHORTAGE_RULES is not valid JSON; the defaults are used")
        return cat.rules_from(None)


@bp.app_template_global()
def is_shortage(occupation_code: str | None) -> bool:
    """Whether a posting's occupation is in the latest published catalogue (read once per request)."""
    if not occupation_code:
        return False
    if "shortage_codes" not in g:
        g.shortage_codes = cat.shortage_codes(db.session)
    return occupation_code in g.shortage_codes


def _names() -> dict:
    occupations = occupation_directory(db.session)
    return {"occupation": lambda code: occupations.get(code).name if occupations.get(code) else "其他职业",
            "reasons": cat.REASONS}


@bp.get("/catalogue")
@public
def catalogue():
    latest = cat.published(db.session)
    return render_template("stats/catalogue.html", current=latest, versions=cat.history(db.session),
                           draft=cat.current_draft(db.session) if _is_admin() else None, **_names())


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.role == Role.ADMIN


@bp.get("/catalogue/v<int:version>")
@public
def catalogue_version(version: int):
    found = cat.published(db.session, version)
    if found is None:
        abort(404)
    return render_template("stats/catalogue.html", current=found, versions=cat.history(db.session), draft=None,
                           **_names())


def _catalogue_sheet(found) -> export.Sheet:
    names = _names()["occupation"]
    return export.Sheet(
        f"第{found.version}版", ["职业代码", "职业", "列入原因", "需求人数", "求职人数", "求人倍率", "说明"],
        [[e.occupation_code, names(e.occupation_code), cat.REASONS.get(e.reason, "其他"), e.demand, e.supply,
          e.ratio, e.note] for e in found.entries],
        note=f"急需紧缺职业目录 第{found.version}版（{parse_period(found.period).label}测算）")


@bp.get("/catalogue/v<int:version>.xlsx")
@public
def catalogue_xlsx(version: int):
    found = cat.published(db.session, version)
    if found is None:
        abort(404)
    return xlsx_response(export.xlsx_bytes([_catalogue_sheet(found)]), f"joblink-shortage-v{version}.xlsx",
                         f"急需紧缺职业目录-第{version}版.xlsx")


# --- the draft (administrators) ------------------------------------------------------------------------

@bp.get("/catalogue/draft")
@roles_required(Role.ADMIN)
def catalogue_draft():
    quarters = []
    q = quarter_of(month_of(utcnow()))
    for _ in range(8):
        p = parse_period(q)
        quarters.append((p.key, p.label))
        q = p.previous().key
    return render_template("stats/catalogue_draft.html", draft=cat.current_draft(db.session), quarters=quarters,
                           rules=configured_rules(), **_names())


@bp.post("/catalogue/draft")
@roles_required(Role.ADMIN)
def catalogue_compute():
    def compute():
        try:
            period = parse_period(request.form.get("period") or "")
        except StatsError as exc:
            raise cat.CatalogueError(exc.code, exc.message, exc.field) from None
        return cat.compute_draft(db.session, period, configured_rules(), Filters(), current_user.id)

    commit_or_flash(compute, lambda d: f"已按规则测算出 {len(d.entries)} 个职业，请审核后发布")
    return redirect(url_for("stats.catalogue_draft"), code=303)


@bp.post("/catalogue/draft/entries")
@roles_required(Role.ADMIN)
def catalogue_add():
    commit_or_flash(lambda: cat.add_entry(db.session, form_text("occupation", 100), form_text("note", 300)),
                    lambda e: "已加入目录草稿", answered=EVERY_REFUSAL)
    return redirect(url_for("stats.catalogue_draft"), code=303)


@bp.post("/catalogue/draft/entries/<int:entry_id>/delete")
@roles_required(Role.ADMIN)
def catalogue_remove(entry_id: int):
    commit_or_flash(lambda: cat.remove_entry(db.session, entry_id), lambda _: "已从目录草稿中移除")  # none: 404
    return redirect(url_for("stats.catalogue_draft"), code=303)


@bp.post("/catalogue/draft/publish")
@roles_required(Role.ADMIN)
def catalogue_publish():
    done = commit_or_flash(lambda: cat.publish_draft(db.session, current_user.id, form_text("note", 2000)),
                           lambda c: f"急需紧缺职业目录第 {c.version} 版已发布", answered=EVERY_REFUSAL)
    if done.ok:
        return redirect(url_for("stats.catalogue_version", version=done.result.version), code=303)
    return redirect(url_for("stats.catalogue_draft"), code=303)


@bp.app_template_filter("stats_period")
def stats_period(key: str) -> str:
    try:
        return parse_period(key).label
    except StatsError:
        return "未知时期"
