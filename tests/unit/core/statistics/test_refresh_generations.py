"""A refresh writes a new generation of cells in short write transactions (issue #11's rule applied to the
statistics cube): other writers never wait for more than one slice, the pages read the same figures
before, during and after it, and a refresh that stops half-way leaves the current figures served and is
cleaned up by the next one."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from core.all_models import metadata
from core.db import make_engine, make_sessionmaker, reading, transaction, writing
from core.statistics import cells
from core.statistics.models import StatsCell, StatsGeneration, StatsRefresh

from .conftest import TODAY, World

BUSY_TIMEOUT_MS = 3000  # the other writer's patience: far more than a slice, far less than the whole write
GENERATED_CELLS = 300_000


def _generated_counts(n: int) -> tuple[Counter, Counter]:
    counts: Counter = Counter()
    for i in range(n):
        counts[("posted", f"2026-{i % 12 + 1:02d}", f"63{i // 12 % 10_000:04d}", f"6-{i:07d}", "", "")] = i % 7 + 1
    return counts, Counter()


class Writer(threading.Thread):
    """Small write transactions one after another (a partner push, a registration) until told to stop."""

    def __init__(self, factory):
        super().__init__(daemon=True)
        self.factory, self.stop, self.done, self.errors, self.longest_wait = factory, threading.Event(), 0, [], 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with writing(), transaction(self.factory) as s:
                    s.add(StatsRefresh(state="done", message="另一个写入"))
            except OperationalError as exc:
                self.errors.append(exc)
            self.longest_wait = max(self.longest_wait, time.perf_counter() - started)
            self.done += 1
            time.sleep(0.01)


def _timed(step, spans: list):
    def timed(work):
        started = time.perf_counter()
        try:
            return step(work)
        finally:
            spans.append(time.perf_counter() - started)
    return timed


@pytest.fixture
def sqlite_factory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cells.db'}", busy_timeout_ms=BUSY_TIMEOUT_MS)
    metadata.create_all(engine, tables=[t.__table__ for t in (StatsCell, StatsGeneration, StatsRefresh)])
    yield make_sessionmaker(engine)
    engine.dispose()


def _write_beside_a_writer(factory, step_for) -> tuple[Writer, list[float], BaseException | None]:
    counted = _generated_counts(GENERATED_CELLS)
    writer, spans, failure = Writer(factory), [], None
    session = factory()
    writer.start()
    try:
        time.sleep(0.05)
        cells.write_cells(session, counted, _timed(step_for(session), spans))
        session.commit()
    except OperationalError as exc:  # the one-transaction write may itself lose to the writer
        failure = exc
        session.rollback()
    finally:
        writer.stop.set()
        writer.join()
        session.close()
    return writer, spans, failure


def test_a_writer_beside_a_refresh_of_300k_cells_never_fails(sqlite_factory):
    writer, spans, failure = _write_beside_a_writer(sqlite_factory, cells.short_writes)
    assert failure is None and not writer.errors
    assert writer.done > 20  # it really wrote while the cells were written
    assert len(spans) >= GENERATED_CELLS // cells.WRITE_SLICE + 3  # start, slices, make current, delete, analyze
    assert max(spans) < BUSY_TIMEOUT_MS / 1000 and writer.longest_wait < BUSY_TIMEOUT_MS / 1000
    with reading(), transaction(sqlite_factory) as s:
        assert s.scalar(select(func.count()).select_from(StatsCell).where(StatsCell.current())) == GENERATED_CELLS


def test_the_same_write_in_one_transaction_makes_the_writer_fail_or_wait_for_all_of_it(sqlite_factory):
    """The check above can fail: the old way (every cell in one write transaction) holds the write lock for
    the whole write, so the other writer fails once it outlasts the busy timeout (3 s here) or, on a machine
    fast enough to finish first, waits for nearly all of it: never one slice's wait."""

    def one_transaction(session):
        session.commit()
        with writing():
            session.connection()
        return cells.in_caller_transaction

    writer, spans, failure = _write_beside_a_writer(sqlite_factory, one_transaction)
    whole_write = sum(spans)
    assert writer.errors or failure is not None or writer.longest_wait > whole_write / 2, (whole_write, writer.longest_wait)


# --- the figures the pages read --------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def own_app(request, app_factory, fresh_database_url):
    from tests.conftest import build_schema_and_reference
    from webapp.extensions import db

    application = app_factory(fresh_database_url(request.param))
    build_schema_and_reference(application)
    with application.app_context():
        w = World(db.session)
        for month in (8, 9, 10, 11):
            w.posting(published=dt.datetime(2026, month, 3), headcount=month)
            w.posting(region="632221", occupation="4-01-02-01", published=dt.datetime(2026, month, 9), gig=True)
            w.seeker(created=dt.datetime(2026, month, 1), groups=("graduate",))
        db.session.commit()
        yield application, db


