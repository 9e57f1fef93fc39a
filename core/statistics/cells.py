"""Rebuilding the supply-and-demand cube (``stats_cells``) from postings and jobseekers.

The pages never group the base tables: a province holds ~90k postings and a million jobseekers whose
wanted occupations are JSON lists. ``refresh_cells`` reads each table once, in id order and in
slices, counts into memory and writes the cells as a new generation in short write transactions; the
pages read the old generation until the new one is complete and made current (``write_cells``). See
docs/statistics.md for what each measure counts and how a refresh writes.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.db import begin_write, reading, utcnow
from core.enums import Availability, PostingStatus, VerificationStatus
from core.errors import DomainError
from core.outbox.models import OutboxEvent
from core.postings.models import Posting
from core.seekers.models import Jobseeker, JobseekerGroup

from .models import ALL, UNKNOWN, StatsCell, StatsGeneration, StatsRefresh

OPEN_MONTHS = 24  # how many month ends the "open on" measure is counted for
SUPPLY_MONTHS = 36  # registrations older than this are counted together, in BEFORE_WINDOW
BEFORE_WINDOW = "0000-00"
SLICE = 20_000
_CLOSED_LATER = (PostingStatus.WITHDRAWN, PostingStatus.FILLED, PostingStatus.EXPIRED)
T = TypeVar("T")
AGE_BANDS = ((16, 24, "16-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 200, "55+"))



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


def region_prefixes(code: str | None) -> list[str]:
    """The cells a region counts in: every region ("") and its county (provinces and cities are read as
    the sum of their counties: a county lies in one city and one province, so nobody counts twice)."""
    if not code or len(code) != 6:
        return [""]
    return ["", code]


def occupation_prefixes(codes) -> list[str]:
    """Every distinct code the occupations fall under, at each level (6, 6-18, 6-18-02, 6-18-02-04), after
    "*" (every occupation); "?" for no occupation: a person seeking two welding jobs counts once under 6-18-02."""
    out: set[str] = set()
    for code in codes:
        code = str(code or "")
        for chars in (1, 4, 7, 10):
            if len(code) >= chars:
                out.add(code[:chars])
    return [ALL, *sorted(out)] if out else [ALL, UNKNOWN]


def _count(into: Counter, measure: str, month: str, regions: list[str], occupations: list[str],
           dims: list[tuple[str, str]], people: int) -> None:
    """One posting's or person's contribution: every (region level × occupation level) cell, and every
    region level × breakdown cell (those for all occupations only)."""
    for r in regions:
        for o in occupations:
            into[(measure, month, r, o, "", "")] += people
        for dim in dims:
            into[(measure, month, r, ALL, *dim)] += people


def count_postings(session: Session, today: dt.date, into: Counter, items: Counter) -> int:
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
        regions, occupations = region_prefixes(region), occupation_prefixes([occupation] if occupation else [])
        dims = [("education", str(education or "")), ("employment_type", str(etype or "")),
                ("channel", str(kind or "")), *(("group", g) for g in sorted({str(g) for g in (groups or [])}))]
        month = month_of(published_at)
        _count(into, "posted", month, regions, occupations, dims, people)
        _count(items, "posted", month, regions, occupations, dims, 1)
        published, updated = published_at.date(), (updated_at or published_at).date()
        for m, end in month_ends:
            if _open_on(end, published, valid_until, status, updated):
                _count(into, "open", m, regions, occupations, dims, people)
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


def _count_seeker_batch(session: Session, batch: list, today: dt.date, into: Counter) -> int:
    groups = _seeker_groups(session, [r[0] for r in batch])
    first_month = months_back(today, SUPPLY_MONTHS)[0]
    for sid, created_at, region, education, birth, occupations in batch:
        month = month_of(created_at or utcnow())
        dims = [("education", str(education or "")), ("age_band", age_band(birth, today)),
                *(("group", g) for g in sorted(set(groups.get(sid, ()))))]
        _count(into, "supply", month if month >= first_month else BEFORE_WINDOW, region_prefixes(region),
               occupation_prefixes(occupations or []), dims, 1)
    return len(batch)


def _cell_rows(counts: Counter, items: Counter) -> Iterable[dict]:
    """The cells in the order of ``ix_stats_cells_occupation`` (the new generation is appended to it, and
    grows the other index in runs), not in the order they were counted in."""
    for key in sorted(counts, key=lambda k: (k[0], k[4], k[3], k[2], k[1], k[5])):
        people = counts[key]
        yield {"measure": key[0], "month": key[1], "region_code": key[2], "occupation_code": key[3],
               "dim": key[4], "dim_value": key[5], "headcount": people, "items": items.get(key, people)}


def count_all(session: Session, today: dt.date, tell: Callable[[int, str], None]) -> tuple[Counter, Counter]:
    """Every cell's counts (people; and postings, for ``posted``), read from the base tables (reads only)."""
    counts: Counter = Counter()
    items: Counter = Counter()
    tell(5, "正在统计岗位")
    count_postings(session, today, counts, items)
    tell(40, "正在统计求职者")
    count_seekers(session, today, counts)
    return counts, items


