"""Requests as units of work on a real SQLite file: a GET that writes after all runs again as a writer
when it loses the lock upgrade; a request that already committed is never run again."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from core.db import make_engine, reading, writing

meta = MetaData()
notes = Table("unit_notes", meta, Column("id", Integer, primary_key=True), Column("text", String(40)))


@pytest.fixture
def app(tmp_path):
    from tests.conftest import make_test_app
    from webapp.extensions import db

    url = f"sqlite:///{tmp_path / 'units.db'}"
    application = make_test_app(url, tmp_path)
    other = make_engine(url)
    meta.create_all(other)
    application.config["OTHER_ENGINE"] = other
    yield application
    other.dispose()
    with application.app_context():
        db.engine.dispose()


def _commit_elsewhere(app, text: str) -> None:
    with writing(), app.config["OTHER_ENGINE"].begin() as conn:
        conn.execute(insert(notes).values(text=text))


def _route(app, rule: str, view) -> None:
    from webapp import transactions
    from webapp.auth.policy import public

    app.add_url_rule(rule, view.__name__, public(view), methods=["GET", "POST"])
    transactions.wrap_views(app)


def _texts(app) -> list[str]:
    with app.config["OTHER_ENGINE"].connect() as conn:
        return list(conn.scalars(select(notes.c.text).order_by(notes.c.id)))


def test_a_get_that_writes_after_a_newer_commit_runs_again_as_a_writer(app):
    from webapp.extensions import db

    runs = []

    def audit_on_read():
        runs.append(1)
        db.session.execute(select(func.count()).select_from(notes)).scalar()  # a deferred read
        if len(runs) == 1:
            _commit_elsewhere(app, "meanwhile")  # another request writes in between
        db.session.execute(insert(notes).values(text=f"audit {len(runs)}"))
        db.session.commit()
        return "ok"

    _route(app, "/unit/audit", audit_on_read)
    resp = app.test_client().get("/unit/audit")
    assert resp.status_code == 200 and len(runs) == 2
    assert _texts(app) == ["meanwhile", "audit 2"]


def test_a_request_that_already_committed_is_not_run_again(app):
    from webapp.extensions import db

    runs = []

    def two_commits():
        runs.append(1)
        db.session.execute(insert(notes).values(text="first half"))
        db.session.commit()
        with reading():  # the next transaction only means to read...
            db.session.execute(select(func.count()).select_from(notes)).scalar()
        _commit_elsewhere(app, "meanwhile")
        db.session.execute(insert(notes).values(text="second half"))  # ...but writes, and loses the upgrade
        db.session.commit()
        return "ok"

    _route(app, "/unit/two", two_commits)
    resp = app.test_client().post("/unit/two")
    assert resp.status_code == 500 and len(runs) == 1
    assert _texts(app) == ["first half", "meanwhile"]  # stored once, never twice
