"""A project's employment impact (就业影响评估): what the feasibility study's social-benefit section
expects — jobs created and lost, land-lost farmers, the industries affected — beside what happened:
the demand lines' headcount, hires on the postings the lines became, the people surveyed after its
land notices and their placements."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import ApplicationStatus
from core.errors import DomainError, ValidationErrors

from .models import LabourDemand, LandNotice, MajorProject, SurveyRecord
from .services import project_for_change

_FIELDS = (("impact_jobs_created", "预计新增就业岗位"), ("impact_jobs_lost", "预计减少就业岗位"),
           ("impact_land_lost_farmers", "预计被征地农民"))


def set_impact(session: Session, actor, project_id: int, data: dict) -> MajorProject:
    """Enter the impact analysis (numbers ≥ 0 or empty; industries as written). The caller commits."""
    project = project_for_change(session, project_id, actor)
    errors: list[DomainError] = []
    values: dict = {}
    for key, label in _FIELDS:
        raw = str(data.get(key) or "").strip().replace(",", "")
        values[key] = None
        if raw:
            if not raw.isdigit() or int(raw) > 10_000_000:
                errors.append(DomainError(f"invalid_{key}", f"{label}应为不小于0的整数（人），不清楚请留空", key))
            else:
                values[key] = int(raw)
    industries = str(data.get("impact_industries") or "").strip()
    if len(industries) > 300:
        errors.append(DomainError("too_long", "涉及行业不能超过300个字", "impact_industries"))
    values["impact_industries"] = industries or None
    if errors:
        raise ValidationErrors(errors)
    for key, value in values.items():
        setattr(project, key, value)
    session.flush()
    return project


@dataclass
class ImpactComparison:
    expected_created: int | None
    expected_lost: int | None
    expected_land_lost: int | None
    industries: str
    demand_headcount: int
    hires: int
    surveyed: int
    placed: int
    in_training: int
    self_employed: int


def impact_comparison(session: Session, project: MajorProject) -> ImpactComparison:
    from core.applications.models import Application

    headcount = session.scalar(select(func.coalesce(func.sum(LabourDemand.headcount), 0))
                               .where(LabourDemand.project_id == project.id)) or 0
    posting_ids = select(LabourDemand.posting_id).where(LabourDemand.project_id == project.id,
                                                        LabourDemand.posting_id.is_not(None))
    hires = session.scalar(select(func.count()).select_from(Application)
                           .where(Application.posting_id.in_(posting_ids),
                                  Application.status == ApplicationStatus.HIRED)) or 0
    notices = select(LandNotice.id).where(LandNotice.project_id == project.id)
    outcomes = dict(session.execute(select(SurveyRecord.outcome, func.count()).where(SurveyRecord.notice_id.in_(notices))
                                    .group_by(SurveyRecord.outcome)).all())
    return ImpactComparison(project.impact_jobs_created, project.impact_jobs_lost, project.impact_land_lost_farmers,
                            project.impact_industries or "", int(headcount), hires, sum(outcomes.values()),
                            outcomes.get("placed", 0), outcomes.get("training", 0), outcomes.get("self_employed", 0))
