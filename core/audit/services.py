"""Recording access to personal data (PIPL; 网络招聘服务管理规定). Records name fields, never values."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditEvent


def record_access(
    session: Session,
    *,
    actor_user_id: int | None,
    actor_role: str | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    purpose: str,
    fields: list[str] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        purpose=purpose,
        fields=list(fields or []),
        ip=ip,
    )
    session.add(event)
    return event
