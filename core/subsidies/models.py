"""Subsidy rules as an administrator keeps them, and the subsidy claims a person's training gives rise
to. Until a hint rule is edited, the shipped rules in ``data/subsidies/rules.json`` apply; the first
edit copies them all here (see services). A claim names its rule (of that file's ``claim_rules``) by code."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class SubsidyRule(Base):
    __tablename__ = "subsidy_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # e.g. 一次性扩岗补助
    # PriorityGroup values whose hiring the rule is about (any one of them)
    groups: Mapped[list] = mapped_column(JSON, default=list)
    # EmploymentType values of the posting the rule needs (empty: any)
    employment_types: Mapped[list] = mapped_column(JSON, default=list)
    hint: Mapped[str] = mapped_column(Text)  # the sentence the enterprise reads
    source: Mapped[str] = mapped_column(Text, default="")  # the policy it comes from
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                           nullable=True)


class SubsidyClaim(Base):
    """A training or skills-assessment subsidy claim (培训补贴、技能评价补贴) a training completion gives
    rise to, by the claim rule (its ``code`` in ``claim_rules``) that applied. The table keeps the name it
    had when training kept its own claims."""

    __tablename__ = "training_subsidy_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("training_enrolments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # training | assessment
    rule: Mapped[str] = mapped_column(String(50))
    amount: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
