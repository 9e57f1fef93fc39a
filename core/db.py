"""The declarative base, engine/session helpers and small column helpers shared by every domain."""
from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def install_sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL so the relay and the web app can work side by side, and transactions
    (and SAVEPOINTs) issued by SQLAlchemy rather than guessed by the sqlite3 module."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)


def json_serializer(value) -> str:
    """JSON columns keep Chinese as UTF-8, not as \\uXXXX escapes: a third of the bytes to write
    and read for every raw record, posting and audit row."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


ENGINE_DEFAULTS = {"json_serializer": json_serializer}


def make_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, **{**ENGINE_DEFAULTS, **kwargs})
    install_sqlite_pragmas(engine)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


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
