"""Employers (用人单位)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column, utcnow
from core.enums import VerificationStatus


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Name with punctuation, brackets and legal-form noise removed: the identity used when a channel
    # gives no credit code (dedup and look-up).
    normalized_name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(50))
    verification_status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.UNVERIFIED
    )
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When and by whom the qualifications were last checked (认证 or 重新核验): due again after six
    # months (core/enterprises/requalification.py); the badge lapses when overdue.
    qualified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    qualified_by_user_id: Mapped[int | None] = mapped_column(Integer)   # a users.id (no foreign key: a second users-enterprises path would make User.enterprise ambiguous)
