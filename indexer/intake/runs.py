"""The record of an intake run (``IngestRun``): started before its first batch; its counters moved
in each batch's own transaction, so they match what was committed however the run ends (even
killed); finished with how it ended (done, failed, interrupted). ``sigterm_as_interrupt`` lets a
command stopped by SIGTERM record its run as interrupted instead of leaving it ``running``."""
from __future__ import annotations

import contextlib
import re
import signal
from collections import Counter
from typing import Iterable, Iterator, Mapping

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.ingest.models import IngestRun

from .results import ChannelInfo, IngestSummary, RecordResult


def start_run(session: Session, channel: ChannelInfo | None, kind: str, source_name: str | None) -> IngestRun:
    run = IngestRun(channel_id=channel.id if channel else None, kind=kind, source_name=source_name)
    session.add(run)
    session.flush()
    return run


def _counters(counts: Mapping[str, int]) -> dict[str, int]:
    """The run's counter columns from counts per outcome."""
    return {"received": sum(counts.values()), "created": counts.get("accepted", 0) + counts.get("held", 0),
            "updated": counts.get("updated", 0), "unchanged": counts.get("unchanged", 0),
            "held": counts.get("held", 0), "merged": counts.get("merged", 0), "rejected": counts.get("rejected", 0)}


def count_batch(session: Session, run_id: int, results: Iterable[RecordResult]) -> None:
    """Add one batch's results to its run's counters in the batch's own transaction (the caller
    commits them together). While the run is going, ``finished_at`` holds the time of this progress
    (``IngestRun.last_progress_at``), which is how a run that stopped moving is told apart."""
    added = _counters(Counter(r.outcome for r in results))
    session.execute(update(IngestRun).where(IngestRun.id == run_id).values(
        finished_at=utcnow(), **{k: getattr(IngestRun, k) + n for k, n in added.items() if n}))


def finish_run(session: Session, run_id: int, summary: IngestSummary, status: str, error: str | None = None) -> None:
    """Write how the run ended (in the caller's transaction; the caller commits). A run that is
    ``done`` takes the summary's counts; a failed or interrupted one keeps the counts of the
    batches it committed (``count_batch``), which is what the database holds."""
    run = session.get(IngestRun, run_id)
    if run is None:
        return
    run.status = status
    run.finished_at = utcnow()
    run.error = _plain_error(error)
    if status == "done":
        for column, value in _counters(summary.counts).items():
            setattr(run, column, value)


def _plain_error(error: str | None) -> str | None:
    """The error as kept on the run (and shown to staff): its first line, never the SQL statement or
    its parameters a database error carries (they may hold personal data)."""
    if not error:
        return error
    return re.split(r"\\n|\n|\[SQL:|\[parameters:", error, maxsplit=1)[0].strip()[:500]


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within: SIGTERM (a service manager, ``kill``) raises KeyboardInterrupt in the main thread, so
    the run ends ``interrupted`` with the counts it committed. Elsewhere than the main thread,
    nothing changes (signals can only be handled there)."""
    def stop(signum, frame):
        raise KeyboardInterrupt("SIGTERM")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
