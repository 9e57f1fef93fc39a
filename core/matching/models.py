"""Stored ranked lists (with their inputs' versions), commissioners' overrides and cached embeddings.

PIPL Art. 24: every ranked list a person acts on is kept with what produced it (model version,
weights, policy, the versions of the posting and of every jobseeker in it), and a person can
change the machine's order: pin, exclude with a reason, or move.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class RankedListRecord(Base):
    __tablename__ = "ranked_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(32))  # seekers_for_posting | postings_for_seeker
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int | None] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    k: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(80))
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    policy: Mapped[dict | None] = mapped_column(JSON)  # the policy applied and its report
    # {"posting": {id: version}, "jobseekers": {id: version}} at ranking time
    input_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    items: Mapped[list[dict]] = mapped_column(JSON, default=list)  # rank, id, score, explanation, override
    filtered_out: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class MatchOverride(Base):
    """A commissioner's decision about one jobseeker on one posting's list."""

    __tablename__ = "match_overrides"
    __table_args__ = (UniqueConstraint("posting_id", "jobseeker_id", name="uq_match_overrides_posting_seeker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))  # pin | exclude | move
    position: Mapped[int | None] = mapped_column(Integer)  # 1-based, for pin and move
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoredEmbedding(Base):
    """A vector of a posting or jobseeker under one model version (stale when either changes)."""

    __tablename__ = "match_embeddings"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "model_version", name="uq_match_embeddings_subject_model"),
        Index("ix_match_embeddings_model_type", "model_version", "subject_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # posting | seeker
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_version: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(80))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
