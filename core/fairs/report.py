"""The fair report (招聘会统计): registrations, check-ins, walk-ins, booths, postings, headcount offered,
conversations, intentions and hires, overall and by priority group and by occupation; and the same
as an XLSX workbook."""
from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.enums import ApplicationStatus, label
from core.postings.models import Posting
from core.seekers.models import JobseekerGroup

from .models import FairBooth, FairConversation, FairRegistration, JobFair

MEASURES = [("registrations", "报名人数"), ("checked_in", "签到人数"), ("walk_ins", "现场登记"),
            ("conversations", "洽谈人次"), ("intentions", "达成意向"), ("hires", "录用人数")]
NO_GROUP = "（非重点群体）"
NO_OCCUPATION = "（职业未分类）"


@dataclass
class FairReport:
    totals: dict[str, int]
    by_group: dict[str, Counter] = field(default_factory=dict)
    by_occupation: dict[str, Counter] = field(default_factory=dict)
    booths: list[FairBooth] = field(default_factory=list)


def _groups(session: Session, seeker_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if seeker_ids:
        for sid, group in session.execute(select(JobseekerGroup.jobseeker_id, JobseekerGroup.group)
                                          .where(JobseekerGroup.jobseeker_id.in_(seeker_ids))):
            out[sid].append(label(group))
    return out


def _occupations(session: Session, posting_ids: set[int]) -> dict[int, str]:
    from core.reference.models import Occupation

    if not posting_ids:
        return {}
    rows = session.execute(select(Posting.id, Occupation.name).outerjoin(Occupation, Occupation.code == Posting.occupation_code)
                           .where(Posting.id.in_(posting_ids)))
    return {pid: name or NO_OCCUPATION for pid, name in rows}


def fair_report(session: Session, fair: JobFair) -> FairReport:
    regs = session.execute(select(FairRegistration.jobseeker_id, FairRegistration.checked_in_at, FairRegistration.walk_in)
                           .where(FairRegistration.fair_id == fair.id, FairRegistration.cancelled_at.is_(None))).all()
    convs = session.execute(
        select(FairRegistration.jobseeker_id, FairConversation.intention, FairConversation.posting_id,
               Application.status)
        .join(FairRegistration, FairRegistration.id == FairConversation.registration_id)
        .outerjoin(Application, Application.id == FairConversation.application_id)
        .where(FairConversation.fair_id == fair.id)).all()
    booths = list(session.scalars(select(FairBooth).where(FairBooth.fair_id == fair.id, FairBooth.status == "approved")
                                  .order_by(FairBooth.booth_number)))
    groups = _groups(session, {r[0] for r in regs} | {c[0] for c in convs})
    occupations = _occupations(session, {c[2] for c in convs if c[2]})
    by_group: dict[str, Counter] = defaultdict(Counter)
    by_occ: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()

    def add(seeker_id: int, measure: str, occupation: str | None = None) -> None:
        totals[measure] += 1
        for g in groups.get(seeker_id) or [NO_GROUP]:
            by_group[g][measure] += 1
        if occupation is not None:
            by_occ[occupation][measure] += 1

    for sid, checked, walk in regs:
        add(sid, "registrations")
        if checked is not None:
            add(sid, "checked_in")
        if walk:
            add(sid, "walk_ins")
    hired_pairs = set()
    for sid, intention, pid, status in convs:
        occ = occupations.get(pid, NO_OCCUPATION) if pid else None
        add(sid, "conversations", occ)
        if intention:
            add(sid, "intentions", occ)
            if status == ApplicationStatus.HIRED and (sid, pid) not in hired_pairs:
                hired_pairs.add((sid, pid))
                add(sid, "hires", occ)
    totals["booths"] = len(booths)
    totals["postings"] = len({pid for b in booths for pid in (b.posting_ids or [])})
    totals["headcount"] = sum(b.headcount or 0 for b in booths)
    return FairReport(dict(totals), dict(by_group), dict(by_occ), booths)


def report_xlsx(fair: JobFair, report: FairReport) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "总体"
    ws.append(["招聘会", fair.title])
    ws.append(["日期", fair.date.isoformat()])
    for key, text in [("booths", "参展单位"), ("postings", "岗位数"), ("headcount", "计划招聘人数")] + MEASURES:
        ws.append([text, report.totals.get(key, 0)])
    for title, table in (("按重点群体", report.by_group), ("按职业", report.by_occupation)):
        sheet = wb.create_sheet(title)
        sheet.append([title[1:]] + [text for _, text in MEASURES])
        for name in sorted(table):
            sheet.append([name] + [table[name].get(key, 0) for key, _ in MEASURES])
    sheet = wb.create_sheet("展位")
    sheet.append(["展位号", "单位", "岗位数", "计划招聘人数", "需要"])
    for b in report.booths:
        sheet.append([b.booth_number, b.enterprise.name, len(b.posting_ids or []), b.headcount, b.needs])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
