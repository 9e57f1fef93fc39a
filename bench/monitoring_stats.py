"""Monitoring statistics benchmark: /stats/monitoring's query at a province's size, and the scheduler's
look for changes over a long outbox.

    nice -n 10 .venv/bin/python bench/monitoring_stats.py [--enterprises 5000] [--months 24] [--events 1000000]

On a fresh SQLite database (schema and reference data loaded): N enterprises in 山东's counties (a
dozen industries), all monitored, each with a report for each of the last ``--months`` months (random
hires and separations, one report in a hundred a drop of 200 or more, with its alert), and ``--events``
outbox events. Then, ``--repeat`` times each (p50/p95): the month's table for the province by city,
for a city by county, for the province by industry (core.statistics.monitoring_stats.monitoring_table),
and the scheduler's decision (core.statistics.cells.refresh_reason) with a cursor just below the newest
event. Target (issue 16): every page's query p95 <= 500 ms.
"""
from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._apps import make_app  # noqa: E402

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

INDUSTRIES = ("制造业", "建筑业", "批发和零售业", "住宿和餐饮业", "交通运输业", "采矿业", "信息技术服务业",
              "金融业", "房地产业", "教育", "卫生和社会工作", "")


def _months(n: int) -> list[dt.date]:
    today = dt.date.today().replace(day=1)
    out = []
    for back in range(n, 0, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        out.append(dt.date(y, m + 1, 1))
    return out


def generate(session, n: int, months: int, events: int, seed: int = 16) -> None:
    from core.enterprises.models import Enterprise
    from core.monitoring.models import MonitoredEnterprise, MonitoringAlert, MonthlyReport
    from core.outbox.models import OutboxEvent
    from core.reference.services import region_directory

    rnd = random.Random(seed)
    counties = [r.code for r in region_directory(session).by_prefix("37") if r.level == 3]
    flagged = dt.datetime.now() - dt.timedelta(days=31 * (months + 1))
    session.execute(Enterprise.__table__.insert(), [
        {"id": i, "name": f"监测企业{i}", "normalized_name": f"监测企业{i}", "region_code": rnd.choice(counties),
         "industry": rnd.choice(INDUSTRIES)} for i in range(1, n + 1)])
    session.execute(MonitoredEnterprise.__table__.insert(), [
        {"id": i, "enterprise_id": i, "flagged_by": "rule", "state_owned": rnd.random() < 0.1,
         "above_designated_size": True, "active": True, "created_at": flagged} for i in range(1, n + 1)])
    reports, alerts, rid = [], [], 0
    for i in range(1, n + 1):
        headcount = rnd.randint(50, 3000)
        for month in _months(months):
            rid += 1
            hires, separations = rnd.randint(0, 30), rnd.randint(0, 30)
            if rnd.random() < 0.01:
                separations += 250
            base, headcount = headcount, max(0, headcount + hires - separations)
            reports.append({"id": rid, "monitored_id": i, "month": month, "headcount": headcount, "hires": hires,
                            "separations": separations, "production_state": "normal", "pay_change": "flat",
                            "source": "import", "created_at": flagged})
            if base - headcount >= 200:
                alerts.append({"monitored_id": i, "report_id": rid, "region_code": None, "month": month,
                               "base_headcount": base, "headcount": headcount, "reduction": base - headcount,
                               "reduction_pct": 0.0, "rule": "count", "notified": 0, "created_at": flagged})
    session.execute(MonthlyReport.__table__.insert(), reports)
    if alerts:  # a small run may raise none
        session.execute(MonitoringAlert.__table__.insert(), alerts)
    session.execute(MonitoringAlert.__table__.update().values(region_code=Enterprise.region_code)
                    .where(Enterprise.id == MonitoringAlert.monitored_id))
    for start in range(0, events, 100_000):
        session.execute(OutboxEvent.__table__.insert(), [
            {"entity": rnd.choice(("posting", "seeker", "enterprise")), "entity_id": j, "operation": "upsert",
             "state": "done", "created_at": flagged, "available_at": flagged, "attempts": 1}
            for j in range(start, min(events, start + 100_000))])
    session.commit()
    print(f"generated {n:,} enterprises, {len(reports):,} reports, {len(alerts):,} alerts, {events:,} outbox events")


def timed(label: str, work, repeat: int) -> None:
    spans = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        spans.append((time.perf_counter() - started) * 1000)
    spans.sort()
    p95 = spans[min(len(spans) - 1, int(len(spans) * 0.95))]
    print(f"| {label} | {statistics.median(spans):,.1f} | {p95:,.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from core.statistics import cells
    from core.statistics import monitoring_stats as ms
    from core.statistics.models import StatsRefresh
    from webapp.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder), "monitoring.db")
        with app.app_context():
            started = time.perf_counter()
            generate(db.session, args.enterprises, args.months, args.events)
            print(f"generating took {time.perf_counter() - started:.1f} s")
            month = _months(1)[0]
            newest = db.session.scalar(db.select(db.func.max(cells.OutboxEvent.id)))
            db.session.add(StatsRefresh(state="done", started_at=cells.utcnow() - dt.timedelta(hours=1),
                                        finished_at=cells.utcnow(), outbox_cursor=newest - 1))
            db.session.commit()
            print("| query | p50 ms | p95 ms |\n| --- | ---: | ---: |")
            timed("province 37 by city", lambda: ms.monitoring_table(db.session, month, "37", "region"), args.repeat)
            timed("city 3713 by county", lambda: ms.monitoring_table(db.session, month, "3713", "region"), args.repeat)
            timed("province 37 by industry", lambda: ms.monitoring_table(db.session, month, "37", "industry"),
                  args.repeat)
            timed("every region by province", lambda: ms.monitoring_table(db.session, month, "", "region"), args.repeat)
            timed("scheduler: refresh_reason", lambda: cells.refresh_reason(db.session, cells.utcnow(), 15),
                  args.repeat)
            timed("scheduler: outbox_position", lambda: cells.outbox_position(db.session, cells.utcnow()), args.repeat)
            db.session.rollback()
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
