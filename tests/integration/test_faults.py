"""Fault injection (issue 11): the outbox relay killed mid-batch, the search backend down for a while,
PostgreSQL connections lost during an ingest. Each ends with no record lost and the search index
equal to the database (``indexer.worker.reconcile`` finds nothing to repair)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_KEYS, build_schema_and_reference
from tests.integration.test_server import _wait

ROOT = Path(__file__).resolve().parents[2]

JOBS = ["电焊工", "会计", "保安员", "中式烹调师", "货车司机", "护理员", "维修电工", "幼儿教师", "仓库管理员",
        "销售代表", "叉车司机", "服装缝纫工", "收银员", "快递分拣员", "水电安装工", "客服专员"]
PLACES = ["广东省广州市海珠区", "广东省广州市天河区", "广东省广州市白云区", "广东省广州市番禺区"]


def postings_csv(tag: str, rows: int) -> bytes:
    """A channel's spreadsheet (CSV) of ``rows`` distinct postings: distinct jobs and employers, so
    deduplication keeps each as its own posting, each with what the January 2026 notice requires
    (employer, headcount, requirements, job content, place, pay), so most are published at once."""
    lines = ["职位,公司名称,工作地点,薪酬,人数,工作内容"]
    for n in range(rows):
        job = JOBS[n % len(JOBS)]
        pay = 4000 + 100 * (n % 30)
        lines.append(f"{job}（{tag}第{n}号）,广州{tag}{n}号服务有限公司,{PLACES[n % len(PLACES)]},"
                     f"{pay}-{pay + 3000}元/月,2,{job}岗位，{tag}批次第{n}号，负责本岗位日常工作，按时上下班；"
                     "要求身体健康，有相关经验者优先。")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- an instance on disk: database, embedded search index, a channel ----------------------------------

class Instance:
    def __init__(self, app_factory, url: str, folder: Path):
        self.app_factory, self.url, self.folder = app_factory, url, folder
        self.app = self.fresh_app()

    def fresh_app(self):
        """An app of this instance (a new one reads the index as the subprocesses left it)."""
        return self.app_factory(self.url, INSTANCE_PATH=str(self.folder), SEARCH_BACKEND="embedded")

    def env(self) -> dict[str, str]:
        return {**os.environ, **TEST_KEYS, "DATABASE_URL": self.url, "JOBLINK_INSTANCE": str(self.folder),
                "SEARCH_BACKEND": "embedded"}

    def joblink(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", *args], cwd=ROOT,
                                env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def ingest(self, tmp_path: Path, rows: int, tag: str = "f") -> Path:
        path = tmp_path / f"{tag}.csv"
        path.write_bytes(postings_csv(tag, rows))
        result = self.app.test_cli_runner().invoke(args=["ingest", "file", str(path), "--channel", "bureau"])
        assert result.exit_code == 0, result.output[-2000:]
        return path

    def scalar(self, sql: str, **params):
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def outbox(self) -> dict[str, int]:
        from indexer.worker import outbox_counts
        from webapp.extensions import db

        with self.app.app_context():
            counts = outbox_counts(db.session)
            db.session.rollback()
        return counts


@pytest.fixture
def instance(request, tmp_path, app_factory):
    """``instance(backend)``: a new instance with the channel ``bureau``."""
    from core.channels.services import create_channel
    from webapp.extensions import db

    def _make(backend: str) -> Instance:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'joblink.db'}"
        else:
            url = request.getfixturevalue("postgres_databases").create()
        inst = Instance(app_factory, url, tmp_path / "instance")
        build_schema_and_reference(inst.app)
        with inst.app.app_context():
            create_channel(db.session, "bureau", "区就业服务中心", "public_agency", trust_level="trusted")
            db.session.commit()
        return inst

    return _make


def assert_index_equals_database(inst: Instance) -> None:
    """Reconcile finds nothing to repair, and the index holds each searchable document once."""
    from indexer.worker import reconcile, searchable_versions
    from webapp.cli.index import COLLECTIONS
    from webapp.extensions import db

    app = inst.fresh_app()
    with app.app_context():
        backend = app.extensions["search"]
        for name in COLLECTIONS:
            report = reconcile(db.session, backend, name, fix=False)
            assert report.clean, (name, report.missing[:5], report.orphans[:5], report.stale[:5])
            assert backend.count(name) == len(searchable_versions(db.session, name))
        assert backend.count("postings") > 0
        db.session.rollback()


def wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    assert _wait(condition, timeout, interval), f"timed out waiting for {what}"


# --- the relay killed mid-batch ----------------------------------------------------------------------

RELAY_ROWS = 1200


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_relay_killed_mid_batch_delivers_every_event_after_a_restart(backend, instance, tmp_path):
    inst = instance(backend)
    inst.ingest(tmp_path, RELAY_ROWS)
    total = inst.outbox()["pending"]  # one event per published posting (held ones wait for review)
    assert total > RELAY_ROWS * 0.8
    relay_args = ("index", "work", "--batch", "100", "--poll", "0.1", "--claim-timeout", "2")
    relay = inst.joblink(*relay_args)
    try:
        # SIGKILL while a batch is claimed and some are already done: no chance to tidy up
        wait_for(lambda: inst.outbox().get("done", 0) >= 100 and inst.outbox().get("processing", 0) > 0,
                 180, "the relay to be mid-batch", interval=0.01)
        relay.send_signal(signal.SIGKILL)
    finally:
        if relay.poll() is None:
            relay.kill()
        relay.communicate(timeout=30)
    at_kill = inst.outbox()
    assert at_kill.get("processing", 0) > 0 and at_kill.get("done", 0) < total, at_kill  # left mid-batch

    restarted = inst.joblink(*relay_args)
    try:
        wait_for(lambda: inst.outbox() == {"done": total}, 300, "every event delivered", interval=0.2)
    finally:
        restarted.send_signal(signal.SIGTERM)
        out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err.decode()[-2000:]
    assert inst.scalar("SELECT count(*) FROM posting_sources") == RELAY_ROWS  # nothing lost
    assert_index_equals_database(inst)


# --- the search backend down for a while -------------------------------------------------------------

class OutageBackend:
    """The real backend behind a switch: for ``seconds`` after ``go_down()`` every write raises as an
    unreachable server would; then it recovers. Calls are counted."""

    def __init__(self, inner, seconds: float):
        self.inner, self.seconds = inner, seconds
        self.down_until = 0.0
        self.failed_calls = 0
        self.calls = 0

    def go_down(self) -> None:
        self.down_until = time.monotonic() + self.seconds

    def _write(self, method: str, collection, items):
        from core.search import SearchError

        self.calls += 1
        if time.monotonic() < self.down_until:
            self.failed_calls += 1
            raise SearchError("search backend unreachable (connection refused)")
        return getattr(self.inner, method)(collection, items)

    def upsert(self, collection, docs):
        return self._write("upsert", collection, docs)

    def delete(self, collection, items):
        return self._write("delete", collection, items)

    def __getattr__(self, name):
        return getattr(self.inner, name)


# The default back-off (2 s doubling, 8 attempts) rides out about four minutes; scaled down 40 times
# here (0.05 s), an outage of 2.5 s stands for the minute and a half.
BASE_DELAY, OUTAGE_SECONDS, MAX_ATTEMPTS = 0.05, 2.5, 8


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_search_backend_down_for_a_while_loses_nothing(backend, instance, tmp_path):
    from core.enums import OutboxState
    from core.outbox.models import OutboxEvent
    from indexer.worker import Relay
    from webapp.extensions import db

    inst = instance(backend)
    inst.ingest(tmp_path, 300)
    total = inst.outbox()["pending"]
    app = inst.fresh_app()
    with app.app_context():
        backend_down = OutageBackend(app.extensions["search"], OUTAGE_SECONDS)
        relay = Relay(backend_down, batch_size=100, base_delay=BASE_DELAY, max_attempts=MAX_ATTEMPTS)
        backend_down.go_down()
        seen_states = []
        while True:  # the relay's poll, as run_forever makes it
            relay.run_once(db.session)
            state = inst.outbox()
            if time.monotonic() >= backend_down.down_until:  # (this drain may have run past the outage)
                break
            seen_states.append(state)
            time.sleep(0.01)
        # during the outage: every event still in the outbox, none dead, waiting out its back-off
        assert [s for s in seen_states if sum(s.values()) != total or s.get("dead") or s.get("done")] == []
        assert backend_down.failed_calls > 0
        # exponential back-off: an event tried k times waits BASE_DELAY * 2^(k-1) after its last try,
        # and the outage ended before any event reached the dead-letter state (events the last poll,
        # past the outage, delivered are done and not looked at)
        events = db.session.execute(select(OutboxEvent.attempts, OutboxEvent.claimed_at, OutboxEvent.available_at)
                                    .where(OutboxEvent.attempts > 0, OutboxEvent.state == OutboxState.PENDING)).all()
        db.session.rollback()
        assert events and 2 <= max(e.attempts for e in events) < MAX_ATTEMPTS
        for e in events:
            assert (e.available_at - e.claimed_at).total_seconds() >= BASE_DELAY * 2 ** (e.attempts - 1)
        wait_for(lambda: relay.drain(db.session) and inst.outbox() == {"done": total}, 30, "recovery", 0.1)
    assert inst.scalar("SELECT count(*) FROM posting_sources") == 300
    assert_index_equals_database(inst)


# --- PostgreSQL connections lost during an ingest ------------------------------------------------------

INGEST_ROWS = 3000  # three batches of 1,000


def _terminate_connections(url: str) -> int:
    """From a connection of our own, end every other session on the ingest's database (the shared server
    keeps running: other engineers and CI use it)."""
    name = make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).all())
    finally:
        engine.dispose()


def test_postgres_connections_lost_during_an_ingest(instance, tmp_path):
    from core.ingest.models import IngestRun
    from webapp.extensions import db

    inst = instance("postgresql")
    path = tmp_path / "big.csv"
    path.write_bytes(postings_csv("pg", INGEST_ROWS))
    ingest = inst.joblink("ingest", "file", str(path), "--channel", "bureau", "--json")
    try:
        # a batch committed and the next one being written: then every connection is cut
        wait_for(lambda: inst.scalar("SELECT count(*) FROM posting_sources") and inst.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND state <> 'idle' "
            "AND pid <> pg_backend_pid()", name=make_url(inst.url).database), 300, "the second batch", 0.02)
        assert _terminate_connections(inst.url) >= 1
        out, err = ingest.communicate(timeout=300)
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.communicate()
    kept = inst.scalar("SELECT count(*) FROM posting_sources")
    assert ingest.returncode == 1, (out.decode()[-1500:], err.decode()[-1500:])
    assert json.loads(out)["error"]["code"] == "database_error"
    assert 0 < kept < INGEST_ROWS and kept % 1000 == 0  # whole batches kept, the cut one rolled back
    with inst.app.app_context():
        run = db.session.scalar(select(IngestRun))
        assert run.status == "failed" and run.finished_at is not None
        assert "terminat" in run.error or "connection" in run.error.lower(), run.error
        db.session.rollback()

    rerun = inst.joblink("ingest", "file", str(path), "--channel", "bureau", "--json")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()[-2000:]
    summary = json.loads(out)
    assert summary["unchanged"] == kept and summary["accepted"] + summary["held"] == INGEST_ROWS - kept
    assert inst.scalar("SELECT count(*) FROM posting_sources") == INGEST_ROWS
    assert inst.scalar("SELECT count(DISTINCT external_id) FROM posting_sources") == INGEST_ROWS  # no doubles
    assert inst.scalar("SELECT count(*) FROM postings") == INGEST_ROWS
    relay = inst.joblink("index", "work", "--once")
    assert relay.communicate(timeout=600) and relay.returncode == 0
    assert_index_equals_database(inst)
