"""Call-back tasks (回访) for the hiring intentions reached at fairs: the commissioner of the fair's
jurisdiction records the outcome — hired (the application becomes 已录用, a placement of the person's
priority groups), still talking, or declined with a reason."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.services import commissioner_jurisdiction
from core.applications.models import Application
from core.db import utcnow
from core.enums import ApplicationStatus
from core.errors import DomainError, NotFound, ValidationErrors

from .models import FairFollowUp, JobFair
from .services import audit, fair_for_staff

OUTCOME_LABELS = {"hired": "已录用", "talking": "仍在沟通", "declined": "未录用"}


def list_follow_ups(session: Session, actor, *, open_only: bool = True, fair_id: int | None = None) -> list[FairFollowUp]:
    stmt = select(FairFollowUp).join(JobFair, JobFair.id == FairFollowUp.fair_id)
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(JobFair.region_code.like(f"{prefix}%"))
    if open_only:
        stmt = stmt.where(FairFollowUp.outcome.is_(None) | (FairFollowUp.outcome == "talking"))
    if fair_id is not None:
        stmt = stmt.where(FairFollowUp.fair_id == fair_id)
    return list(session.scalars(stmt.order_by(FairFollowUp.due_date, FairFollowUp.id)))


def record_outcome(session: Session, actor, follow_up_id: int, outcome: str, reason: str = "",
                   *, talking_days: int = 7) -> FairFollowUp:
    task = session.get(FairFollowUp, follow_up_id)
    if task is None:
        raise NotFound("该回访任务")
    fair_for_staff(session, task.fair_id, actor)
    if outcome not in OUTCOME_LABELS:
        raise ValidationErrors([DomainError("invalid_outcome", "请选择回访结果：" + "、".join(OUTCOME_LABELS.values()),
                                            "outcome")])
    reason = (reason or "").strip()
    if outcome == "declined" and not reason:
        raise ValidationErrors([DomainError("missing_reason", "请填写未录用的原因", "reason")])
    task.outcome, task.reason = outcome, reason[:300] or None
    task.done_by, task.done_at = actor.id, utcnow()
    if outcome == "talking":  # ask again later
        task.due_date = dt.date.today() + dt.timedelta(days=talking_days)
    conv = task.conversation
    app = session.get(Application, conv.application_id) if conv.application_id else None
    if app is not None and outcome in ("hired", "declined"):
        app.status = ApplicationStatus.HIRED if outcome == "hired" else ApplicationStatus.DECLINED
    session.flush()
    audit(session, actor, "fair.follow_up", task.fair_id, f"记录招聘会回访结果：{OUTCOME_LABELS[outcome]}")
    return task
