"""The declarative base, engine/session helpers and small column helpers shared by every domain."""
from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Callable, Iterator, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

# Stable constraint names so Alembic can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Timezone-naive UTC, which both SQLite and PostgreSQL store the same way."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- SQLite: writers queue instead of failing -----------------------------------------------------
#
# SQLite has one writer at a time. A transaction begun with a plain (deferred) BEGIN reads first and
# must upgrade its lock when it writes; when another connection holds the write lock or has committed
# since the read began, SQLite refuses at once with SQLITE_BUSY: the busy timeout is not consulted,
# because waiting could not make the old snapshot current. ``BEGIN IMMEDIATE`` takes the write lock
# when the transaction starts, so a writer waits its turn (up to the busy timeout) and never fails.
#
# Which transactions take it: every transaction, unless begun inside ``reading()``. In WAL an
# IMMEDIATE BEGIN costs the same as a deferred one when nobody else writes (measured on this 2-core
# machine: 0.07-0.11 ms per one-SELECT transaction either way, 20,000 of each), but two IMMEDIATE
# transactions never overlap, so the paths that only
# read, and may read for long or many at once (every GET page, search, index rebuild and reconcile,
# the relay's document reads), declare themselves readers and run beside the writer. A path that
# forgets to declare itself is slower, never wrong; a reader that writes after all is made a writer by
# ``begin_write`` (or, in the web app, run again as one: webapp/transactions.py).

DEFAULT_BUSY_TIMEOUT_MS = 30_000
_BEGIN_IMMEDIATE: ContextVar[bool] = ContextVar("joblink_begin_immediate", default=True)


def set_write_mode(write: bool) -> Token:
    """Whether SQLite transactions begun from here on (in this thread or task) take the write lock at
    BEGIN; undo with ``reset_write_mode(token)``."""
    return _BEGIN_IMMEDIATE.set(write)


def reset_write_mode(token: Token) -> None:
    _BEGIN_IMMEDIATE.reset(token)


@contextmanager
def _write_mode(write: bool) -> Iterator[None]:
    token = set_write_mode(write)
    try:
        yield
    finally:
        reset_write_mode(token)


def reading():
    """Transactions begun inside only read: on SQLite they begin deferred and run beside the writer."""
    return _write_mode(False)


def writing():
    """Transactions begun inside write: on SQLite they wait for the write lock at BEGIN."""
    return _write_mode(True)


def begin_write(session: Session) -> None:
    """End the session's current transaction (committing what it holds) and begin the next as a writer,
    so that what follows holds SQLite's write lock only for its own short work."""
    session.commit()
    with writing():
        session.connection()


class _SQLiteSetup:
    """Per-connection settings of one SQLite engine."""

    def __init__(self, busy_timeout_ms: int):
        self.busy_timeout_ms = busy_timeout_ms

    def __call__(self, dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun by _sqlite_begin, not guessed by sqlite3
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _BEGIN_IMMEDIATE.get() else "BEGIN")


_SQLITE_SETUPS: WeakKeyDictionary = WeakKeyDictionary()


def install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
    """Foreign keys on, WAL so readers run beside the writer, a busy timeout writers queue for, and
    transactions (and SAVEPOINTs) issued by SQLAlchemy: IMMEDIATE unless declared ``reading()``."""
    if engine.dialect.name != "sqlite":
        return
    setup = _SQLITE_SETUPS.get(engine)
    if setup is None:
        setup = _SQLITE_SETUPS[engine] = _SQLiteSetup(busy_timeout_ms)
        event.listen(engine, "connect", setup)
        event.listen(engine, "begin", _sqlite_begin)
    setup.busy_timeout_ms = busy_timeout_ms


# --- units of work that may run again ---------------------------------------------------------------

# PostgreSQL: serialization_failure, deadlock_detected, and unique_violation (two transactions that
# both found no row and both inserted it: run again, the second finds the first's row).
_PG_CONFLICTS = {"40001", "40P01", "23505"}
DEFAULT_ATTEMPTS = 4


def is_conflict(exc: BaseException) -> bool:
    """A lock or serialisation conflict with another transaction: the same work may succeed if run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    return getattr(orig, "sqlstate", None) in _PG_CONFLICTS


def retry_conflicts(attempt: Callable[[], T], *, attempts: int = DEFAULT_ATTEMPTS,
                    before_retry: Callable[[], bool] = lambda: True) -> T:
    """Call ``attempt`` until it does not fail on a conflict, at most ``attempts`` times, waiting a little
    longer (with jitter) each time. ``attempt`` must leave nothing behind when it fails (roll back);
    ``before_retry`` says whether running it again is still safe (and prepares it)."""
    for n in range(1, attempts + 1):
        try:
            return attempt()
        except DBAPIError as exc:
            if n == attempts or not is_conflict(exc) or not before_retry():
                raise
            log.info("conflict with another transaction (attempt %d of %d): %s", n, attempts,
                     type(exc.orig).__name__)
        time.sleep(min(2.0, 0.05 * 2 ** (n - 1)) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


def run_unit(factory: sessionmaker[Session], work: Callable[[Session], T], *,
             attempts: int = DEFAULT_ATTEMPTS) -> T:
    """``work(session)`` as one write transaction, committed; run again in a fresh session when it
    loses a conflict. Only for work whose every effect is in that transaction."""

    def once() -> T:
        with writing(), transaction(factory) as session:
            return work(session)

    return retry_conflicts(once, attempts=attempts)


def _note_write(session: Session, *_args) -> None:
    session.info["joblink_wrote"] = True


def _note_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["joblink_wrote"] = True


def _note_commit(session: Session) -> None:
    if session.info.pop("joblink_wrote", False):
        session.info["joblink_commits"] = session.info.get("joblink_commits", 0) + 1


def _note_rollback(session: Session) -> None:
    session.info.pop("joblink_wrote", None)


def track_commits(target) -> None:
    """Count the commits that wrote something, per session (``committed_writes``), for sessions of
    ``target`` (a sessionmaker, scoped_session or Session class): a unit of work may run again only
    when it has committed nothing yet."""
    if event.contains(target, "after_commit", _note_commit):
        return
    event.listen(target, "after_flush", _note_write)
    event.listen(target, "do_orm_execute", _note_dml)
    event.listen(target, "after_commit", _note_commit)
    event.listen(target, "after_rollback", _note_rollback)


def committed_writes(session: Session) -> int:
    return session.info.get("joblink_commits", 0)


def json_serializer(value) -> str:
    """JSON columns keep Chinese as UTF-8, not as \\uXXXX escapes: a third of the bytes to write
    and read for every raw record, posting and audit row."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# hide_parameters: a failed statement's message and every log line name the SQL only, never the values
# (password hashes, names, phone numbers, whole postings). Every engine is made with these options.
ENGINE_DEFAULTS = {"json_serializer": json_serializer, "hide_parameters": True}


def make_engine(url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, **kwargs) -> Engine:
    engine = create_engine(url, **{**ENGINE_DEFAULTS, **kwargs})
    install_sqlite_pragmas(engine, busy_timeout_ms)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    track_commits(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def enum_column(enum_cls):
    """A portable enum column: stored as its string value, validated in Python."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
