"""Outcomes (求职成效): applications, interviews and hires by priority group and by where the
application came from, and the posting validity rate per channel month by month. An application is
counted in the period it was made, in the jurisdiction of its posting's region; its stage is the one it
has reached now (an interview invitation counts as an interview, a hire as an interview and a hire)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.enums import ApplicationStatus, VerificationStatus, label
from core.postings.models import Posting
from core.seekers.models import JobseekerGroup

from .queries import Period

REACHED_INTERVIEW = (ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED)


@dataclass
class OutcomeRow:
    key: str
    label: str
    applications: int = 0
    interviews: int = 0
    hires: int = 0

    @property
    def hire_rate(self) -> float | None:
        return round(self.hires / self.applications, 3) if self.applications else None


@dataclass
class Outcomes:
    period: Period
    by_group: list[OutcomeRow] = field(default_factory=list)
    by_origin: list[OutcomeRow] = field(default_factory=list)
    total: OutcomeRow = field(default_factory=lambda: OutcomeRow("", "合计"))


def _counts():
    return (func.count(Application.id),
            func.sum(case((Application.status.in_(REACHED_INTERVIEW), 1), else_=0)),
            func.sum(case((Application.status == ApplicationStatus.HIRED, 1), else_=0)))


def _scoped(stmt, period: Period, jurisdiction: str | None):
    start = dt.datetime.combine(dt.date.fromisoformat(period.months[0] + "-01"), dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    stmt = stmt.join(Posting, Posting.id == Application.posting_id).where(
        Application.created_at >= start, Application.created_at < end,
        Application.status != ApplicationStatus.WITHDRAWN)
    if jurisdiction is not None:
        stmt = stmt.where(Posting.region_code.like(f"{jurisdiction}%"))
    return stmt


def _rows(result) -> list[OutcomeRow]:
    rows = [OutcomeRow(str(k), label(k), int(n or 0), int(i or 0), int(h or 0)) for k, n, i, h in result]
    return sorted(rows, key=lambda r: (-r.applications, r.key))


def outcomes(session: Session, period: Period, jurisdiction: str | None) -> Outcomes:
    """Applications, interviews and hires in ``period`` by priority group (a person in two groups counts
    in both; the total counts each application once) and by origin."""
    out = Outcomes(period)
    by_group = _scoped(select(JobseekerGroup.group, *_counts()), period, jurisdiction).join(
        JobseekerGroup, JobseekerGroup.jobseeker_id == Application.jobseeker_id
    ).where(JobseekerGroup.verification != VerificationStatus.REJECTED).group_by(JobseekerGroup.group)
    out.by_group = _rows(session.execute(by_group).all())
    by_origin = _scoped(select(Application.origin, *_counts()), period, jurisdiction).group_by(Application.origin)
    out.by_origin = _rows(session.execute(by_origin).all())
    n, i, h = session.execute(_scoped(select(*_counts()), period, jurisdiction)).one()
    out.total = OutcomeRow("", "合计", int(n or 0), int(i or 0), int(h or 0))
    return out


@dataclass
class ValidityTrend:
    months: list[str]
    channels: list[tuple[str, list[float | None]]]  # channel name, rate per month
    overall: list[float | None]


def validity_trend(session: Session, jurisdiction: str | None, last: int = 12) -> ValidityTrend:
    """The validity rate (valid ÷ checked call-backs) per channel for the last ``last`` monthly
    spot-checks, from ``core.validity``'s report of each month."""
    from core.validity.services import list_runs, validity_report

    months = sorted(run.month for run in list_runs(session))[-last:]
    per_channel: dict[str, dict[str, float | None]] = {}
    overall = []
    for month in months:
        rep = validity_report(session, month, region_prefix=jurisdiction)
        overall.append(None if rep.overall.rate is None else round(rep.overall.rate, 3))
        for s in rep.channels:
            per_channel.setdefault(s.channel_name, {})[month] = None if s.rate is None else round(s.rate, 3)
    channels = [(name, [rates.get(m) for m in months]) for name, rates in sorted(per_channel.items())]
    return ValidityTrend(months, channels, overall)
