"""The open change feed (JobStream-style): every published, changed and withdrawn posting in the order
the changes committed to the outbox, resumable from a cursor (the outbox event's id).

Each event carries the posting as it is NOW (the feed is a change log, not history): a consumer that
applies the events in order — an upsert stores the posting, a withdrawal deletes it — ends with exactly
the postings published at the time of its last read. Events younger than ``SETTLE`` are held back:
outbox ids are handed out when a transaction inserts, not when it commits, so a slower transaction may
commit a lower id after a higher one was read; waiting a few seconds keeps the cursor from passing it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from core.enums import PostingStatus
from core.outbox.models import OutboxEvent
from core.postings.models import Posting

SETTLE = dt.timedelta(seconds=5)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_EVENT_ID = 2**31 - 1
_PUBLISH_SLACK = dt.timedelta(seconds=2)  # published_at and the publish event: one transaction, two clock reads


@dataclass
class FeedEvent:
    cursor: int
    type: str  # published, changed, withdrawn
    posting_id: int
    at: dt.datetime
    posting: Posting | None = None  # for published and changed
    status: str | None = None  # for withdrawn: why it left (withdrawn, expired, filled, rejected, deleted)


@dataclass
class FeedPage:
    events: list[FeedEvent] = field(default_factory=list)
    next_cursor: int = 0
    has_more: bool = False


def _event_type(event_id: int, posting: Posting | None, first_public: dict[int, int]) -> tuple[str, str | None] | None:
    if posting is None:
        return "withdrawn", "deleted"
    if posting.status == PostingStatus.PUBLISHED:
        return ("published" if event_id <= first_public.get(posting.id, event_id) else "changed"), None
    if posting.published_at is None:
        return None  # never public (held for review, rejected at intake): nothing to tell
    return "withdrawn", str(posting.status)


def _first_public_events(session: Session, postings: dict[int, Posting]) -> dict[int, int]:
    """For each published posting, its first event from the moment it was (last) published: events up
    to it say "published", later ones "changed"."""
    live = {pid: p.published_at for pid, p in postings.items()
            if p.status == PostingStatus.PUBLISHED and p.published_at is not None}
    if not live:
        return {}
    first: dict[int, int] = {}
    rows = session.execute(select(OutboxEvent.entity_id, OutboxEvent.id, OutboxEvent.created_at, OutboxEvent.operation)
                           .where(OutboxEvent.entity == "posting", OutboxEvent.entity_id.in_(list(live)))
                           .order_by(OutboxEvent.id))
    for pid, event_id, created_at, operation in rows:
        if operation == "delete":  # withdrawn or deleted (SQLite may give a deleted row's id to a new one)
            first.pop(pid, None)
        elif pid not in first and created_at >= live[pid] - _PUBLISH_SLACK:
            first[pid] = event_id
    return first


def read_feed(session: Session, since: int, limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None) -> FeedPage:
    """The posting events after cursor ``since`` (at most ``limit``), oldest first. ``next_cursor`` is
    where to resume — past events that tell nothing too, so a consumer never reads them again."""
    limit = max(1, min(limit, MAX_LIMIT))
    if since >= MAX_EVENT_ID:  # past any id the outbox can hold (its id is a 32-bit integer)
        return FeedPage(next_cursor=since)
    settled = (now or utcnow()) - SETTLE
    rows = session.execute(
        select(OutboxEvent.id, OutboxEvent.entity_id, OutboxEvent.created_at)
        .where(OutboxEvent.entity == "posting", OutboxEvent.id > since, OutboxEvent.created_at <= settled)
        .order_by(OutboxEvent.id).limit(limit + 1)
    ).all()
    page = FeedPage(next_cursor=since, has_more=len(rows) > limit)
    rows = rows[:limit]
    ids = {r.entity_id for r in rows}
    postings = {p.id: p for p in session.scalars(
        select(Posting).where(Posting.id.in_(ids)).options(selectinload(Posting.sources)))} if ids else {}
    first_public = _first_public_events(session, postings)
    for event_id, posting_id, created_at in rows:
        page.next_cursor = event_id
        posting = postings.get(posting_id)
        kind = _event_type(event_id, posting, first_public)
        if kind is None:
            continue
        page.events.append(FeedEvent(event_id, kind[0], posting_id, created_at,
                                     posting if kind[0] != "withdrawn" else None, kind[1]))
    return page
