"""The scheduler: JobLink's periodic jobs in one long-running process (``joblink schedule run``).

Every day it takes postings past their valid-until day off (``postings expire``); every month it
draws the validity spot-check sample (``validity sample``); every ten minutes it runs the job alerts
(``alerts run``) and sends the SMS/e-mail outbox (``notifications deliver``, docs/notifications.md);
every ``STATS_REFRESH_MINUTES`` it recounts the statistics if postings or jobseekers changed since the
last count (``stats refresh``, docs/statistics.md), in a thread of its own, so that a long recount
never holds back the ten-minute jobs.
All are idempotent, so a job runs when the process starts and again on the first tick of each new
period (days and months at UTC 00:10). A job that
fails is logged and retried after ``retry_seconds``; the next one still runs.
"""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger("joblink.scheduler")

TICK_AFTER_MIDNIGHT = dt.timedelta(minutes=10)  # like the cron lines in docs/operations.md


def _expire(session) -> str:
    from core.validity.services import expire_postings

    ids = expire_postings(session)
    session.commit()
    return f"已下线过期岗位 {len(ids)} 条"


def _validity_sample(session) -> str:
    from core.errors import DomainError
    from core.validity.services import DEFAULT_PER_CHANNEL, draw_monthly_sample

    try:
        result = draw_monthly_sample(session, None, DEFAULT_PER_CHANNEL)
        session.commit()
    except DomainError as exc:  # e.g. nothing to sample: nothing to retry either
        session.rollback()
        return exc.message
    if not result.created:
        return f"{result.run.month} 已抽查过（{result.tasks} 个回访任务）"
    return f"{result.run.month} 抽查：{result.tasks} 个回访任务"


def _alerts(session) -> str:
    from flask import current_app

    from webapp.alerts.runner import run_due_alerts

    run = run_due_alerts(session, current_app)
    return f"岗位订阅：检查 {run.checked} 个，{run.notified} 人收到新岗位 {run.postings} 条"


def _deliver(session) -> str:
    from flask import current_app

    from webapp.alerts.runner import deliver

    run = deliver(session, current_app)
    return f"短信/邮件：发出 {run.sent} 条，稍后重试 {run.failed} 条，放弃 {run.given_up} 条"


def _land_surveys(session) -> str:
    from core.projects.land import escalate_overdue_surveys

    ids = escalate_overdue_surveys(session)
    session.commit()
    return f"征地调查超期提醒 {len(ids)} 个公告"


STATS_REFRESH_MINUTES = 15  # the default of the setting of that name


def stats_refresh_minutes() -> int:
    """``STATS_REFRESH_MINUTES`` of the running app (at least 1), else the default."""
    from flask import current_app, has_app_context

    raw = current_app.config.get("STATS_REFRESH_MINUTES") if has_app_context() else None
    try:
        return max(1, int(raw or STATS_REFRESH_MINUTES))
    except ValueError:
        return STATS_REFRESH_MINUTES


def _stats_refresh(session) -> str:
    from core.statistics.cells import refresh_if_changed

    reason, run = refresh_if_changed(session, stats_refresh_minutes())
    if run is None:
        return "供求统计表：岗位和求职者没有变化（或刚更新过），不需要更新"
    return f"供求统计表已更新（{reason}）：{run.cells} 个统计单元"


FREQUENT_MINUTES = 10  # alerts asked for "immediately" and the SMS/e-mail outbox


@dataclass(frozen=True)
class Job:
    name: str
    period: str  # "daily" | "monthly" | "frequent" (every FREQUENT_MINUTES) | "minutes" (every ``minutes``)
    run: Callable[[object], str]  # session -> summary for the log
    minutes: int = 0  # the length of a "minutes" job's period
    long: bool = False  # may take many minutes (a full recount): the process runs it in a thread of its own


JOBS = (Job("postings expire", "daily", _expire), Job("validity sample", "monthly", _validity_sample),
        Job("alerts run", "frequent", _alerts), Job("notifications deliver", "frequent", _deliver),
        Job("land surveys escalate", "daily", _land_surveys),
        # looks every STATS_REFRESH_MINUTES and recounts only when postings or jobseekers changed (or a new day)
        Job("stats refresh", "minutes", _stats_refresh, STATS_REFRESH_MINUTES, long=True))
_EPOCH = dt.datetime(2000, 1, 1)


