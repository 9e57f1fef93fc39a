"""Units of work on a real SQLite file: writers queue for the lock instead of failing, readers run
beside them, conflicts are recognised and a unit runs again only while it has committed nothing."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from core.db import (
    begin_write,
    committed_writes,
    is_conflict,
    make_engine,
    make_sessionmaker,
    reading,
    retry_conflicts,
    run_unit,
    writing,
)

meta = MetaData()
things = Table("things", meta, Column("id", Integer, primary_key=True), Column("name", String(20), unique=True))


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'units.db'}", busy_timeout_ms=5000)
    meta.create_all(eng)
    yield eng
    eng.dispose()


def _hold_write_lock(engine, seconds: float, started: threading.Event) -> None:
    with writing(), engine.begin() as conn:
        conn.execute(insert(things).values(name="first"))
        started.set()
        time.sleep(seconds)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(things))


def test_a_writer_waits_for_the_lock_instead_of_failing(engine):
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(engine, 0.5, started))
    holder.start()
    started.wait(5)
    t0 = time.monotonic()
    with writing(), engine.begin() as conn:  # IMMEDIATE: waits at BEGIN for the holder to commit
        assert conn.scalar(select(func.count()).select_from(things)) == 1
        conn.execute(insert(things).values(name="second"))
    holder.join()
    assert time.monotonic() - t0 > 0.3 and _count(engine) == 2


def test_a_reader_that_writes_after_another_commit_fails_at_once_and_is_a_conflict(engine):
    """Why writers begin IMMEDIATE: a deferred transaction cannot upgrade past a newer commit, and
    SQLite says so at once, whatever the busy timeout."""
    with reading(), engine.connect() as conn:
        tx = conn.begin()
        conn.scalar(select(func.count()).select_from(things))  # the read snapshot
        with writing(), engine.begin() as other:
            other.execute(insert(things).values(name="meanwhile"))
        t0 = time.monotonic()
        with pytest.raises(OperationalError) as err:
            conn.execute(insert(things).values(name="late"))
        tx.rollback()
    assert time.monotonic() - t0 < 1 and is_conflict(err.value)


def test_readers_run_beside_a_writer(engine):
    with writing(), engine.connect() as writer:
        wtx = writer.begin()
        writer.execute(insert(things).values(name="uncommitted"))
        with reading(), engine.connect() as reader:  # neither waits for the writer nor sees its row
            with reader.begin():
                assert reader.scalar(select(func.count()).select_from(things)) == 0
        wtx.commit()


def test_the_busy_timeout_is_the_configured_one(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_setting_reaches_the_apps_engine(tmp_path):
    from tests.conftest import make_test_app
    from webapp.extensions import db

    app = make_test_app(f"sqlite:///{tmp_path / 'app.db'}", tmp_path, SQLITE_BUSY_TIMEOUT_MS="1234")
    with app.app_context():
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 1234
        db.session.rollback()
        db.engine.dispose()


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate, conflict", [("40001", True), ("40P01", True), ("23505", True),
                                                 ("23503", False), ("42P01", False)])
def test_postgresql_conflicts_are_serialisation_deadlock_and_racing_inserts(sqlstate, conflict):
    assert is_conflict(DBAPIError("SELECT 1", {}, _PgError(sqlstate))) is conflict


def test_a_sqlite_constraint_violation_is_not_a_conflict(engine):
    with engine.begin() as conn:
        conn.execute(insert(things).values(name="same"))
    with pytest.raises(IntegrityError) as err, engine.begin() as conn:
        conn.execute(insert(things).values(name="same"))
    assert not is_conflict(err.value)


def _busy() -> OperationalError:
    exc = OperationalError("INSERT", {}, Exception("database is locked"))
    exc.orig.sqlite_errorname = "SQLITE_BUSY"
    return exc


def _failing(exc_factory, calls: list):
    def attempt():
        calls.append(1)
        raise exc_factory()
    return attempt


def test_retry_is_bounded_and_only_for_conflicts():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _busy()
        return "done"

    assert retry_conflicts(flaky, attempts=3) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(OperationalError):
        retry_conflicts(_failing(_busy, calls), attempts=2)
    assert len(calls) == 2
    with pytest.raises(IntegrityError):
        retry_conflicts(_failing(lambda: IntegrityError("INSERT", {}, Exception("UNIQUE")), calls))
    assert len(calls) == 3  # not run again
    with pytest.raises(OperationalError):  # running it again is no longer safe
        retry_conflicts(_failing(_busy, calls), before_retry=lambda: False)
    assert len(calls) == 4


def test_a_unit_that_loses_a_conflict_runs_again_and_commits_once(engine):
    factory = make_sessionmaker(engine)
    runs = []

    def work(session):
        runs.append(1)
        session.execute(insert(things).values(name=f"unit-{len(runs)}"))
        if len(runs) == 1:
            raise _busy()
        return len(runs)

    assert run_unit(factory, work) == 2
    with engine.connect() as conn:
        assert list(conn.scalars(select(things.c.name))) == ["unit-2"]


def test_only_commits_that_wrote_are_counted(engine):
    session = make_sessionmaker(engine)()
    session.execute(select(things.c.id)).all()
    session.commit()
    assert committed_writes(session) == 0
    session.execute(insert(things).values(name="counted"))
    session.commit()
    session.execute(insert(things).values(name="rolled-back"))
    session.rollback()
    assert committed_writes(session) == 1
    session.close()


def test_begin_write_turns_a_reader_into_a_writer_that_queues(engine):
    session = make_sessionmaker(engine)()
    with reading():
        session.execute(select(things.c.id)).all()  # a deferred read transaction
    with writing(), engine.begin() as other:  # someone else commits meanwhile
        other.execute(insert(things).values(name="meanwhile"))
    begin_write(session)  # a fresh IMMEDIATE transaction: the write cannot fail on the old snapshot
    session.execute(insert(things).values(name="after"))
    session.commit()
    session.close()
    assert _count(engine) == 2
