"""Use cases of enterprise employment monitoring: flagging enterprises (by staff, or by the rule on
size and industry), the monthly report (form or spreadsheet import), the alert rule and its
notification to the jurisdiction's commissioners, and the laid-off workers' follow-up.

The alert rule, written once (``assess_reduction``): the reduction is last reported month's
headcount minus this month's (without an earlier report: separations minus hires); 200 or more
raises an alert, and so does more than 10 % of last month's headcount at a state-owned enterprise
above designated size (国有规模以上企业)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.services import commissioner_jurisdiction, in_jurisdiction, require_jurisdiction
from core.db import utcnow
from core.enums import NotificationKind, Role
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors

from .models import LaidOffWorker, MonitoredEnterprise, MonitoringAlert, MonthlyReport

PRODUCTION = {"normal": "正常生产", "reduced": "减产", "halted": "停产", "closed": "关闭或破产"}
PAY_CHANGE = {"up": "上涨", "flat": "持平", "down": "下降"}
FOLLOW_UP = {"pending": "待跟进", "contacted": "已联系", "training": "参加培训", "employed": "已再就业",
             "other": "暂无需求"}
COUNT_THRESHOLD = 200     # 一次性裁员 200 人以上
SHARE_THRESHOLD = 0.10    # 国有规模以上企业减员超过职工总数 10%
RULES = {"count": f"一次性减员 {COUNT_THRESHOLD} 人及以上", "share": "国有规模以上企业减员超过职工总数的10%"}
_WORDS = {
    "production_state": {"正常": "normal", "正常生产": "normal", "生产正常": "normal", "减产": "reduced",
                         "部分停产": "reduced", "半停产": "reduced", "停产": "halted", "停工": "halted",
                         "关闭": "closed", "破产": "closed", "关闭或破产": "closed"},
    "pay_change": {"上涨": "up", "增加": "up", "上升": "up", "持平": "flat", "不变": "flat", "无变化": "flat",
                   "下降": "down", "减少": "down", "降低": "down"},
}
_STAFF = (Role.COMMISSIONER, Role.ADMIN)


# --- who sees what ---------------------------------------------------------------------------------

def sees_monitored(actor, monitored: MonitoredEnterprise) -> bool:
    """Staff whose jurisdiction covers the enterprise's own region; the enterprise's own accounts."""
    role = Role(actor.role)
    if role == Role.ENTERPRISE:
        return actor.enterprise_id == monitored.enterprise_id
    return role in _STAFF and in_jurisdiction(actor, monitored.enterprise.region_code)


def get_monitored(session: Session, actor, monitored_id: int) -> MonitoredEnterprise:
    monitored = session.get(MonitoredEnterprise, monitored_id)
    if monitored is None:
        raise NotFound("该监测企业")
    if not sees_monitored(actor, monitored):
        raise PermissionDenied("该企业不在您的管辖范围内")
    return monitored


def monitored_for_enterprise(session: Session, enterprise_id: int | None) -> MonitoredEnterprise | None:
    if not enterprise_id:
        return None
    return session.scalar(select(MonitoredEnterprise).where(MonitoredEnterprise.enterprise_id == enterprise_id,
                                                            MonitoredEnterprise.active.is_(True)))


def visible_monitored(session: Session, actor) -> list[MonitoredEnterprise]:
    from core.enterprises.models import Enterprise

    stmt = select(MonitoredEnterprise).join(Enterprise).where(MonitoredEnterprise.active.is_(True))
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix))
    return list(session.scalars(stmt.order_by(Enterprise.name)))


# --- flagging --------------------------------------------------------------------------------------

def _require_staff(actor) -> None:
    if Role(actor.role) not in _STAFF:
        raise PermissionDenied("只有服务专员和管理员可以管理监测企业")


def flag_enterprise(session: Session, actor, enterprise_id: int, *, state_owned: bool = False,
                    above_designated_size: bool = False, by: str = "staff") -> MonitoredEnterprise:
    """Put an enterprise of my jurisdiction under monitoring (or update its flags). The caller commits."""
    from core.enterprises.models import Enterprise

    _require_staff(actor)
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound("该企业")
    require_jurisdiction(actor, ent.region_code, ent.name)
    monitored = session.scalar(select(MonitoredEnterprise).where(MonitoredEnterprise.enterprise_id == ent.id))
    if monitored is None:
        monitored = MonitoredEnterprise(enterprise_id=ent.id, flagged_by=by, flagged_by_user_id=actor.id)
        session.add(monitored)
    monitored.active = True
    monitored.state_owned = bool(state_owned)
    monitored.above_designated_size = bool(above_designated_size)
    session.flush()
    return monitored


def find_enterprise(session: Session, text: str):
    """The enterprise a commissioner names by its unified social credit code or its exact name."""
    from core.enterprises.models import Enterprise

    text = (text or "").strip()
    if not text:
        raise DomainError("missing_enterprise", "请填写统一社会信用代码或企业名称", "enterprise")
    found = list(session.scalars(select(Enterprise).where(
        (Enterprise.credit_code == text.upper()) | (Enterprise.name == text)).limit(2)))
    if not found:
        raise DomainError("unknown_enterprise", f"找不到企业“{text}”，请核对名称或统一社会信用代码", "enterprise")
    if len(found) > 1:
        raise DomainError("ambiguous_enterprise", f"有多家企业名为“{text}”，请填写统一社会信用代码", "enterprise")
    return found[0]


def size_lower_bound(size: str | None) -> int | None:
    """'300-999人' -> 300, '1000人以上' -> 1000, '50人以下' -> 0; None when the text names no number."""
    text = (size or "").replace(",", "")
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers:
        return None
    return 0 if "以下" in text and len(numbers) == 1 else numbers[0]


def flag_by_rule(session: Session, actor, *, min_size: int | None, industries: list[str]) -> int:
    """Flag every enterprise of my jurisdiction whose declared size is at least ``min_size`` or whose
    industry contains one of ``industries``; returns how many were newly flagged."""
    from core.enterprises.models import Enterprise

    _require_staff(actor)
    if not min_size and not industries:
        raise DomainError("missing_rule", "请填写职工人数下限或行业", "min_size")
    stmt = select(Enterprise).where(~Enterprise.id.in_(select(MonitoredEnterprise.enterprise_id)))
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(Enterprise.region_code.startswith(prefix))
    count = 0
    for ent in session.scalars(stmt):
        bound = size_lower_bound(ent.size)
        by_size = bool(min_size) and bound is not None and bound >= min_size
        by_industry = any(word and word in (ent.industry or "") for word in industries)
        if by_size or by_industry:
            session.add(MonitoredEnterprise(enterprise_id=ent.id, flagged_by="rule", flagged_by_user_id=actor.id))
            count += 1
    session.flush()
    return count


# --- the monthly report ----------------------------------------------------------------------------

def parse_month(text: str) -> dt.date:
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]\s*\d{1,2}\s*日?)?\s*", str(text or ""))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise DomainError("invalid_month", "月份应写成 2026-11 或 2026年11月", "month")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _count(data: dict, key: str, label: str, errors: list[DomainError], *, required: bool) -> int:
    raw = str(data.get(key) or "").strip().replace(",", "")
    if not raw:
        if required:
            errors.append(DomainError(f"missing_{key}", f"请填写{label}", key))
        return 0
    try:
        value = int(float(raw))
        if value < 0 or value > 10_000_000 or value != float(raw):
            raise ValueError
    except ValueError:
        errors.append(DomainError(f"invalid_{key}", f"{label}应为不小于0的整数", key))
        return 0
    return value


def _choice(data: dict, key: str, table: dict, label: str, default: str, errors: list[DomainError]) -> str:
    raw = str(data.get(key) or "").strip()
    if not raw:
        return default
    if raw in table:
        return raw
    hit = _WORDS[key].get(raw) or next((k for k, v in table.items() if v == raw), None)
    if hit is None:
        errors.append(DomainError(f"invalid_{key}", f"无法识别的{label}：{raw}（可填：{'、'.join(table.values())}）", key))
        return default
    return hit


def read_report_fields(data: dict) -> dict:
    """The report's fields from form or spreadsheet text; every problem at once (ValidationErrors)."""
    errors: list[DomainError] = []
    month = None
    try:
        month = parse_month(data.get("month", ""))
    except DomainError as e:
        errors.append(e)
    fields = {
        "month": month,
        "headcount": _count(data, "headcount", "月末职工人数", errors, required=True),
        "hires": _count(data, "hires", "本月新招用人数", errors, required=False),
        "separations": _count(data, "separations", "本月减少人数", errors, required=False),
        "production_state": _choice(data, "production_state", PRODUCTION, "生产经营状况", "normal", errors),
        "pay_change": _choice(data, "pay_change", PAY_CHANGE, "工资变化", "flat", errors),
    }
    if month is not None and month > utcnow().date():
        errors.append(DomainError("future_month", "不能报送尚未开始的月份", "month"))
    if errors:
        raise ValidationErrors(errors)
    return fields


