"""The review queue and review decisions (岗位信息发布审核机制).

A posting the screening held (``status = pending_review`` with ``review_reasons``) waits here until a
reviewer approves it (it is published: ``published_at`` set, ``version`` bumped, an outbox event in
the same transaction) or rejects it with a note. A posting held as a probable duplicate of another
(``probable_duplicate``) can instead be merged into that one (``merge_posting``). Every decision is kept as a ``ReviewDecision`` and an
``AuditEvent``. Reviewers bound to a region only see and decide postings of their jurisdiction; a
posting with no region of its own falls under its channel's region.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from sqlalchemy import Select, Text, cast, func, or_, select, text, update
from sqlalchemy.orm import Session

from core.audit.services import record_access
from core.channels.models import Channel
from core.db import utcnow
from core.dedup.models import DedupFingerprint
from core.enums import PostingStatus, Role
from core.errors import DomainError, NotFound, PermissionDenied
from core.outbox.services import emit
from core.postings.models import Posting, PostingSource
from core.reference.services import RegionDirectory

from .models import ReviewDecision

APPROVE = "approve"
REJECT = "reject"
DECISIONS = (APPROVE, REJECT)
MERGE = "merge"          # a probable duplicate confirmed: its sources move to the other posting
PROBABLE_DUPLICATE = "probable_duplicate"
_LIVE = (PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW, PostingStatus.DRAFT)
MAX_NOTE_LENGTH = 1000
MAX_BULK = 200
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})


class Actor(Protocol):
    """Whoever acts: the signed-in user snapshot (webapp) or a ``User`` row (CLI, tests)."""

    id: int
    role: Any
    region_code: str | None


def jurisdiction_prefix(actor: Actor) -> str | None:
    """The region-code prefix an actor may see, or ``None`` for the whole platform.

    Admins and reviewers not bound to a region see everything; anyone else bound to a region sees
    the codes under it. Someone with neither (an unbound commissioner) sees nothing: ``"-"`` never
    prefixes a region code."""
    role = Role(actor.role)
    if role == Role.ADMIN:
        return None
    if not actor.region_code:
        return None if role == Role.REVIEWER else "-"
    return RegionDirectory.code_prefix(actor.region_code)


def effective_region():
    """A posting's own region, or its channel's when it has none (e.g. an ambiguous place name)."""
    return func.coalesce(Posting.region_code, Channel.region_code)


def in_prefix(code: str | None, prefix: str | None) -> bool:
    return prefix is None or (bool(code) and code.startswith(prefix))


@dataclass
class QueueFilters:
    channel_id: int | None = None
    reason_code: str | None = None
    region_code: str | None = None    # a division: itself and everything under it
    min_age_days: int | None = None   # waiting at least this many days
    max_age_days: int | None = None   # waiting at most this many days


@dataclass
class QueuePage:
    items: list[Posting]
    total: int
    reason_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (code, message, count)
    channel_counts: list[tuple[int | None, str, int]] = field(default_factory=list)  # (id, name, count)
    region_counts: list[tuple[str, int]] = field(default_factory=list)  # (city-level code, count)


def _queue_base(prefix: str | None) -> Select:
    stmt = (
        select(Posting)
        .outerjoin(Channel, Channel.id == Posting.channel_id)
        .where(Posting.status == PostingStatus.PENDING_REVIEW)
    )
    if prefix is not None:
        stmt = stmt.where(effective_region().like(f"{prefix}%"))
    return stmt


def _apply_filters(stmt: Select, f: QueueFilters, now: dt.datetime) -> Select:
    if f.channel_id:
        stmt = stmt.where(Posting.channel_id == f.channel_id)
    if f.region_code:
        stmt = stmt.where(effective_region().like(f"{RegionDirectory.code_prefix(f.region_code)}%"))
    if f.min_age_days is not None:
        stmt = stmt.where(Posting.created_at <= now - dt.timedelta(days=f.min_age_days))
    if f.max_age_days is not None:
        stmt = stmt.where(Posting.created_at >= now - dt.timedelta(days=f.max_age_days))
    if f.reason_code:
        # review_reasons is a JSON list stored as text by both SQLite and PostgreSQL's json type;
        # the exact key/value pair narrows it in SQL, and the page re-checks the parsed list.
        as_text = cast(Posting.review_reasons, Text)
        stmt = stmt.where(or_(  # with or without the space a JSON serialiser may put after the colon
            as_text.contains(f'"code": "{f.reason_code}"', autoescape=True),
            as_text.contains(f'"code":"{f.reason_code}"', autoescape=True),
        ))
    return stmt


def list_queue(
    session: Session,
    actor: Actor,
    filters: QueueFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> QueuePage:
    """Held postings in the actor's jurisdiction, oldest first, with facet counts for the filters."""
    _require_reviewer(actor)
    f = filters or QueueFilters()
    now = now or utcnow()
    prefix = jurisdiction_prefix(actor)
    stmt = _apply_filters(_queue_base(prefix), f, now)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Posting.id).subquery())) or 0
    rows = session.scalars(stmt.order_by(Posting.created_at, Posting.id).limit(limit).offset(offset)).unique()
    items = [p for p in rows if not f.reason_code or any(r.get("code") == f.reason_code for r in p.review_reasons or [])]

    # Facets over the whole jurisdiction's queue (not the filtered page), so a filter can be changed.
    base = _queue_base(prefix)
    reason_counts = _reason_facets(session, base)
    channel_rows = session.execute(
        base.with_only_columns(Posting.channel_id, Channel.name, func.count(Posting.id))
        .group_by(Posting.channel_id, Channel.name)
        .order_by(func.count(Posting.id).desc())
    ).all()
    regions: Counter[str] = Counter()
    for code in session.scalars(base.with_only_columns(effective_region())):
        if code:
            regions[code[:4] + "00"] += 1  # rolled up to the city, the level reviewers filter by
    return QueuePage(
        items=items,
        total=total,
        reason_counts=reason_counts,
        channel_counts=[(cid, name or "未知渠道", n) for cid, name, n in channel_rows],
        region_counts=sorted(regions.items()),
    )


