"""Enterprise employment monitoring on the statistics pages (/stats/monitoring): the month's reports,
headcount, hires, separations, drops and alerts by region (drill province → city → county) or by
industry; a chart beside its table and an XLSX export. Jurisdiction as on the other statistics pages."""
from __future__ import annotations

from flask import abort, render_template, request, url_for

from core.db import utcnow
from core.reference.services import RegionDirectory, region_directory
from core.statistics import export
from core.statistics import monitoring_stats as ms
from core.statistics.cells import months_back
from core.statistics.queries import region_key

from ..auth.policy import roles_required
from ..extensions import db
from .views import STAFF, bp, parse_filters, xlsx_response


def _month(prefix: str):
    raw = request.args.get("month")
    if raw:
        month = ms.parse_month_key(raw)
        if month is None:
            abort(400)
        return month
    return ms.latest_month(db.session, prefix) or utcnow().date().replace(day=1)


def _args(**changes) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("format", *changes)}
    return {**args, **{k: v for k, v in changes.items() if v}}


def _drill(table: ms.MonitoringTable, prefix: str, key: str) -> str | None:
    """One region level down from a row (a county's own row has nowhere further to go)."""
    if table.by != "region" or not key or key == prefix:
        return None
    return url_for("stats.monitoring", **_args(region=key.ljust(6, "0")))


def _trail(prefix: str, jurisdiction: str | None) -> list[tuple[str, str]]:
    regions = region_directory(db.session)
    top = len(jurisdiction) if jurisdiction else 0
    return [(r.name, url_for("stats.monitoring", **_args(region=r.code)))
            for r in regions.ancestors(prefix.ljust(6, "0") if prefix else "")
            if len(RegionDirectory.code_prefix(r.code)) >= top]


def _sheet(table: ms.MonitoringTable, where: str) -> export.Sheet:
    rows = [[r.label, *r.values()] for r in table.rows] + [["合计", *table.total.values()]]
    return export.Sheet(f"企业用工监测-按{ms.BREAKDOWNS[table.by]}", [ms.BREAKDOWNS[table.by], *ms.HEADERS], rows,
                        note=f"{table.label} · {where} · 企业用工监测")


@bp.get("/monitoring")
@roles_required(*STAFF)
def monitoring():
    filters, _period = parse_filters()
    by = request.args.get("by") or "region"
    if by not in ms.BREAKDOWNS:
        abort(400)
    prefix = region_key(filters)
    month = _month(prefix)
    table = ms.label_table(ms.monitoring_table(db.session, month, prefix, by), region_directory(db.session))
    trail = _trail(prefix, filters.jurisdiction)
    where = trail[-1][0] if trail else "全部地区"
    if request.args.get("format") == "xlsx":
        return xlsx_response(export.xlsx_bytes([_sheet(table, where)]), f"joblink-monitoring-{month:%Y-%m}.xlsx",
                             f"企业用工监测-{table.label}-{where}.xlsx")
    chart = {"labels": [r.label for r in table.rows[:20]], "demand": [r.hires for r in table.rows[:20]],
             "demandLabel": "本月新招用人数", "supply": [r.separations for r in table.rows[:20]],
             "supplyLabel": "本月减少人数"}
    months = [(m, f"{m[:4]}年{int(m[5:])}月") for m in reversed(months_back(utcnow().date(), 24))]
    return render_template("stats/monitoring.html", table=table, by=by, month_key=f"{month:%Y-%m}", months=months,
                           trail=trail, top_link=None if filters.jurisdiction else url_for("stats.monitoring", **_args(region=None)),
                           drill=lambda key: _drill(table, prefix, key), chart=chart, breakdowns=ms.BREAKDOWNS,
                           region_arg=request.args.get("region"), where=where,
                           export_link=url_for("stats.monitoring", **_args(format="xlsx")))
