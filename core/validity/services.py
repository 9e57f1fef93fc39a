"""Validity spot-checks and the posting lifecycle by date.

- ``draw_monthly_sample``: each month, a stratified random sample of live postings (the same number
  per channel, or all of a channel's when it has fewer), one call-back task per sampled posting,
  assigned to a commissioner of the posting's jurisdiction (the most local one, least loaded first).
- ``record_outcome``: what the call found. Filled postings become ``filled``, fake ones
  ``withdrawn``, unreachable ones ``withdrawn`` after ``UNREACHABLE_LIMIT`` failed calls; each with a
  version bump and an outbox event in the caller's transaction.
- ``validity_report``: the validity rate (still open / checked) per channel and overall, and the
  population-weighted estimate a stratified sample calls for.
- ``expire_postings`` / ``refresh_posting``: postings stop being live after their ``valid_until`` day;
  the enterprise or the channel that published the posting can extend it; a channel whose record was
  merged into it refreshes its own record only (a channel names its postings by its own ids:
  ``postings_for_external_ids``).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.services import commissioner_jurisdiction, require_jurisdiction
from core.audit.services import record_access
from core.channels.models import Channel
from core.db import utcnow
from core.enums import PostingStatus, Role
from core.errors import DomainError, NotFound, PermissionDenied
from core.outbox.services import emit, emit_many
from core.postings.models import Posting, PostingSource
from core.reference.services import RegionDirectory

from .models import OUTCOME_LABELS, CallbackOutcome, CallbackTask, ValidityCheckRun

DEFAULT_PER_CHANNEL = 20
MAX_PER_CHANNEL = 10_000
DUE_DAYS = 14
UNREACHABLE_LIMIT = 3      # failed calls before an unreachable employer's posting is withdrawn
MAX_VALIDITY_DAYS = 180    # how far ahead a refresh may move valid_until
NO_CHANNEL = "none"        # stratum key of postings with no channel

# What a final outcome does to the posting.
_POSTING_ACTION = {
    CallbackOutcome.FILLED: PostingStatus.FILLED,
    CallbackOutcome.FAKE: PostingStatus.WITHDRAWN,
    CallbackOutcome.UNREACHABLE: PostingStatus.WITHDRAWN,
}
# Statuses a dead-posting finding may still change (a reviewer's or the channel's own terminal
# decision is left alone).
_WITHDRAWABLE = {PostingStatus.PUBLISHED, PostingStatus.EXPIRED, PostingStatus.PENDING_REVIEW}


# --- live postings and months ---------------------------------------------------------------------

def live_condition(today: dt.date):
    """Published and not past its last valid day (``valid_until`` is inclusive)."""
    return (Posting.status == PostingStatus.PUBLISHED) & or_(Posting.valid_until.is_(None), Posting.valid_until >= today)


def parse_month(month: str | None, today: dt.date | None = None) -> str:
    if not month:
        return (today or utcnow().date()).strftime("%Y-%m")
    m = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise DomainError("invalid_month", "月份格式应为 YYYY-MM，例如 2026-11", "month")
    return month.strip()


def _stratum(channel_id: int | None) -> str:
    return str(channel_id) if channel_id is not None else NO_CHANNEL


# --- sampling -------------------------------------------------------------------------------------

@dataclass
class SampleResult:
    run: ValidityCheckRun
    created: bool                      # False when this month's sample already existed
    tasks: int
    unassigned: int = 0                # tasks no commissioner's jurisdiction covers yet


def _commissioners(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(User.id, User.region_code).where(
            User.role == Role.COMMISSIONER, User.is_active.is_(True), User.region_code.is_not(None)
        ).order_by(User.id)
    ).all()
    return [(uid, RegionDirectory.code_prefix(code)) for uid, code in rows]


def _assign(region: str | None, commissioners: list[tuple[int, str]], load: dict[int, int]) -> int | None:
    """The most local commissioner covering ``region``; among equals, the one with fewest open tasks."""
    if not region:
        return None
    covering = [(uid, p) for uid, p in commissioners if region.startswith(p)]
    if not covering:
        return None
    longest = max(len(p) for _, p in covering)
    best = min((uid for uid, p in covering if len(p) == longest), key=lambda uid: (load[uid], uid))
    load[best] += 1
    return best


def draw_monthly_sample(
    session: Session,
    month: str | None = None,
    per_channel: int = DEFAULT_PER_CHANNEL,
    *,
    seed: int | None = None,
    actor_id: int | None = None,
    today: dt.date | None = None,
) -> SampleResult:
    """Draw this month's stratified sample and create its call-back tasks (once per month: a second
    call returns the existing run). The caller commits."""
    today = today or utcnow().date()
    month = parse_month(month, today)
    if not 1 <= int(per_channel) <= MAX_PER_CHANNEL:
        raise DomainError("invalid_sample_size", f"每个渠道的抽查数量应在 1 到 {MAX_PER_CHANNEL} 之间", "per_channel")
    existing = session.scalar(select(ValidityCheckRun).where(ValidityCheckRun.month == month))
    if existing is not None:
        n = session.scalar(select(func.count(CallbackTask.id)).where(CallbackTask.run_id == existing.id)) or 0
        return SampleResult(run=existing, created=False, tasks=n)

    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rows = session.execute(
        select(Posting.id, Posting.channel_id, func.coalesce(Posting.region_code, Channel.region_code))
        .outerjoin(Channel, Channel.id == Posting.channel_id)
        .where(live_condition(today))
        .order_by(Posting.id)
    ).all()
    strata: dict[str, list[tuple[int, int | None, str | None]]] = defaultdict(list)
    for pid, cid, region in rows:
        strata[_stratum(cid)].append((pid, cid, region))

    rng = random.Random(seed)
    chosen: list[tuple[int, int | None, str | None]] = []
    sampled: dict[str, int] = {}
    for key in sorted(strata):  # a fixed order so a seed reproduces the draw
        members = strata[key]
        picked = rng.sample(members, min(per_channel, len(members)))
        sampled[key] = len(picked)
        chosen.extend(sorted(picked))

    run = ValidityCheckRun(
        month=month, per_channel=per_channel, seed=seed,
        population={k: len(v) for k, v in strata.items()}, sampled=sampled, created_by_user_id=actor_id,
    )
    session.add(run)
    session.flush()
    commissioners = _commissioners(session)
    load: dict[int, int] = defaultdict(int)
    for uid, n in session.execute(
        select(CallbackTask.assigned_user_id, func.count(CallbackTask.id))
        .where(CallbackTask.outcome.is_(None), CallbackTask.assigned_user_id.is_not(None))
        .group_by(CallbackTask.assigned_user_id)
    ).all():
        load[uid] = n
    due = today + dt.timedelta(days=DUE_DAYS)
    unassigned = 0
    for pid, cid, region in chosen:
        assignee = _assign(region, commissioners, load)
        unassigned += assignee is None
        session.add(CallbackTask(run_id=run.id, posting_id=pid, channel_id=cid, region_code=region,
                                 assigned_user_id=assignee, due=due))
    session.flush()
    return SampleResult(run=run, created=True, tasks=len(chosen), unassigned=unassigned)


# --- call-back tasks ------------------------------------------------------------------------------


def list_tasks(
    session: Session,
    actor,
    *,
    open_only: bool = True,
    mine_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[CallbackTask], int]:
    """Call-back tasks in the actor's jurisdiction: the actor's own first, then by due date."""
    stmt = select(CallbackTask)
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(CallbackTask.region_code.like(f"{prefix}%"))
    if open_only:
        stmt = stmt.where(CallbackTask.outcome.is_(None))
    if mine_only:
        stmt = stmt.where(CallbackTask.assigned_user_id == actor.id)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(CallbackTask.id).subquery())) or 0
    # CASE rather than ordering on the comparison: it is NULL for unassigned tasks, and PostgreSQL
    # and SQLite sort NULLs at opposite ends.
    mine_first = case((CallbackTask.assigned_user_id == actor.id, 0), else_=1)
    rows = session.scalars(
        stmt.order_by(mine_first, CallbackTask.due, CallbackTask.id).limit(limit).offset(offset)
    ).unique()
    return list(rows), total


def get_task(session: Session, task_id: int, actor) -> CallbackTask:
    task = session.get(CallbackTask, task_id)
    if task is None:
        raise NotFound("该回访任务")
    require_jurisdiction(actor, task.region_code, "该回访任务")
    return task


@dataclass
class OutcomeResult:
    task: CallbackTask
    final: bool                        # False: an unreachable call that will be tried again
    posting_status: PostingStatus | None = None  # the posting's new status, when it changed


def record_outcome(
    session: Session,
    task_id: int,
    outcome: str,
    actor,
    note: str = "",
    *,
    ip: str | None = None,
) -> OutcomeResult:
    """Record one call. The caller commits."""
    if Role(actor.role) not in (Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("只有人社服务专员或管理员可以登记回访结果")
    try:
        outcome = CallbackOutcome(outcome)
    except ValueError:
        raise DomainError("invalid_outcome", "请选择回访结果：仍在招聘、已招满、联系不上或虚假岗位", "outcome") from None
    note = (note or "").strip()[:500]
    task = get_task(session, task_id, actor)
    if task.outcome is not None:
        raise DomainError("task_done", f"该任务已登记结果「{OUTCOME_LABELS[task.outcome]}」")
    now = utcnow()
    task.attempts = (task.attempts or 0) + 1
    task.last_attempt_at = now
    line = f"[{now:%Y-%m-%d %H:%M} 第{task.attempts}次 {OUTCOME_LABELS[outcome]}] {note}".rstrip()
    task.note = f"{task.note}\n{line}".strip() if task.note else line
    record_access(
        session, actor_user_id=actor.id, actor_role=str(Role(actor.role)), action="update",
        subject_type="callback_task", subject_id=task.id,
        purpose=f"岗位有效性回访：{OUTCOME_LABELS[outcome]}", fields=["outcome", "note"], ip=ip,
    )
    if outcome == CallbackOutcome.UNREACHABLE and task.attempts < UNREACHABLE_LIMIT:
        task.due = max(task.due, now.date() + dt.timedelta(days=1))
        session.flush()
        return OutcomeResult(task=task, final=False)

    task.outcome = outcome
    task.done_by_user_id = actor.id
    task.done_at = now
    new_status = None
    target = _POSTING_ACTION.get(outcome)
    posting = session.get(Posting, task.posting_id)
    if target is not None and posting is not None and posting.status in _WITHDRAWABLE:
        posting.status = target
        posting.version = (posting.version or 1) + 1
        posting.updated_at = now
        emit(session, "posting", posting.id, "upsert")
        task.posting_action = str(target)
        new_status = target
        from core.notifications.events import posting_closed

        posting_closed(session, posting)
        record_access(
            session, actor_user_id=actor.id, actor_role=str(Role(actor.role)), action="update",
            subject_type="posting", subject_id=posting.id,
            purpose=f"回访结果「{OUTCOME_LABELS[outcome]}」，岗位下线", fields=["status"], ip=ip,
        )
    session.flush()
    return OutcomeResult(task=task, final=True, posting_status=new_status)


# --- validity rates -------------------------------------------------------------------------------

@dataclass
class StratumRate:
    channel_id: int | None
    channel_name: str
    population: int = 0                # live postings of the channel when the sample was drawn
    sampled: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in CallbackOutcome})
    pending: int = 0

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    @property
    def valid(self) -> int:
        return self.counts[CallbackOutcome.STILL_OPEN.value]

    @property
    def rate(self) -> float | None:
        """Valid share of the checked postings: still open / (still open + filled + unreachable + fake)."""
        return self.valid / self.checked if self.checked else None

    def as_dict(self) -> dict[str, Any]:
        return {"channel_id": self.channel_id, "channel": self.channel_name, "population": self.population,
                "sampled": self.sampled, "checked": self.checked, "pending": self.pending,
                "outcomes": dict(self.counts), "valid": self.valid,
                "rate": None if self.rate is None else round(self.rate, 4)}


@dataclass
class ValidityReport:
    month: str | None
    channels: list[StratumRate]
    overall: StratumRate
    # Σ (channel population share × channel rate) over checked channels: the estimate of the whole
    # platform's rate, since every channel was sampled at the same size whatever its volume.
    weighted_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "channels": [c.as_dict() for c in self.channels],
                "overall": self.overall.as_dict(),
                "weighted_rate": None if self.weighted_rate is None else round(self.weighted_rate, 4)}


def list_runs(session: Session) -> list[ValidityCheckRun]:
    return list(session.scalars(select(ValidityCheckRun).order_by(ValidityCheckRun.month.desc())))


def validity_report(session: Session, month: str | None = None, region_prefix: str | None = None) -> ValidityReport:
    """Rates for one month's run (default: the latest). ``region_prefix`` limits it to a jurisdiction
    (then there is no population-weighted estimate: populations are counted per channel only)."""
    if month:
        run = session.scalar(select(ValidityCheckRun).where(ValidityCheckRun.month == parse_month(month)))
        if run is None:
            raise NotFound("该月份的抽查", f"{month} 没有抽查记录")
    else:
        run = session.scalar(select(ValidityCheckRun).order_by(ValidityCheckRun.month.desc()).limit(1))
    if run is None:
        return ValidityReport(month=None, channels=[], overall=StratumRate(None, "合计"), weighted_rate=None)

    stmt = select(CallbackTask.channel_id, CallbackTask.outcome, func.count(CallbackTask.id)).where(
        CallbackTask.run_id == run.id
    )
    if region_prefix is not None:
        stmt = stmt.where(CallbackTask.region_code.like(f"{region_prefix}%"))
    names = dict(session.execute(select(Channel.id, Channel.name)).all())
    strata: dict[str, StratumRate] = {}

    def stratum(cid: int | None) -> StratumRate:
        key = _stratum(cid)
        if key not in strata:
            strata[key] = StratumRate(cid, names.get(cid, "未知渠道") if cid is not None else "未知渠道")
        return strata[key]

    if region_prefix is None:
        for key, n in (run.population or {}).items():
            s = stratum(None if key == NO_CHANNEL else int(key))
            s.population = n
            s.sampled = (run.sampled or {}).get(key, 0)
    for cid, outcome, n in session.execute(stmt.group_by(CallbackTask.channel_id, CallbackTask.outcome)).all():
        s = stratum(cid)
        if region_prefix is not None:
            s.sampled += n
        if outcome is None:
            s.pending += n
        else:
            s.counts[CallbackOutcome(outcome).value] += n

    channels = sorted(strata.values(), key=lambda s: (-s.population, -s.sampled, s.channel_name))
    overall = StratumRate(None, "合计")
    for s in channels:
        overall.population += s.population
        overall.sampled += s.sampled
        overall.pending += s.pending
        for k, v in s.counts.items():
            overall.counts[k] += v
    weighted = None
    if region_prefix is None:
        rated = [s for s in channels if s.rate is not None and s.population]
        covered = sum(s.population for s in rated)
        if covered:
            weighted = sum(s.population / covered * s.rate for s in rated)
    return ValidityReport(month=run.month, channels=channels, overall=overall, weighted_rate=weighted)


# --- expiry and refresh ---------------------------------------------------------------------------

def expire_postings(session: Session, today: dt.date | None = None, batch_size: int = 1000) -> list[int]:
    """Published postings whose last valid day is before ``today`` become ``expired`` (version bumped,
    one outbox event each). Returns their ids. The caller commits."""
    today = today or utcnow().date()
    ids = list(session.scalars(
        select(Posting.id).where(Posting.status == PostingStatus.PUBLISHED, Posting.valid_until < today).order_by(Posting.id)
    ))
    now = utcnow()
    done: list[int] = []
    for i in range(0, len(ids), batch_size):
        chunk = ids[i:i + batch_size]
        session.execute(
            update(Posting)
            .where(Posting.id.in_(chunk), Posting.status == PostingStatus.PUBLISHED)
            .values(status=PostingStatus.EXPIRED, version=Posting.version + 1, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        emit_many(session, "posting", chunk, "upsert")
        done.extend(chunk)
    from core.notifications.events import postings_closed

    postings_closed(session, done)  # the people still waiting on an application hear of it
    return done


def postings_for_external_ids(session: Session, channel_id: int, external_ids: list[str]) -> dict[str, int]:
    """The posting each of ``external_ids`` names in the channel's own records (``PostingSource``),
    for partners that address postings by their own ids. Ids the channel never sent are absent;
    another channel's ids are never matched."""
    found: dict[str, int] = {}
    wanted = sorted(set(external_ids))
    for i in range(0, len(wanted), 1000):
        found.update(session.execute(
            select(PostingSource.external_id, PostingSource.posting_id).where(
                PostingSource.channel_id == channel_id, PostingSource.external_id.in_(wanted[i:i + 1000]))
        ).all())
    return found