def _reason_facets(session: Session, base: Select) -> list[tuple[str, str, int]]:
    """(code, message, number of postings) over the queue, most frequent first. The JSON lists are
    unnested by the database (json_each / json_array_elements): decoding tens of thousands of lists
    in Python is what made a large queue slow."""
    dialect = session.get_bind().dialect.name
    ids = base.with_only_columns(Posting.id).scalar_subquery()
    if dialect in ("sqlite", "postgresql"):
        # Only arrays: a reasons value stored as JSON null would make json_array_elements fail.
        json_type = func.json_type if dialect == "sqlite" else func.json_typeof
        holder = (
            select(Posting.id.label("pid"), Posting.review_reasons.label("rr"))
            .where(Posting.id.in_(ids), json_type(Posting.review_reasons) == "array")
            .subquery()
        )
        if dialect == "sqlite":
            elem = func.json_each(holder.c.rr).table_valued("value").alias("elem")
            code = func.json_extract(elem.c.value, "$.code")
            message = func.json_extract(elem.c.value, "$.message")
        else:
            elem = func.json_array_elements(holder.c.rr).table_valued("value").alias("elem")
            code = elem.c.value.op("->>")("code")
            message = elem.c.value.op("->>")("message")
        rows = session.execute(
            select(code.label("code"), func.min(message), func.count(func.distinct(holder.c.pid)))
            .select_from(holder)
            .join(elem, text("1 = 1"))
            .where(code.is_not(None))
            .group_by(code)
        ).all()
        return sorted(((c, m or c, n) for c, m, n in rows), key=lambda r: (-r[2], r[0]))
    reasons: Counter[str] = Counter()
    messages: dict[str, str] = {}
    for reason_list in session.scalars(base.with_only_columns(Posting.review_reasons)):
        for r in reason_list or []:
            if r.get("code"):
                messages.setdefault(r["code"], r.get("message") or r["code"])
        for code in {r.get("code") for r in reason_list or [] if r.get("code")}:
            reasons[code] += 1
    return sorted(((c, messages[c], n) for c, n in reasons.items()), key=lambda r: (-r[2], r[0]))


def _require_reviewer(actor: Actor) -> None:
    if Role(actor.role) not in REVIEW_ROLES:
        raise PermissionDenied("只有审核员或管理员可以审核岗位")


def _posting_region(session: Session, posting: Posting) -> str | None:
    if posting.region_code:
        return posting.region_code
    if posting.channel_id:
        ch = session.get(Channel, posting.channel_id)
        return ch.region_code if ch else None
    return None


