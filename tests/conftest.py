"""Shared fixtures: the app on SQLite and (when reachable) PostgreSQL, a savepoint per test.

- ``app``: session-scoped per backend; schema built once from core's metadata, reference data loaded.
- ``db_session``: every test runs inside a transaction rolled back at the end (commits inside the
  test release SAVEPOINTs only), so tests never see each other's rows.
- ``client`` / ``runner``: the Flask test client and CLI runner bound to that session.
- ``login_as(role)``: signs the client in as a fresh user of that role.

PostgreSQL: ``TEST_POSTGRES_URL`` (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
When it is unreachable the PostgreSQL half is skipped — unless ``JOBLINK_REQUIRE_POSTGRES=1`` (CI),
where it is an error.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

TEST_KEYS = {
    "SECRET_KEY": "test-secret-key-not-for-production",
    "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=",
    "JOBLINK_PII_HASH_KEY": "test-hash-key",
}

TEST_PASSWORD = "Zhao-Qian-Sun-Li-2026"


def pytest_configure(config):
    """The log scan of the whole run (tests/log_scan.py): any ID number, mobile number or password hash
    in a log record fails the run."""
    from tests.log_scan import register

    register(config)


def _postgres_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


class _PostgresDatabases:
    """Creates uniquely named databases and drops them all at the end of the session."""

    def __init__(self):
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self) -> str:
        name = f"joblink_test_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases():
    if not _postgres_available():
        if os.environ.get("JOBLINK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable; set TEST_POSTGRES_URL")
    dbs = _PostgresDatabases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_databases):
    """The session's shared PostgreSQL database (schema built once, a savepoint per test)."""
    return postgres_databases.create()


@pytest.fixture
def fresh_postgres_url(postgres_databases):
    """An empty PostgreSQL database of the test's own (migrations, CLI set-up)."""
    return postgres_databases.create()


@pytest.fixture
def fresh_database_url(request, tmp_path):
    """``fresh_database_url(backend)``: an empty database of the given backend for this test."""

    def _make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}"
        return request.getfixturevalue("fresh_postgres_url")

    return _make


@pytest.fixture
def app_factory(tmp_path):
    """Build an extra app (own database, own instance folder) for tests that need one; its database
    connections are closed when the test ends (an open one is a ResourceWarning, an error here)."""
    apps = []

    def _make(db_url: str, **overrides):
        apps.append(make_test_app(db_url, tmp_path, **overrides))
        return apps[-1]

    yield _make
    from webapp.extensions import db

    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def make_test_app(db_url: str, instance_path, **overrides):
    from webapp import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SEARCH_BACKEND": "null",
        "SERVER_NAME": "localhost",
        **TEST_KEYS,
    }
    config.update(overrides)
    application = create_app(config)
    application.test_client_class = _client_class()
    return application


def build_schema_and_reference(app) -> None:
    from core.all_models import metadata
    from core.reference.services import clear_reference_cache, load_reference_data
    from webapp.extensions import db

    with app.app_context():
        metadata.create_all(db.engine)
        load_reference_data(db.session)
        db.session.commit()
        clear_reference_cache()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    application = make_test_app(url, instance)
    build_schema_and_reference(application)
    yield application
    from webapp.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    """The test's transaction; ``db.session`` in the app points at it for the test's duration."""
    from webapp.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        session = scoped_session(factory)
        original = db.session
        db.session = session
        try:
            yield session
        finally:
            db.session = original
            session.remove()
            outer.rollback()
            connection.close()


def _client_class():
    from flask import g, has_app_context
    from flask.testing import FlaskClient

    class IsolatedClient(FlaskClient):
        """The test holds one app context open (for ``db_session``), and requests reuse it, so
        Flask-Login's per-request user cache in ``g`` would leak from one client to the next.
        Each request starts without it, as it would in a real server."""

        def open(self, *args, **kwargs):
            if not has_app_context():  # a fresh context per request: nothing cached to forget
                return super().open(*args, **kwargs)
            g.pop("_login_user", None)
            try:
                return super().open(*args, **kwargs)
            finally:
                g.pop("_login_user", None)

    return IsolatedClient


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db_session):
    """Create a user of a role; enterprise users get an enterprise, commissioners a jurisdiction."""
    from core.accounts.services import create_user
    from core.enterprises.models import Enterprise

    counter = {"n": 0}

    def _make(role: str, region_code: str | None = None, **kwargs):
        counter["n"] += 1
        enterprise_id = kwargs.pop("enterprise_id", None)
        if role == "enterprise" and enterprise_id is None:
            ent = Enterprise(name=f"测试企业{counter['n']}有限公司", normalized_name=f"测试企业{counter['n']}")
            db_session.add(ent)
            db_session.flush()
            enterprise_id = ent.id
        if role == "commissioner" and region_code is None:
            region_code = "440100"
        user = create_user(
            db_session,
            username=kwargs.pop("username", f"{role}_{counter['n']}_{uuid.uuid4().hex[:4]}"),
            password=kwargs.pop("password", TEST_PASSWORD),
            role=role,
            region_code=region_code,
            enterprise_id=enterprise_id,
            **kwargs,
        )
        db_session.commit()
        return user

    return _make


@pytest.fixture
def login_as(client, make_user):
    """Sign the test client in (through the real login form) as a new user of ``role``."""

    def _login(role: str, **kwargs):
        user = make_user(role, **kwargs)
        resp = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def limiter_guard():
    """Flask-Limiter keeps ``enabled`` on the shared extension object: a test whose app switches rate
    limits on restores it afterwards (and clears the counters), so the other tests' apps stay unlimited."""
    from webapp.extensions import limiter

    saved = limiter.enabled
    yield limiter
    limiter.enabled = saved
    limiter.reset()