def _minute_number(now: dt.datetime) -> int:
    return int((now.replace(tzinfo=None) - _EPOCH).total_seconds() // 60)


def with_minutes(jobs, minutes: int) -> tuple:
    """``jobs`` with every "minutes" job's period set to ``minutes`` (the configured setting)."""
    return tuple(Job(j.name, j.period, j.run, minutes, j.long) if j.period == "minutes" else j for j in jobs)


def period_of(job: Job, now: dt.datetime) -> tuple:
    """The period ``now`` falls in, for ``job``: a job runs once per period."""
    if job.period == "frequent":
        return (now.year, now.month, now.day, now.hour, now.minute // FREQUENT_MINUTES)
    if job.period == "minutes":
        return ("minutes", _minute_number(now) // max(job.minutes, 1))
    return (now.year, now.month, now.day) if job.period == "daily" else (now.year, now.month)


def next_tick(now: dt.datetime) -> dt.datetime:
    """The first moment after ``now`` when a new day's jobs are due."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0) + TICK_AFTER_MIDNIGHT
    return today if today > now else today + dt.timedelta(days=1)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Scheduler:
    """Runs the jobs due at each tick, each in its own session, and remembers which period each
    last completed. With ``long_in_background`` (the running process) a long job runs in a thread of
    its own: a full statistics recount (up to 15 minutes at 2.5 million cells) must not hold back the
    alerts and the SMS outbox due every ten minutes; it is not started again while it runs."""

    def __init__(self, session_factory, jobs=JOBS, clock: Callable[[], dt.datetime] = _utcnow,
                 retry_seconds: float = 900, long_in_background: bool = False):
        self.session_factory = session_factory
        self.jobs = jobs
        self.clock = clock
        self.retry_seconds = retry_seconds
        self.long_in_background = long_in_background
        self.completed: dict[str, tuple] = {}
        self.running: dict[str, threading.Thread] = {}

    def due(self, now: dt.datetime) -> list[Job]:
        return [job for job in self.jobs if self.completed.get(job.name) != period_of(job, now)
                and not (job.name in self.running and self.running[job.name].is_alive())]

    def tick(self) -> list[tuple[str, bool, str]]:
        """Run every due job; returns (name, succeeded, summary or error) for each (a long job started
        in the background reports when it ends, in the log)."""
        now = self.clock()
        outcomes = []
        for job in self.due(now):
            if job.long and self.long_in_background:
                thread = threading.Thread(target=self._in_app(self.run_job), args=(job, now), name=f"job {job.name}",
                                          daemon=True)
                self.running[job.name] = thread
                thread.start()
                outcomes.append((job.name, True, "已在后台开始"))
            else:
                outcomes.append(self.run_job(job, now))
        return outcomes

    @staticmethod
    def _in_app(work: Callable) -> Callable:
        """``work`` in a thread, with the running app's context (its settings) when there is one."""
        from flask import current_app, has_app_context

        if not has_app_context():
            return work
        app = current_app._get_current_object()

        def in_app(*args):
            with app.app_context():
                return work(*args)
        return in_app

    def run_job(self, job: Job, now: dt.datetime) -> tuple[str, bool, str]:
        session = self.session_factory()
        try:
            summary = job.run(session)
        except Exception as exc:  # a failed job is retried later; the others still run
            session.rollback()
            log.exception("定时任务 %s 失败，%.0f 秒后重试", job.name, self.retry_seconds)
            return job.name, False, repr(exc)
        else:
            self.completed[job.name] = period_of(job, now)
            log.info("定时任务 %s：%s", job.name, summary)
            return job.name, True, summary
        finally:
            session.close()

    def seconds_to_wait(self, outcomes) -> float:
        wait = (next_tick(self.clock()) - self.clock()).total_seconds()
        if any(job.period == "frequent" for job in self.jobs):
            now = self.clock()
            wait = min(wait, FREQUENT_MINUTES * 60 - (now.minute % FREQUENT_MINUTES) * 60 - now.second + 1)
        for job in self.jobs:
            if job.period == "minutes":  # the start of its next period
                now, every = self.clock(), max(job.minutes, 1)
                wait = min(wait, (every - _minute_number(now) % every) * 60 - now.second + 1)
        if any(not ok for _name, ok, _msg in outcomes):
            wait = min(wait, self.retry_seconds)
        return max(wait, 0.0)

    def run_forever(self, should_stop: Callable[[], bool], sleep: Callable[[float], None] = time.sleep) -> None:
        while not should_stop():
            wait = self.seconds_to_wait(self.tick())
            waited = 0.0
            while waited < wait and not should_stop():  # wake up at once on SIGTERM
                step = min(1.0, wait - waited)
                sleep(step)
                waited += step


def run_scheduler(session_factory, once: bool = False, echo: Callable[[str], None] = print) -> int:
    """``joblink schedule run``: the jobs due now (``once``), or forever until SIGTERM/SIGINT.
    Returns the exit code (1 when a job of a ``once`` run failed)."""
    scheduler = Scheduler(session_factory, jobs=with_minutes(JOBS, stats_refresh_minutes()),
                          long_in_background=not once)
    if once:
        outcomes = scheduler.tick()
        for name, ok, message in outcomes:
            echo(f"{name}: {'完成' if ok else '失败'}，{message}")
        return 0 if all(ok for _n, ok, _m in outcomes) else 1
    stop = {"flag": False}

    def _stop(*_):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("定时任务进程运行中（每日下线过期岗位，每月抽查岗位有效率，每十分钟检查岗位订阅并发送短信）")
    scheduler.run_forever(lambda: stop["flag"])
    return 0
