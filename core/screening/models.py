"""Screening rules (岗位信息发布审核规则) as rows an administrator edits.

Seeded from ``data/screening/rules.json`` (``joblink screening load``); ``indexer.screening.load_rules``
reads them back as one rule set. Text rules are rows; the global settings and neutral phrases are
key/value documents; the provincial minimum wages are rows with their source and effective date.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class ScreeningRule(Base):
    __tablename__ = "screening_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32), default="other")
    severity: Mapped[str] = mapped_column(String(8), default="hold")       # info | hold | reject
    message: Mapped[str] = mapped_column(Text)                             # Chinese, shown to reviewers
    patterns: Mapped[list[str]] = mapped_column(JSON, default=list)
    exceptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class ScreeningSetting(Base):
    """``settings``, ``neutral_phrases``, ``age_rules``, ``minimum_wage_meta``: JSON documents."""

    __tablename__ = "screening_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class MinimumWage(Base):
    """A province's monthly (and part-time hourly) minimum wage, lowest tier, with its source."""

    __tablename__ = "minimum_wages"

    province_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    monthly: Mapped[float] = mapped_column(Float)
    hourly: Mapped[float | None] = mapped_column(Float)
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
