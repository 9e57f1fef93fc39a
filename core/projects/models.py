"""Major projects (重大项目) followed by service commissioners, and the lines of their labour demand
assessment, each of which becomes a posting."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
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
    # Employment impact analysis (就业影响评估), from the feasibility study's social-benefit section.
    impact_jobs_created: Mapped[int | None] = mapped_column(Integer)
    impact_jobs_lost: Mapped[int | None] = mapped_column(Integer)
    impact_land_lost_farmers: Mapped[int | None] = mapped_column(Integer)
    impact_industries: Mapped[str | None] = mapped_column(String(300))

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


# --- land acquisition (征地) and the 30-working-day survey -----------------------------------------

class CalendarDay(Base):
    """An admin's entry in the working-day calendar, over the shipped data (data/calendar/): a public
    holiday (``holiday``), an official make-up working day (``workday``), or an ordinary day
    (``normal``) that undoes a shipped entry."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(50), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LandNotice(Base):
    """A land-acquisition notice (征地公告) on a project: the survey of the people it affects is due
    30 working days after its date."""

    __tablename__ = "land_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("major_projects.id", ondelete="CASCADE"), index=True)
    notice_date: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")  # 文号
    area_mu: Mapped[float | None] = mapped_column(Float)  # 亩
    households: Mapped[int | None] = mapped_column(Integer)
    survey_completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[MajorProject] = relationship()
    villages: Mapped[list[LandNoticeVillage]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="LandNoticeVillage.code"
    )


class LandNoticeVillage(Base):
    """A village (12-digit code) or township (9-digit) a notice takes land in; its first six digits
    are the county, which decides whose jurisdiction it is."""

    __tablename__ = "land_notice_villages"
    __table_args__ = (UniqueConstraint("notice_id", "code", name="uq_land_notice_villages_notice_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("land_notices.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(64))
    households: Mapped[int | None] = mapped_column(Integer)

    notice: Mapped[LandNotice] = relationship(back_populates="villages")


class SurveyRecord(Base):
    """One affected person on one notice (被征地人员调查). The person is a jobseeker (one per ID
    number), so the same person on two notices is one jobseeker with two records; a row whose ID
    number is missing or invalid is kept without a jobseeker, with the reason, to be corrected."""

    __tablename__ = "land_survey_records"
    __table_args__ = (UniqueConstraint("notice_id", "jobseeker_id", name="uq_land_survey_records_notice_seeker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("land_notices.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("land_notice_villages.id", ondelete="CASCADE"), index=True)
    jobseeker_id: Mapped[int | None] = mapped_column(ForeignKey("jobseekers.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    # As written on the row, encrypted like a jobseeker's (it may be invalid: then id_problem says why).
    id_number_encrypted: Mapped[str | None] = mapped_column(Text)
    id_problem: Mapped[str | None] = mapped_column(String(200))
    age: Mapped[int | None] = mapped_column(Integer)
    household: Mapped[str] = mapped_column(String(64), default="")  # 户主 / 户号
    household_size: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    employment_now: Mapped[str] = mapped_column(String(16), default="farming")
    wants: Mapped[str] = mapped_column(String(16), default="job")
    training_wishes: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(8), default="phone")  # phone | import
    row_number: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))  # placed, training, self_employed, declined
    outcome_reason: Mapped[str] = mapped_column(String(200), default="")
    outcome_posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    surveyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    notice: Mapped[LandNotice] = relationship()
    village: Mapped[LandNoticeVillage] = relationship()


class PlacementProposal(Base):
    """A post the matcher proposes to an affected person (the project's own lines first, then nearby
    published postings); ``offered_at`` once a commissioner confirms the offer."""

    __tablename__ = "placement_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("land_survey_records.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))  # project | nearby
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("labour_demands.id", ondelete="SET NULL"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    offered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- order-based training (订单式培训) --------------------------------------------------------------

class TrainingCourse(Base):
    """A course a training institution (a channel of kind training_institution) offers."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    occupation_text: Mapped[str] = mapped_column(String(100))
    hours: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer, default=1)
    places: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    subsidy_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    certificate_name: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TrainingOrder(Base):
    """An order (订单): places on a course reserved for a project's demand line or an occupation."""

    __tablename__ = "training_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("labour_demands.id", ondelete="SET NULL"), index=True)
    occupation_text: Mapped[str] = mapped_column(String(100), default="")
    places: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    course: Mapped[TrainingCourse] = relationship()


class TrainingEnrolment(Base):
    """A person on a course: attendance, completion, and the certificate gained."""

    __tablename__ = "training_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "jobseeker_id", name="uq_training_enrolments_course_seeker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("training_orders.id", ondelete="SET NULL"))
    jobseeker_id: Mapped[int] = mapped_column(ForeignKey("jobseekers.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("land_survey_records.id", ondelete="SET NULL"))
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sessions_attended: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="enrolled")  # enrolled, completed, dropped
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    certificate: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    course: Mapped[TrainingCourse] = relationship()