def _may_report(actor, monitored: MonitoredEnterprise) -> None:
    role = Role(actor.role)
    if role == Role.ENTERPRISE and actor.enterprise_id == monitored.enterprise_id:
        return
    if role in _STAFF and in_jurisdiction(actor, monitored.enterprise.region_code):
        return
    raise PermissionDenied("您不能为该企业报送用工情况")


def submit_report(session: Session, actor, monitored_id: int, data: dict, *,
                  source: str = "form") -> tuple[MonthlyReport, MonitoringAlert | None]:
    """Record one month's report and, when the reduction is one that must be reported, raise the
    alert. The caller commits."""
    monitored = get_monitored(session, actor, monitored_id)
    _may_report(actor, monitored)
    fields = read_report_fields(data)
    taken = session.scalar(select(MonthlyReport.id).where(MonthlyReport.monitored_id == monitored.id,
                                                          MonthlyReport.month == fields["month"]))
    if taken is not None:
        raise DomainError("month_reported", f"{fields['month']:%Y年%m月}的报表已报送过", "month")
    report = MonthlyReport(monitored_id=monitored.id, source=source, reported_by_user_id=actor.id, **fields)
    session.add(report)
    session.flush()
    return report, raise_alert_if_due(session, monitored, report)


@dataclass(frozen=True)
class Reduction:
    base: int          # last reported month's headcount (or this month's plus its net separations)
    reduction: int
    share: float       # reduction / base (0 when base is 0)
    rule: str | None   # "count" | "share" | None: nothing to report


