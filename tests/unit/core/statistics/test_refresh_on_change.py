"""The scheduler recounts the statistics when postings or jobseekers changed since the last count (the
outbox id after which the count's cursor lies), at most every STATS_REFRESH_MINUTES, and not at all
when nothing changed; the statistics home says when the figures were counted."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.crypto import PersonalDataCipher
from core.db import make_sessionmaker, reading, transaction
from core.outbox.models import OutboxEvent
from core.statistics import cells
from core.statistics.models import StatsRefresh
from webapp.scheduler import JOBS, Job, Scheduler, with_minutes


class Clock:
    """Tomorrow 09:00 UTC and on: after every row the test writes in real time, all on one day."""

    def __init__(self):
        self.now = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9, 0))

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def own_app(app_factory, fresh_database_url):
    from tests.conftest import build_schema_and_reference

    application = app_factory(fresh_database_url("sqlite"), STATS_REFRESH_MINUTES="15")
    build_schema_and_reference(application)
    with application.app_context():
        yield application


def _register(app, name: str, phone: str) -> None:
    from core.seekers.services import create_jobseeker
    from webapp.extensions import db

    cipher = PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])
    create_jobseeker(db.session, cipher, name=name, phone=phone, region_code="630102", desired_titles=["电焊工"])
    db.session.commit()


def _supply(factory) -> int:
    from core.statistics.queries import Filters, parse_period, supply_demand

    with reading(), transaction(factory) as s:
        month = cells.month_of(cells.utcnow())
        return supply_demand(s, parse_period(month), Filters(region="630000")).total.supply


def _refreshes(factory) -> list[StatsRefresh]:
    with reading(), transaction(factory) as s:
        return list(s.scalars(select(StatsRefresh).order_by(StatsRefresh.id)))


def test_a_change_makes_the_next_tick_recount_and_no_change_none(own_app, monkeypatch):
    from webapp.extensions import db

    clock = Clock()
    monkeypatch.setattr(cells, "utcnow", clock)  # the refresh's own times follow the scheduler's clock
    factory = make_sessionmaker(db.engine)
    stats_job = [j for j in with_minutes(JOBS, 15) if j.name == "stats refresh"]
    scheduler = Scheduler(factory, jobs=tuple(stats_job), clock=clock)
    _register(own_app, "甲", "13900000101")

    def tick() -> str:
        [(name, ok, summary)] = scheduler.tick() or [("", True, "没有运行")]
        assert ok, summary
        return summary

    assert "已更新（首次统计）" in tick()
    assert _supply(factory) == 1
    with reading(), transaction(factory) as s:
        newest = s.scalar(select(func.max(OutboxEvent.id)))
    assert _refreshes(factory)[-1].outbox_cursor == newest  # the count saw every event up to here

    clock.now += dt.timedelta(minutes=15)
    assert "没有变化" in tick()
    assert len(_refreshes(factory)) == 1

    _register(own_app, "乙", "13900000102")  # a new jobseeker: an outbox event after the cursor
    assert "没有运行" in tick()  # same period: the scheduler does not look again
    clock.now += dt.timedelta(minutes=15)
    assert "已更新（岗位或求职者有变化）" in tick()
    assert _supply(factory) == 2 and len(_refreshes(factory)) == 2

    clock.now += dt.timedelta(minutes=15)
    assert "没有变化" in tick()
    assert len(_refreshes(factory)) == 2


def test_never_within_the_period_of_the_last_refresh_even_one_an_admin_started(own_app, monkeypatch):
    from webapp.extensions import db

    clock = Clock()
    monkeypatch.setattr(cells, "utcnow", clock)
    factory = make_sessionmaker(db.engine)
    cells.run_refresh(factory)  # the admin's button, at 09:00
    _register(own_app, "丙", "13900000103")
    with factory() as s:
        clock.now += dt.timedelta(minutes=10)
        assert cells.refresh_reason(s, clock.now, 15) is None  # changed, but only ten minutes ago
        clock.now += dt.timedelta(minutes=5)
        assert cells.refresh_reason(s, clock.now, 15) == "岗位或求职者有变化"
        clock.now = clock.now.replace(hour=9) + dt.timedelta(days=1)  # and the next day, changed or not
        s.add(StatsRefresh(state="done", started_at=clock.now - dt.timedelta(hours=1), outbox_cursor=10**9))
        s.commit()
        assert cells.refresh_reason(s, clock.now, 15) is None  # counted today, nothing after its cursor
        clock.now += dt.timedelta(days=1)
        assert cells.refresh_reason(s, clock.now, 15) == "新的一天"


def test_the_stats_job_looks_every_configured_minutes():
    ran: list[int] = []
    job = Job("stats refresh", "minutes", lambda _s: ran.append(1) or "ok", 15)

    class Session:
        def rollback(self): ...

        def close(self): ...

    now = {"t": dt.datetime(2026, 12, 7, 9, 3, 30)}
    s = Scheduler(Session, jobs=(job,), clock=lambda: now["t"])
    s.tick()
    s.tick()
    assert len(ran) == 1
    assert s.seconds_to_wait([]) == (15 - 3) * 60 - 30 + 1  # wakes at 09:15
    now["t"] = dt.datetime(2026, 12, 7, 9, 14, 59)
    s.tick()
    assert len(ran) == 1
    now["t"] = dt.datetime(2026, 12, 7, 9, 15, 1)
    s.tick()
    assert len(ran) == 2