class RefreshSuperseded(DomainError):
    """A later refresh started while this one was writing: its cells are the ones made current."""

    status = 409


WRITE_SLICE = 5_000  # cells inserted or deleted per write transaction of a refresh (p95 0.5 s here)
SLICE_PAUSE = 0.1  # seconds between them on SQLite: writers that wait get their turn instead of missing it
REFRESH_CACHE_KIB = 256 * 1024  # SQLite page cache while a refresh writes (the default is 2 MB)
SQLITE_DEFAULT_CACHE_KIB = 2000
Step = Callable[[Callable[[], T]], T]


def in_caller_transaction(work: Callable[[], T]) -> T:
    """A refresh step run in the caller's transaction (tests, and callers that commit themselves)."""
    return work()


def short_writes(session: Session) -> Step:
    """A refresh step run as its own short write transaction: on SQLite it takes the write lock at BEGIN
    (so it queues behind other writers, and they behind it, for one step only) and commits at once."""

    def step(work: Callable[[], T]) -> T:
        begin_write(session)
        try:
            result = work()
            session.commit()
        except BaseException:
            session.rollback()
            raise
        if session.get_bind().dialect.name == "sqlite":
            time.sleep(SLICE_PAUSE)  # a writer waiting in SQLite's busy handler retries at most 100 ms apart
        return result

    return step


def _start_generation(session: Session) -> int:
    """A new generation number (the row is made on the first refresh), read afresh and locked (PostgreSQL:
    two refreshes at once never take the same number; SQLite: the write lock does it)."""
    row = session.get(StatsGeneration, StatsGeneration.ROW, with_for_update=True, populate_existing=True)
    if row is None:
        row = StatsGeneration(id=StatsGeneration.ROW, current=0, latest=0)
        session.add(row)
    row.latest = max(row.latest, row.current) + 1
    session.flush()
    return row.latest


def _make_current(session: Session, generation: int) -> bool:
    """Make ``generation`` current, unless a later refresh has started since (it will, with fresher cells)."""
    done = session.execute(update(StatsGeneration).where(StatsGeneration.id == StatsGeneration.ROW,
                                                         StatsGeneration.latest == generation)
                           .values(current=generation)).rowcount
    return done == 1


