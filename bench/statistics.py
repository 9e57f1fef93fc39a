"""Statistics benchmark: the /stats pages' queries over the pre-aggregated cube, beside a plain
GROUP BY over the base tables, at province scale.

    nice -n 10 .venv/bin/python bench/statistics.py [--postings 90000] [--seekers 1000000] [--repeat 20]

On a fresh SQLite database in a temporary folder (schema and reference data loaded): N postings
(published over the last 24 months; regions 70% in one province's counties, the rest anywhere;
occupations drawn with a long tail over the detailed codes; 30% aimed at a priority group) and M
jobseekers (one to three wanted occupations, groups, ages, education), inserted in bulk. Then:
- ``joblink stats refresh``'s work (core.statistics.cells.refresh_cells) timed once;
- each page query (stats home by region at province/city/county level, by occupation at each level,
  by education/group/age/month, a county × occupation drill) ``--repeat`` times: p50/p95;
- beside each, the same figures by plain GROUP BY over postings and jobseekers (json_each for wanted
  occupations), p50/p95;
- the quarterly report (core.statistics.report.quarterly_report) and its XLSX and Word files.
Targets (issue 16): every page's query p95 <= 500 ms, the quarterly report <= 30 s.
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file shares its name with the standard library's statistics module: keep this folder off the
# import path.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._apps import make_app  # noqa: E402

PROVINCE = "37"  # 山东: the demo's province
GROUPS = ("graduate", "veteran", "migrant_worker", "laid_off", "hard_to_employ", "disabled")
EDUCATION = ("none", "junior", "senior", "associate", "bachelor", "master")
TYPES = ("full_time", "full_time", "full_time", "gig", "part_time", "internship")
TARGET_P95_MS, TARGET_REPORT_S = 500.0, 30.0


def _codes(session):
    from core.reference.services import occupation_directory, region_directory

    regions = region_directory(session)
    home = [r.code for r in regions.by_prefix(PROVINCE) if r.level == 3]
    anywhere = [r.code for r in regions.all(level=3)]
    occupations = sorted(o.code for o in occupation_directory(session).all(level=4))
    return home, anywhere, occupations


def _pick(rnd, home, anywhere):
    return rnd.choice(home) if rnd.random() < 0.7 else rnd.choice(anywhere)


def _occupation(rnd, occupations):
    return occupations[min(int(rnd.paretovariate(1.1)) * 7 % len(occupations), len(occupations) - 1)]


def generate(session, n_postings: int, n_seekers: int, seed: int = 16) -> None:
    from core.channels.models import Channel
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker, JobseekerGroup

    rnd = random.Random(seed)
    home, anywhere, occupations = _codes(session)
    channels = [Channel(code=f"bench-{k}", name=f"渠道{k}", kind=k) for k in
                ("provincial_site", "gig_platform", "public_agency", "hr_market", "hr_firm")]
    session.add_all(channels)
    session.flush()
    now = dt.datetime(2026, 12, 1)
    rows = []
    for i in range(n_postings):
        published = now - dt.timedelta(days=rnd.randint(0, 720), seconds=rnd.randint(0, 86399))
        status = rnd.choice(("published", "published", "expired", "withdrawn", "filled"))
        rows.append({"title": "岗位", "description": "", "region_code": _pick(rnd, home, anywhere),
                     "occupation_code": _occupation(rnd, occupations) if rnd.random() < 0.9 else None,
                     "headcount": rnd.choice((None, 1, 2, 3, 5, 10, 20)), "status": status,
                     "published_at": published, "created_at": published, "updated_at": published + dt.timedelta(days=40),
                     "valid_until": (published + dt.timedelta(days=rnd.choice((30, 60, 90, 180)))).date(),
                     "education": rnd.choice(EDUCATION), "employment_type": rnd.choice(TYPES),
                     "channel_id": rnd.choice(channels).id, "version": 1, "review_reasons": [], "welfare_tags": [],
                     "skills": [], "is_demo": False,
                     "target_groups": [rnd.choice(GROUPS)] if rnd.random() < 0.3 else []})
        if len(rows) == 20_000:
            session.execute(Posting.__table__.insert(), rows)
            rows = []
    if rows:
        session.execute(Posting.__table__.insert(), rows)
    _generate_seekers(session, rnd, n_seekers, home, anywhere, occupations, now)
    session.commit()


def _generate_seekers(session, rnd, n, home, anywhere, occupations, now) -> None:
    from core.seekers.models import Jobseeker, JobseekerGroup

    first = (session.execute(Jobseeker.__table__.select().with_only_columns(Jobseeker.id)
                             .order_by(Jobseeker.id.desc()).limit(1)).scalar() or 0) + 1
    rows, groups = [], []
    for i in range(n):
        created = now - dt.timedelta(days=rnd.randint(0, 900))
        wanted = [_occupation(rnd, occupations) for _ in range(rnd.choice((1, 1, 2, 3)))]
        rows.append({"id": first + i, "name": "求职者", "region_code": _pick(rnd, home, anywhere),
                     "education": rnd.choice(EDUCATION), "birth_date": dt.date(rnd.randint(1965, 2008), 6, 1),
                     "desired_occupations": wanted, "desired_titles": [], "desired_regions": [], "skills": [],
                     "certificates": [], "experience_years": 0, "summary": "", "origin": "demo", "is_demo": True,
                     "consent_recommendation": False, "consent_visible_to_enterprises": False,
                     "availability": "unavailable" if rnd.random() < 0.15 else "immediate",
                     "created_at": created, "updated_at": created, "version": 1})
        if rnd.random() < 0.25:
            groups.append({"jobseeker_id": first + i, "group": rnd.choice(GROUPS), "verification": "verified"})
        if len(rows) == 50_000:
            session.execute(Jobseeker.__table__.insert(), rows)
            session.execute(JobseekerGroup.__table__.insert(), groups) if groups else None
            rows, groups = [], []
    if rows:
        session.execute(Jobseeker.__table__.insert(), rows)
    if groups:
        session.execute(JobseekerGroup.__table__.insert(), groups)


# --- the measurements ----------------------------------------------------------------------------------

def _timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], result


def pages():
    """(name, filters, by) of the queries the /stats pages run."""
    from core.statistics.queries import Filters

    return [
        ("全省 按地市", Filters(region=f"{PROVINCE}0000"), "region"),
        ("地市 按区县", Filters(region=f"{PROVINCE}0100"), "region"),
        ("区县 按职业大类", Filters(region=f"{PROVINCE}0102"), "occupation"),
        ("全部 按职业大类", Filters(), "occupation"),
        ("职业中类 6-18 按小类", Filters(occupation="6-18"), "occupation"),
        ("职业小类 按细类 × 地市", Filters(region=f"{PROVINCE}0100", occupation="6-18-02"), "occupation"),
        ("按学历", Filters(region=f"{PROVINCE}0000"), "education"),
        ("按重点群体", Filters(region=f"{PROVINCE}0000"), "group"),
        ("按年龄段", Filters(region=f"{PROVINCE}0000"), "age_band"),
        ("按月份", Filters(region=f"{PROVINCE}0000"), "month"),
        ("按用工形式（零工）", Filters(region=f"{PROVINCE}0000"), "employment_type"),
    ]


def plain_group_by(conn, period, filters, by) -> None:
    """The same demand and supply straight from the base tables (what the cube saves)."""
    from core.reference.services import RegionDirectory
    from core.statistics.queries import OCCUPATION_CHARS, REGION_DIGITS, occupation_level, region_level

    start, end = period.months[0] + "-01", (period.end + dt.timedelta(days=1)).isoformat()
    rp = (RegionDirectory.code_prefix(filters.region) if filters.region else "") + "%"
    op = (filters.occupation or "") + "%"
    if by == "region":
        key_p, key_s = f"substr(region_code, 1, {REGION_DIGITS[min(region_level(filters.region) + 1, 3)]})", None
    elif by == "occupation":
        chars = OCCUPATION_CHARS[min(occupation_level(filters.occupation) + 1, 4)]
        key_p, key_s = f"substr(occupation_code, 1, {chars})", f"substr(je.value, 1, {chars})"
    else:
        key_p = {"education": "education", "employment_type": "employment_type", "month": "substr(published_at, 1, 7)",
                 "group": "'*'", "age_band": "'*'"}[by]
        key_s = None
    conn.execute(f"SELECT {key_p}, sum(coalesce(nullif(headcount, 0), 1)), count(*) FROM postings "
                 "WHERE published_at >= ? AND published_at < ? AND region_code LIKE ? "
                 "AND coalesce(occupation_code, '') LIKE ? GROUP BY 1", (start, end, rp, op)).fetchall()
    if key_s or filters.occupation:
        skey = key_s or "'*'"
        conn.execute(f"SELECT {skey}, count(DISTINCT j.id) FROM jobseekers j, json_each(j.desired_occupations) je "
                     "WHERE j.availability != 'unavailable' AND j.created_at < ? AND j.region_code LIKE ? "
                     "AND je.value LIKE ? GROUP BY 1", (end, rp, op)).fetchall()
    else:
        key = {"region": f"substr(region_code, 1, {REGION_DIGITS[min(region_level(filters.region) + 1, 3)]})",
               "education": "education"}.get(by, "'*'")
        conn.execute(f"SELECT {key}, count(*) FROM jobseekers WHERE availability != 'unavailable' AND created_at < ? "
                     "AND region_code LIKE ? GROUP BY 1", (end, rp)).fetchall()


def _page(session, period, filters, by):
    """What a page runs: the table, in a read-only transaction (as every GET is)."""
    from core.db import reading
    from core.statistics.queries import supply_demand

    with reading():
        table = supply_demand(session, period, filters, by)
        session.commit()
    return table


def measure(app, folder: Path, repeat: int) -> bool:
    import sqlite3

    from core.statistics import export
    from core.statistics.cells import refresh_cells
    from core.statistics.queries import Filters, parse_period, supply_demand
    from core.statistics.report import quarterly_report
    from webapp.extensions import db

    ok = True
    with app.app_context():
        t0 = time.perf_counter()
        cells = refresh_cells(db.session, dt.date(2026, 12, 1))
        db.session.commit()
        print(f"refresh (joblink stats refresh): {cells} cells in {time.perf_counter() - t0:.1f} s")
        period = parse_period("2026-Q4")
        conn = sqlite3.connect(folder / "stats.db")
        print(f"{'page query':<26}{'cube p50':>10}{'cube p95':>10}{'GROUP BY p50':>14}{'GROUP BY p95':>14}{'ratio':>8}")
        for name, filters, by in pages():
            c50, c95, _ = _timed(lambda: _page(db.session, period, filters, by), repeat)
            b50, b95, _ = _timed(lambda: plain_group_by(conn, period, filters, by), max(3, repeat // 4))
            ok &= c95 <= TARGET_P95_MS
            print(f"{name:<22}{c50:>10.1f}{c95:>10.1f}{b50:>14.1f}{b95:>14.1f}{b95 / c95:>7.1f}x")
        t0 = time.perf_counter()
        rep = quarterly_report(db.session, period, Filters(region=f"{PROVINCE}0000"), "山东省")
        xlsx = export.xlsx_bytes(rep.sheets())
        docx = export.docx_bytes(rep.title, rep.summary(), rep.sheets())
        seconds = time.perf_counter() - t0
        ok &= seconds <= TARGET_REPORT_S
        print(f"quarterly report + XLSX ({len(xlsx) // 1024} KB) + Word ({len(docx) // 1024} KB): {seconds:.2f} s "
              f"(target {TARGET_REPORT_S:.0f} s)")
        conn.close()
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postings", type=int, default=90_000)
    ap.add_argument("--seekers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="joblink-stats-bench-") as tmp:
        folder = Path(tmp)
        app = make_app(folder, "stats.db")
        from webapp.extensions import db

        t0 = time.perf_counter()
        with app.app_context():
            generate(db.session, args.postings, args.seekers)
        print(f"generated {args.postings} postings and {args.seekers} jobseekers in {time.perf_counter() - t0:.0f} s")
        ok = measure(app, folder, args.repeat)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print("targets met" if ok else f"TARGET MISSED (page p95 <= {TARGET_P95_MS:.0f} ms, report <= {TARGET_REPORT_S:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
