"""Statistics pages (/stats): supply and demand with drill-down by region and occupation, each chart
with its table and an XLSX export. Commissioners see their jurisdiction only; admins every region.
Thin: parse the filters, call ``core.statistics``, render."""
from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.accounts.services import commissioner_jurisdiction
from core.db import utcnow
from core.enums import ChannelKind, Education, EmploymentType, PriorityGroup, Role, label
from core.reference.services import RegionDirectory, occupation_directory, region_directory
from core.statistics import cells, export
from core.statistics.cells import AGE_BANDS
from core.statistics.queries import (DIMENSIONS, Filters, StatsError, label_rows, occupation_level, parse_period,
                                     quarter_of, region_level, supply_demand)

from ..auth.policy import roles_required
from ..scheduler import stats_refresh_minutes
from ..extensions import db

bp = Blueprint("stats", __name__, url_prefix="/stats")
STAFF = (Role.COMMISSIONER, Role.ADMIN)
_CHOICES = {
    "education": [e.value for e in Education if e != Education.NONE],
    "employment_type": [t.value for t in EmploymentType],
    "channel": [k.value for k in ChannelKind],
    "group": [g.value for g in PriorityGroup],
    "age_band": [b for _, _, b in AGE_BANDS],
}
_FILTER_NAMES = {"education": "学历", "employment_type": "用工形式", "channel": "发布渠道", "group": "重点群体",
                 "age_band": "年龄段"}


