"""Writes queue, they never fail: every write path at once, on SQLite and on PostgreSQL.

A real threaded HTTP server (werkzeug ``make_server(threaded=True)``) serves the app so requests
really overlap; threads push partner batches, publish enterprise postings, upload spreadsheets,
register, save profiles and open 为我推荐 while the outbox relay runs in a thread and a separate
process runs ``joblink ingest file``. Afterwards: no HTTP error, and every path's rows are there
exactly once (counted against what was sent).
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.conftest import TEST_KEYS, build_schema_and_reference

ROOT = Path(__file__).resolve().parents[2]
MATCHING_FIXTURES = ROOT / "tests" / "fixtures" / "matching"
PASSWORD = "Qing-He-Lu-88-Hao"

# Distinct jobs and employers, so that deduplication keeps every record as its own posting.
JOBS = ["电焊工", "会计", "保安员", "中式烹调师", "货车司机", "护理员", "维修电工", "幼儿教师", "仓库管理员",
        "销售代表", "叉车司机", "服装缝纫工", "收银员", "快递分拣员", "水电安装工", "客服专员"]
PLACES = ["广东省广州市海珠区", "广东省广州市天河区", "广东省广州市白云区", "广东省广州市番禺区"]

# How much each path does (threads x requests x records), kept small for 2 shared cores.
PUSH_THREADS, PUSHES, RECORDS = 4, 4, 8
PUBLISHERS, PUBLISHES = 2, 4
UPLOADS, UPLOAD_ROWS = 2, 12
REGISTRARS, REGISTRATIONS = 3, 3
SAVERS, SAVES = 3, 3
VISITORS, VISITS = 3, 3
CLI_ROWS = 150


# --- a tiny HTTP client with a cookie jar -----------------------------------------------------------

class Client:
    def __init__(self, port: int, username: str = "", n: int = 0):
        self.port, self.username, self.n = port, username, n
        self.cookies: dict[str, str] = {}
        if username:
            self.login()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        for raw in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, data

    def form(self, path: str, fields: dict):
        return self.request("POST", path, urlencode(fields, doseq=True).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, fields: dict, filename: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self) -> None:
        status, data = self.form("/login", {"username": self.username, "password": PASSWORD})
        assert status == 302, data[:300]


# --- what is sent --------------------------------------------------------------------------------

def _record(tag: str, n: int) -> dict:
    job = JOBS[n % len(JOBS)]
    return {"external_id": f"{tag}-{n}", "title": f"{job}（{tag}第{n}号）",
            "description": f"{job}岗位，{tag}批次第{n}号，负责本岗位日常工作，按时上下班。要求能吃苦耐劳。",
            "employer": {"name": f"广州{tag}{n}号服务有限公司"}, "location": {"text": PLACES[n % len(PLACES)]},
            "salary": {"text": f"{4000 + 100 * (n % 30)}-{7000 + 100 * (n % 30)}元/月"}, "headcount": 2}


def _csv(tag: str, rows: int) -> bytes:
    lines = ["职位,公司名称,工作地点,薪酬,人数,工作内容"]
    for n in range(rows):
        r = _record(tag, n)
        lines.append(f"{r['title']},{r['employer']['name']},{r['location']['text']},{r['salary']['text']},2,"
                     f"{r['description']}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Sent:
    """What the threads sent, per path, and every failed answer."""
    errors: list[str] = field(default_factory=list)
    pushed: dict[str, set[str]] = field(default_factory=dict)  # channel code -> external ids
    published: list[str] = field(default_factory=list)  # titles
    registered: list[str] = field(default_factory=list)  # usernames
    last_summary: dict[str, str] = field(default_factory=dict)  # username -> summary saved last
    visits: dict[str, int] = field(default_factory=dict)  # username -> recommendation visits
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, what: str, status: int, data: bytes, stored, ok=(200, 302)) -> None:
        """Count what the answer says was stored (``stored()``), or the error."""
        with self.lock:
            if status in ok:
                stored()
            else:
                self.errors.append(f"{what}: HTTP {status} {data[:200]!r}")


# --- the world before the storm --------------------------------------------------------------------

@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from matching.training import train_encoder

    out = tmp_path_factory.mktemp("concurrency-model")
    train_encoder(MATCHING_FIXTURES, out, epochs=2, dim=32, vocab_size=3000, batch_size=64, time_budget_s=None,
                  log=lambda _: None)
    return out


@dataclass
class World:
    app: object
    url: str
    port: int
    instance: Path
    keys: dict[str, str]  # channel code -> API key
    publishers: list[str]
    savers: list[str]
    visitors: list[str]
    staff: str


def _seed(app, backend: str) -> tuple[dict[str, str], list[str], list[str], list[str], str]:
    from core.accounts.services import create_user
    from core.channels.services import create_channel, issue_api_key
    from core.enterprises.models import Enterprise
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    run = uuid.uuid4().hex[:6]
    with app.app_context():
        s = db.session
        keys = {}
        for i in range(PUSH_THREADS):
            ch = create_channel(s, f"push-{i}", f"推送渠道{i}", "hr_firm", trust_level="trusted",
                                licence_number=f"（粤）人服证字〔2020〕第01010001{i:02d}号")
            keys[ch.code] = issue_api_key(s, ch)
        for code in ("upload", "cli"):
            create_channel(s, code, f"{code}渠道", "public_agency", trust_level="trusted")
        staff = create_user(s, username=f"staff_{run}", password=PASSWORD, role="admin").username
        publishers = []
        for i in range(PUBLISHERS):
            ent = Enterprise(name=f"并发测试{i}号有限公司", normalized_name=f"并发测试{i}号", region_code="440106")
            s.add(ent)
            s.flush()
            publishers.append(create_user(s, username=f"ent{i}_{run}", password=PASSWORD, role="enterprise",
                                          enterprise_id=ent.id).username)
        savers = [create_user(s, username=f"saver{i}_{run}", password=PASSWORD, role="jobseeker").username
                  for i in range(SAVERS)]
        visitors = []
        for i in range(VISITORS):
            user = create_user(s, username=f"visitor{i}_{run}", password=PASSWORD, role="jobseeker")
            s.add(Jobseeker(user_id=user.id, name=f"访客{i}", region_code="440106", desired_titles=[JOBS[i]],
                            skills=["电焊"], consent_recommendation=True))
            visitors.append(user.username)
        s.commit()
    return keys, publishers, savers, visitors, staff


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, fresh_database_url, app_factory, model_dir, tmp_path):
    url = fresh_database_url(request.param)
    app = app_factory(url, SERVER_NAME=None, MATCHER_MODEL=str(model_dir))
    build_schema_and_reference(app)
    keys, publishers, savers, visitors, staff = _seed(app, request.param)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    w = World(app, url, server.server_port, Path(app.instance_path), keys, publishers, savers, visitors, staff)
    # postings to recommend, pushed before the storm (not counted with it)
    seed_key = next(iter(keys.values()))
    status, data = Client(w.port).request("POST", "/api/v1/partner/postings",
                                          json.dumps({"postings": [_record("seed", n) for n in range(6)]}).encode(),
                                          {"X-API-Key": seed_key, "Content-Type": "application/json"})
    assert status == 200, data[:300]
    yield w
    server.shutdown()
    from webapp.extensions import db

    with app.app_context():
        db.engine.dispose()


# --- the writers ---------------------------------------------------------------------------------

def _pusher(w: World, sent: Sent, code: str, start: threading.Barrier) -> None:
    c = Client(w.port)
    start.wait()
    for b in range(PUSHES):
        records = [_record(f"{code}b{b}", n) for n in range(RECORDS)]
        status, data = c.request("POST", "/api/v1/partner/postings", json.dumps({"postings": records}).encode(),
                                 {"X-API-Key": w.keys[code], "Content-Type": "application/json"})
        sent.answer(f"push {code}", status, data,
                    lambda: sent.pushed.setdefault(code, set()).update(r["external_id"] for r in records))


def _submit_forms(c: Client, sent: Sent, start: threading.Barrier, path: str, forms: list[tuple[dict, object]]) -> None:
    """Post each form in turn once the storm starts; ``stored()`` counts what an accepted one stored."""
    start.wait()
    for fields, stored in forms:
        status, data = c.form(path, fields)
        sent.answer(f"{path} {c.username}", status, data, stored)


def _publisher(w: World, sent: Sent, c: Client, start: threading.Barrier) -> None:
    titles = [f"{JOBS[(n * 3) % len(JOBS)]}（{c.username}第{n}岗）" for n in range(PUBLISHES)]
    _submit_forms(c, sent, start, "/enterprise/postings/new", [
        ({"title": t, "description": f"{t}，负责本岗位日常工作，要求身体健康。", "pay_min": "4500", "pay_max": "6500",
          "pay_unit": "month", "headcount": "3", "region_code": "440106", "employment_type": "full_time"},
         lambda t=t: sent.published.append(t)) for t in titles])


def _uploader(w: World, sent: Sent, c: Client, start: threading.Barrier) -> None:
    start.wait()
    tag = f"up{c.n}"
    status, data = c.upload("/partner/upload", {"channel": "upload"}, f"{tag}.csv", _csv(tag, UPLOAD_ROWS))
    sent.answer(f"upload {tag}", status, data,
                lambda: sent.pushed.setdefault("upload", set()).update(f"{tag}-{i}" for i in range(UPLOAD_ROWS)))


def _registrar(w: World, sent: Sent, n: int, start: threading.Barrier) -> None:
    start.wait()
    for k in range(REGISTRATIONS):
        c = Client(w.port)
        username = f"reg{n}x{k}{uuid.uuid4().hex[:4]}"
        status, data = c.form("/register/jobseeker", {
            "username": username, "password": PASSWORD, "password_confirm": PASSWORD, "name": f"注册{n}{k}",
            "phone": f"139{n:02d}{k:02d}{uuid.uuid4().int % 10000:04d}", "region_code": "440106",
            "consent_recommendation": "on"})
        sent.answer(f"register {username}", status, data, lambda: sent.registered.append(username))


def _saver(w: World, sent: Sent, c: Client, start: threading.Barrier) -> None:
    summaries = [f"{c.username} 第{k}次保存" for k in range(SAVES)]
    _submit_forms(c, sent, start, "/me/profile/edit", [
        ({"name": "保存测试", "phone": "13800138000", "region_code": "440106", "education": "senior",
          "experience_years": "3", "skills": "电焊、气割", "desired_titles": JOBS[k], "availability": "immediate",
          "summary": summary, "consent_recommendation": "on"},
         lambda summary=summary: sent.last_summary.__setitem__(c.username, summary))
        for k, summary in enumerate(summaries)])


def _visitor(w: World, sent: Sent, c: Client, start: threading.Barrier) -> None:
    username = c.username
    start.wait()
    for _ in range(VISITS):
        status, data = c.request("GET", "/seeker/recommendations")
        sent.answer(f"recommendations {username}", status, data,
                    lambda: sent.visits.__setitem__(username, sent.visits.get(username, 0) + 1), ok=(200,))


def _embedder(w: World):
    from core.matching.services import embed_postings
    from matching.encoder import load_encoder
    from matching.ranker import Ranker

    ranker = Ranker(load_encoder(w.app.config["MATCHER_MODEL"]))
    return lambda session, ids: embed_postings(session, ranker, ids)


def _relay(w: World, sent: Sent, stop: threading.Event) -> None:
    """The outbox relay beside the web app, as ``joblink serve`` runs it (its own engine)."""
    from core.db import make_engine, make_sessionmaker
    from core.search import NullBackend
    from indexer.worker import Relay

    engine = make_engine(w.url)
    factory = make_sessionmaker(engine)
    relay = Relay(NullBackend(), batch_size=20, embed=_embedder(w))
    while not stop.is_set():
        session = factory()
        try:
            relay.drain(session, max_batches=5)
        except Exception as exc:  # counted: the relay must queue like everyone else
            with sent.lock:
                sent.errors.append(f"relay: {type(exc).__name__}: {str(exc)[:200]}")
            session.rollback()
        finally:
            session.close()
        stop.wait(0.05)
    engine.dispose()


def _cli_ingest(w: World, tmp_path: Path) -> subprocess.Popen:
    path = tmp_path / "cli.csv"
    path.write_bytes(_csv("cli", CLI_ROWS))
    env = {**os.environ, **TEST_KEYS, "DATABASE_URL": w.url, "JOBLINK_INSTANCE": str(w.instance),
           "SEARCH_BACKEND": "null"}
    return subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "ingest", "file", str(path), "--channel", "cli",
                             "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _guarded(fn, w: World, sent: Sent, arg, start: threading.Barrier) -> None:
    try:
        fn(w, sent, arg, start)
    except Exception as exc:  # a worker that dies is an error, and must not leave the others waiting
        start.abort()
        with sent.lock:
            sent.errors.append(f"{fn.__name__}: {type(exc).__name__}: {exc}")


def _storm(w: World, tmp_path: Path) -> Sent:
    sent = Sent()
    signed_in = lambda users: [Client(w.port, u) for u in users]  # noqa: E731  (before the storm)
    jobs = ([(_pusher, code) for code in w.keys] + [(_publisher, c) for c in signed_in(w.publishers)]
            + [(_uploader, Client(w.port, w.staff, n)) for n in range(UPLOADS)]
            + [(_registrar, n) for n in range(REGISTRARS)]
            + [(_saver, c) for c in signed_in(w.savers)] + [(_visitor, c) for c in signed_in(w.visitors)])
    start = threading.Barrier(len(jobs) + 1, timeout=300)
    threads = [threading.Thread(target=_guarded, args=(fn, w, sent, arg, start)) for fn, arg in jobs]
    for t in threads:
        t.start()
    stop = threading.Event()
    relay = threading.Thread(target=_relay, args=(w, sent, stop))
    relay.start()
    start.wait()
    cli = _cli_ingest(w, tmp_path)
    out, err = cli.communicate(timeout=600)
    for t in threads:
        t.join(600)
    stop.set()
    relay.join(60)
    if cli.returncode != 0:
        sent.errors.append(f"cli ingest: exit {cli.returncode} {err.decode()[-500:]}")
    else:
        sent.pushed["cli"] = {f"cli-{i}" for i in range(CLI_ROWS)}
    return sent


# --- the count -----------------------------------------------------------------------------------

def _external_ids(session, code: str) -> list[str]:
    from core.channels.models import Channel
    from core.postings.models import PostingSource

    return list(session.scalars(select(PostingSource.external_id).join(Channel, Channel.id == PostingSource.channel_id)
                                .where(Channel.code == code)))


def _assert_every_record_once(w: World, sent: Sent) -> None:
    from core.accounts.models import User
    from core.matching.models import RankedListRecord
    from core.postings.models import Posting, PostingSource
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    with w.app.app_context():
        s = db.session
        for code, ids in sent.pushed.items():
            stored = [e for e in _external_ids(s, code) if not e.startswith("seed-")]
            if code in ("upload", "cli"):  # spreadsheet rows: one source per row
                assert len(stored) == len(ids), code
            else:
                assert sorted(stored) == sorted(ids), code
        titles = list(s.scalars(select(Posting.title).where(Posting.title.in_(sent.published))))
        assert sorted(titles) == sorted(sent.published)
        # every posting came from a source, none without one
        assert s.scalar(select(func.count()).select_from(Posting)) == s.scalar(
            select(func.count(func.distinct(PostingSource.posting_id))))
        assert s.scalar(select(func.count()).select_from(User).where(User.username.in_(sent.registered))) == len(
            sent.registered)
        for username, summary in sent.last_summary.items():
            rows = s.scalars(select(Jobseeker).join(User, User.id == Jobseeker.user_id)
                             .where(User.username == username)).all()
            assert [r.summary for r in rows] == [summary], username
        for username, visits in sent.visits.items():  # 为我推荐 answered every visit and wrote nothing
            assert visits == VISITS, username
            n = s.scalar(select(func.count()).select_from(RankedListRecord).join(
                Jobseeker, Jobseeker.id == RankedListRecord.jobseeker_id).join(User, User.id == Jobseeker.user_id)
                .where(User.username == username))
            assert n == 0, username


def _assert_embeddings_written_on_save_only(w: World, sent: Sent) -> None:
    """为我推荐 only reads (the visitors never saved a profile: no vector of theirs is stored); a saved
    profile has its current vector."""
    from core.accounts.models import User
    from core.matching.models import StoredEmbedding
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    def vectors(username: str) -> list[tuple[int, int]]:
        return db.session.execute(select(StoredEmbedding.subject_version, Jobseeker.version)
                                  .join(Jobseeker, Jobseeker.id == StoredEmbedding.subject_id)
                                  .join(User, User.id == Jobseeker.user_id)
                                  .where(StoredEmbedding.subject_type == "seeker", User.username == username)).all()

    with w.app.app_context():
        assert all(vectors(u) == [] for u in w.visitors)
        for username in sent.last_summary:
            assert [stored == current for stored, current in vectors(username)] == [True], username


def _assert_outbox_drained_and_postings_embedded(w: World) -> None:
    from core.db import make_engine, make_sessionmaker
    from core.enums import PostingStatus
    from core.matching.models import StoredEmbedding
    from core.postings.models import Posting
    from core.search import NullBackend
    from indexer.worker import Relay, outbox_counts

    engine = make_engine(w.url)
    session = make_sessionmaker(engine)()
    try:
        Relay(NullBackend(), base_delay=0, embed=_embedder(w)).drain(session)
        counts = outbox_counts(session)
        published = dict(session.execute(select(Posting.id, Posting.version)
                                         .where(Posting.status == PostingStatus.PUBLISHED)).all())
        vectors = dict(session.execute(select(StoredEmbedding.subject_id, StoredEmbedding.subject_version)
                                       .where(StoredEmbedding.subject_type == "posting")).all())
    finally:
        session.close()
        engine.dispose()
    assert set(counts) <= {"done"}, counts
    assert published and {i: vectors.get(i) for i in published} == published  # the relay stored them


def test_every_write_path_at_once_queues_and_keeps_every_record_once(world, tmp_path):
    sent = _storm(world, tmp_path)
    requests = (PUSH_THREADS * PUSHES + PUBLISHERS * PUBLISHES + UPLOADS + REGISTRARS * REGISTRATIONS
                + SAVERS * SAVES + VISITORS * VISITS)
    by_path = Counter(e.split(" ", 1)[0].rstrip(":").strip("/") for e in sent.errors)
    print(f"\nconcurrent writes: {len(sent.errors)} errors of {requests} requests + 1 CLI ingest + relay "
          f"{dict(by_path)}")
    assert sent.errors == []
    _assert_every_record_once(world, sent)
    _assert_embeddings_written_on_save_only(world, sent)
    _assert_outbox_drained_and_postings_embedded(world)
