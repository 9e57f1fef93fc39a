"""Use cases around intake runs that need no pipeline: feed cursors, ingest runs and the
rejected-record store, and what an intake answer may tell a channel. Channels and their API keys
live in ``core.channels.services``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.db import utcnow
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


# --- how a run stands ----------------------------------------------------------------------------------

# A run still marked running with no committed batch for this long has probably stopped (killed, its
# machine lost): a batch of 1,000 records takes about a second, a feed page at most its timeout.
STALE_AFTER = dt.timedelta(minutes=15)
RUN_LABELS = {"done": "已完成", "failed": "失败", "interrupted": "已中断", "running": "进行中", "stale": "可能已中断"}
RUN_KIND_LABELS = {"file": "文件导入", "pull": "接口拉取", "push": "合作方推送", "form": "单位填报", "project": "重大项目",
                   "demo": "演示数据", "retry": "重新处理", "bench": "性能测试"}


@dataclass(frozen=True)
class RunState:
    """A run and how it stands: its status, or ``stale`` for a run marked running that has made no
    progress (no committed batch) for longer than the threshold."""

    run: IngestRun
    state: str                      # done, failed, interrupted, running, stale
    idle: dt.timedelta | None       # running or stale: time since its last committed batch (or start)

    @property
    def label(self) -> str:
        text = RUN_LABELS.get(self.state, self.state)
        if self.state == "stale":
            text += f"（{int(self.idle.total_seconds() // 60)} 分钟没有进展，进程可能已被终止；可重新导入，已导入的记录不会重复）"
        return text

    def as_dict(self) -> dict:
        r = self.run
        return {"id": r.id, "kind": r.kind, "channel_id": r.channel_id, "source": r.source_name, "status": r.status,
                "state": self.state, "label": self.label, "started_at": r.started_at,
                "last_progress_at": r.last_progress_at, "finished_at": None if r.status == "running" else r.finished_at,
                "idle_minutes": None if self.idle is None else round(self.idle.total_seconds() / 60, 1),
                "received": r.received, "created": r.created, "updated": r.updated, "unchanged": r.unchanged,
                "held": r.held, "merged": r.merged, "rejected": r.rejected, "error": r.error}


def run_state(run: IngestRun, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER) -> RunState:
    if run.status != "running":
        return RunState(run, run.status, None)
    idle = max(dt.timedelta(0), (now or utcnow()) - run.last_progress_at)
    return RunState(run, "stale" if idle >= stale_after else "running", idle)


def runs_with_state(session: Session, limit: int = 20, *, now: dt.datetime | None = None,
                    stale_after: dt.timedelta = STALE_AFTER) -> list[RunState]:
    """The latest ``limit`` runs, newest first, plus every older run still marked running (a stale run
    never scrolls out of sight), each with how it stands."""
    now = now or utcnow()
    runs = recent_runs(session, limit)
    oldest = min((r.id for r in runs), default=None)
    if oldest is not None:
        runs += list(session.scalars(select(IngestRun).where(IngestRun.status == "running", IngestRun.id < oldest)
                                     .order_by(IngestRun.id.desc())))
    return [run_state(r, now, stale_after) for r in runs]


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
