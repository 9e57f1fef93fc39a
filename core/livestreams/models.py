"""Livestream job promotion (直播带岗): a live session, its run-sheet of postings, the "now presenting"
pointer's history (the replay's chapters) and the viewer figures the platform reports."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class LiveSession(Base):
    """One livestream (一场直播带岗): planned, then live, then ended."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # PriorityGroup values
    platform: Mapped[str] = mapped_column(String(16), default="own")  # douyin, kuaishou, channels, own
    hosts: Mapped[str] = mapped_column(String(200), default="")  # names as announced (主播)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    scheduled_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    scheduled_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    replay_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)  # planned, live, ended
    # The run-sheet item on screen now; no foreign key (the item may be removed while live).
    current_item_id: Mapped[int | None] = mapped_column(Integer)
    # Bumped on every change a viewer page shows (pointer, run-sheet, status): the poll's ETag.
    pointer_version: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The commissioners who run the session (move the pointer, edit, start, end): user ids.
    commissioner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Claims flags a commissioner let through when going live, and why (audited too).
    override_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[RunSheetItem]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="RunSheetItem.position"
    )


class RunSheetItem(Base):
    """One posting on a session's run-sheet (串词单), in order, with what to say about it."""

    __tablename__ = "live_run_sheet_items"
    __table_args__ = (UniqueConstraint("session_id", "posting_id", name="uq_live_run_sheet_items_session_posting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    talking_points: Mapped[str] = mapped_column(Text, default="")  # 讲解要点
    presenter: Mapped[str] = mapped_column(String(100), default="")  # the enterprise's presenter
    link_opens: Mapped[int] = mapped_column(Integer, default=0)  # opens of the apply link / QR code
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[LiveSession] = relationship(back_populates="items")
    posting = relationship("Posting", lazy="joined")


class PointerEvent(Base):
    """The pointer moved onto a posting at ``at``: the replay's chapters come from these."""

    __tablename__ = "live_pointer_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("live_run_sheet_items.id", ondelete="SET NULL"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ViewerFigures(Base):
    """What the platform counted, for the whole session (``posting_id`` None) or one posting:
    typed in by a commissioner or imported from the platform's export."""

    __tablename__ = "live_viewer_figures"
    __table_args__ = (UniqueConstraint("session_id", "posting_key", name="uq_live_viewer_figures_session_posting_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    # posting id as text, "" for the whole session: one row per (session, posting) on every backend
    # (a unique constraint over a NULL column would let duplicates in).
    posting_key: Mapped[str] = mapped_column(String(16), default="")
    views: Mapped[int] = mapped_column(Integer, default=0)
    link_opens: Mapped[int] = mapped_column(Integer, default=0)
    sign_ups: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="typed")  # typed, import
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
