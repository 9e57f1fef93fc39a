"""Six-monthly requalification (资质复核): the January 2026 notice asks that the qualifications of the
enterprises and channels that publish postings be checked again at least every six months.

An enterprise's "已认证" badge holds only while its last check is under six months old; the admin's
queue lists the enterprises and channels overdue or due within the reminder window, and "重新核验"
records who checked and when. "Today" is always a parameter, so the lapse can be tested without waiting.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.audit.services import record_access
from core.channels.models import Channel
from core.db import utcnow
from core.enums import VerificationStatus
from core.errors import DomainError, NotFound

from .models import Enterprise

PERIOD_MONTHS = 6
REMINDER_DAYS = 30          # shown in the queue this long before the due date
KINDS = {"enterprise": (Enterprise, "用人单位"), "channel": (Channel, "渠道")}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day: 8-31 -> 2-28)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(qualified_at: dt.datetime | None) -> dt.date | None:
    """When the next check is due; ``None`` when there has never been one (due already)."""
    return add_months(qualified_at.date(), PERIOD_MONTHS) if qualified_at else None


def is_overdue(qualified_at: dt.datetime | None, today: dt.date) -> bool:
    due = due_on(qualified_at)
    return due is None or due <= today


def badge_current(enterprise: Enterprise | None, today: dt.date) -> bool:
    """Whether the enterprise may show "已认证": verified, and checked within the last six months."""
    return (enterprise is not None and enterprise.verification_status == VerificationStatus.VERIFIED
            and not is_overdue(enterprise.qualified_at, today))


@dataclass(frozen=True)
class DueItem:
    kind: str               # "enterprise" | "channel"
    id: int
    name: str
    kind_label: str         # 用人单位 / 渠道
    qualified_at: dt.datetime | None
    qualified_by: str | None
    due: dt.date | None
    overdue: bool


def _item(kind: str, row, today: dt.date, usernames: dict[int, str]) -> DueItem:
    return DueItem(kind, row.id, row.name, KINDS[kind][1], row.qualified_at, usernames.get(row.qualified_by_user_id),
                   due_on(row.qualified_at), is_overdue(row.qualified_at, today))


def requalification_queue(session: Session, today: dt.date, window_days: int = REMINDER_DAYS) -> list[DueItem]:
    """Verified enterprises and active channels whose check is overdue or due within ``window_days``,
    the most overdue first."""
    horizon = today + dt.timedelta(days=window_days)
    # Only rows checked before this can be due (a few days' slack for month ends); exact test below.
    cutoff = dt.datetime.combine(add_months(horizon, -PERIOD_MONTHS) + dt.timedelta(days=4), dt.time.min)
    rows = [("enterprise", e) for e in session.scalars(select(Enterprise).where(
        Enterprise.verification_status == VerificationStatus.VERIFIED,
        or_(Enterprise.qualified_at.is_(None), Enterprise.qualified_at < cutoff)))]
    rows += [("channel", c) for c in session.scalars(select(Channel).where(
        Channel.active.is_(True), or_(Channel.qualified_at.is_(None), Channel.qualified_at < cutoff)))]
    ids = {row.qualified_by_user_id for _, row in rows if row.qualified_by_user_id}
    usernames = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
    items = [_item(kind, row, today, usernames) for kind, row in rows]
    due = [i for i in items if i.due is None or i.due <= horizon]
    return sorted(due, key=lambda i: (i.due or dt.date.min, i.kind, i.id))


def requalify(session: Session, kind: str, object_id: int, *, actor_user_id: int, actor_role: str,
              now: dt.datetime | None = None):
    """Record that the qualifications were checked again now, by this person (and in the audit trail)."""
    if kind not in KINDS:
        raise DomainError("invalid_kind", "只能核验用人单位或渠道", "kind")
    model, kind_label = KINDS[kind]
    row = session.get(model, object_id)
    if row is None:
        raise NotFound(f"该{kind_label}")
    if kind == "enterprise" and row.verification_status != VerificationStatus.VERIFIED:
        raise DomainError("not_verified", "该单位尚未通过认证，请先在“单位认证”中审核", None)
    row.qualified_at = now or utcnow()
    row.qualified_by_user_id = actor_user_id
    record_access(session, actor_user_id=actor_user_id, actor_role=actor_role, action="review",
                  subject_type=kind, subject_id=row.id, purpose=f"资质重新核验：{row.name}"[:200],
                  fields=["qualified_at"])
    session.flush()
    return row


__all__ = ["PERIOD_MONTHS", "REMINDER_DAYS", "DueItem", "add_months", "badge_current", "due_on", "is_overdue",
           "requalification_queue", "requalify"]
