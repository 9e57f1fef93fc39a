"""Enterprise employment monitoring counted for the statistics pages (企业用工监测统计): for a month and
a region, how many monitored enterprises were due to report and how many did, their month-end
headcount, hires, separations and the change on the month before, the enterprises with a drop, the
alerts raised and the laid-off workers followed up, by region (the level below) or by industry.

Read straight from the monitoring tables (a province monitors about 5,000 enterprises: one report each
a month), so the figures are live, not as of the last cube refresh. Definitions: docs/statistics.md."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.enterprises.models import Enterprise
from core.monitoring.models import LaidOffWorker, MonitoredEnterprise, MonitoringAlert, MonthlyReport
from core.monitoring.services import assess_reduction

from .cells import month_end

BREAKDOWNS = {"region": "地区", "industry": "行业"}
HEADERS = ["监测企业数", "已报送企业数", "报送率", "月末职工人数", "本月新招用人数", "本月减少人数",
           "职工人数增减", "减员企业数", "规模性减员预警", "跟进失业职工", "其中已再就业"]


@dataclass
class MonitoringRow:
    key: str
    label: str = ""
    due: int = 0  # monitored enterprises that had to report this month
    reported: int = 0
    headcount: int = 0
    hires: int = 0
    separations: int = 0
    change: int = 0  # Σ (month-end headcount − base), base as the alert rule takes it
    dropped: int = 0  # enterprises whose month-end headcount is below their base
    alerts: int = 0
    laid_off: int = 0  # workers followed up on alerts of this month or earlier
    reemployed: int = 0

    @property
    def report_rate(self) -> float | None:
        return round(self.reported / self.due, 3) if self.due else None

    def values(self) -> list:
        return [self.due, self.reported, self.report_rate, self.headcount, self.hires, self.separations,
                self.change, self.dropped, self.alerts, self.laid_off, self.reemployed]

    def add(self, other: MonitoringRow) -> None:
        for name in ("due", "reported", "headcount", "hires", "separations", "change", "dropped", "alerts",
                     "laid_off", "reemployed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MonitoringTable:
    month: dt.date  # the month's first day
    by: str
    rows: list[MonitoringRow] = field(default_factory=list)
    total: MonitoringRow = field(default_factory=lambda: MonitoringRow("合计", "合计"))

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def parse_month_key(text: str | None) -> dt.date | None:
    """``2026-11`` -> 2026-11-01; None for anything else."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit() or not 1 <= int(text[5:]) <= 12:
        return None
    return dt.date(int(text[:4]), int(text[5:]), 1)


def _rows(session: Session, stmt):
    """Plain rows through the session's connection (the ORM's row processing doubled the time at 5,000)."""
    return session.connection().execute(stmt)


def _in_scope(stmt, prefix: str):
    return stmt.where(Enterprise.region_code.startswith(prefix)) if prefix else stmt


def latest_month(session: Session, prefix: str) -> dt.date | None:
    """The latest month any monitored enterprise of the region reported for."""
    stmt = (select(func.max(MonthlyReport.month)).join(MonitoredEnterprise, MonitoredEnterprise.id == MonthlyReport.monitored_id)
            .join(Enterprise, Enterprise.id == MonitoredEnterprise.enterprise_id))
    return session.scalar(_in_scope(stmt, prefix))


def _grouper(by: str, prefix: str):
    """The row key of an enterprise (a row with its ``region_code`` and ``industry``): its region one level
    below ``prefix`` (a county: itself), or its industry."""
    if by == "region":
        digits = min(len(prefix) + 2, 6)
        return lambda ent: (ent.region_code or "")[:digits]
    return lambda ent: (ent.industry or "").strip()


def _joined(*columns):
    """``columns`` of monthly reports with their monitored enterprise and enterprise joined."""
    return (select(*columns).select_from(MonthlyReport)
            .join(MonitoredEnterprise, MonitoredEnterprise.id == MonthlyReport.monitored_id)
            .join(Enterprise, Enterprise.id == MonitoredEnterprise.enterprise_id))


class _Earlier(NamedTuple):
    headcount: int  # the headcount of an enterprise's latest report before the month


