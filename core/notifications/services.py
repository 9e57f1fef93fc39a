"""Use cases on notifications. ``notify`` is what every other domain calls; it only adds rows in the
caller's transaction (no network inside a write transaction): the delivery of SMS/e-mail copies is
a separate step that reads these rows."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import NotificationKind
from core.errors import NotFound

from .models import Notification

TITLE_MAX = 200


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str | NotificationKind,
    title: str,
    body: str = "",
    link: str | None = None,
) -> Notification:
    """Put a notification in ``user_id``'s inbox (in the caller's transaction)."""
    note = Notification(
        user_id=user_id,
        kind=NotificationKind(kind).value,
        title=title[:TITLE_MAX],
        body=body,
        link=link,
    )
    session.add(note)
    session.flush()
    return note


def notify_many(session: Session, user_ids, **fields) -> int:
    """The same notification to several accounts (e.g. a cancelled fair's registrants)."""
    count = 0
    for user_id in dict.fromkeys(user_ids):  # once per account, in order
        notify(session, user_id=user_id, **fields)
        count += 1
    return count


def inbox(session: Session, user_id: int, *, limit: int = 50, offset: int = 0) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def unread_count(session: Session, user_id: int) -> int:
    stmt = select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def mark_read(session: Session, *, user_id: int, notification_id: int, now: dt.datetime | None = None) -> Notification:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:  # another person's message is "not found", not "forbidden"
        raise NotFound("这条消息")
    if note.read_at is None:
        note.read_at = now or utcnow()
    session.flush()
    return note


def mark_all_read(session: Session, *, user_id: int, now: dt.datetime | None = None) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return int(result.rowcount or 0)