_REFRESHABLE = (PostingStatus.PUBLISHED, PostingStatus.EXPIRED, PostingStatus.PENDING_REVIEW)


@dataclass(frozen=True)
class SourceRefreshed:
    """A channel refreshed its own record of a posting it did not publish (its record was merged into
    another channel's or the enterprise's posting): the date is kept with that record (its source's
    ``raw["valid_until"]``, as a re-push would), and the posting's validity stays its publisher's.
    A partner is told ``merged`` and its own external id, never the posting's id."""

    external_id: str
    valid_until: dt.date


def _date_refusal(valid_until: dt.date, today: dt.date) -> DomainError | None:
    if valid_until < today:
        return DomainError("invalid_valid_until", "有效期不能早于今天", "valid_until")
    latest = today + dt.timedelta(days=MAX_VALIDITY_DAYS)
    if valid_until > latest:
        return DomainError("invalid_valid_until", f"有效期最长到 {latest:%Y-%m-%d}（{MAX_VALIDITY_DAYS}天内）", "valid_until")
    return None


def _refresh_refusal(posting: Posting, valid_until: dt.date, today: dt.date) -> DomainError | None:
    """Why ``posting`` may not be extended to ``valid_until`` (None: it may)."""
    if posting.status not in _REFRESHABLE:
        return DomainError("cannot_refresh", "该岗位已下线（已招满、已撤回或已驳回），不能延长有效期，请重新发布")
    return _date_refusal(valid_until, today)


