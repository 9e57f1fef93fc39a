"""Rebuilding the supply-and-demand cube (``stats_cells``) from postings and jobseekers.

The pages never group the base tables: a province holds ~90k postings and a million jobseekers whose
wanted occupations are JSON lists. ``refresh_cells`` reads each table once, in id order and in
slices, counts into memory and replaces the cells in one transaction (the old cells stay readable
until it commits). See docs/statistics.md for what each measure counts.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Callable, Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.db import reading, utcnow
from core.enums import Availability, PostingStatus, VerificationStatus
from core.postings.models import Posting
from core.seekers.models import Jobseeker, JobseekerGroup

from .models import ALL, StatsCell, StatsRefresh

OPEN_MONTHS = 24  # how many month ends the "open on" measure is counted for
SLICE = 20_000
_CLOSED_LATER = (PostingStatus.WITHDRAWN, PostingStatus.FILLED, PostingStatus.EXPIRED)
AGE_BANDS = ((16, 24, "16-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 200, "55+"))

Key = tuple  # (measure, month, region, occupation, education, type, channel, group, age_band)


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def months_back(today: dt.date, n: int) -> list[str]:
    """The ``n`` months ending with ``today``'s, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def age_band(birth: dt.date | None, today: dt.date) -> str:
    if birth is None:
        return ""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    for lo, hi, name in AGE_BANDS:
        if lo <= age <= hi:
            return name
    return ""


def _open_on(day: dt.date, published: dt.date, valid_until, status, updated: dt.date) -> bool:
    if published > day or (valid_until is not None and valid_until < day):
        return False
    return status == PostingStatus.PUBLISHED or (status in _CLOSED_LATER and updated > day)