def review_posting(
    session: Session,
    posting_id: int,
    decision: str,
    actor: Actor,
    note: str = "",
    *,
    batch_id: str | None = None,
    ip: str | None = None,
    today: dt.date | None = None,
) -> ReviewDecision:
    """Approve (publish) or reject one held posting. Raises a ``DomainError`` and changes nothing when
    the posting is not waiting for review, is outside the actor's jurisdiction, or the note is missing
    for a rejection. The caller commits."""
    _require_reviewer(actor)
    if decision not in DECISIONS:
        raise DomainError("invalid_decision", "审核结论只能是通过或驳回", "decision")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError("note_too_long", f"审核意见不能超过{MAX_NOTE_LENGTH}字", "note")
    if decision == REJECT and not note:
        raise DomainError("note_required", "驳回时请填写理由，便于发布方修改后重新提交", "note")
    posting = _pending_posting(session, actor, posting_id)
    today = today or utcnow().date()
    if decision == APPROVE and posting.valid_until and posting.valid_until < today:
        raise DomainError(
            "validity_passed",
            f"该岗位有效期已于 {posting.valid_until:%Y-%m-%d} 截止，请驳回，或由发布方延长有效期后再审核",
        )

    now = utcnow()
    new_status = PostingStatus.PUBLISHED if decision == APPROVE else PostingStatus.REJECTED
    values: dict[str, Any] = {"status": new_status, "version": Posting.version + 1, "updated_at": now}
    if decision == APPROVE:
        values["published_at"] = now
    # Conditional on the status still being pending: two reviewers deciding at once cannot both win.
    result = session.execute(
        update(Posting)
        .where(Posting.id == posting_id, Posting.status == PostingStatus.PENDING_REVIEW)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError("not_pending", "该岗位已被其他审核员处理，请刷新页面")
    session.refresh(posting)
    emit(session, "posting", posting.id, "upsert")
    purpose = ("岗位审核：通过并发布" if decision == APPROVE else "岗位审核：驳回") + (" (批量)" if batch_id else "")
    return _record_decision(session, actor, posting, decision, note, new_status, purpose, ["status"], now, ip,
                            batch_id=batch_id)


def _pending_posting(session: Session, actor, posting_id: int) -> Posting:
    """The posting a reviewer decides on: it exists, lies in the actor's jurisdiction and still
    waits for review."""
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound("该岗位")
    if not in_prefix(_posting_region(session, posting), jurisdiction_prefix(actor)):
        raise PermissionDenied("该岗位不在您的管辖范围内")
    if posting.status != PostingStatus.PENDING_REVIEW:
        raise DomainError(
            "not_pending",
            f"该岗位当前状态为「{_status_label(posting.status)}」，不在待审核队列中（可能已被其他审核员处理）",
        )
    return posting


def _record_decision(session: Session, actor, posting: Posting, decision: str, note: str | None, new_status,
                     purpose: str, fields: list[str], now, ip: str | None, batch_id: str | None = None) -> ReviewDecision:
    """The review decision row and its audit event (the posting left pending review)."""
    record = ReviewDecision(
        posting_id=posting.id,
        reviewer_user_id=actor.id,
        reviewer_role=str(Role(actor.role)),
        decision=decision,
        note=note,
        previous_status=str(PostingStatus.PENDING_REVIEW),
        new_status=str(new_status),
        reasons=list(posting.review_reasons or []),
        batch_id=batch_id,
        at=now,
    )
    session.add(record)
    record_access(
        session,
        actor_user_id=actor.id,
        actor_role=str(Role(actor.role)),
        action="review",
        subject_type="posting",
        subject_id=posting.id,
        purpose=purpose,
        fields=fields,
        ip=ip,
    )
    session.flush()
    return record


def approve_posting(session: Session, posting_id: int, actor: Actor, note: str = "", **kw) -> ReviewDecision:
    return review_posting(session, posting_id, APPROVE, actor, note, **kw)


def reject_posting(session: Session, posting_id: int, actor: Actor, note: str, **kw) -> ReviewDecision:
    return review_posting(session, posting_id, REJECT, actor, note, **kw)


def duplicate_of(posting: Posting) -> int | None:
    """The posting a held posting probably duplicates (its ``probable_duplicate`` reason), if any."""
    for r in posting.review_reasons or []:
        if isinstance(r, dict) and r.get("code") == PROBABLE_DUPLICATE:
            try:
                return int(r.get("duplicate_of"))
            except (TypeError, ValueError):
                return None
    return None


def merge_posting(
    session: Session,
    posting_id: int,
    actor: Actor,
    note: str = "",
    *,
    ip: str | None = None,
) -> ReviewDecision:
    """Confirm a probable duplicate: move the held posting's source records to the posting it
    duplicates (which must still be live), reject this one with a note saying where it went, and drop
    its deduplication fingerprint so nothing is matched to it again. The caller commits."""
    _require_reviewer(actor)
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError("note_too_long", f"审核意见不能超过{MAX_NOTE_LENGTH}字", "note")
    posting = _pending_posting(session, actor, posting_id)
    target_id = duplicate_of(posting)
    if target_id is None or target_id == posting.id:
        raise DomainError("not_a_probable_duplicate", "该岗位没有“可能重复”的审核原因，无法合并，请通过或驳回")
    target = session.get(Posting, target_id)
    if target is None or target.status not in _LIVE:
        state = f"当前状态为「{_status_label(target.status)}」" if target is not None else "已不存在"
        raise DomainError(
            "merge_target_gone",
            f"岗位 #{target_id} {state}，不能再合并到它；如本岗位有效请通过，否则请驳回",
        )

    now = utcnow()
    result = session.execute(
        update(Posting)
        .where(Posting.id == posting.id, Posting.status == PostingStatus.PENDING_REVIEW)
        .values(status=PostingStatus.REJECTED, version=Posting.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError("not_pending", "该岗位已被其他审核员处理，请刷新页面")
    session.execute(
        update(PostingSource).where(PostingSource.posting_id == posting.id).values(posting_id=target.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Posting).where(Posting.id == target.id).values(version=Posting.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(DedupFingerprint.__table__.delete().where(DedupFingerprint.posting_id == posting.id))
    session.expire(posting)
    session.expire(target)
    emit(session, "posting", posting.id, "upsert")
    emit(session, "posting", target.id, "upsert")
    full_note = f"与岗位 #{target.id} 为同一岗位，已合并到 #{target.id}" + (f"：{note}" if note else "")
    return _record_decision(session, actor, posting, MERGE, full_note, PostingStatus.REJECTED,
                            f"岗位审核：合并到 #{target.id}", ["status", "sources"], now, ip)


@dataclass
class BulkResult:
    batch_id: str
    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (posting id, message)


def bulk_review(
    session: Session,
    posting_ids: Iterable[int],
    decision: str,
    actor: Actor,
    note: str = "",
    *,
    ip: str | None = None,
    today: dt.date | None = None,
) -> BulkResult:
    """Decide many postings at once. Each posting is decided on its own (a savepoint each): one that
    cannot be decided is reported in ``skipped`` and the others still go through."""
    _require_reviewer(actor)
    ids = list(dict.fromkeys(int(i) for i in posting_ids))
    if not ids:
        raise DomainError("nothing_selected", "请先勾选要处理的岗位", "posting_ids")
    if len(ids) > MAX_BULK:
        raise DomainError("too_many", f"一次最多处理{MAX_BULK}条", "posting_ids")
    if decision == REJECT and not (note or "").strip():
        raise DomainError("note_required", "批量驳回时请填写理由", "note")
    result = BulkResult(batch_id=uuid.uuid4().hex)
    for pid in ids:
        try:
            with session.begin_nested():
                review_posting(session, pid, decision, actor, note, batch_id=result.batch_id, ip=ip, today=today)
            result.done.append(pid)
        except DomainError as exc:
            result.skipped.append((pid, exc.message))
    return result


def list_decisions(
    session: Session,
    actor: Actor,
    *,
    posting_id: int | None = None,
    reviewer_user_id: int | None = None,
    decision: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReviewDecision], int]:
    """The audit trail of review decisions the actor may see, newest first."""
    _require_reviewer(actor)
    stmt = (
        select(ReviewDecision)
        .join(Posting, Posting.id == ReviewDecision.posting_id)
        .outerjoin(Channel, Channel.id == Posting.channel_id)
    )
    prefix = jurisdiction_prefix(actor)
    if prefix is not None:
        stmt = stmt.where(effective_region().like(f"{prefix}%"))
    if posting_id:
        stmt = stmt.where(ReviewDecision.posting_id == posting_id)
    if reviewer_user_id:
        stmt = stmt.where(ReviewDecision.reviewer_user_id == reviewer_user_id)
    if decision in (*DECISIONS, MERGE):
        stmt = stmt.where(ReviewDecision.decision == decision)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(ReviewDecision.id).subquery())) or 0
    rows = list(session.scalars(stmt.order_by(ReviewDecision.at.desc(), ReviewDecision.id.desc()).limit(limit).offset(offset)).unique())
    return rows, total


def get_reviewable_posting(session: Session, posting_id: int, actor: Actor) -> Posting:
    """A posting as a reviewer may look at it (any status), inside the actor's jurisdiction."""
    _require_reviewer(actor)
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound("该岗位")
    if not in_prefix(_posting_region(session, posting), jurisdiction_prefix(actor)):
        raise PermissionDenied("该岗位不在您的管辖范围内")
    return posting


def _status_label(status) -> str:
    from core.enums import label

    return label(status)


def latest_decisions(session: Session, posting_ids: Iterable[int]) -> dict[int, ReviewDecision]:
    """The most recent decision on each of the postings (e.g. to show a publisher why a posting was
    rejected). No access check: callers pass postings the viewer already may see."""
    ids = list({int(i) for i in posting_ids})
    if not ids:
        return {}
    newest = (
        select(ReviewDecision.posting_id, func.max(ReviewDecision.id).label("last_id"))
        .where(ReviewDecision.posting_id.in_(ids))
        .group_by(ReviewDecision.posting_id)
        .subquery()
    )
    rows = session.scalars(select(ReviewDecision).join(newest, ReviewDecision.id == newest.c.last_id)).unique()
    return {d.posting_id: d for d in rows}
