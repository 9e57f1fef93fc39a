"""Land acquisition (征地) on a major project: the notice with its villages, the survey deadline of 30
working days after the notice (``core.projects.workdays``), days left for the township and county
commissioners, and the escalation of overdue surveys through the notification inbox.

Who sees what: a notice is seen by whoever may see its project and by every commissioner whose
jurisdiction covers one of its villages; the people's names (``core.projects.survey``) only by the
latter (one rule: ``core.accounts.in_jurisdiction`` of the village's own code)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.accounts.services import get_in_jurisdiction, in_jurisdiction
from core.db import utcnow
from core.enums import NotificationKind, Role
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors

from .models import LandNotice, LandNoticeVillage, MajorProject, SurveyRecord
from .services import can_access, get_project
from .workdays import WorkingCalendar, working_calendar

SURVEY_WORKING_DAYS = 30  # 征地公告发布之日起30个工作日内完成调查摸底
_VILLAGE_LINE = re.compile(r"^\s*(\d{9}|\d{12})\s+(\S+)(?:\s+(\d+))?\s*$")


def village_county(code: str) -> str:
    """The county-level region a village or township code lies in (its first six digits)."""
    return code[:6]


def sees_notice(actor, notice: LandNotice) -> bool:
    return can_access(actor, notice.project) or any(in_jurisdiction(actor, v.code) for v in notice.villages)


def sees_names(actor, village: LandNoticeVillage) -> bool:
    """Only staff whose jurisdiction covers the village see its people's names (``in_jurisdiction``
    holds for admins and commissioners only)."""
    return in_jurisdiction(actor, village.code)


def get_notice(session: Session, notice_id: int, actor) -> LandNotice:
    return get_in_jurisdiction(session, LandNotice, notice_id, actor, "该征地公告", sees_notice)


def get_village(session: Session, notice_id: int, village_id: int, actor, *, names: bool = True) -> LandNoticeVillage:
    """A village of a notice; ``names``: the actor must be one who may see its people's names."""
    notice = get_notice(session, notice_id, actor)
    village = session.get(LandNoticeVillage, village_id)
    if village is None or village.notice_id != notice.id:
        raise NotFound("该村")
    if names and not sees_names(actor, village):
        raise PermissionDenied(f"{village.name}不在您的管辖范围内，不能查看人员名单")
    return village


# --- recording a notice ----------------------------------------------------------------------------

def parse_villages(session: Session, text: str, actor, errors: list[DomainError]) -> list[dict]:
    """One village or township a line: its code (12 or 9 digits), its name, and the households (optional)."""
    from core.reference.models import Region

    out, seen = [], set()
    for n, line in enumerate(l for l in (text or "").splitlines() if l.strip()):
        m = _VILLAGE_LINE.match(line)
        if not m:
            errors.append(DomainError("invalid_village", f"第{n + 1}行应为：村或乡镇代码（12位或9位数字） 名称 户数，"
                                      f"如 371302101201 东岭村 86", "villages"))
            continue
        code, name, households = m.group(1), m.group(2), m.group(3)
        if session.get(Region, village_county(code)) is None:
            errors.append(DomainError("unknown_region", f"第{n + 1}行：代码前6位 {code[:6]} 不是已知的区县", "villages"))
        elif not in_jurisdiction(actor, code):
            errors.append(DomainError("outside_jurisdiction", f"第{n + 1}行：{name}不在您的管辖范围内", "villages"))
        elif code in seen:
            errors.append(DomainError("duplicate_village", f"第{n + 1}行：{name}重复填写", "villages"))
        else:
            seen.add(code)
            out.append({"code": code, "name": name[:64], "households": int(households) if households else None})
    if not out and not any(e.field == "villages" for e in errors):
        errors.append(DomainError("missing_villages", "请至少填写一个涉及的村或乡镇", "villages"))
    return out


