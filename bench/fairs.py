"""Job fair benchmark: one fair with 200 booths, 1,000 postings and 20,000 registrations.

    nice -n 10 .venv/bin/python bench/fairs.py [--registrations 20000] [--checkins 3000] [--concurrency 8]

Measures, in one run, on a fresh SQLite instance in a temporary folder:
- check-in through the HTTP endpoint (POST /fairs/<id>/checkin, JSON, signed in as the fair's
  commissioner, CSRF header) served by gunicorn with 2 workers on loopback: p50/p95/p99 and
  check-ins per second, half of them QR tokens and half 6-digit codes, every one a first check-in;
- beside it the plain database baseline: the same look-up and conditional UPDATE with sqlite3 and
  nothing else (no HTTP, no Flask, no ORM, no audit row);
- the booth shortlist (core.fairs.booth.booth_shortlist) for a booth of 5 postings against the
  fair's registrations, with the seekers' embeddings stored beforehand (a tiny model trained here);
- the report (core.fairs.report.fair_report + the XLSX).
Targets (issue 14): check-in p95 <= 30 ms and >= 200 check-ins/s; shortlist p95 <= 100 ms; report <= 5 s.
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/statistics.py shares its name with a standard-library module: keep this folder off the path.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import sqlite3
import tempfile
import threading
import time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._server import start_gunicorn, stop  # noqa: E402
PASSWORD = "Meng-Shan-Yi-Shui-2026"
TARGETS = {"checkin_p95_ms": 30.0, "checkin_rps": 200.0, "shortlist_p95_ms": 100.0, "report_s": 5.0}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def build(instance: Path, n_regs: int, n_booths: int = 200, n_postings: int = 1000) -> dict:
    """The instance's database: reference data, the fair, booths, postings, jobseekers, registrations."""
    os.environ.update({"JOBLINK_INSTANCE": str(instance), "SEARCH_BACKEND": "null", "DATABASE_URL": ""})
    from sqlalchemy import insert

    from core.accounts.services import create_user
    from core.all_models import metadata
    from core.channels.models import Channel
    from core.enterprises.models import Enterprise
    from core.fairs.models import FairBooth, FairRegistration, JobFair
    from core.postings.models import Posting
    from core.reference.services import load_reference_data
    from core.seekers.models import Jobseeker
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    rnd = random.Random(14)
    titles = ["电焊工", "普工", "保安员", "仓库管理员", "叉车司机", "服务员", "电工", "快递员", "保洁员", "厨师"]
    with app.app_context():
        metadata.create_all(db.engine)
        load_reference_data(db.session)
        staff = create_user(db.session, username="bench_fair_staff", password=PASSWORD, role="commissioner",
                            display_name="压测专员", region_code="371300")
        ch = Channel(code="bench-fair", name="压测渠道", kind="enterprise_direct")
        db.session.add(ch)
        db.session.flush()
        db.session.execute(insert(Enterprise), [{"name": f"压测企业{i}", "normalized_name": f"压测企业{i}",
                                                 "region_code": "371302", "verification_status": "verified"}
                                                for i in range(n_booths)])
        ent_ids = list(db.session.scalars(Enterprise.__table__.select().with_only_columns(Enterprise.id)))
        db.session.execute(insert(Posting), [{"title": rnd.choice(titles), "description": "压测岗位，包吃住。",
                                              "enterprise_id": ent_ids[i % n_booths], "channel_id": ch.id,
                                              "region_code": "371302", "status": "published",
                                              "pay_monthly_min": 4000 + 100 * (i % 30)} for i in range(n_postings)])
        fair = JobFair(title="压测招聘会", region_code="371302", venue="压测会场", date=dt.date.today(),
                       booth_capacity=n_booths, visitor_capacity=n_regs + 10, status="running", created_by=staff.id)
        db.session.add(fair)
        db.session.flush()
        posting_ids = list(db.session.scalars(Posting.__table__.select().with_only_columns(Posting.id).order_by(Posting.id)))
        per = n_postings // n_booths
        db.session.execute(insert(FairBooth), [{"fair_id": fair.id, "enterprise_id": e, "status": "approved",
                                                "booth_number": i + 1, "headcount": 5,
                                                "posting_ids": posting_ids[i * per:(i + 1) * per]}
                                               for i, e in enumerate(ent_ids)])
        db.session.execute(insert(Jobseeker), [{"name": f"求职者{i}", "phone": f"139{i:08d}", "region_code": "371302",
                                                "desired_titles": [rnd.choice(titles)], "skills": ["吃苦耐劳"],
                                                "consent_recommendation": True} for i in range(n_regs)])
        seeker_ids = list(db.session.scalars(Jobseeker.__table__.select().with_only_columns(Jobseeker.id).order_by(Jobseeker.id)))
        codes = rnd.sample(range(10 ** 6), n_regs)
        rows = [{"fair_id": fair.id, "jobseeker_id": s, "code": f"{c:06d}", "token": secrets.token_urlsafe(18)}
                for s, c in zip(seeker_ids, codes)]
        db.session.execute(insert(FairRegistration), rows)
        db.session.commit()
        return {"app": app, "fair_id": fair.id, "rows": rows, "booth_postings": posting_ids[:per]}


