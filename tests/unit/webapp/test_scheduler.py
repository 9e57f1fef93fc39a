"""The scheduler's timing: each job once per period (day or month), at start and on the first tick of
a new period; a failed job is retried sooner and does not stop the others."""
from __future__ import annotations

import datetime as dt

from webapp.scheduler import Job, Scheduler, next_tick

UTC = dt.timezone.utc


class FakeSession:
    def __init__(self):
        self.rolled_back = self.closed = False

    def rollback(self):
        self.rolled_back = True

    def close(self):
        self.closed = True


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _jobs(calls: list[str], fail: set[str] = frozenset()):
    def make(name):
        def run(_session):
            calls.append(name)
            if name in fail:
                raise RuntimeError(f"{name} broke")
            return f"{name} ok"
        return run

    return (Job("daily", "daily", make("daily")), Job("monthly", "monthly", make("monthly")))


def test_every_job_runs_at_start_then_once_per_period():
    calls: list[str] = []
    clock = Clock(dt.datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    s = Scheduler(FakeSession, jobs=_jobs(calls), clock=clock)
    s.tick()
    assert calls == ["daily", "monthly"]
    s.tick()  # same day: nothing due
    assert calls == ["daily", "monthly"]
    clock.now = dt.datetime(2026, 12, 1, 0, 10, tzinfo=UTC)  # a new day and a new month
    s.tick()
    assert calls == ["daily", "monthly", "daily", "monthly"]
    clock.now = dt.datetime(2026, 12, 2, 0, 10, tzinfo=UTC)  # a new day, same month
    s.tick()
    assert calls == ["daily", "monthly", "daily", "monthly", "daily"]


def test_a_failed_job_is_retried_soon_and_the_others_still_run():
    calls: list[str] = []
    clock = Clock(dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    s = Scheduler(FakeSession, jobs=_jobs(calls, fail={"daily"}), clock=clock, retry_seconds=900)
    outcomes = s.tick()
    assert [(name, ok) for name, ok, _ in outcomes] == [("daily", False), ("monthly", True)]
    assert "daily broke" in outcomes[0][2]
    assert s.seconds_to_wait(outcomes) == 900  # not the next midnight
    s.tick()
    assert calls == ["daily", "monthly", "daily"]  # the failed one again, the done one not


def test_the_wait_reaches_the_next_tick_after_midnight():
    clock = Clock(dt.datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    s = Scheduler(FakeSession, jobs=(), clock=clock)
    assert s.seconds_to_wait([]) == 70 * 60
    assert next_tick(dt.datetime(2026, 12, 6, 0, 5, tzinfo=UTC)) == dt.datetime(2026, 12, 6, 0, 10, tzinfo=UTC)
    assert next_tick(dt.datetime(2026, 12, 6, 0, 10, tzinfo=UTC)) == dt.datetime(2026, 12, 7, 0, 10, tzinfo=UTC)


def test_run_forever_stops_between_ticks_when_asked():
    calls: list[str] = []
    clock = Clock(dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    s = Scheduler(FakeSession, jobs=_jobs(calls), clock=clock)
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)

    s.run_forever(should_stop=lambda: len(slept) >= 3, sleep=sleep)
    assert calls == ["daily", "monthly"]
    assert slept == [1.0, 1.0, 1.0]  # wakes every second to notice SIGTERM


def test_a_long_job_runs_beside_the_others_and_is_not_started_twice():
    """The running process: a recount that takes minutes does not hold back the ten-minute jobs."""
    import threading

    release, started, calls = threading.Event(), threading.Event(), []

    def long_run(_session):
        started.set()
        release.wait(10)
        calls.append("long")
        return "long ok"

    def frequent(_session):
        calls.append("frequent")
        return "frequent ok"

    clock = Clock(dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    s = Scheduler(FakeSession, jobs=(Job("recount", "minutes", long_run, 15, long=True),
                                     Job("alerts", "frequent", frequent)),
                  clock=clock, long_in_background=True)
    outcomes = s.tick()
    assert started.wait(5) and calls == ["frequent"]  # the recount is still going
    assert ("recount", True, "已在后台开始") in outcomes
    clock.now = dt.datetime(2026, 12, 7, 9, 20, tzinfo=UTC)  # both periods passed while it runs
    s.tick()
    assert calls == ["frequent", "frequent"]  # not a second recount beside the first
    release.set()
    s.running["recount"].join(5)
    assert calls == ["frequent", "frequent", "long"]
    clock.now = dt.datetime(2026, 12, 7, 9, 31, tzinfo=UTC)
    s.tick()
    s.running["recount"].join(5)
    assert calls.count("long") == 2  # its next period: started again


def test_without_the_background_a_long_job_runs_in_the_tick():
    calls = []
    s = Scheduler(FakeSession, jobs=(Job("recount", "minutes", lambda _s: calls.append("long") or "ok", 15, long=True),),
                  clock=Clock(dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)))
    assert s.tick() == [("recount", True, "ok")] and calls == ["long"]
