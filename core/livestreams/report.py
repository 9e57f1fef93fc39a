"""The conversion report of a session (直播带岗成效): per posting and for the session — views, link
opens, sign-ups, applications, interviews, hires — and applications by priority group; on screen and
as XLSX."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.enums import ApplicationStatus, PriorityGroup, VerificationStatus, label
from core.seekers.models import JobseekerGroup
from core.tabular import xlsx_bytes

from .models import LiveSession, ViewerFigures

_INTERVIEWED = {ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED}


@dataclass
class ReportRow:
    posting_id: int | None
    title: str
    views: int = 0
    platform_opens: int = 0   # the platform's count of link clicks
    link_opens: int = 0       # JobLink's count of apply-link / QR opens
    sign_ups: int = 0
    applications: int = 0
    interviews: int = 0
    hires: int = 0
    groups: Counter = field(default_factory=Counter)  # priority group -> applications

    def add(self, other: ReportRow) -> None:
        for k in ("views", "platform_opens", "link_opens", "sign_ups", "applications", "interviews", "hires"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.groups.update(other.groups)


def _groups_of(session: Session, seeker_ids: set[int]) -> dict[int, set[str]]:
    """Declared priority groups, not refused by the bureau, of these jobseekers."""
    out: dict[int, set[str]] = {}
    if not seeker_ids:
        return out
    for sid, group, verification in session.execute(
            select(JobseekerGroup.jobseeker_id, JobseekerGroup.group, JobseekerGroup.verification)
            .where(JobseekerGroup.jobseeker_id.in_(seeker_ids))):
        if verification != VerificationStatus.REJECTED:
            out.setdefault(sid, set()).add(str(group))
    return out


def conversion_report(session: Session, live: LiveSession) -> tuple[list[ReportRow], ReportRow]:
    """Rows per posting of the run-sheet (in order) and the session's total. The session total's views
    are the whole-session figure when one was recorded (platforms count a viewer once per session),
    else the sum of the postings'."""
    rows = {i.posting_id: ReportRow(i.posting_id, i.posting.title, link_opens=i.link_opens or 0) for i in live.items}
    whole = None
    for fig in session.scalars(select(ViewerFigures).where(ViewerFigures.session_id == live.id)):
        if fig.posting_id is None:
            whole = fig
        elif fig.posting_id in rows:
            r = rows[fig.posting_id]
            r.views, r.platform_opens, r.sign_ups = fig.views, fig.link_opens, fig.sign_ups
    apps = session.scalars(select(Application).where(Application.origin_ref == f"livestream:{live.id}")).all()
    groups = _groups_of(session, {a.jobseeker_id for a in apps})
    for a in apps:
        r = rows.get(a.posting_id)
        if r is None or a.status == ApplicationStatus.WITHDRAWN:
            continue
        r.applications += 1
        r.interviews += a.status in _INTERVIEWED
        r.hires += a.status == ApplicationStatus.HIRED
        r.groups.update(groups.get(a.jobseeker_id, ()))
    total = ReportRow(None, "全场合计")
    for r in rows.values():
        total.add(r)
    if whole is not None:
        total.views = whole.views
        total.platform_opens = max(total.platform_opens, whole.link_opens)
        total.sign_ups = max(total.sign_ups, whole.sign_ups)
    return list(rows.values()), total


HEADERS = ["岗位", "观看人次", "平台点击", "投递链接打开", "报名人数", "投递", "面试", "录用"]


def group_columns() -> list[tuple[str, str]]:
    return [(g.value, label(g.value)) for g in PriorityGroup]


def report_xlsx(session: Session, live: LiveSession) -> bytes:
    rows, total = conversion_report(session, live)
    groups = group_columns()
    headers = HEADERS + [f"投递中：{name}" for _, name in groups]

    def cells(r: ReportRow) -> list:
        return [r.title, r.views, r.platform_opens, r.link_opens, r.sign_ups, r.applications, r.interviews, r.hires,
                *(r.groups.get(g, 0) for g, _ in groups)]

    notes = [f"直播：{live.title}", "观看人次、平台点击、报名人数来自直播平台（录入或导入）；投递链接打开、投递、面试、录用来自本平台。",
             "重点群体按求职者申报（未被认定驳回）的群体统计，一人可属多个群体。"]
    return xlsx_bytes(headers, [cells(r) for r in rows] + [cells(total)], sheet_title="直播成效", notes=notes)
