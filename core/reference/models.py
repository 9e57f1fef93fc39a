"""Reference data: administrative divisions (GB/T 2260) and the occupational classification (2022)."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Region(Base):
    """A province (level 1, code ``370000``), city (2, ``371300``) or county-level division (3)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    full_name: Mapped[str] = mapped_column(String(128))  # e.g. 山东省临沂市兰山区
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class Occupation(Base):
    """A node of the national occupational classification: level 1 大类 ``4`` … level 4 细类 ``4-01-02-01``."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"), index=True)
    gbm: Mapped[str | None] = mapped_column(String(8))  # GB/T 6565 code, levels 1-3
