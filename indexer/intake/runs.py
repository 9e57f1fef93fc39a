"""The record of an intake run (``IngestRun``): started before its first batch, finished with its
counts and how it ended (done, failed, interrupted)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.db import utcnow
from core.ingest.models import IngestRun

from .results import ChannelInfo, IngestSummary


def start_run(session: Session, channel: ChannelInfo | None, kind: str, source_name: str | None) -> IngestRun:
    run = IngestRun(channel_id=channel.id if channel else None, kind=kind, source_name=source_name)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, summary: IngestSummary, status: str, error: str | None = None) -> None:
    """Write the run's counts and end (in the caller's transaction; the caller commits)."""
    run = session.get(IngestRun, run_id)
    if run is None:
        return
    run.status = status
    run.finished_at = utcnow()
    run.error = error
    run.received = summary.received
    run.created = summary.counts["accepted"] + summary.counts["held"]
    run.updated = summary.counts["updated"]
    run.unchanged = summary.counts["unchanged"]
    run.held = summary.counts["held"]
    run.merged = summary.counts["merged"]
    run.rejected = summary.counts["rejected"]
