"""``joblink backup`` / ``joblink restore`` (issue 11): an instance with postings, accounts and
jobseekers whose ID numbers are encrypted is backed up (SQLite's online backup API, pg_dump), restored
into an empty instance with keys of its own, and compared table by table, row for row; the ID number
decrypts, the search index is rebuilt, and a target that holds data is refused unless ``--force``."""
from __future__ import annotations

import json
import sqlite3
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import TEST_KEYS, TEST_PASSWORD, build_schema_and_reference
from tests.integration.test_faults import postings_csv
from tests.web.conftest import make_id_number

OTHER_KEYS = {"JOBLINK_PII_KEY": "b3nL0fZ1m7Yx2Qm1b5m9c8cK4n0a8Vd2kJ6sT1yR3wE=", "JOBLINK_PII_HASH_KEY": "other-hash-key"}


@pytest.fixture
def new_database(request, tmp_path):
    """``new_database(backend)``: a new empty database on every call (source and target apart)."""

    def _make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:6]}.db'}"
        return request.getfixturevalue("postgres_databases").create()

    return _make


def _invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _seed(app, tmp_path: Path) -> str:
    """Postings through intake, an account, and a jobseeker with an encrypted ID number; returns it."""
    from core.accounts.services import create_user
    from core.channels.services import create_channel
    from core.crypto import PersonalDataCipher
    from core.seekers.services import create_jobseeker
    from webapp.extensions import db

    id_number = make_id_number()
    with app.app_context():
        s = db.session
        create_channel(s, "bureau", "区就业服务中心", "public_agency", trust_level="trusted")
        user = create_user(s, username=f"seeker_{uuid.uuid4().hex[:6]}", password=TEST_PASSWORD, role="jobseeker")
        cipher = PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])
        create_jobseeker(s, cipher, id_number=id_number, user_id=user.id, name="备份测试", region_code="440106",
                         consent_recommendation=True, desired_titles=["电焊工"])
        s.commit()
    csv = tmp_path / "bureau.csv"
    csv.write_bytes(postings_csv("bk", 30))
    code, out = _invoke(app, "ingest", "file", str(csv), "--channel", "bureau", "--json")
    assert code == 0, out
    return id_number


def _rows(app) -> dict[str, list[tuple]]:
    """Every table of core's metadata, rows ordered by primary key."""
    from core.all_models import metadata
    from webapp.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in metadata.sorted_tables}


def _empty_instance(app_factory, url: str, folder: Path, **config):
    """An instance as `joblink db upgrade` + `ref load` leave it, with its own generated keys."""
    from core.crypto import PersonalDataCipher

    folder.mkdir()
    if not config:  # keys of its own, generated into instance/secrets.json as a fresh machine does
        enc, hsh = PersonalDataCipher.generate_keys()
        config = {"JOBLINK_PII_KEY": enc, "JOBLINK_PII_HASH_KEY": hsh}
        (folder / "secrets.json").write_text(json.dumps({"SECRET_KEY": "s", **config}))
    app = app_factory(url, INSTANCE_PATH=str(folder), SEARCH_BACKEND="embedded", **config)
    build_schema_and_reference(app)
    return app


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_restore_into_an_empty_instance_is_equal_row_for_row(backend, new_database, app_factory, tmp_path):
    source = app_factory(new_database(backend), INSTANCE_PATH=str(tmp_path / "a"))
    build_schema_and_reference(source)
    id_number = _seed(source, tmp_path)
    archive = tmp_path / "joblink.backup"
    code, out = _invoke(source, "backup", str(archive))
    assert code == 0, out
    assert archive.stat().st_mode & 0o077 == 0  # personal data and keys: the owner only
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("keys.json"))["JOBLINK_PII_KEY"] == TEST_KEYS["JOBLINK_PII_KEY"]

    target = _empty_instance(app_factory, new_database(backend), tmp_path / "b")
    code, out = _invoke(target, "restore", str(archive), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["keys_installed"] is True and report["id_numbers_decrypt"] is True

    before, after = _rows(source), _rows(target)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    for name in before:
        assert after[name] == before[name], name
    assert len(before["postings"]) >= 25 and len(before["jobseekers"]) == 1

    # the instance as it starts next time: the backup's keys from its secrets file
    restarted = app_factory(target.config["SQLALCHEMY_DATABASE_URI"], INSTANCE_PATH=str(tmp_path / "b"),
                            SEARCH_BACKEND="embedded", **json.loads((tmp_path / "b" / "secrets.json").read_text()))
    _assert_restored_instance_works(restarted, id_number, report)


def _assert_restored_instance_works(app, id_number: str, report: dict) -> None:
    from core.channels.services import create_channel
    from core.crypto import PersonalDataCipher
    from core.channels.models import Channel
    from core.seekers.models import Jobseeker
    from core.seekers.services import find_by_id_number
    from indexer.worker import searchable_versions
    from webapp.extensions import db

    with app.app_context():
        s = db.session
        cipher = PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])
        seeker = s.scalar(select(Jobseeker))
        assert cipher.decrypt(seeker.id_number_encrypted) == id_number
        assert find_by_id_number(s, cipher, id_number).id == seeker.id  # the look-up hash key came too
        index = app.extensions["search"]
        assert index.versions("postings") == searchable_versions(s, "postings") != {}
        assert report["indexed"]["postings"] == len(index.versions("postings"))
        # sequences came with the data: a new row does not collide with a restored one
        top = s.scalar(select(Channel.id).order_by(Channel.id.desc()).limit(1))
        assert create_channel(s, "after-restore", "恢复后新建", "hr_firm").id > top
        s.commit()