def baseline(db_path: Path, keys: list[tuple[str, str]]) -> dict:
    """The same look-up and conditional UPDATE, in sqlite3 alone, one connection, one transaction each."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    lat = []
    start = time.perf_counter()
    for kind, value in keys:
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        col = "token" if kind == "token" else "code"
        row = conn.execute(f"SELECT id, checked_in_at FROM fair_registrations WHERE {col} = ?", (value,)).fetchone()
        conn.execute("UPDATE fair_registrations SET checked_in_at = ? WHERE id = ? AND checked_in_at IS NULL",
                     (dt.datetime.utcnow().isoformat(" "), row[0]))
        conn.execute("COMMIT")
        lat.append((time.perf_counter() - t0) * 1000)
    took = time.perf_counter() - start
    conn.close()
    return {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "rps": len(lat) / took}


def tree_cpu_seconds(pid: int) -> float:
    """The server's own CPU seconds (webapp.server), beside what the shared machine's load does to latency."""
    from webapp.server import tree_cpu_seconds as cpu

    return cpu(pid)


def _cookie(resp, jar: dict) -> None:
    for header in resp.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name] = rest.split(";", 1)[0]


def sign_in(port: int, fair_id: int) -> tuple[str, str]:
    """(Cookie header, CSRF token) of the fair's commissioner, through the real login form."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port)

    def get(path):
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
        resp = conn.getresponse()
        _cookie(resp, jar)
        return resp.read().decode()

    token = re.search(r'name="csrf-token" content="([^"]+)"', get("/login")).group(1)
    body = f"username=bench_fair_staff&password={PASSWORD}&csrf_token={token}"
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    resp = conn.getresponse()
    _cookie(resp, jar)
    resp.read()
    assert resp.status == 302, resp.status
    page = get(f"/fairs/{fair_id}/door")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token


