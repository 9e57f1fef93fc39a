"""User accounts and their roles."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, enum_column, utcnow
from core.enums import Role


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    # Commissioners serve a jurisdiction (a province, city or county code); reviewers may too.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Part of every session's signed user id: raising it (sign-out, password change) ends the
    # sessions that carry the old value, wherever their cookies are replayed from.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when an admin resets the password: the person chooses their own at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 适老化 display: larger text, stronger contrast and bigger targets, remembered per person.
    large_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A mobile number for password reset codes, for accounts without a jobseeker profile (enterprises).
    recovery_phone: Mapped[str | None] = mapped_column(String(20))

    enterprise = relationship("Enterprise", lazy="joined")
    region = relationship("Region", lazy="joined")


class PasswordResetCode(Base):
    """A one-time code sent to a person who forgot the password. Only a keyed hash of the code is
    kept; a code works once, until ``expires_at``, and for a few wrong guesses at most."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