def previous_report(session: Session, report: MonthlyReport) -> MonthlyReport | None:
    return session.scalar(select(MonthlyReport).where(MonthlyReport.monitored_id == report.monitored_id,
                                                      MonthlyReport.month < report.month)
                          .order_by(MonthlyReport.month.desc()).limit(1))


def assess_reduction(monitored: MonitoredEnterprise, report: MonthlyReport, previous: MonthlyReport | None) -> Reduction:
    """The one alert rule (see the module's docstring)."""
    base = previous.headcount if previous is not None else report.headcount + report.separations - report.hires
    reduction = max(0, base - report.headcount)
    share = reduction / base if base > 0 else 0.0
    rule = None
    if reduction >= COUNT_THRESHOLD:
        rule = "count"
    elif monitored.state_owned and monitored.above_designated_size and share > SHARE_THRESHOLD:
        rule = "share"
    return Reduction(base=base, reduction=reduction, share=share, rule=rule)


def jurisdiction_commissioners(session: Session, region_code: str | None) -> list[int]:
    """Active commissioners whose jurisdiction covers ``region_code`` (the one rule, ``in_jurisdiction``)."""
    from core.accounts.models import User

    users = session.scalars(select(User).where(User.role == Role.COMMISSIONER, User.is_active.is_(True),
                                               User.region_code.is_not(None)).order_by(User.id))
    return [u.id for u in users if in_jurisdiction(u, region_code)]


def raise_alert_if_due(session: Session, monitored: MonitoredEnterprise, report: MonthlyReport) -> MonitoringAlert | None:
    from core.notifications.services import notify_many

    found = assess_reduction(monitored, report, previous_report(session, report))
    if found.rule is None:
        return None
    ent = monitored.enterprise
    alert = MonitoringAlert(monitored_id=monitored.id, report_id=report.id, region_code=ent.region_code,
                            month=report.month, base_headcount=found.base, headcount=report.headcount,
                            reduction=found.reduction, reduction_pct=round(found.share * 100, 1), rule=found.rule)
    session.add(alert)
    session.flush()
    body = (f"{ent.name}报送{report.month:%Y年%m月}月末职工 {report.headcount} 人，比上月 {found.base} 人减少 "
            f"{found.reduction} 人（{alert.reduction_pct:g}%），达到规模性减员报告标准：{RULES[found.rule]}。"
            f"请核实情况并跟进失业职工。")
    alert.notified = notify_many(session, jurisdiction_commissioners(session, ent.region_code),
                                 kind=NotificationKind.TASK, title=f"规模性减员预警：{ent.name}减少 {found.reduction} 人",
                                 body=body, link=f"/monitoring/alerts/{alert.id}")
    return alert


def enterprise_reports(session: Session, monitored: MonitoredEnterprise, limit: int = 24) -> list[MonthlyReport]:
    return list(session.scalars(select(MonthlyReport).where(MonthlyReport.monitored_id == monitored.id)
                                .order_by(MonthlyReport.month.desc()).limit(limit)))


