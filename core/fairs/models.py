"""Job fairs (招聘会): the fair, enterprises' booth requests, jobseekers' registrations with their
personal codes, conversations and hiring intentions (达成意向) at booths, and follow-up call-backs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class JobFair(Base):
    """A fair (on-site, online or both) run by a commissioner in the fair's own region."""

    __tablename__ = "job_fairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(32), default="general")  # core.fairs.services.THEMES
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # PriorityGroup values
    kind: Mapped[str] = mapped_column(String(16), default="onsite")  # onsite, online, both
    venue: Mapped[str] = mapped_column(String(300), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[str] = mapped_column(String(5), default="09:00")
    end_time: Mapped[str] = mapped_column(String(5), default="12:00")
    booth_capacity: Mapped[int] = mapped_column(Integer, default=50)
    visitor_capacity: Mapped[int] = mapped_column(Integer, default=1000)
    organiser: Mapped[str] = mapped_column(String(200), default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("major_projects.id", ondelete="SET NULL"))
    # draft, open_booths, open_visitors, running, closed, cancelled
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    booths: Mapped[list[FairBooth]] = relationship(back_populates="fair", cascade="all, delete-orphan",
                                                   order_by="FairBooth.id")


class FairBooth(Base):
    """An enterprise's booth request (展位申请) and, once approved, its booth."""

    __tablename__ = "fair_booths"
    __table_args__ = (UniqueConstraint("fair_id", "enterprise_id", name="uq_fair_booths_fair_enterprise"),
                      UniqueConstraint("fair_id", "booth_number", name="uq_fair_booths_fair_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    posting_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # the published postings brought
    headcount: Mapped[int] = mapped_column(Integer, default=0)  # people the enterprise means to hire here
    needs: Mapped[str] = mapped_column(String(300), default="")  # power, tables…
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, refused
    refusal_reason: Mapped[str | None] = mapped_column(String(300))
    booth_number: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    fair: Mapped[JobFair] = relationship(back_populates="booths")
    enterprise = relationship("Enterprise", lazy="joined")


class FairRegistration(Base):
    """A jobseeker's sign-up: a short numeric code (for people without a smartphone) and an unguessable
    token (in the QR code), both refused at any other fair's door."""

    __tablename__ = "fair_registrations"
    __table_args__ = (
        UniqueConstraint("fair_id", "jobseeker_id", name="uq_fair_registrations_fair_seeker"),
        UniqueConstraint("fair_id", "code", name="uq_fair_registrations_fair_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(48), unique=True)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    jobseeker = relationship("Jobseeker", lazy="joined")


class FairConversation(Base):
    """A conversation at a booth (a visitor's code typed or scanned there); ``intention`` marks a hiring
    intention reached (达成意向) for ``posting_id``, which also becomes an application from the fair."""

    __tablename__ = "fair_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("fair_booths.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("fair_registrations.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    intention: Mapped[bool] = mapped_column(Boolean, default=False)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    registration = relationship("FairRegistration", lazy="joined")
    booth = relationship("FairBooth", lazy="joined")


class FairFollowUp(Base):
    """A commissioner's call-back task for an intention, due some days after the fair; its outcome:
    hired (a placement of the person's priority groups), still talking, or declined with a reason."""

    __tablename__ = "fair_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("job_fairs.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("fair_conversations.id", ondelete="CASCADE"),
                                                 unique=True)
    due_date: Mapped[dt.date] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))  # hired, talking, declined
    reason: Mapped[str | None] = mapped_column(String(300))
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    conversation = relationship("FairConversation", lazy="joined")