def _apply_refresh(session: Session, posting: Posting, valid_until: dt.date, actor_user_id: int | None,
                   actor_role: str | None) -> None:
    posting.valid_until = valid_until
    if posting.status == PostingStatus.EXPIRED:
        posting.status = PostingStatus.PUBLISHED
    posting.version = (posting.version or 1) + 1
    posting.updated_at = utcnow()
    emit(session, "posting", posting.id, "upsert")
    record_access(
        session, actor_user_id=actor_user_id, actor_role=actor_role, action="update", subject_type="posting",
        subject_id=posting.id, purpose=f"延长岗位有效期至 {valid_until:%Y-%m-%d}", fields=["valid_until", "status"],
    )


def _refresh_source(session: Session, source: PostingSource, valid_until: dt.date, actor_role: str | None) -> SourceRefreshed:
    source.raw = {**(source.raw or {}), "valid_until": valid_until.isoformat()}
    record_access(
        session, actor_user_id=None, actor_role=actor_role, action="update", subject_type="posting_source",
        subject_id=source.id, purpose=f"渠道记录有效期至 {valid_until:%Y-%m-%d}（岗位由其他渠道发布，其有效期不变）",
        fields=["valid_until"],
    )
    return SourceRefreshed(source.external_id, valid_until)


def refresh_posting(
    session: Session,
    posting_id: int,
    valid_until: dt.date,
    *,
    enterprise_id: int | None = None,
    channel_id: int | None = None,
    actor_user_id: int | None = None,
    actor_role: str | None = None,
    today: dt.date | None = None,
) -> Posting | SourceRefreshed:
    """Extend a posting's validity: its enterprise (``enterprise_id``) or an admin; a channel
    (``channel_id``) as ``refresh_channel_postings`` says. An expired posting is published again.
    The caller commits."""
    today = today or utcnow().date()
    if channel_id is not None and enterprise_id is None and actor_role != Role.ADMIN:
        [result] = refresh_channel_postings(session, channel_id, [(posting_id, valid_until)],
                                            actor_role=actor_role, today=today)
        if isinstance(result, DomainError):
            raise result
        return result
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound("该岗位")
    if actor_role != Role.ADMIN and (enterprise_id is None or posting.enterprise_id != enterprise_id):
        raise PermissionDenied("只有发布该岗位的单位或渠道可以延长有效期")
    refusal = _refresh_refusal(posting, valid_until, today)
    if refusal is not None:
        raise refusal
    _apply_refresh(session, posting, valid_until, actor_user_id, actor_role)
    session.flush()
    return posting