def period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The last eight quarters and twelve months, newest first."""
    months = cells.months_back(today, 24)
    quarters = list(dict.fromkeys(quarter_of(m) for m in reversed(months)))[:8]
    out = [(q, parse_period(q).label) for q in quarters]
    return out + [(m, parse_period(m).label) for m in reversed(months[-12:])]


def _choice(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    if value not in _CHOICES[name]:
        abort(400)
    return value


def _code(name: str, directory) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    if directory.get(value) is None:
        abort(400)
    return value


def parse_filters() -> tuple[Filters, str]:
    """The page's filters from the query string, inside the viewer's jurisdiction (a region outside
    it is refused, not silently widened). Also the period key."""
    jurisdiction = commissioner_jurisdiction(current_user)
    region = _code("region", region_directory(db.session))
    if region and jurisdiction is not None and not region.startswith(jurisdiction) \
            and not jurisdiction.startswith(RegionDirectory.code_prefix(region)):
        abort(403)
    if region and jurisdiction is not None and len(RegionDirectory.code_prefix(region)) < len(jurisdiction):
        region = None  # above the jurisdiction: the jurisdiction itself
    filters = Filters(region=region or _jurisdiction_region(jurisdiction),
                      occupation=_code("occupation", occupation_directory(db.session)),
                      jurisdiction=jurisdiction, **{k: _choice(k) for k in _CHOICES})
    return filters, (request.args.get("period") or quarter_of(cells.month_of(utcnow()))).strip()


def _jurisdiction_region(prefix: str | None) -> str | None:
    if not prefix or prefix == "-":
        return None
    return prefix.ljust(6, "0")


def _by() -> str:
    by = request.args.get("by") or "region"
    if by not in DIMENSIONS:
        abort(400)
    return by


def _table(filters: Filters, period_key: str, by: str):
    try:
        period = parse_period(period_key)
    except StatsError:
        abort(400)
    table = supply_demand(db.session, period, filters, by)
    return label_rows(table, region_directory(db.session), occupation_directory(db.session))


def _drill(by: str, filters: Filters, key: str) -> str | None:
    """The link one level down from a row (a region below county or a detailed occupation has none)."""
    if not key:
        return None
    args = {k: v for k, v in request.args.items() if k not in ("region", "occupation")}
    if filters.occupation:
        args["occupation"] = filters.occupation
    if filters.region:
        args["region"] = filters.region
    current = RegionDirectory.code_prefix(filters.region) if filters.region else ""
    if by == "region" and key != current:  # a county's own row has nowhere further down to go
        args["region"] = key.ljust(6, "0")
    elif by == "occupation" and len(key) < 10:
        args["occupation"] = key
    else:
        return None
    return url_for("stats.index", **args)


def _trail(filters: Filters) -> tuple[list, list]:
    """Breadcrumbs: the region's ancestors inside the jurisdiction, the occupation's ancestors."""
    regions, occupations = region_directory(db.session), occupation_directory(db.session)
    args = {k: v for k, v in request.args.items() if k not in ("region", "occupation")}
    top = _jurisdiction_region(filters.jurisdiction)
    region_trail = []
    for r in regions.ancestors(filters.region or ""):
        if top is None or len(RegionDirectory.code_prefix(r.code)) >= len(RegionDirectory.code_prefix(top)):
            region_trail.append((r.name, url_for("stats.index", **args, region=r.code,
                                                 **({"occupation": filters.occupation} if filters.occupation else {}))))
    occ_trail = [(o.name, url_for("stats.index", **args, occupation=o.code,
                                  **({"region": filters.region} if filters.region else {})))
                 for o in occupations.ancestors(filters.occupation or "")]
    return region_trail, occ_trail


@bp.get("/")
@roles_required(*STAFF)
def index():
    filters, period_key = parse_filters()
    by = _by()
    table = _table(filters, period_key, by)
    region_trail, occ_trail = _trail(filters)
    chart = {"labels": [r.label for r in table.rows[:20]],
             "demand": [r.demand for r in table.rows[:20]], "supply": [r.supply for r in table.rows[:20]]}
    return render_template(
        "stats/index.html", table=table, by=by, filters=filters, period_key=period_key,
        periods=period_choices(utcnow().date()), dimensions=DIMENSIONS, choices=_CHOICES, filter_names=_FILTER_NAMES,
        region_trail=region_trail, occ_trail=occ_trail, drill=lambda key: _drill(by, filters, key), chart=chart,
        label=label, refresh=cells.last_refresh(db.session), shown=cells.last_done_refresh(db.session),
        minutes=stats_refresh_minutes(), args=request.args,
        region_level=region_level(filters.region), occupation_level=occupation_level(filters.occupation),
    )


def xlsx_response(data: bytes, ascii_name: str, chinese_name: str) -> Response:
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={ascii_name}; "
                                                    f"filename*=UTF-8''{quote(chinese_name)}"})


@bp.get("/export.xlsx")
@roles_required(*STAFF)
def export_xlsx():
    filters, period_key = parse_filters()
    by = _by()
    table = _table(filters, period_key, by)
    where = " · ".join(n for n, _ in _trail(filters)[0][-1:] + _trail(filters)[1][-1:]) or "全部地区"
    sheet = export.figure_sheet(f"按{DIMENSIONS[by]}", table, DIMENSIONS[by],
                                note=f"{table.period.label} · {where} · 供求统计")
    return xlsx_response(export.xlsx_bytes([sheet]), f"joblink-stats-{table.period.key}.xlsx",
                         f"供求统计-{table.period.label}.xlsx")


@bp.app_template_filter("stats_without")
def stats_without(args, *names: str) -> dict:
    """The query arguments without ``names`` (links that widen the region or the occupation)."""
    return {k: v for k, v in args.items() if k not in names}


# --- the quarterly report -----------------------------------------------------------------------------

def _report():
    from core.statistics.report import quarterly_report

    filters, period_key = parse_filters()
    if "Q" not in period_key:
        period_key = quarter_of(period_key[:7]) if len(period_key) >= 7 else period_key
    try:
        period = parse_period(period_key)
        place = region_directory(db.session).get(filters.region).full_name if filters.region else "全省（全部地区）"
        return quarterly_report(db.session, period, filters, place)
    except StatsError:
        abort(400)


@bp.get("/report")
@roles_required(*STAFF)
def report():
    rep = _report()
    quarters = [(k, t) for k, t in period_choices(utcnow().date()) if "Q" in k]
    chart = {"labels": [r.label for r in rep.by_demand], "demand": [r.demand for r in rep.by_demand],
             "supply": [r.supply for r in rep.by_demand]}
    return render_template("stats/report.html", rep=rep, quarters=quarters, args=request.args, chart=chart)


@bp.get("/report.xlsx")
@roles_required(*STAFF)
def report_xlsx():
    rep = _report()
    return xlsx_response(export.xlsx_bytes(rep.sheets()), f"joblink-report-{rep.period.key}.xlsx",
                         f"{rep.title}.xlsx")


@bp.get("/report.docx")
@roles_required(*STAFF)
def report_docx():
    rep = _report()
    return Response(export.docx_bytes(rep.title, rep.summary(), rep.sheets()),
                    mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f"attachment; filename=joblink-report-{rep.period.key}.docx; "
                                                    f"filename*=UTF-8''{quote(rep.title)}.docx"})


# --- outcomes -----------------------------------------------------------------------------------------

def _outcome_sheets(out, trend) -> list:
    heads = ["申请数", "面试数", "录用数", "录用率"]
    rows = lambda rs: [[r.label, r.applications, r.interviews, r.hires, r.hire_rate] for r in rs]  # noqa: E731
    return [
        export.Sheet("按重点群体", ["重点群体", *heads], rows(out.by_group) + rows([out.total])),
        export.Sheet("按求职渠道", ["来源", *heads], rows(out.by_origin) + rows([out.total])),
        export.Sheet("岗位有效率", ["渠道", *trend.months],
                     [[name, *rates] for name, rates in trend.channels] + [["合计", *trend.overall]]),
    ]


@bp.get("/outcomes")
@roles_required(*STAFF)
def outcomes():
    from core.statistics.outcomes import outcomes as outcomes_of, validity_trend

    filters, period_key = parse_filters()
    try:
        period = parse_period(period_key)
    except StatsError:
        abort(400)
    out = outcomes_of(db.session, period, filters.jurisdiction)
    trend = validity_trend(db.session, filters.jurisdiction)
    sheets = _outcome_sheets(out, trend)
    if request.args.get("format") == "xlsx":
        return xlsx_response(export.xlsx_bytes(sheets), f"joblink-outcomes-{period.key}.xlsx",
                             f"求职成效-{period.label}.xlsx")
    chart = {"type": "line", "labels": [f"{m[:4]}年{int(m[5:])}月" for m in trend.months],
             "demand": [None if r is None else round(r * 100, 1) for r in trend.overall],
             "demandLabel": "岗位有效率（%）", "supply": None}
    return render_template("stats/outcomes.html", out=out, sheets=sheets, period=period, chart=chart,
                           periods=period_choices(utcnow().date()), args=request.args, has_trend=bool(trend.months))



# --- refreshing the figures in the background -------------------------------------------------------------

def _refresh_in_background(app) -> None:
    from sqlalchemy.orm import sessionmaker

    def work():
        with app.app_context():
            factory = sessionmaker(bind=db.engine, expire_on_commit=False)
            try:
                cells.run_refresh(factory)
            except Exception:  # recorded as failed in stats_refreshes; the page says so
                app.logger.exception("statistics refresh failed")

    threading.Thread(target=work, name="stats-refresh", daemon=True).start()


@bp.post("/refresh")
@roles_required(Role.ADMIN)
def refresh():
    running = cells.last_refresh(db.session)
    if running is not None and running.state == "running" and running.started_at > utcnow() - dt.timedelta(hours=2):
        flash("统计数据正在更新，请稍后刷新页面查看进度", "info")
    else:
        _refresh_in_background(current_app._get_current_object())
        flash("已开始更新统计数据，页面上会显示进度", "success")
    return redirect(url_for("stats.index"), code=303)


from . import catalogue_views, monitoring_views  # noqa: E402,F401  (their routes are on this blueprint)
