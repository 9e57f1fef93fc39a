"""Applications (投递) of jobseekers to postings, the enterprise's notes on them, and its invitations
to apply (邀请投递)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column, utcnow
from core.enums import ApplicationOrigin, ApplicationStatus, InvitationStatus


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("jobseeker_id", "posting_id", name="uq_applications_seeker_posting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    # The hiring stage: submitted (new) -> viewed -> interview -> offer -> hired, or declined (未通过,
    # with a reason) at any point; withdrawn is the jobseeker's own.
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.SUBMITTED
    )
    origin: Mapped[ApplicationOrigin] = mapped_column(enum_column(ApplicationOrigin), default=ApplicationOrigin.SEARCH)
    # Which fair, livestream session or invitation the application came through, e.g. "fair:12",
    # "livestream:3" (None for search and recommendation).
    origin_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Why it was declined: a code of core.applications.services.REJECTION_REASONS (told to the
    # jobseeker in words) and the enterprise's own words (kept for the enterprise).
    rejection_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rejection_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    stage_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    jobseeker = relationship("Jobseeker")
    posting = relationship("Posting")
    notes = relationship("ApplicationNote", order_by="ApplicationNote.id", cascade="all, delete-orphan",
                         passive_deletes=True)


class ApplicationNote(Base):
    """The enterprise's own note on one application (never shown to the jobseeker)."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Invitation(Base):
    """An enterprise invites a recommended jobseeker to apply to one of its postings. Accepting is
    applying (origin invitation, origin_ref "invitation:<id>"): only then may the enterprise see the
    person's name and phone."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("posting_id", "jobseeker_id", name="uq_invitations_posting_seeker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                           nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[InvitationStatus] = mapped_column(enum_column(InvitationStatus), default=InvitationStatus.SENT)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"),
                                                       nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    posting = relationship("Posting")
    jobseeker = relationship("Jobseeker")
    enterprise = relationship("Enterprise")
