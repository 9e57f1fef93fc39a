"""Database errors never carry a statement's values into logs or output (issue 11, defect 9): the
values of an INSERT into ``users`` are a password hash, a name and a phone number. Every engine is
made with ``hide_parameters``; a real registration is made to fail in the database and everything
logged is scanned."""
from __future__ import annotations

import logging

from sqlalchemy import text

from core.db import make_engine
from tests.web.conftest import make_id_number
from tests.web.test_registration import seeker_form

NAME, PHONE, USERNAME = "欧阳秀英", "13987654321", "ouyang_private"


def _refuse_inserts_into_users(db_session) -> None:
    """A trigger that makes every INSERT into ``users`` fail as it runs (rolled back with the test)."""
    if db_session.bind.dialect.name == "sqlite":  # the table the trigger writes to does not exist
        db_session.execute(text("CREATE TRIGGER refuse_users BEFORE INSERT ON users "
                                "BEGIN INSERT INTO users_readonly_guard VALUES (NEW.username); END"))
    else:
        db_session.execute(text("CREATE FUNCTION refuse_users() RETURNS trigger AS $$ BEGIN "
                                "RAISE EXCEPTION 'users_readonly_guard'; END $$ LANGUAGE plpgsql"))
        db_session.execute(text("CREATE TRIGGER refuse_users BEFORE INSERT ON users "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_users()"))
    db_session.commit()


def test_a_failed_registration_logs_the_error_without_the_personal_data(client, db_session, caplog):
    _refuse_inserts_into_users(db_session)
    id_number = make_id_number()
    form = seeker_form(username=USERNAME, name=NAME, phone=PHONE, id_number=id_number)
    with caplog.at_level(logging.DEBUG):
        resp = client.post("/register/jobseeker", data=form)
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    logged = caplog.text  # every record, with its traceback
    assert "users_readonly_guard" in logged  # the error was logged, with its reason
    for secret in (NAME, PHONE, USERNAME, id_number, "$argon2", form["password"]):
        assert secret not in logged, secret
        assert secret not in page, secret


def test_every_engine_hides_statement_parameters(app, tmp_path):
    from webapp.extensions import db

    with app.app_context():
        assert db.engine.hide_parameters
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert engine.hide_parameters
    finally:
        engine.dispose()
