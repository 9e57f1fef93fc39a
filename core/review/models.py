"""A reviewer's decision on a held posting, kept for the audit trail (records kept at least three years)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class ReviewDecision(Base):
    """One approve/reject of one posting. Bulk actions share a ``batch_id``."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer_role: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # "approve" | "reject"
    note: Mapped[str] = mapped_column(Text, default="")
    previous_status: Mapped[str] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    # The reasons the posting was held for, as they stood when decided.
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)
    batch_id: Mapped[str | None] = mapped_column(String(32), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    posting = relationship("Posting", lazy="joined")
    reviewer = relationship("User", lazy="joined")
