"""The working-day calendar (工作日历): weekends, public holidays and the official make-up working days
(调休上班), shipped as data (data/calendar/<year>.csv, from the State Council General Office's
holiday notices) with an admin's entries in the database over them. Used to count the 30 working
days a land-acquisition survey is given."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Role
from core.errors import DomainError, PermissionDenied

from .models import CalendarDay

CALENDAR_DIR = Path(__file__).resolve().parents[2] / "data" / "calendar"
KINDS = {"holiday": "放假", "workday": "调休上班", "normal": "按平常（周一至周五上班，周末休息）"}
_MAX_SPAN = 3660  # a count of working days never looks further than ten years ahead


@lru_cache(maxsize=1)
def shipped_entries() -> dict[dt.date, tuple[str, str]]:
    """The shipped calendar: date -> (kind, name)."""
    out: dict[dt.date, tuple[str, str]] = {}
    for path in sorted(CALENDAR_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out[dt.date.fromisoformat(row["date"])] = (row["kind"], row["name"])
    return out


def shipped_years() -> list[int]:
    return sorted(int(p.stem) for p in CALENDAR_DIR.glob("*.csv") if p.stem.isdigit())


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days. ``entries`` override the rule "Monday to Friday"."""

    entries: dict[dt.date, tuple[str, str]]

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.entries.get(day, ("normal", ""))[0]
        if kind == "holiday":
            return False
        if kind == "workday":
            return True
        return day.weekday() < 5

    def day_name(self, day: dt.date) -> str:
        kind, name = self.entries.get(day, ("normal", ""))
        if kind != "normal" and name:
            return name
        return "周末" if day.weekday() >= 5 and not self.is_working_day(day) else ""

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start``. The start day itself never counts (期间开始的
        当日不计入), so a notice dated on a holiday or a weekend is counted from the next working day."""
        day, left = start, count
        for _ in range(_MAX_SPAN):
            if left <= 0:
                return day
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        raise DomainError("calendar_span", "期限超出可计算的范围", "notice_date")

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Working days in (after, until]; negative when ``until`` is before ``after``."""
        if until < after:
            return -self.working_days_between(until, after)
        return sum(1 for i in range(1, (until - after).days + 1) if self.is_working_day(after + dt.timedelta(days=i)))

    def non_working_in(self, after: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
        """The holidays (not plain weekends) in (after, until], with their names."""
        out = []
        for i in range(1, (until - after).days + 1):
            day = after + dt.timedelta(days=i)
            kind, name = self.entries.get(day, ("normal", ""))
            if kind == "holiday":
                out.append((day, name))
        return out


def working_calendar(session: Session) -> WorkingCalendar:
    """The shipped calendar with the admins' entries over it."""
    entries = dict(shipped_entries())
    for row in session.scalars(select(CalendarDay)):
        entries[row.day] = (row.kind, row.name)
    return WorkingCalendar(entries)


def calendar_rows(session: Session, year: int) -> list[dict]:
    """Every entry of ``year`` (shipped and admin's), for the admin page, by date."""
    admin = {r.day: r for r in session.scalars(select(CalendarDay))}
    shipped = shipped_entries()
    days = sorted({d for d in list(shipped) + list(admin) if d.year == year})
    rows = []
    for d in days:
        kind, name = (admin[d].kind, admin[d].name) if d in admin else shipped[d]
        rows.append({"day": d, "kind": kind, "kind_label": KINDS.get(kind, kind), "name": name,
                     "edited": d in admin, "shipped": d in shipped})
    return rows


def set_calendar_day(session: Session, actor, day, kind: str, name: str = "") -> CalendarDay:
    """An admin marks a day as a holiday, a make-up working day, or an ordinary day. The caller commits."""
    if Role(actor.role) != Role.ADMIN:
        raise PermissionDenied("只有管理员可以修改工作日历")
    errors = []
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip())
        except ValueError:
            errors.append(DomainError("invalid_date", "日期格式应为 年-月-日，如 2027-02-10", "day"))
    if kind not in KINDS:
        errors.append(DomainError("invalid_kind", "请选择：放假、调休上班或按平常", "kind"))
    name = (name or "").strip()
    if len(name) > 50:
        errors.append(DomainError("too_long", "名称不能超过50个字", "name"))
    if errors:
        from core.errors import ValidationErrors

        raise ValidationErrors(errors)
    row = session.get(CalendarDay, day) or CalendarDay(day=day)
    row.kind, row.name, row.changed_by_id = kind, name, actor.id
    session.add(row)
    session.flush()
    return row
