"""Every request is a unit of work that queues for the database instead of failing.

- A request that may change something (POST, PUT, PATCH, DELETE) is a writer: on SQLite each of its
  transactions begins IMMEDIATE and waits its turn for the write lock (``SQLITE_BUSY_TIMEOUT_MS``).
- A GET, HEAD or OPTIONS request is a reader: its transactions begin deferred and run beside the
  writer (WAL). A reader that writes after all (an audit row, a stored ranked list) should call
  ``core.db.begin_write`` first; if it does not and loses the lock upgrade, it runs again as a writer.
- A view that loses a lock or serialisation conflict runs again (bounded, see
  ``core.db.retry_conflicts``) while it has committed nothing, so an answer never reports a failure
  for data that was in fact stored, nor stores data twice.
"""
from __future__ import annotations

import functools

from flask import Flask, g, request
from sqlalchemy.exc import DBAPIError

from core.db import committed_writes, install_sqlite_pragmas, reset_write_mode, retry_conflicts, set_write_mode, \
    track_commits

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    with app.app_context():
        install_sqlite_pragmas(db.engine, int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    track_commits(db.session)
    # first of all before-request hooks: some of them already read the database
    app.before_request_funcs.setdefault(None, []).insert(0, _declare_mode)
    app.teardown_request(_reset_mode)


def wrap_views(app: Flask) -> None:
    """Make every view registered so far a unit of work that runs again after a conflict."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "_joblink_unit", False):
            app.view_functions[endpoint] = _unit_of_work(view)


def _declare_mode() -> None:
    g._joblink_write_mode = set_write_mode(request.method not in SAFE_METHODS)


def _reset_mode(_exc=None) -> None:
    token = g.pop("_joblink_write_mode", None)
    if token is not None:
        reset_write_mode(token)


def _unit_of_work(view):
    @functools.wraps(view)
    def run(**kwargs):
        committed_before = committed_writes(db.session)

        def attempt():
            try:
                return view(**kwargs)
            except DBAPIError:
                db.session.rollback()
                raise

        def before_retry() -> bool:
            if committed_writes(db.session) != committed_before:
                return False  # part of the work is stored: running it again could store it twice
            set_write_mode(True)  # a reader that had to write runs again as a writer (reset at teardown)
            for f in request.files.values():
                f.stream.seek(0)
            return True

        return retry_conflicts(attempt, before_retry=before_retry)

    run._joblink_unit = True
    return run
