"""Intake bookkeeping: ingest runs, rejected records kept for re-processing, and feed cursors."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class IngestRun(Base):
    """One pass of the pipeline over a file, a feed pull, a partner batch, a form or a retry."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # file, pull, push, form, project, demo, retry
    source_name: Mapped[str | None] = mapped_column(String(300))  # file name, feed URL, ...
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed, interrupted
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The end of a finished run. While it is ``running``: the time of its last committed batch (its
    # counters move in each batch's transaction), so a run that stopped moving — killed, its machine
    # lost — shows as stale (``core.ingest.services.run_state``); no separate column is needed.
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    received: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def last_progress_at(self) -> dt.datetime:
        """When the run last showed life: its start, its last committed batch, or its end."""
        return self.finished_at or self.started_at


class RejectedRecord(Base):
    """A record the pipeline did not accept, kept as received with its reasons (``joblink ingest retry``)."""

    __tablename__ = "rejected_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)
    # The adapter format that can turn ``raw`` back into a draft (see indexer.sources.FORMATS).
    format: Mapped[str] = mapped_column(String(32))
    record_number: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(128))
    code: Mapped[str] = mapped_column(String(64), index=True)  # first reason's machine code
    message: Mapped[str] = mapped_column(String(500))
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)
    raw: Mapped[dict | None] = mapped_column(JSON)
    raw_text: Mapped[str | None] = mapped_column(Text)  # when the record could not even be parsed
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, resolved
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))


class FeedCursor(Base):
    """Where the last pull of a channel's feed got to: the window start and the next page of it."""

    __tablename__ = "feed_cursors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), unique=True)
    feed_url: Mapped[str | None] = mapped_column(String(500))
    # Records updated at or after this instant are asked for (ISO 8601 text, as the feed wrote it).
    updated_since: Mapped[str | None] = mapped_column(String(40))
    # A pull in progress: the window it is reading and the next page to ask for.
    window_since: Mapped[str | None] = mapped_column(String(40))
    next_page: Mapped[int | None] = mapped_column(Integer)
    window_max_updated: Mapped[str | None] = mapped_column(String(40))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
