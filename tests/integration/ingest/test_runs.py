"""Run records always finish (issue 11): an exception or an interruption mid-batch leaves the run
``failed``/``interrupted`` with the counts of the batches that committed; a ``joblink ingest file``
killed with SIGKILL leaves its run ``running`` with exactly the committed counts, and ``ingest
status`` and the admin page report it stale (可能已中断); SIGTERM records it interrupted."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.ingest.models import IngestRun, RejectedRecord
from core.postings.models import PostingSource
from tests.conftest import TEST_KEYS, TEST_PASSWORD, build_schema_and_reference

ROOT = Path(__file__).resolve().parents[3]
JOBS = ["电焊工", "会计", "保安员", "中式烹调师", "货车司机", "护理员", "维修电工", "幼儿教师", "仓库管理员", "叉车司机"]
PLACES = ["广东省广州市海珠区", "广东省广州市天河区", "广东省广州市白云区", "广东省广州市番禺区"]


def postings_csv(tag: str, rows: int) -> bytes:
    """A spreadsheet (CSV) of ``rows`` distinct postings (distinct jobs and employers: none merge)."""
    lines = ["岗位编号,职位,公司名称,工作地点,薪酬,人数,工作内容"]
    for n in range(rows):
        job, pay = JOBS[n % len(JOBS)], 4000 + 100 * (n % 30)
        lines.append(f"{tag}-{n},{job}（{tag}第{n}号）,广州{tag}{n}号服务有限公司,{PLACES[n % len(PLACES)]},"
                     f"{pay}-{pay + 3000}元/月,2,{job}岗位，{tag}批次第{n}号，负责本岗位日常工作，按时上下班。")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _committed(session, run: IngestRun) -> tuple[int, int]:
    """(sources, rejected records) the database holds for the run's channel / the run."""
    sources = session.scalar(select(func.count()).select_from(PostingSource)
                             .where(PostingSource.channel_id == run.channel_id))
    rejected = session.scalar(select(func.count()).select_from(RejectedRecord).where(RejectedRecord.run_id == run.id))
    return sources, rejected


# --- in process: an exception or an interruption in the third batch ----------------------------------

@pytest.mark.parametrize("stop", [RuntimeError("磁盘已满"), KeyboardInterrupt()], ids=["exception", "interrupt"])
def test_a_run_stopped_mid_batch_ends_with_the_counts_it_committed(db_session, make_channel, tmp_path, monkeypatch,
                                                                    stop):
    from indexer.intake import IntakeOptions, Pipeline
    from indexer.intake import persist
    from indexer.sources import spreadsheet

    ch = make_channel("agency-runs")
    path = tmp_path / "postings.csv"
    path.write_bytes(postings_csv("run", 35))
    _, drafts = spreadsheet.read(path, ch.code)
    real_write, calls = persist.Writes.write, []

    def failing_write(self, *args, **kwargs):
        calls.append(1)
        real_write(self, *args, **kwargs)   # the third batch's rows are written, then it fails before commit
        if len(calls) == 3:
            raise stop

    monkeypatch.setattr(persist.Writes, "write", failing_write)
    pipe = Pipeline(db_session, IntakeOptions(run_kind="file", source_name=path.name, batch_size=10))
    with pytest.raises(type(stop)):
        pipe.ingest(drafts, ch.code)
    db_session.expire_all()
    run = db_session.get(IngestRun, pipe.run.id)
    assert run.status == ("failed" if isinstance(stop, RuntimeError) else "interrupted")
    assert run.finished_at is not None and run.error and "SQL" not in run.error
    assert run.received == 20 and run.created + run.merged + run.rejected == 20   # two batches committed
    assert _committed(db_session, run) == (run.created + run.merged, run.rejected)


def test_a_finished_run_counts_every_record(db_session, make_channel, tmp_path):
    from indexer.intake import IntakeOptions, Pipeline
    from indexer.sources import spreadsheet

    ch = make_channel("agency-done")
    path = tmp_path / "postings.csv"
    path.write_bytes(postings_csv("done", 25))
    _, drafts = spreadsheet.read(path, ch.code)
    summary = Pipeline(db_session, IntakeOptions(batch_size=10)).ingest(drafts, ch.code)
    run = db_session.get(IngestRun, summary.run_id)
    assert (run.status, run.received, run.created) == ("done", 25, summary.counts["accepted"] + summary.counts["held"])
    assert _committed(db_session, run) == (run.created + run.merged, run.rejected)


def test_a_run_that_stopped_moving_is_stale(db_session, make_channel):
    from core.db import utcnow
    from core.ingest.services import STALE_AFTER, run_state, runs_with_state

    ch = make_channel("agency-stale")
    now = utcnow()
    old = IngestRun(channel_id=ch.id, kind="file", status="running", started_at=now - dt.timedelta(hours=3),
                    finished_at=now - STALE_AFTER - dt.timedelta(minutes=1), received=2000)
    moving = IngestRun(channel_id=ch.id, kind="file", status="running", started_at=now - dt.timedelta(hours=3),
                       finished_at=now - dt.timedelta(seconds=20), received=9000)
    done = IngestRun(channel_id=ch.id, kind="file", status="done", started_at=now - dt.timedelta(hours=5),
                     finished_at=now - dt.timedelta(hours=4))
    db_session.add_all([old, moving, done])
    db_session.flush()
    assert run_state(old, now).state == "stale" and "可能已中断" in run_state(old, now).label
    assert run_state(moving, now).state == "running" and run_state(done, now).state == "done"
    # a stale run never scrolls out of the list, however many runs came after it
    for _ in range(3):
        db_session.add(IngestRun(channel_id=ch.id, kind="push", status="done", finished_at=now))
    db_session.flush()
    listed = {s.run.id: s.state for s in runs_with_state(db_session, 2, now=now)}
    assert listed[old.id] == "stale" and listed[moving.id] == "running" and done.id not in listed


