"""Postings (岗位) and the channel records each one came from."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column, utcnow
from core.enums import Education, EmploymentType, PayUnit, PostingStatus


class Posting(Base):
    """The canonical posting: one job, however many channels listed it."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # The channel the canonical record was first received from; every channel is in ``sources``.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)

    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"), index=True)
    occupation_confidence: Mapped[float | None] = mapped_column(Float)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    pay_text: Mapped[str | None] = mapped_column(String(100))  # as the channel wrote it
    pay_min: Mapped[float | None] = mapped_column(Float)
    pay_max: Mapped[float | None] = mapped_column(Float)
    pay_unit: Mapped[PayUnit | None] = mapped_column(enum_column(PayUnit))
    pay_monthly_min: Mapped[float | None] = mapped_column(Float)  # monthly equivalent, yuan
    pay_monthly_max: Mapped[float | None] = mapped_column(Float)

    employment_type: Mapped[EmploymentType] = mapped_column(
        enum_column(EmploymentType), default=EmploymentType.FULL_TIME
    )
    headcount: Mapped[int | None] = mapped_column(Integer)  # None = 若干 (unspecified)
    education: Mapped[Education] = mapped_column(enum_column(Education), default=Education.NONE)
    experience_years: Mapped[int | None] = mapped_column(Integer)  # minimum years; None = 不限
    welfare_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # PriorityGroup values

    status: Mapped[PostingStatus] = mapped_column(
        enum_column(PostingStatus), default=PostingStatus.DRAFT, index=True
    )
    review_reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Bumped on every change; search writes carry it so a stale update never wins.
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_demo: Mapped[bool] = mapped_column(default=False)

    sources: Mapped[list[PostingSource]] = relationship(
        back_populates="posting", cascade="all, delete-orphan", order_by="PostingSource.id"
    )
    enterprise = relationship("Enterprise", lazy="joined")
    region = relationship("Region", lazy="joined")
    occupation = relationship("Occupation", lazy="joined")


class PostingSource(Base):
    """One channel's record of a posting, kept as received."""

    __tablename__ = "posting_sources"
    __table_args__ = (UniqueConstraint("channel_id", "external_id", name="uq_posting_sources_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    source_url: Mapped[str | None] = mapped_column(String(500))
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    posting: Mapped[Posting] = relationship(back_populates="sources")
    channel = relationship("Channel", lazy="joined")