def _figures(factory) -> list:
    from core.statistics.queries import Filters, parse_period, supply_demand

    out = []
    with reading(), transaction(factory) as s:
        for by in (None, "region", "occupation", "group", "month"):
            t = supply_demand(s, parse_period("2026-Q4"), Filters(region="630000"), by)
            out.append([(r.key, r.demand, r.postings, r.supply, r.open_demand) for r in [*t.rows, t.total]])
    return out


def _generations(factory) -> tuple[int, dict[int, int]]:
    with reading(), transaction(factory) as s:
        current = s.scalar(select(StatsGeneration.current))
        counts = dict(s.execute(select(StatsCell.generation, func.count()).group_by(StatsCell.generation)).all())
    return current, counts


def test_pages_read_the_same_figures_before_during_and_after_a_refresh(own_app, monkeypatch):
    app, db = own_app
    factory = make_sessionmaker(db.engine)
    monkeypatch.setattr(cells, "WRITE_SLICE", 7)  # many slices, even for this small world
    cells.run_refresh(factory, TODAY)
    before = _figures(factory)
    assert before[0][-1][1:4] == (10 + 11 + 5 + 5, 4, 4)  # Q4: October and November; every seeker

    seen, real = [], cells.short_writes

    def watched(session):
        step = real(session)

        def run(work):
            result = step(work)
            seen.append(_figures(factory))
            return result
        return run

    monkeypatch.setattr(cells, "short_writes", watched)
    session = factory()
    cells.refresh_now(session, TODAY)
    session.commit()
    session.close()
    assert len(seen) > 10 and all(figures == before for figures in seen)
    current, counts = _generations(factory)
    assert current == 2 and list(counts) == [2]


def test_a_refresh_killed_half_way_leaves_the_old_figures_and_the_next_cleans_up(own_app, monkeypatch):
    app, db = own_app
    factory = make_sessionmaker(db.engine)
    monkeypatch.setattr(cells, "WRITE_SLICE", 7)
    run = cells.run_refresh(factory, TODAY)
    before, written = _figures(factory), run.cells

    real = cells.short_writes

    def dying(session):
        step, calls = real(session), []

        def run(work):
            calls.append(1)
            if len(calls) == 5:  # the generation started, nothing left to delete, two slices written
                raise RuntimeError("killed")
            return step(work)
        return run

    monkeypatch.setattr(cells, "short_writes", dying)
    with pytest.raises(RuntimeError):
        cells.run_refresh(factory, TODAY)
    current, counts = _generations(factory)
    assert current == 1 and counts == {1: written, 2: 14}  # the partial generation is still there...
    assert _figures(factory) == before  # ...and not read
    with reading(), transaction(factory) as s:
        assert s.scalar(select(StatsRefresh.state).order_by(StatsRefresh.id.desc()).limit(1)) == "failed"

    monkeypatch.setattr(cells, "short_writes", real)
    assert cells.run_refresh(factory, TODAY).cells == written
    current, counts = _generations(factory)
    assert current == 3 and counts == {3: written}  # the next refresh deleted both older generations
    assert _figures(factory) == before


def test_a_refresh_overtaken_by_a_later_one_gives_way(own_app):
    app, db = own_app
    factory = make_sessionmaker(db.engine)
    first, second = factory(), factory()
    with reading():
        counted = cells.count_all(first, TODAY, lambda pct, what: None)
        first.commit()
    started = []

    def slow(session):
        step = cells.short_writes(session)

        def run(work):
            result = step(work)
            if not started:  # the first refresh has its generation: a second one runs to the end meanwhile
                started.append(result)
                cells.refresh_now(second, TODAY)
                second.commit()
            return result
        return run

    with pytest.raises(cells.RefreshSuperseded):
        cells.write_cells(first, counted, slow(first))
    first.close()
    second.close()
    current, counts = _generations(factory)
    assert started == [1] and current == 2 and counts == {2: len(counted[0])}  # the first deleted its cells


def test_a_session_that_refreshed_before_takes_a_fresh_number_after_another_refreshed(own_app):
    app, db = own_app
    factory = make_sessionmaker(db.engine)
    first, second = factory(), factory()
    for session in (first, second, first):
        cells.refresh_now(session, TODAY)
        session.commit()
    first.close()
    second.close()
    current, counts = _generations(factory)
    assert current == 3 and list(counts) == [3]