def latest_reports(session: Session, monitored: list[MonitoredEnterprise]) -> dict[int, MonthlyReport]:
    """Each monitored enterprise's latest report, in two queries whatever the list's length."""
    from sqlalchemy import func

    ids = [m.id for m in monitored]
    if not ids:
        return {}
    latest = (select(MonthlyReport.monitored_id, func.max(MonthlyReport.month).label("month"))
              .where(MonthlyReport.monitored_id.in_(ids)).group_by(MonthlyReport.monitored_id).subquery())
    rows = session.scalars(select(MonthlyReport).join(latest, (MonthlyReport.monitored_id == latest.c.monitored_id)
                                                      & (MonthlyReport.month == latest.c.month)))
    return {r.monitored_id: r for r in rows}


# --- alerts and the laid-off workers' follow-up ----------------------------------------------------

def visible_alerts(session: Session, actor, limit: int = 200) -> list[MonitoringAlert]:
    _require_staff(actor)
    stmt = select(MonitoringAlert)
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(MonitoringAlert.region_code.startswith(prefix))
    return list(session.scalars(stmt.order_by(MonitoringAlert.created_at.desc(), MonitoringAlert.id.desc()).limit(limit)))


def get_alert(session: Session, actor, alert_id: int) -> MonitoringAlert:
    _require_staff(actor)
    alert = session.get(MonitoringAlert, alert_id)
    if alert is None:
        raise NotFound("该预警")
    require_jurisdiction(actor, alert.monitored.enterprise.region_code, "该企业")
    return alert


def laid_off_workers(session: Session, alert: MonitoringAlert) -> list[LaidOffWorker]:
    return list(session.scalars(select(LaidOffWorker).where(LaidOffWorker.alert_id == alert.id)
                                .order_by(LaidOffWorker.id)))


def hired_through_platform(session: Session, alert: MonitoringAlert, workers: list[LaidOffWorker]) -> set[int]:
    """The followed workers (jobseeker ids) an enterprise has hired through JobLink since the alert."""
    from core.applications.models import Application
    from core.enums import ApplicationStatus

    ids = [w.jobseeker_id for w in workers]
    if not ids:
        return set()
    return set(session.scalars(select(Application.jobseeker_id).where(
        Application.jobseeker_id.in_(ids), Application.status == ApplicationStatus.HIRED,
        Application.updated_at >= alert.created_at)))


def follow_up_counts(workers: list[LaidOffWorker]) -> dict[str, int]:
    counts = {k: 0 for k in FOLLOW_UP}
    for w in workers:
        counts[w.status] = counts.get(w.status, 0) + 1
    return counts


def import_laid_off(session: Session, cipher, actor, alert_id: int, source, *, filename: str | None = None):
    """Import the laid-off workers' roster for an alert through the jobseeker roster import
    (``core.seekers.roster``): each person becomes (or stays) a jobseeker tagged 失业/去产能职工, attested by
    the importing commissioner, and is followed up on this alert. Returns (roster report, newly followed)."""
    from core.enums import PriorityGroup, VerificationStatus
    from core.seekers.models import Jobseeker, JobseekerGroup
    from core.seekers.roster import import_roster

    alert = get_alert(session, actor, alert_id)
    report = import_roster(session, cipher, source, filename=filename, verify_groups_by=actor.id)
    ids = [r["id"] for r in report.created + report.existing + report.updated]
    already = set(session.scalars(select(LaidOffWorker.jobseeker_id).where(LaidOffWorker.alert_id == alert.id)))
    added = 0
    for seeker in session.scalars(select(Jobseeker).where(Jobseeker.id.in_(ids))):
        if not any(g.group == PriorityGroup.LAID_OFF for g in seeker.groups):
            seeker.groups.append(JobseekerGroup(group=PriorityGroup.LAID_OFF, verification=VerificationStatus.VERIFIED,
                                                verified_by_id=actor.id, verified_at=utcnow()))
        if seeker.id not in already:
            session.add(LaidOffWorker(alert_id=alert.id, jobseeker_id=seeker.id))
            added += 1
    session.flush()
    return report, added


def set_follow_up(session: Session, actor, worker_id: int, status: str) -> LaidOffWorker:
    worker = session.get(LaidOffWorker, worker_id)
    if worker is None:
        raise NotFound("该职工")
    get_alert(session, actor, worker.alert_id)
    if status not in FOLLOW_UP:
        raise DomainError("invalid_follow_up", f"跟进情况只能是：{'、'.join(FOLLOW_UP.values())}", "status")
    worker.status = status
    worker.updated_at = utcnow()
    session.flush()
    return worker
