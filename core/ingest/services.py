"""Use cases around intake runs that need no pipeline: feed cursors, ingest runs and the
rejected-record store. Channels and their API keys live in ``core.channels.services``."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.channels.models import Channel

from .models import FeedCursor, IngestRun, RejectedRecord


# --- feed cursors --------------------------------------------------------------------------------------

def get_cursor(session: Session, channel: Channel) -> FeedCursor:
    cur = session.scalar(select(FeedCursor).where(FeedCursor.channel_id == channel.id))
    if cur is None:
        cur = FeedCursor(channel_id=channel.id)
        session.add(cur)
        session.flush()
    return cur


# --- runs and rejected records ----------------------------------------------------------------------

def open_rejected(session: Session, *, channel_id: int | None = None, limit: int | None = None) -> list[RejectedRecord]:
    stmt = select(RejectedRecord).where(RejectedRecord.state == "open").order_by(RejectedRecord.id)
    if channel_id is not None:
        stmt = stmt.where(RejectedRecord.channel_id == channel_id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def rejected_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(RejectedRecord.code, func.count()).where(RejectedRecord.state == "open").group_by(RejectedRecord.code)
    )
    return {code: n for code, n in rows}


def recent_runs(session: Session, limit: int = 20) -> list[IngestRun]:
    return list(session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)))