def _sliced(session: Session, stmt, id_col) -> Iterator:
    """Rows of ``stmt`` in id order, ``SLICE`` at a time (keyset paging: no long-held cursor)."""
    last = 0
    while True:
        rows = session.execute(stmt.where(id_col > last).order_by(id_col).limit(SLICE)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def count_postings(session: Session, today: dt.date, into: Counter) -> int:
    """Count every posting ever published into ``posted`` and ``open`` cells; returns postings read."""
    month_ends = [(m, month_end(m)) for m in months_back(today, OPEN_MONTHS)]
    month_ends[-1] = (month_ends[-1][0], today)  # the current month: open today
    stmt = (select(Posting.id, Posting.published_at, Posting.valid_until, Posting.status, Posting.updated_at,
                   Posting.region_code, Posting.occupation_code, Posting.education, Posting.employment_type,
                   Posting.headcount, Posting.target_groups, Channel.kind)
            .outerjoin(Channel, Channel.id == Posting.channel_id)
            .where(Posting.published_at.is_not(None)))
    n = 0
    for (_id, published_at, valid_until, status, updated_at, region, occupation, education, etype, headcount,
         groups, kind) in _sliced(session, stmt, Posting.id):
        n += 1
        people = headcount if headcount and headcount > 0 else 1  # 若干 counts as one
        dims = (region or "", occupation or "", str(education or ""), str(etype or ""), str(kind or ""))
        group_values = [ALL, *sorted({str(g) for g in (groups or [])})]
        published = published_at.date()
        updated = (updated_at or published_at).date()
        for g in group_values:
            _add(into, ("posted", month_of(published_at), *dims, g, ""), people)
        for month, end in month_ends:
            if _open_on(end, published, valid_until, status, updated):
                for g in group_values:
                    _add(into, ("open", month, *dims, g, ""), people)
    return n


def _seeker_groups(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = session.execute(select(JobseekerGroup.jobseeker_id, JobseekerGroup.group)
                           .where(JobseekerGroup.jobseeker_id.in_(ids),
                                  JobseekerGroup.verification != VerificationStatus.REJECTED))
    for sid, group in rows:
        out.setdefault(sid, []).append(str(group))
    return out


def count_seekers(session: Session, today: dt.date, into: Counter) -> int:
    """Count jobseekers seeking now (not 暂不求职) into ``supply`` cells by registration month."""
    stmt = (select(Jobseeker.id, Jobseeker.created_at, Jobseeker.region_code, Jobseeker.education,
                   Jobseeker.birth_date, Jobseeker.desired_occupations)
            .where(Jobseeker.availability != Availability.UNAVAILABLE))
    n = 0
    batch: list = []
    for row in _sliced(session, stmt, Jobseeker.id):
        batch.append(row)
        if len(batch) >= SLICE:
            n += _count_seeker_batch(session, batch, today, into)
            batch = []
    if batch:
        n += _count_seeker_batch(session, batch, today, into)
    return n


def occupation_prefixes(codes) -> list[str]:
    """Every distinct code a person's wanted occupations fall under, at each level (6, 6-18, 6-18-02,
    6-18-02-04): a person seeking two welding jobs counts once under 6-18-02."""
    out: set[str] = set()
    for code in codes:
        code = str(code or "")
        for chars in (1, 4, 7, 10):
            if len(code) >= chars:
                out.add(code[:chars])
    return sorted(out)


def _count_seeker_batch(session: Session, batch: list, today: dt.date, into: Counter) -> int:
    groups = _seeker_groups(session, [r[0] for r in batch])
    for sid, created_at, region, education, birth, occupations in batch:
        occ_values = [ALL, *occupation_prefixes(occupations or [])] if occupations else [ALL, ""]
        group_values = [ALL, *sorted(set(groups.get(sid, ())))]
        month = month_of(created_at or utcnow())
        band = age_band(birth, today)
        for occ in occ_values:
            for g in group_values:
                _add(into, ("supply", month, region or "", occ, str(education or ""), "", "", g, band), 1)
    return len(batch)


def _add(into: Counter, key: Key, people: int) -> None:
    into[key + ("h",)] += people
    into[key + ("n",)] += 1


def _cell_rows(counts: Counter) -> Iterable[dict]:
    for key, people in counts.items():
        if key[-1] != "h":
            continue
        k = key[:-1]
        yield {"measure": k[0], "month": k[1], "region_code": k[2], "occupation_code": k[3], "education": k[4],
               "employment_type": k[5], "channel_kind": k[6], "priority_group": k[7], "age_band": k[8],
               "headcount": people, "items": counts[k + ("n",)]}


def count_all(session: Session, today: dt.date, tell: Callable[[int, str], None]) -> Counter:
    """Every cell's counts, read from the base tables (reads only)."""
    counts: Counter = Counter()
    tell(5, "正在统计岗位")
    count_postings(session, today, counts)
    tell(40, "正在统计求职者")
    count_seekers(session, today, counts)
    return counts


def write_cells(session: Session, counts: Counter) -> int:
    """Replace every cell with ``counts`` (in the caller's transaction)."""
    session.execute(delete(StatsCell))
    rows = list(_cell_rows(counts))
    for i in range(0, len(rows), SLICE):
        session.execute(StatsCell.__table__.insert(), rows[i:i + SLICE])
    return len(rows)


def refresh_cells(session: Session, today: dt.date | None = None) -> int:
    """Recount every cell from the base tables and replace them, in the caller's transaction.
    Returns the number of cells written."""
    return write_cells(session, count_all(session, today or utcnow().date(), lambda pct, what: None))


def refresh_now(session: Session, today: dt.date | None = None) -> StatsRefresh:
    """``refresh_cells`` in the caller's transaction, recorded as a finished run (CLI, scheduler)."""
    run = StatsRefresh(state="running", progress=0)
    run.cells = refresh_cells(session, today)
    run.state, run.progress, run.finished_at, run.message = "done", 100, utcnow(), "完成"
    session.add(run)
    session.flush()
    return run


def run_refresh(session_factory: Callable[[], Session], today: dt.date | None = None) -> StatsRefresh:
    """``refresh_cells`` with its progress recorded in ``stats_refreshes``: the counting only reads
    (on SQLite it runs beside the writer), and a second session commits each step so the page can
    show it; the cells are then replaced in one short write."""
    today = today or utcnow().date()
    log_session, work = session_factory(), session_factory()
    run = StatsRefresh(state="running", progress=0, message="开始统计")
    try:
        log_session.add(run)
        log_session.commit()

        def tell(pct: int, what: str) -> None:
            run.progress, run.message = pct, what
            log_session.commit()

        try:
            with reading():
                counts = count_all(work, today, tell)
                work.commit()
            tell(80, "正在写入统计表")
            run.cells = write_cells(work, counts)
            work.commit()
        except Exception as exc:
            work.rollback()
            run.state, run.finished_at, run.message = "failed", utcnow(), f"统计失败：{type(exc).__name__}"
            log_session.commit()
            raise
        run.state, run.finished_at, run.progress, run.message = "done", utcnow(), 100, "完成"
        log_session.commit()
        log_session.refresh(run)
        log_session.expunge(run)
        return run
    finally:
        work.close()
        log_session.close()


def last_refresh(session: Session) -> StatsRefresh | None:
    return session.scalar(select(StatsRefresh).order_by(StatsRefresh.id.desc()).limit(1))


def months_with_data(session: Session) -> list[str]:
    return list(session.scalars(select(StatsCell.month).where(StatsCell.measure == "posted")
                                .group_by(StatsCell.month).order_by(StatsCell.month)))


def cell_count(session: Session) -> int:
    return session.scalar(select(func.count(StatsCell.id))) or 0