def http_load(port: int, fair_id: int, cookie: str, csrf: str, payloads: list[str], concurrency: int) -> dict:
    lat: list[float] = []
    errors = []
    lock = threading.Lock()
    chunks = [payloads[i::concurrency] for i in range(concurrency)]

    def worker(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Cookie": cookie,
                   "X-CSRFToken": csrf, "Referer": f"http://127.0.0.1:{port}/fairs/{fair_id}/door"}
        mine, bad = [], []
        for code in chunk:
            t0 = time.perf_counter()
            conn.request("POST", f"/fairs/{fair_id}/checkin", body=json.dumps({"code": code}), headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200 or not json.loads(data).get("ok") or json.loads(data).get("already"):
                bad.append((resp.status, data[:200]))
        with lock:
            lat.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    return {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "rps": len(lat) / took,
            "errors": len(errors), "first_error": errors[0] if errors else None}


def first_pass_check_in(session, actor, fair_id: int, raw: str):
    """The first pass's check-in, kept here as the 'before' of the CPU comparison: the whole fair and the
    registration with its person (and their groups) loaded as objects, then the same conditional UPDATE."""
    from sqlalchemy import select, update
    from sqlalchemy.orm import joinedload

    from core.db import utcnow
    from core.fairs import services as svc
    from core.fairs.door import _classified, _code_filter, _refuse
    from core.fairs.models import FairRegistration
    from core.seekers.models import Jobseeker

    fair = svc.fair_for_staff(session, fair_id, actor)
    kind, value = _classified(raw)
    light = joinedload(FairRegistration.jobseeker).lazyload(Jobseeker.region)
    reg = session.scalar(_code_filter(select(FairRegistration), fair.id, kind, value).options(light).limit(1))
    _refuse(kind, reg.fair_id if reg else None, fair.id, reg is not None and reg.cancelled_at is not None)
    done = session.execute(update(FairRegistration).where(FairRegistration.id == reg.id,
                                                          FairRegistration.checked_in_at.is_(None))
                           .values(checked_in_at=utcnow()).execution_options(synchronize_session=False))
    if done.rowcount:
        svc.audit(session, actor, "fair.check_in", fair.id, "招聘会入场签到", ["registration"])
    return reg.jobseeker


def in_process_cpu(app, fair_id: int, codes: list[str]) -> dict:
    """Server CPU per check-in in this process, the first pass's path and today's alternating in blocks
    of 50 on the same data (each a first check-in, committed), so the machine's load hits both alike:
    the service call, the name shown through the privacy rule (audited), the commit."""
    from sqlalchemy import select

    from core.accounts.models import User
    from core.fairs import door
    from core.seekers.privacy import NAME_ONLY, view_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    cpu = {"before": 0.0, "after": 0.0}
    count = {"before": 0, "after": 0}
    with app.test_request_context():
        actor = db.session.scalar(select(User).where(User.username == "bench_fair_staff"))
        for block in range(0, len(codes), 50):
            which = "before" if block // 50 % 2 == 0 else "after"
            c0 = time.process_time()
            for code in codes[block:block + 50]:
                if which == "before":
                    person = first_pass_check_in(db.session, actor, fair_id, code)
                else:
                    person = door.check_in(db.session, actor, fair_id, code).person
                view_jobseeker(db.session, cipher(), actor, person, purpose="招聘会入场签到核对", at_most=NAME_ONLY)
                db.session.commit()
            cpu[which] += time.process_time() - c0
            count[which] += len(codes[block:block + 50])
    return {k: 1000 * cpu[k] / max(1, count[k]) for k in cpu}


def _newcomers_then_shortlist(db, booths, ranker, booth, fair_id: int, n: int = 100) -> float:
    """Seconds of the first shortlist after ``n`` people registered at the door: the kept pool of
    visitors gets the newcomers added (the first pass rebuilt it whole, at most once a minute)."""
    from sqlalchemy import func, insert, select

    from core.fairs.models import FairRegistration
    from core.seekers.models import Jobseeker

    top = db.session.scalar(select(func.max(Jobseeker.id)))
    db.session.execute(insert(Jobseeker), [{"name": f"现场求职者{i}", "phone": f"137{i:08d}", "region_code": "371302",
                                            "desired_titles": ["电焊工"], "skills": ["电焊"],
                                            "consent_recommendation": True} for i in range(n)])
    new = db.session.scalars(select(Jobseeker.id).where(Jobseeker.id > top).order_by(Jobseeker.id)).all()
    db.session.execute(insert(FairRegistration), [{"fair_id": fair_id, "jobseeker_id": s, "code": f"N{i:05d}",
                                                   "token": secrets.token_urlsafe(18)} for i, s in enumerate(new)])
    db.session.commit()
    t0 = time.perf_counter()
    booths.booth_shortlist(db.session, ranker, booth)
    return time.perf_counter() - t0


def shortlist_and_report(app, fair_id: int, instance: Path, repeats: int) -> dict:
    """The booth shortlist (embeddings stored first, as `joblink matcher embed` does) and the report."""
    from sqlalchemy import select

    from core.fairs import booth as booths
    from core.fairs import report as reports
    from core.fairs.models import FairBooth, JobFair
    from core.matching.services import load_embeddings, posting_profile, seeker_profile
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker
    from matching.training import train_encoder
    from webapp.extensions import db
    from webapp.matching.runtime import get_ranker

    out = instance / "models" / "joblink-zh"
    t0 = time.perf_counter()
    train_encoder(ROOT / "tests" / "fixtures" / "matching", out, epochs=2, dim=32, vocab_size=3000, batch_size=64,
                  time_budget_s=None, log=lambda _: None)
    result = {"model_s": time.perf_counter() - t0}
    with app.app_context():
        app.config["MATCHER_MODEL"] = str(out)
        ranker = get_ranker(app)
        seekers = db.session.scalars(select(Jobseeker)).all()
        load_embeddings(db.session, ranker, "seeker", seekers, [seeker_profile(s) for s in seekers])
        postings = db.session.scalars(select(Posting)).all()
        load_embeddings(db.session, ranker, "posting", postings, [posting_profile(p) for p in postings])
        db.session.commit()
        booth = db.session.scalar(select(FairBooth).where(FairBooth.fair_id == fair_id).order_by(FairBooth.booth_number))
        t0 = time.perf_counter()
        booths.booth_shortlist(db.session, ranker, booth)  # builds the fair's visitor pool (then kept)
        result["pool_s"] = time.perf_counter() - t0
        lat, cpu = [], 0.0
        for _ in range(repeats):
            db.session.expire_all()
            t0, c0 = time.perf_counter(), time.process_time()
            rows = booths.booth_shortlist(db.session, ranker, booth)
            lat.append((time.perf_counter() - t0) * 1000)
            cpu += time.process_time() - c0
            db.session.rollback()
        result.update(shortlist_p50=pct(lat, 50), shortlist_p95=pct(lat, 95), shortlist_rows=len(rows),
                      shortlist_cpu_ms=1000 * cpu / repeats)
        result["newcomers_s"] = _newcomers_then_shortlist(db, booths, ranker, booth, fair_id)
        fair = db.session.get(JobFair, fair_id)
        t0 = time.perf_counter()
        rep = reports.fair_report(db.session, fair)
        xlsx = reports.report_xlsx(fair, rep)
        result.update(report_s=time.perf_counter() - t0, report_checked_in=rep.totals.get("checked_in", 0),
                      xlsx_bytes=len(xlsx))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--registrations", type=int, default=20000)
    ap.add_argument("--checkins", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--shortlist-repeats", type=int, default=20)
    ap.add_argument("--in-process", type=int, default=1000, help="check-ins for the in-process before/after CPU")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fairs-") as tmp:
        instance = Path(tmp)
        t0 = time.perf_counter()
        built = build(instance, args.registrations)
        print(f"built: 200 booths, 1000 postings, {args.registrations} registrations in {time.perf_counter() - t0:.1f} s")
        rows = built["rows"]
        random.Random(7).shuffle(rows)
        half = args.checkins
        base_keys = [("token", r["token"]) if i % 2 else ("code", r["code"]) for i, r in enumerate(rows[:half])]
        http_codes = ["JLFAIR:" + r["token"] if i % 2 else r["code"] for i, r in enumerate(rows[half:2 * half])]
        db_path = instance / "joblink.db"
        base = baseline(db_path, base_keys)
        proc, port = start_gunicorn(instance, workers=2)
        try:
            cookie, csrf = sign_in(port, built["fair_id"])
            warm = ["JLFAIR:" + r["token"] for r in rows[2 * half:2 * half + 50]]
            http_load(port, built["fair_id"], cookie, csrf, warm, 2)
            cpu0 = tree_cpu_seconds(proc.pid)
            web = http_load(port, built["fair_id"], cookie, csrf, http_codes, args.concurrency)
            web["server_cpu_ms"] = 1000 * (tree_cpu_seconds(proc.pid) - cpu0) / max(1, web["n"])
        finally:
            stop(proc)
        spare = ["JLFAIR:" + r["token"] if i % 2 else r["code"]
                 for i, r in enumerate(rows[2 * half + 50:2 * half + 50 + args.in_process])]
        web["in_process"] = in_process_cpu(built["app"], built["fair_id"], spare)
        rest = shortlist_and_report(built["app"], built["fair_id"], instance, args.shortlist_repeats)
    report(base, web, rest, args)


def report(base: dict, web: dict, rest: dict, args) -> None:
    print(f"\ncheck-in ({args.checkins} each, first check-ins; HTTP: {args.concurrency} clients, gunicorn 2 workers)")
    print(f"{'path':<34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'per s':>9}{'errors':>8}")
    print(f"{'plain database (sqlite3)':<34}{base['p50']:>9.2f}{base['p95']:>9.2f}{base['p99']:>9.2f}{base['rps']:>9.0f}{0:>8}")
    print(f"{'HTTP endpoint (gunicorn)':<34}{web['p50']:>9.2f}{web['p95']:>9.2f}{web['p99']:>9.2f}{web['rps']:>9.0f}{web['errors']:>8}")
    if web["first_error"]:
        print("first error:", web["first_error"])
    print(f"ratio HTTP / database: p95 x{web['p95'] / base['p95']:.1f}, throughput x{web['rps'] / base['rps']:.2f}")
    cores = os.cpu_count() or 1
    print(f"server CPU per check-in: {web['server_cpu_ms']:.1f} ms (gunicorn master + workers): at most "
          f"{1000 * cores / web['server_cpu_ms']:.0f} check-ins/s on {cores} idle cores; load average now "
          f"{os.getloadavg()[0]:.1f}")
    ip = web["in_process"]
    print(f"in-process CPU per check-in (service + name shown + commit, same run, alternating blocks): first pass "
          f"{ip['before']:.2f} ms, now {ip['after']:.2f} ms")
    print(f"\nbooth shortlist ({rest['shortlist_rows']} rows, 5 postings, {args.registrations} registrations): "
          f"p50 {rest['shortlist_p50']:.0f} ms, p95 {rest['shortlist_p95']:.0f} ms, CPU {rest['shortlist_cpu_ms']:.0f} ms each; "
          f"first call (builds the visitor pool) {rest['pool_s']:.1f} s; after 100 newcomers registered "
          f"{rest['newcomers_s']:.2f} s (added to the pool, not rebuilt)")
    print(f"report + XLSX: {rest['report_s']:.2f} s ({rest['report_checked_in']} checked in, {rest['xlsx_bytes']} bytes)")
    checks = [("check-in p95", web["p95"] <= TARGETS["checkin_p95_ms"]), ("check-ins/s", web["rps"] >= TARGETS["checkin_rps"]),
              ("shortlist p95", rest["shortlist_p95"] <= TARGETS["shortlist_p95_ms"]),
              ("report", rest["report_s"] <= TARGETS["report_s"]), ("no errors", web["errors"] == 0)]
    print("\ntargets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks))


if __name__ == "__main__":
    main()
