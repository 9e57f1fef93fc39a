"""Major projects (重大项目) followed by service commissioners, and the lines of their labour demand
assessment, each of which becomes a posting."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class MajorProject(Base):
    """A major construction project (重大项目) followed for its labour demand."""

    __tablename__ = "major_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    total_investment: Mapped[float | None] = mapped_column(Float)  # 万元
    commissioner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="construction")  # planned, construction, operation
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    demand_lines: Mapped[list[LabourDemand]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="LabourDemand.id"
    )


class LabourDemand(Base):
    """One line of a project's labour demand assessment (岗位需求评估); it becomes a posting."""

    __tablename__ = "labour_demands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("major_projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    occupation_text: Mapped[str | None] = mapped_column(String(100))
    headcount: Mapped[int | None] = mapped_column(Integer)
    pay_text: Mapped[str | None] = mapped_column(String(100))
    requirements: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[MajorProject] = relationship(back_populates="demand_lines")