def test_restore_refuses_a_target_holding_data_unless_forced(new_database, app_factory, tmp_path):
    from core.channels.services import create_channel
    from webapp.extensions import db

    source = app_factory(new_database("sqlite"), INSTANCE_PATH=str(tmp_path / "a"))
    build_schema_and_reference(source)
    _seed(source, tmp_path)
    archive = tmp_path / "b.backup"
    assert _invoke(source, "backup", str(archive))[0] == 0
    target = _empty_instance(app_factory, new_database("sqlite"), tmp_path / "b", **TEST_KEYS)
    with target.app_context():
        create_channel(db.session, "kept", "目标已有的渠道", "hr_firm")
        db.session.commit()

    code, out = _invoke(target, "restore", str(archive))
    assert code == 1 and "目标数据库已有数据" in out and "--force" in out
    assert [c for c in _rows(target)["channels"]][0][1] == "kept"  # untouched

    code, out = _invoke(target, "restore", str(archive), "--force")
    assert code == 0, out
    assert _rows(target) == _rows(source)


def test_restore_refuses_keys_it_cannot_read_the_id_numbers_with(new_database, app_factory, tmp_path):
    """Keys set by the operator (not the instance's generated file) that differ from the backup's, or a
    backup made without keys into an instance with other keys: refused before anything changes."""
    source = app_factory(new_database("sqlite"), INSTANCE_PATH=str(tmp_path / "a"))
    build_schema_and_reference(source)
    _seed(source, tmp_path)
    with_keys, without_keys = tmp_path / "with.backup", tmp_path / "without.backup"
    assert _invoke(source, "backup", str(with_keys))[0] == 0
    code, out = _invoke(source, "backup", str(without_keys), "--without-keys")
    assert code == 0 and "没有身份证号的加密密钥" in out
    with tarfile.open(without_keys) as tar:
        assert "keys.json" not in tar.getnames()

    target = _empty_instance(app_factory, new_database("sqlite"), tmp_path / "b", **OTHER_KEYS)
    code, out = _invoke(target, "restore", str(with_keys))
    assert code == 1 and "JOBLINK_PII_KEY" in out and "keys.json" in out
    code, out = _invoke(target, "restore", str(without_keys))
    assert code == 1 and "没有身份证号密钥" in out
    assert _rows(target)["postings"] == []  # nothing restored

    code, out = _invoke(target, "restore", str(without_keys), "--force")  # the operator insists
    assert code == 1 and "解密检查：失败" in out
    assert len(_rows(target)["postings"]) == len(_rows(source)["postings"])


def test_sqlite_backup_is_consistent_while_the_server_writes(new_database, app_factory, tmp_path):
    """A writer commits two outbox events per transaction throughout the backup: the copy holds whole
    transactions only, and passes SQLite's integrity check."""
    from core.db import make_engine

    url = new_database("sqlite")
    app = app_factory(url, INSTANCE_PATH=str(tmp_path / "a"))
    build_schema_and_reference(app)
    stop, written = threading.Event(), []

    def writer():
        engine = make_engine(url)
        n = 0
        while not stop.is_set():
            with engine.begin() as conn:
                for _ in range(2):
                    conn.execute(text("INSERT INTO outbox_events (entity, entity_id, operation, created_at, "
                                      "available_at, attempts, state) VALUES ('posting', :n, 'upsert', "
                                      "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 'pending')"), {"n": n})
            n += 1
        written.append(n)
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = [tmp_path / f"{i}.backup" for i in range(3)]
        for archive in archives:
            code, out = _invoke(app, "backup", str(archive), "--json")
            assert code == 0, out
    finally:
        stop.set()
        thread.join(30)
    assert written and written[0] > 0
    for archive in archives:
        with tarfile.open(archive) as tar:
            counts = json.load(tar.extractfile("manifest.json"))["tables"]
            tar.extract("joblink.db", tmp_path / archive.stem, filter="data")
        assert counts["outbox_events"] % 2 == 0
        copy = sqlite3.connect(tmp_path / archive.stem / "joblink.db")
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT count(*) FROM outbox_events").fetchone()[0] == counts["outbox_events"]
        finally:
            copy.close()
