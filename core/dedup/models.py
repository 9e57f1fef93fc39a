"""The fingerprint of each canonical posting, written in the same transaction as the posting, so the
deduplication index survives restarts (``indexer.dedup.DedupIndex.load``) and can be queried from the
database alone (``DedupIndex.find_in_db``, blocking on the indexed enterprise keys)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class DedupFingerprint(Base):
    __tablename__ = "dedup_fingerprints"

    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    company_key: Mapped[str | None] = mapped_column(String(200), index=True)   # normalised company name
    region_code: Mapped[str | None] = mapped_column(String(6))
    occupation_code: Mapped[str | None] = mapped_column(String(16))
    title_key: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[bytes] = mapped_column(LargeBinary)                      # MinHash, 64 x uint32
    has_text: Mapped[bool] = mapped_column(Boolean, default=False)
    pay_monthly_min: Mapped[float | None] = mapped_column(Float)
    pay_monthly_max: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