def refresh_channel_postings(
    session: Session,
    channel_id: int,
    items: list[tuple[int, dt.date]],
    *,
    actor_role: str | None = None,
    today: dt.date | None = None,
) -> list[Posting | SourceRefreshed | DomainError]:
    """A channel's refreshes, ``(posting_id, valid_until)`` pairs, one result per pair in order: the
    refreshed posting, a ``SourceRefreshed``, or the refusal (a refused pair changes nothing).

    The rule (docs/feeds.md): a posting's validity is its publisher's — the channel that created it
    (or its enterprise). A channel whose record was merged into a posting it did not create refreshes
    its own record only (``SourceRefreshed``): it can never extend or revive another channel's
    posting. A channel with no record of the posting is refused. One query for the postings, one for
    the channel's records of them, one flush. The caller commits."""
    today = today or utcnow().date()
    ids = sorted({pid for pid, _ in items})
    postings: dict[int, Posting] = {}
    own_records: dict[int, PostingSource] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        postings.update((p.id, p) for p in session.scalars(select(Posting).where(Posting.id.in_(chunk))))
        for source in session.scalars(select(PostingSource).where(
                PostingSource.posting_id.in_(chunk), PostingSource.channel_id == channel_id).order_by(PostingSource.id)):
            own_records.setdefault(source.posting_id, source)
    results: list[Posting | SourceRefreshed | DomainError] = []
    with session.no_autoflush:
        for pid, valid_until in items:
            posting = postings.get(pid)
            if posting is None:
                results.append(NotFound("该岗位"))
            elif posting.channel_id != channel_id:
                record = own_records.get(pid)
                refusal = _date_refusal(valid_until, today) if record is not None else \
                    PermissionDenied("只有发布该岗位的单位或渠道可以延长有效期")
                results.append(refusal or _refresh_source(session, record, valid_until, actor_role))
            elif (refusal := _refresh_refusal(posting, valid_until, today)) is not None:
                results.append(refusal)
            else:
                _apply_refresh(session, posting, valid_until, None, actor_role)
                results.append(posting)
    session.flush()
    return results
