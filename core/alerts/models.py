"""A saved search (岗位订阅) and the postings it has already announced."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, enum_column, utcnow
from core.enums import AlertFrequency


class SavedSearch(Base):
    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    # The search page's parameters as sent (name -> list of values), without page or sort.
    query: Mapped[dict] = mapped_column(JSON, default=dict)
    frequency: Mapped[AlertFrequency] = mapped_column(enum_column(AlertFrequency), default=AlertFrequency.DAILY)
    by_sms: Mapped[bool] = mapped_column(Boolean, default=False)  # also a text message, not only the inbox
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once unsubscribed
    # One-tap unsubscribe from a message, signed out: a random token, the only key it needs.
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SavedSearchHit(Base):
    """A posting a saved search already announced: never announced twice."""

    __tablename__ = "saved_search_hits"
    __table_args__ = (UniqueConstraint("saved_search_id", "posting_id", name="uq_saved_search_hits_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
