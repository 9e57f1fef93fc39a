"""Jobseekers (求职者) and their declared priority groups."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.db import Base, enum_column, utcnow
from core.enums import Availability, Education, PriorityGroup, SeekerVisibility, VerificationStatus


class Jobseeker(Base):
    __tablename__ = "jobseekers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # Sensitive personal information: the ID number only ever stored encrypted (Fernet), with a keyed
    # hash (HMAC-SHA256) for look-up. Never logged, never put in the search index.
    id_number_encrypted: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))  # kept for statistics only, never for matching
    phone: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    education: Mapped[Education] = mapped_column(enum_column(Education), default=Education.NONE)
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    experience_years: Mapped[int] = mapped_column(Integer, default=0)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    desired_occupations: Mapped[list[str]] = mapped_column(JSON, default=list)  # occupation codes
    desired_titles: Mapped[list[str]] = mapped_column(JSON, default=list)  # as the person wrote them
    desired_regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # region codes
    expected_pay_min: Mapped[float | None] = mapped_column(Float)  # monthly, yuan
    availability: Mapped[Availability] = mapped_column(enum_column(Availability), default=Availability.IMMEDIATE)
    summary: Mapped[str] = mapped_column(Text, default="")
    consent_recommendation: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_visible_to_enterprises: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who may find me (core.seekers.privacy enforces it). Setting the older yes/no consent above moves
    # it: ticked opens the profile to verified enterprises, unticked closes it to "only when I apply"
    # (hidden stays hidden); core.seekers.privacy.set_visibility keeps the flag in step the other way.
    visibility: Mapped[SeekerVisibility] = mapped_column(
        enum_column(SeekerVisibility), default=SeekerVisibility.ON_APPLY, server_default=SeekerVisibility.ON_APPLY.value
    )
    # Where the record came from: "self" (registered), "roster" (imported by a commissioner), "demo".
    origin: Mapped[str] = mapped_column(String(16), default="self")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    groups: Mapped[list[JobseekerGroup]] = relationship(
        back_populates="jobseeker", cascade="all, delete-orphan", lazy="selectin"
    )
    region = relationship("Region", lazy="joined")

    @validates("consent_visible_to_enterprises")
    def _follow_consent(self, _key, value):
        if value:
            self.visibility = SeekerVisibility.OPEN
        elif self.visibility == SeekerVisibility.OPEN:
            self.visibility = SeekerVisibility.ON_APPLY
        return value

    def group_values(self, verified_only: bool = False) -> list[str]:
        return [
            g.group.value
            for g in self.groups
            if not verified_only or g.verification == VerificationStatus.VERIFIED
        ]


class EnterpriseBlock(Base):
    """An enterprise a jobseeker blocked (e.g. the current employer): it never finds them among its
    candidates, whatever their visibility."""

    __tablename__ = "jobseeker_enterprise_blocks"
    __table_args__ = (UniqueConstraint("jobseeker_id", "enterprise_id", name="uq_jobseeker_blocks_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    enterprise = relationship("Enterprise", lazy="joined")


class JobseekerGroup(Base):
    """A priority group a jobseeker declared, with its verification by the bureau."""

    __tablename__ = "jobseeker_groups"
    __table_args__ = (UniqueConstraint("jobseeker_id", "group", name="uq_jobseeker_groups_seeker_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    group: Mapped[PriorityGroup] = mapped_column(enum_column(PriorityGroup))
    verification: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING
    )
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    jobseeker: Mapped[Jobseeker] = relationship(back_populates="groups")