def _reports(session: Session, month: dt.date, prefix: str) -> dict[int, tuple]:
    """Each monitored enterprise's report of ``month`` (headcount, hires, separations) with the headcount of
    its latest earlier one (None: the first), in one query of plain rows (the month through its index,
    the earlier one through the (enterprise, month) one; no ORM objects: a province has thousands)."""
    earlier = aliased(MonthlyReport)
    previous = (select(earlier.headcount).where(earlier.monitored_id == MonthlyReport.monitored_id, earlier.month < month)
                .order_by(earlier.month.desc()).limit(1).scalar_subquery())
    stmt = _in_scope(_joined(MonthlyReport.monitored_id, MonthlyReport.headcount, MonthlyReport.hires,
                             MonthlyReport.separations, previous.label("previous"))
                     .where(MonthlyReport.month == month), prefix)
    return {r.monitored_id: (r, None if r.previous is None else _Earlier(r.previous)) for r in _rows(session, stmt)}


def _count_reports(session: Session, month: dt.date, prefix: str, key, rows: dict[str, MonitoringRow]) -> None:
    end = dt.datetime.combine(month_end(f"{month:%Y-%m}"), dt.time.max)
    reports = _reports(session, month, prefix)
    stmt = _in_scope(select(MonitoredEnterprise.id, MonitoredEnterprise.created_at, MonitoredEnterprise.state_owned,
                            MonitoredEnterprise.above_designated_size, Enterprise.region_code, Enterprise.industry)
                     .join(Enterprise, Enterprise.id == MonitoredEnterprise.enterprise_id)
                     .where(MonitoredEnterprise.active.is_(True)), prefix)
    for monitored in _rows(session, stmt):
        found = reports.get(monitored.id)
        if found is None and monitored.created_at > end:
            continue  # flagged after the month: it did not have to report it
        row = rows.setdefault(key(monitored), MonitoringRow(key(monitored)))
        row.due += 1
        if found is None:
            continue
        report, previous = found
        reduction = assess_reduction(monitored, report, previous)
        row.reported += 1
        row.headcount += report.headcount
        row.hires += report.hires or 0
        row.separations += report.separations or 0
        row.change += report.headcount - reduction.base
        row.dropped += report.headcount < reduction.base


def _alerts_joined(*columns):
    return (select(*columns).select_from(MonitoringAlert)
            .join(MonitoredEnterprise, MonitoredEnterprise.id == MonitoringAlert.monitored_id)
            .join(Enterprise, Enterprise.id == MonitoredEnterprise.enterprise_id))


def _count_alerts(session: Session, month: dt.date, prefix: str, key, rows: dict[str, MonitoringRow]) -> None:
    alerts = _alerts_joined(Enterprise.region_code, Enterprise.industry).where(MonitoringAlert.month == month)
    workers = (_alerts_joined(LaidOffWorker.status, Enterprise.region_code, Enterprise.industry)
               .join(LaidOffWorker, LaidOffWorker.alert_id == MonitoringAlert.id).where(MonitoringAlert.month <= month))
    if prefix:
        alerts = alerts.where(MonitoringAlert.region_code.startswith(prefix))
        workers = workers.where(MonitoringAlert.region_code.startswith(prefix))
    for ent in _rows(session, alerts):
        rows.setdefault(key(ent), MonitoringRow(key(ent))).alerts += 1
    for worker in _rows(session, workers):
        row = rows.setdefault(key(worker), MonitoringRow(key(worker)))
        row.laid_off += 1
        row.reemployed += worker.status == "employed"


def monitoring_table(session: Session, month: dt.date, prefix: str, by: str = "region") -> MonitoringTable:
    """The month's monitoring figures inside the region-code ``prefix`` ("" every region), one row per
    region one level below it, or per industry; rows without a key (no industry given) under ""."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    rows: dict[str, MonitoringRow] = {}
    key = _grouper(by, prefix)
    _count_reports(session, month, prefix, key, rows)
    _count_alerts(session, month, prefix, key, rows)
    table = MonitoringTable(month, by)
    order = (lambda r: r.key) if by == "region" else (lambda r: (-r.due, r.key))
    table.rows = sorted(rows.values(), key=order)
    for row in table.rows:
        table.total.add(row)
    return table


def label_table(table: MonitoringTable, regions) -> MonitoringTable:
    for row in table.rows:
        if not row.key:
            row.label = "未填写"
        elif table.by == "region":
            ref = regions.get(row.key.ljust(6, "0"))
            row.label = ref.name if ref else "其他地区"
        else:
            row.label = row.key
    return table
