"""Monthly validity check runs and the call-back tasks they give commissioners."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column, utcnow


class CallbackOutcome(StrEnum):
    """What the call to the employer found."""

    STILL_OPEN = "still_open"    # 岗位仍在招
    FILLED = "filled"            # 已招满
    UNREACHABLE = "unreachable"  # 联系不上
    FAKE = "fake"                # 虚假岗位


OUTCOME_LABELS = {
    CallbackOutcome.STILL_OPEN: "仍在招聘",
    CallbackOutcome.FILLED: "已招满",
    CallbackOutcome.UNREACHABLE: "联系不上",
    CallbackOutcome.FAKE: "虚假岗位",
}


class ValidityCheckRun(Base):
    """One month's stratified sample: how many live postings each channel had and how many were drawn."""

    __tablename__ = "validity_check_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-11"
    per_channel: Mapped[int] = mapped_column(Integer)  # sample size asked for per channel
    seed: Mapped[int] = mapped_column(Integer)  # the random draw can be reproduced
    # {channel id (as text, "none" when unknown): count}; population = live postings at draw time.
    population: Mapped[dict] = mapped_column(JSON, default=dict)
    sampled: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    tasks: Mapped[list[CallbackTask]] = relationship(back_populates="run", order_by="CallbackTask.id")


class CallbackTask(Base):
    """Call the employer of one sampled posting and record what they say."""

    __tablename__ = "callback_tasks"
    __table_args__ = (UniqueConstraint("run_id", "posting_id", name="uq_callback_tasks_run_posting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("validity_check_runs.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)  # the stratum
    # The posting's jurisdiction (its region, or its channel's): commissioners of it do the call.
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[CallbackOutcome | None] = mapped_column(enum_column(CallbackOutcome), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # calls made (unreachable ones count)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # What the outcome did to the posting, e.g. "withdrawn"; empty when nothing changed.
    posting_action: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    run: Mapped[ValidityCheckRun] = relationship(back_populates="tasks")
    posting = relationship("Posting", lazy="joined")
    channel = relationship("Channel", lazy="joined")
    assigned_user = relationship("User", foreign_keys=[assigned_user_id], lazy="joined")
    done_by = relationship("User", foreign_keys=[done_by_user_id], lazy="joined")
