"""Applications (投递) of jobseekers to postings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column, utcnow
from core.enums import ApplicationOrigin, ApplicationStatus


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("jobseeker_id", "posting_id", name="uq_applications_seeker_posting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.SUBMITTED
    )
    origin: Mapped[ApplicationOrigin] = mapped_column(enum_column(ApplicationOrigin), default=ApplicationOrigin.SEARCH)
    # Which fair, livestream session or invitation the application came through, e.g. "fair:12",
    # "livestream:3" (None for search and recommendation).
    origin_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    jobseeker = relationship("Jobseeker")
    posting = relationship("Posting")
