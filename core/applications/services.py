"""Use cases on applications (投递): a jobseeker applies to a published posting, lists and withdraws them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import ApplicationOrigin, ApplicationStatus
from core.errors import DomainError, NotFound, PermissionDenied
from core.postings.services import get_public_posting
from core.seekers.models import Jobseeker

from .models import Application


def seeker_for_user(session: Session, user_id: int) -> Jobseeker | None:
    return session.scalar(select(Jobseeker).where(Jobseeker.user_id == user_id))


def find_application(session: Session, jobseeker_id: int, posting_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.jobseeker_id == jobseeker_id, Application.posting_id == posting_id)
    )


def apply_to_posting(
    session: Session,
    *,
    jobseeker_id: int,
    posting_id: int,
    origin: str | ApplicationOrigin = ApplicationOrigin.SEARCH,
    origin_ref: str | None = None,
) -> Application:
    """Apply to a published posting. Applying again after a withdrawal resubmits the same application.

    Applying is the jobseeker's consent for that posting's enterprise to see their contact details.
    """
    try:
        origin = ApplicationOrigin(origin)
    except ValueError:
        raise DomainError("invalid_origin", "投递来源无效", "origin") from None
    posting = get_public_posting(session, posting_id)
    seeker = session.get(Jobseeker, jobseeker_id)
    if seeker is None:
        raise NotFound("求职者档案")
    if not seeker.phone:
        raise DomainError("missing_phone", "投递前请先在个人档案中填写手机号码，方便用人单位联系您", "phone")
    existing = find_application(session, jobseeker_id, posting.id)
    if existing is not None:
        if existing.status != ApplicationStatus.WITHDRAWN:
            raise DomainError("already_applied", "您已投递过该岗位", None)
        existing.status = ApplicationStatus.SUBMITTED
        existing.origin = origin
        existing.origin_ref = origin_ref
        session.flush()
        return existing
    app = Application(
        jobseeker_id=jobseeker_id,
        posting_id=posting.id,
        origin=origin,
        origin_ref=origin_ref,
        status=ApplicationStatus.SUBMITTED,
    )
    session.add(app)
    session.flush()
    return app


def seeker_applications(session: Session, jobseeker_id: int) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.jobseeker_id == jobseeker_id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return list(session.scalars(stmt))


def withdraw_application(session: Session, *, jobseeker_id: int, application_id: int) -> Application:
    """Withdrawing also withdraws the consent: the enterprise sees masked contact details again."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound("该投递记录")
    if app.jobseeker_id != jobseeker_id:
        raise PermissionDenied("这不是您的投递记录")
    app.status = ApplicationStatus.WITHDRAWN
    session.flush()
    return app
