"""Monitored enterprises (监测企业), their monthly employment reports (月度用工报表), the alerts a large
reduction raises (规模性裁员预警) and the laid-off workers followed up after one."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class MonitoredEnterprise(Base):
    """An enterprise under monitoring, flagged by staff or by the rule (size, industry, state-owned)."""

    __tablename__ = "monitored_enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), unique=True)
    flagged_by: Mapped[str] = mapped_column(String(16), default="staff")  # staff | rule
    flagged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state_owned: Mapped[bool] = mapped_column(Boolean, default=False)  # 国有企业
    above_designated_size: Mapped[bool] = mapped_column(Boolean, default=False)  # 规模以上
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    enterprise = relationship("Enterprise", lazy="joined")


class MonthlyReport(Base):
    """One month's employment figures of a monitored enterprise (one report per month)."""

    __tablename__ = "monitoring_reports"
    __table_args__ = (UniqueConstraint("monitored_id", "month", name="uq_monitoring_reports_month"),
                      # a month's reports of every enterprise (the statistics pages, migration 0014)
                      Index("ix_monitoring_reports_month_only", "month"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitored_id: Mapped[int] = mapped_column(ForeignKey("monitored_enterprises.id", ondelete="CASCADE"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)  # the month's first day
    headcount: Mapped[int] = mapped_column(Integer)  # 月末职工人数
    hires: Mapped[int] = mapped_column(Integer, default=0)
    separations: Mapped[int] = mapped_column(Integer, default=0)
    production_state: Mapped[str] = mapped_column(String(16), default="normal")  # see services.PRODUCTION
    pay_change: Mapped[str] = mapped_column(String(16), default="flat")  # see services.PAY_CHANGE
    source: Mapped[str] = mapped_column(String(16), default="form")  # form | import
    reported_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    monitored: Mapped[MonitoredEnterprise] = relationship(lazy="joined")


class MonitoringAlert(Base):
    """A reduction that must be reported: 200 or more at once, or over 10 % at a state-owned enterprise
    above designated size. Holds the figures it was raised on."""

    __tablename__ = "monitoring_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitored_id: Mapped[int] = mapped_column(ForeignKey("monitored_enterprises.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id", ondelete="CASCADE"), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)  # the enterprise's, when raised
    month: Mapped[dt.date] = mapped_column(Date)
    base_headcount: Mapped[int] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer)
    reduction: Mapped[int] = mapped_column(Integer)
    reduction_pct: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(String(16))  # count | share
    notified: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    monitored: Mapped[MonitoredEnterprise] = relationship(lazy="joined")


class LaidOffWorker(Base):
    """A worker on the laid-off roster imported for an alert, and how their follow-up stands."""

    __tablename__ = "monitoring_laid_off"
    __table_args__ = (UniqueConstraint("alert_id", "jobseeker_id", name="uq_monitoring_laid_off_seeker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitoring_alerts.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # see services.FOLLOW_UP
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    jobseeker = relationship("Jobseeker", lazy="joined")