def _cache(session: Session, kib: int) -> None:
    """SQLite's page cache of the refresh's connection: with the default 2 MB, each slice re-reads and
    re-writes the index pages it touches (measured: up to 8 s per 5k slice at 2.5 million cells)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size=-{int(kib)}"))


def _insert(session: Session, batch: list[dict]) -> None:
    _cache(session, REFRESH_CACHE_KIB)
    session.execute(StatsCell.__table__.insert(), batch)


def _delete_slice(session: Session, which) -> int:
    """Delete up to ``WRITE_SLICE`` cells of the generations ``which`` says, never the current one."""
    _cache(session, REFRESH_CACHE_KIB)
    current = select(StatsGeneration.current).where(StatsGeneration.id == StatsGeneration.ROW).scalar_subquery()
    ids = select(StatsCell.id).where(which, StatsCell.generation != func.coalesce(current, -1)).limit(WRITE_SLICE)
    return session.execute(delete(StatsCell).where(StatsCell.id.in_(ids))).rowcount


def _delete_cells(session: Session, which, step: Step) -> None:
    while step(lambda: _delete_slice(session, which)) == WRITE_SLICE:
        pass


def _analyze(session: Session) -> None:
    """Fresh planner statistics (the planner picks the index matching each page's query); on SQLite from a
    sample of each index, so that it is one short write too."""
    if session.get_bind().dialect.name == "sqlite":
        _cache(session, SQLITE_DEFAULT_CACHE_KIB)  # the pooled connection gives the memory back
        session.execute(text("PRAGMA analysis_limit=2000"))
    session.execute(text("ANALYZE stats_cells"))


def write_cells(session: Session, counted: tuple[Counter, Counter], step: Step = in_caller_transaction) -> int:
    """Replace every cell with the counts: delete what a failed refresh left, insert a new generation
    ``WRITE_SLICE`` cells per ``step``, make it current in one tiny step, then delete the old one. With
    ``short_writes`` the pages read the old figures until the new ones are all there, no writer waits for
    more than one slice, and a refresh that stops half-way leaves the current figures as they were."""
    generation = step(lambda: _start_generation(session))
    _delete_cells(session, StatsCell.generation < generation, step)  # what a failed refresh left
    n, rows = 0, _cell_rows(*counted)
    while batch := [{**row, "generation": generation} for row in islice(rows, WRITE_SLICE)]:
        step(lambda: _insert(session, batch))
        n += len(batch)
    if not step(lambda: _make_current(session, generation)):
        _delete_cells(session, StatsCell.generation == generation, step)
        raise RefreshSuperseded("refresh_superseded", "另一次统计更新已经开始，本次结果未采用")
    _delete_cells(session, StatsCell.generation < generation, step)  # the generation the pages read until now
    step(lambda: _analyze(session))
    return n


def refresh_cells(session: Session, today: dt.date | None = None) -> int:
    """Recount every cell from the base tables and replace them, in the caller's transaction.
    Returns the number of cells written."""
    return write_cells(session, count_all(session, today or utcnow().date(), lambda pct, what: None))


def refresh_now(session: Session, today: dt.date | None = None) -> StatsRefresh:
    """Recount and replace the cells with ``session`` (CLI, scheduler), recorded as a finished run: the
    counting runs as a reader (on SQLite beside the writers), then the cells are replaced in short
    write transactions (``write_cells``); the run record is left for the caller to commit."""
    started = utcnow()
    today = today or started.date()
    with reading():
        cursor = outbox_position(session, started)
        counted = count_all(session, today, lambda pct, what: None)
        session.commit()
    run = StatsRefresh(state="running", progress=0, started_at=started, outbox_cursor=cursor)
    run.cells = write_cells(session, counted, short_writes(session))
    run.state, run.progress, run.finished_at, run.message = "done", 100, utcnow(), "完成"
    session.add(run)
    session.flush()
    return run


def run_refresh(session_factory: Callable[[], Session], today: dt.date | None = None) -> StatsRefresh:
    """``refresh_cells`` with its progress recorded in ``stats_refreshes``: the counting only reads
    (on SQLite it runs beside the writer), and a second session commits each step so the page can
    show it; the cells are then replaced in short write transactions (``write_cells``)."""
    started = utcnow()
    today = today or started.date()
    log_session, work = session_factory(), session_factory()
    run = StatsRefresh(state="running", progress=0, message="开始统计", started_at=started)
    try:
        log_session.add(run)
        log_session.commit()

        def tell(pct: int, what: str) -> None:
            run.progress, run.message = pct, what
            log_session.commit()

        try:
            with reading():
                run.outbox_cursor = outbox_position(work, started)
                counts = count_all(work, today, tell)
                work.commit()
            tell(80, "正在写入统计表")
            run.cells = write_cells(work, counts, short_writes(work))
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


def last_done_refresh(session: Session) -> StatsRefresh | None:
    """The refresh whose figures the pages show (a later one may be running or have failed)."""
    return session.scalar(select(StatsRefresh).where(StatsRefresh.state == "done")
                          .order_by(StatsRefresh.id.desc()).limit(1))


# --- refreshing when postings or jobseekers changed ----------------------------------------------------

CHANGES = ("posting", "seeker")  # outbox entities whose changes move the figures
HOLD_BACK = dt.timedelta(seconds=5)  # as the change feed: an outbox id is taken at insert, not at commit
RUNNING_FOR_AT_MOST = dt.timedelta(hours=2)  # a "running" refresh older than this was killed
TICK_SLACK = dt.timedelta(minutes=1)  # a tick may come a little sooner after the last start than its period


def outbox_position(session: Session, now: dt.datetime) -> int:
    """The outbox id up to which a refresh counting from ``now`` sees every change: the last event
    recorded at least ``HOLD_BACK`` before (a slower transaction may still commit a lower id than a
    newer one; an event inside the hold-back is seen as a change by the next check)."""
    return session.scalar(select(OutboxEvent.id).where(OutboxEvent.created_at <= now - HOLD_BACK)
                          .order_by(OutboxEvent.id.desc()).limit(1)) or 0


def changed_since(session: Session, cursor: int) -> bool:
    """Whether a posting or a jobseeker changed after the outbox id ``cursor`` (done events are kept)."""
    return session.scalar(select(OutboxEvent.id).where(OutboxEvent.id > cursor, OutboxEvent.entity.in_(CHANGES))
                          .limit(1)) is not None


def refresh_reason(session: Session, now: dt.datetime, minutes: int) -> str | None:
    """Why the cells should be recounted now, or None: never within ``minutes`` of the last refresh's
    start (nor while one runs); then when none has finished yet, when the last one counted an earlier
    day (figures "open today" and the months move with the date), or when postings or jobseekers
    changed after its outbox cursor."""
    last = last_refresh(session)
    if last is not None and last.started_at > now - dt.timedelta(minutes=minutes) + TICK_SLACK:
        return None
    if last is not None and last.state == "running" and last.started_at > now - RUNNING_FOR_AT_MOST:
        return None
    done = last_done_refresh(session)
    if done is None or done.outbox_cursor is None:
        return "首次统计"
    if done.started_at.date() < now.date():
        return "新的一天"
    if changed_since(session, done.outbox_cursor):
        return "岗位或求职者有变化"
    return None


def refresh_if_changed(session: Session, minutes: int) -> tuple[str | None, StatsRefresh | None]:
    """The scheduler's refresh: recount (``refresh_now``, committed) when ``refresh_reason`` gives a
    reason; returns the reason and the run, or (None, None) when nothing called for one."""
    reason = refresh_reason(session, utcnow(), minutes)
    session.rollback()  # the check only read
    if reason is None:
        return None, None
    run = refresh_now(session)
    run.message = f"完成（{reason}）"
    session.commit()
    return reason, run


def months_with_data(session: Session) -> list[str]:
    return list(session.scalars(select(StatsCell.month).where(StatsCell.current(), StatsCell.measure == "posted")
                                .group_by(StatsCell.month).order_by(StatsCell.month)))


def cell_count(session: Session) -> int:
    return session.scalar(select(func.count(StatsCell.id)).where(StatsCell.current())) or 0
