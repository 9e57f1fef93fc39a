"""Statistics tables: the pre-aggregated cells the pages read, their refresh runs, and the shortage
catalogue's numbered versions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow

ALL = "*"  # the dimension value of a cell that counts everyone (a person or posting once)


class StatsCell(Base):
    """One cell of the supply-and-demand cube, rebuilt from the base tables by ``refresh_cells``.

    ``measure``: ``posted`` (postings published in ``month``), ``open`` (open on the last day of
    ``month``), ``supply`` (jobseekers seeking now, registered in ``month``). A posting aimed at two
    priority groups, or a person seeking three occupations, appears in each of those cells and once
    more in the ``*`` cell, so totals never count anyone twice. A jobseeker's cells carry each level's
    code of the occupations wanted (6, 6-18, 6-18-02, 6-18-02-04, each once); a posting's its detailed code."""

    __tablename__ = "stats_cells"
    __table_args__ = (Index("ix_stats_cells_measure_month", "measure", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    region_code: Mapped[str] = mapped_column(String(6), default="")  # "" = unknown
    occupation_code: Mapped[str] = mapped_column(String(16), default="")  # "*" = all, "" = unknown
    education: Mapped[str] = mapped_column(String(16), default="")
    employment_type: Mapped[str] = mapped_column(String(16), default="")
    channel_kind: Mapped[str] = mapped_column(String(32), default="")
    priority_group: Mapped[str] = mapped_column(String(32), default=ALL)
    age_band: Mapped[str] = mapped_column(String(8), default="")
    headcount: Mapped[int] = mapped_column(Integer, default=0)  # people wanted / people seeking
    items: Mapped[int] = mapped_column(Integer, default=0)  # postings / jobseekers


class StatsRefresh(Base):
    """One rebuild of the cells: when, how far it got (shown on the page), how many cells."""

    __tablename__ = "stats_refreshes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    cells: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class ShortageCatalogue(Base):
    """A version of the shortage-occupation catalogue (急需紧缺职业目录): a draft computed from the
    thresholds and edited by staff, then published with the next number. Published versions never change."""

    __tablename__ = "shortage_catalogues"
    __table_args__ = (UniqueConstraint("version", name="uq_shortage_catalogues_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int | None] = mapped_column(Integer)  # None while a draft
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft, published
    period: Mapped[str] = mapped_column(String(8))  # the quarter it was computed for, e.g. 2026-Q4
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))  # None = every region
    rules: Mapped[dict] = mapped_column(JSON, default=dict)  # the thresholds it was computed with
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    entries: Mapped[list[ShortageEntry]] = relationship(
        back_populates="catalogue", cascade="all, delete-orphan", order_by="ShortageEntry.occupation_code"
    )


class ShortageEntry(Base):
    """One occupation in a catalogue version, with the figures and the reason it is there."""

    __tablename__ = "shortage_entries"
    __table_args__ = (UniqueConstraint("catalogue_id", "occupation_code", name="uq_shortage_entries_catalogue_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("shortage_catalogues.id", ondelete="CASCADE"), index=True)
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupations.code"))
    reason: Mapped[str] = mapped_column(String(16))  # ratio, project, staff
    demand: Mapped[int] = mapped_column(Integer, default=0)
    supply: Mapped[int] = mapped_column(Integer, default=0)
    ratio: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(300), default="")

    catalogue: Mapped[ShortageCatalogue] = relationship(back_populates="entries")