def test_the_admin_page_lists_runs_and_says_which_may_have_stopped(client, db_session, make_channel, login_as):
    from core.db import utcnow

    ch = make_channel("agency-page", name="海珠区人力资源市场")
    now = utcnow()
    stale = IngestRun(channel_id=ch.id, kind="file", source_name="六月岗位.csv", status="running",
                      started_at=now - dt.timedelta(hours=1), finished_at=now - dt.timedelta(minutes=40), received=3000)
    db_session.add(stale)
    db_session.commit()
    login_as("admin")
    html = client.get("/admin/runs").get_data(as_text=True)
    assert "六月岗位.csv" in html and "海珠区人力资源市场" in html and "可能已中断" in html and "3000" in html
    assert "有 1 次导入可能已中断" in html
    client.post("/logout")
    login_as("reviewer")
    assert client.get("/admin/runs").status_code == 403


# --- a real `joblink ingest file` process, killed mid-run --------------------------------------------

ROWS = 6_000   # six batches of 1,000: the process is still running when the first has committed


@pytest.fixture(params=["sqlite", "postgresql"])
def instance(request, fresh_database_url, app_factory, tmp_path):
    """A fresh database with the reference data and one channel; (app, url, instance folder)."""
    from core.channels.services import create_channel
    from webapp.extensions import db

    url = fresh_database_url(request.param)
    folder = tmp_path / "instance"
    folder.mkdir()
    app = app_factory(url, INSTANCE_PATH=str(folder))
    build_schema_and_reference(app)
    with app.app_context():
        create_channel(db.session, "haizhu", "海珠区人力资源市场", "hr_market")
        db.session.commit()
    return app, url, folder


def _cli(url: str, folder: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, **TEST_KEYS, "DATABASE_URL": url, "JOBLINK_INSTANCE": str(folder), "SEARCH_BACKEND": "null"}
    return subprocess.Popen([sys.executable, "-m", "webapp.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run_row(app) -> IngestRun | None:
    from webapp.extensions import db

    with app.app_context():
        run = db.session.scalar(select(IngestRun).order_by(IngestRun.id.desc()))
        if run is not None:
            db.session.expunge(run)
        db.session.remove()
        return run


def _ingest_stopped_after_first_batch(instance, tmp_path: Path, sig: int) -> tuple[int, IngestRun]:
    """Run ``joblink ingest file`` on a big file, send ``sig`` once its first batch has committed;
    (the process's return code, its run as the database then holds it)."""
    app, url, folder = instance
    path = tmp_path / "big.csv"
    path.write_bytes(postings_csv(f"sig{sig}", ROWS))
    proc = _cli(url, folder, "ingest", "file", str(path), "--channel", "haizhu", "--json")
    try:
        deadline = time.monotonic() + 120
        while (run := _run_row(app)) is None or run.received == 0:
            assert proc.poll() is None, proc.stderr.read().decode("utf-8", "replace")[-2000:]
            assert time.monotonic() < deadline, "no batch committed within two minutes"
            time.sleep(0.05)
        assert run.status == "running", "the run ended before it could be stopped"
        proc.send_signal(sig)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    return proc.returncode, _run_row(app)


def _assert_counts_match_the_database(app, run: IngestRun) -> None:
    from webapp.extensions import db

    with app.app_context():
        assert 0 < run.received < ROWS and run.received % 1000 == 0   # whole batches only
        assert _committed(db.session, run) == (run.created + run.merged, run.rejected)
        db.session.remove()


def test_a_killed_ingest_is_reported_stale_with_its_committed_counts(instance, tmp_path):
    app = instance[0]
    code, run = _ingest_stopped_after_first_batch(instance, tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert run.status == "running" and run.finished_at is not None   # nobody could finish it
    _assert_counts_match_the_database(app, run)

    def status(*extra: str) -> str:
        done = app.test_cli_runner().invoke(args=["ingest", "status", *extra])
        assert done.exit_code == 0, done.output
        return done.output

    moving = json.loads(status("--json"))   # it committed a batch moments ago: not yet suspicious
    assert [(r["id"], r["state"]) for r in moving["running"]] == [(run.id, "running")] and moving["stale"] == 0
    stale = json.loads(status("--json", "--stale-minutes", "0"))
    [reported] = stale["running"]
    assert (reported["id"], reported["state"], reported["received"]) == (run.id, "stale", run.received)
    assert "可能已中断" in reported["label"] and stale["stale"] == 1
    text = status("--stale-minutes", "0")
    assert "可能已中断 1 个" in text and f"#{run.id}" in text


def test_sigterm_records_the_run_interrupted(instance, tmp_path):
    code, run = _ingest_stopped_after_first_batch(instance, tmp_path, signal.SIGTERM)
    assert code not in (0, None)
    assert run.status == "interrupted" and "SIGTERM" in run.error
    _assert_counts_match_the_database(instance[0], run)