def _number(data: dict, key: str, label: str, errors: list[DomainError], *, integer: bool) -> float | int | None:
    raw = str(data.get(key) or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        value = int(raw) if integer else float(raw)
        if value < 0 or value != value or value > 10_000_000:
            raise ValueError
    except ValueError:
        kind = "不小于0的整数" if integer else "不小于0的数字"
        errors.append(DomainError(f"invalid_{key}", f"{label}应为{kind}", key))
        return None
    return value


def record_notice(session: Session, actor, project_id: int, data: dict) -> LandNotice:
    """Record a land-acquisition notice. ``data``: notice_date, reference (文号), area_mu, households,
    villages (lines of ``code name households``). The caller commits."""
    project = get_project(session, project_id, actor)
    if Role(actor.role) not in (Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("只有服务专员和管理员可以登记征地公告")
    errors: list[DomainError] = []
    raw_date = str(data.get("notice_date") or "").strip()
    notice_date = None
    if not raw_date:
        errors.append(DomainError("missing_notice_date", "请填写公告日期", "notice_date"))
    else:
        try:
            notice_date = dt.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(DomainError("invalid_date", "公告日期格式应为 年-月-日，如 2026-09-18", "notice_date"))
    reference = str(data.get("reference") or "").strip()
    if len(reference) > 100:
        errors.append(DomainError("too_long", "文号不能超过100个字", "reference"))
    area = _number(data, "area_mu", "征地面积", errors, integer=False)
    households = _number(data, "households", "涉及户数", errors, integer=True)
    villages = parse_villages(session, str(data.get("villages") or ""), actor, errors)
    if errors:
        raise ValidationErrors(errors)
    notice = LandNotice(project_id=project.id, notice_date=notice_date, reference=reference, area_mu=area,
                        households=households, created_by_id=actor.id,
                        villages=[LandNoticeVillage(**v) for v in villages])
    session.add(notice)
    session.flush()
    return notice


# --- deadlines -------------------------------------------------------------------------------------

@dataclass
class Deadline:
    notice_date: dt.date
    deadline: dt.date
    working_days_left: int       # working days from today to the deadline (0 on the day itself)
    calendar_days_left: int
    holidays_inside: list[tuple[dt.date, str]]  # the holidays inside the window, with their names
    overdue: bool
    completed: bool
    notice_on_day_off: str       # the holiday's name (or 周末) when the notice is dated on a day off

    def holiday_spans(self) -> list[tuple[str, dt.date, dt.date]]:
        """The holidays inside the window as (name, first day, last day), one per run of days."""
        spans: list[tuple[str, dt.date, dt.date]] = []
        for day, name in self.holidays_inside:
            if spans and spans[-1][0] == name and (day - spans[-1][2]).days <= 1:
                spans[-1] = (name, spans[-1][1], day)
            else:
                spans.append((name, day, day))
        return spans


def survey_deadline(calendar: WorkingCalendar, notice: LandNotice, today: dt.date) -> Deadline:
    due = calendar.add_working_days(notice.notice_date, SURVEY_WORKING_DAYS)
    completed = notice.survey_completed_at is not None
    day_off = "" if calendar.is_working_day(notice.notice_date) else (calendar.day_name(notice.notice_date) or "休息日")
    return Deadline(notice.notice_date, due, calendar.working_days_between(today, due), (due - today).days,
                    calendar.non_working_in(notice.notice_date, due), not completed and today > due, completed, day_off)


def visible_notices(session: Session, actor) -> list[LandNotice]:
    """The notices the actor sees, the most urgent first (open ones by deadline, then completed)."""
    stmt = (select(LandNotice).options(selectinload(LandNotice.villages), selectinload(LandNotice.project))
            .order_by(LandNotice.notice_date, LandNotice.id))
    rows = [n for n in session.scalars(stmt) if sees_notice(actor, n)]
    return sorted(rows, key=lambda n: (n.survey_completed_at is not None, n.notice_date, n.id))


def project_notices(session: Session, project: MajorProject) -> list[LandNotice]:
    return list(session.scalars(select(LandNotice).where(LandNotice.project_id == project.id)
                                .order_by(LandNotice.notice_date.desc(), LandNotice.id.desc())))


def complete_survey(session: Session, actor, notice_id: int) -> LandNotice:
    """The survey of a notice is done (the commissioners of its villages say so)."""
    notice = get_notice(session, notice_id, actor)
    if not any(sees_names(actor, v) for v in notice.villages):
        raise PermissionDenied("只有涉及村所在地的服务专员可以确认调查完成")
    notice.survey_completed_at = utcnow()
    session.flush()
    return notice


def _responsible(session: Session, notice: LandNotice) -> list[int]:
    """The commissioners to alert: those whose jurisdiction covers a village, and the project's own."""
    from core.accounts.models import User

    users = session.scalars(select(User).where(User.role == Role.COMMISSIONER, User.region_code.is_not(None))
                            .order_by(User.id))
    ids = [u.id for u in users if any(in_jurisdiction(u, v.code) for v in notice.villages)]
    if notice.project.commissioner_user_id:
        ids.append(notice.project.commissioner_user_id)
    return list(dict.fromkeys(ids))


def escalate_overdue_surveys(session: Session, today: dt.date | None = None) -> list[int]:
    """Alert the responsible commissioners of every survey past its deadline, once per notice. Returns
    the notices escalated. The caller commits (the scheduler runs it daily)."""
    from core.notifications.services import notify_many

    today = today or dt.date.today()
    calendar = working_calendar(session)
    done = []
    open_ = session.scalars(select(LandNotice).where(LandNotice.survey_completed_at.is_(None),
                                                     LandNotice.escalated_at.is_(None)))
    for notice in open_:
        due = survey_deadline(calendar, notice, today)
        if not due.overdue:
            continue
        surveyed = session.scalar(select(func.count()).select_from(SurveyRecord)
                                  .where(SurveyRecord.notice_id == notice.id)) or 0
        villages = "、".join(v.name for v in notice.villages)
        notify_many(session, _responsible(session, notice), kind=NotificationKind.TASK,
                    title=f"征地调查已超期：{notice.project.name}",
                    body=f"{villages}的被征地人员调查应在 {due.deadline:%Y年%m月%d日} 前完成（公告后30个工作日），"
                         f"目前已登记 {surveyed} 人，请尽快完成并确认。",
                    link=f"/projects/land/{notice.id}")
        notice.escalated_at = utcnow()
        done.append(notice.id)
    session.flush()
    return done
