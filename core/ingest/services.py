"""Use cases around intake runs that need no pipeline: feed cursors, ingest runs and the
rejected-record store, and what an intake answer may tell a channel. Channels and their API keys
live in ``core.channels.services``."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.postings.models import Posting

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


# --- what intake may tell a channel ------------------------------------------------------------------

MERGED = "merged"
_HIDDEN_DUPLICATE = "可能与平台上已有的岗位重复，待审核员确认是否为同一岗位"


def answer_for_channel(session: Session, channel_id: int, results: list[dict]) -> list[dict]:
    """A channel's per-record results as the channel may see them: ids of postings it created, and
    nothing of another channel's. A record merged into (or matched to) a posting another channel or
    an enterprise published keeps its own ``external_id`` and gets status ``merged``, without that
    posting's id; a probable-duplicate hold reason does not name another channel's posting. (Staff
    see everything on their pages.)"""
    named = {r["posting_id"] for r in results if r.get("posting_id") is not None}
    named |= {x["duplicate_of"] for r in results for x in r.get("reasons") or () if x.get("duplicate_of")}
    own = set(session.scalars(select(Posting.id).where(Posting.id.in_(named), Posting.channel_id == channel_id))) \
        if named else set()
    out = []
    for r in results:
        r = dict(r)
        if r.get("posting_id") is not None and r["posting_id"] not in own:
            del r["posting_id"]
            r["status"] = MERGED
        if r.get("reasons"):
            r["reasons"] = [_reason_for_channel(x, own) for x in r["reasons"]]
        out.append(r)
    return out


def _reason_for_channel(reason: dict, own: set[int]) -> dict:
    if not reason.get("duplicate_of") or reason["duplicate_of"] in own:
        return reason
    return {k: v for k, v in reason.items() if k != "duplicate_of"} | {"message": _HIDDEN_DUPLICATE}
