"""Statistics tables: the pre-aggregated cells the pages read, their refresh runs, and the shortage
catalogue's numbered versions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow

ALL = "*"  # the occupation code of a cell that counts every occupation
UNKNOWN = "?"  # the occupation major group of a posting or person without an occupation


class StatsCell(Base):
    """One cell of the supply-and-demand cube, rebuilt from the base tables by ``refresh_cells``.

    Cells are kept at every occupation level at once, so a page reads few rows instead of grouping the
    base tables: ``region_code`` is "" (every region) or a county's code (a province or a city is the
    sum of its counties), ``occupation_code`` an occupation at any level ("*" every occupation, "6",
    "6-18", "6-18-02", "6-18-02-04"). A person seeking two welding jobs counts once under 6-18-02.
    ``dim``/``dim_value`` break a cell down further by one of education, employment type, channel,
    priority group or age band; those cells exist for "*" occupations only. ``measure``: ``posted``
    (postings published in ``month``), ``open`` (open on the last day of ``month``), ``supply``
    (jobseekers seeking now, registered in ``month``; "0000-00" for those registered before the
    window).

    ``generation``: the refresh that wrote the cell. A refresh writes a whole new generation in short
    transactions beside the current one, then makes it current (``StatsGeneration``) in one tiny write;
    pages read the current generation only (``current()``)."""

    __tablename__ = "stats_cells"
    __table_args__ = (
        # a region's figures for one occupation (and a range of regions), and the converse; covering
        # (month and figures included), so a page's query never visits the table. The generation comes
        # first: pages read one generation, and a refresh deletes old ones by it.
        Index("ix_stats_cells_occupation", "generation", "measure", "dim", "occupation_code", "region_code",
              "month", "dim_value", "headcount", "items"),
        Index("ix_stats_cells_region", "generation", "measure", "dim", "region_code", "occupation_code",
              "month", "dim_value", "headcount", "items"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    measure: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    region_code: Mapped[str] = mapped_column(String(6), default="")
    occupation_code: Mapped[str] = mapped_column(String(16), default=ALL)
    dim: Mapped[str] = mapped_column(String(16), default="")
    dim_value: Mapped[str] = mapped_column(String(32), default="")
    headcount: Mapped[int] = mapped_column(Integer, default=0)  # people wanted / people seeking
    items: Mapped[int] = mapped_column(Integer, default=0)  # postings / jobseekers

    @classmethod
    def current(cls):
        """The condition every page query reads cells with: the current generation's (none before the
        first refresh)."""
        return cls.generation == select(StatsGeneration.current).where(
            StatsGeneration.id == StatsGeneration.ROW).scalar_subquery()


class StatsGeneration(Base):
    """The one row (id 1) saying which generation of ``stats_cells`` the pages read (``current``) and the
    last one a refresh started writing (``latest``): a refresh makes its generation current only if no
    later refresh has started since, so two refreshes at once never mix their cells."""

    __tablename__ = "stats_generation"
    ROW = 1

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    current: Mapped[int] = mapped_column(Integer, default=0)
    latest: Mapped[int] = mapped_column(Integer, default=0)


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
    # the outbox id up to which its counting saw every change (``cells.outbox_position``): the next
    # refresh is due when a posting's or jobseeker's event lies beyond it
    outbox_cursor: Mapped[int | None] = mapped_column(Integer)


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
