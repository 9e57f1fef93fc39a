"""A demo fair in each demo commissioner's jurisdiction (``make run``), clearly labelled: open for
visitors a week from now, the demo enterprise's booth approved with its published postings, and the
demo jobseeker registered (so the personal code page and the door can be tried at once)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.enterprises.models import Enterprise
from core.enums import PostingStatus, Role
from core.outbox.services import emit
from core.postings.models import Posting
from core.seekers.models import Jobseeker

from .codes import new_code, new_token
from .models import FairBooth, FairRegistration, JobFair

DEMO_TITLE = "{place}春风行动就业援助专场招聘会（演示数据）"


def _fair_region(commissioner: User, preferred: str | None) -> str:
    """The preferred demo place if it lies in the commissioner's jurisdiction, else their own region."""
    from core.reference.services import RegionDirectory

    prefix = RegionDirectory.code_prefix(commissioner.region_code)
    return preferred if preferred and preferred.startswith(prefix) else commissioner.region_code


def create_demo_fairs(session: Session, enterprise: Enterprise | None, preferred_region: str | None = None,
                      today: dt.date | None = None) -> list[str]:
    """One demo fair per demo commissioner (idempotent); returns the titles created."""
    from core.reference.models import Region

    today = today or dt.date.today()
    created = []
    for user in session.scalars(select(User).where(User.is_demo.is_(True), User.role == Role.COMMISSIONER,
                                                   User.region_code.is_not(None)).order_by(User.id)):
        region = _fair_region(user, preferred_region)
        place = session.get(Region, region)
        title = DEMO_TITLE.format(place=place.name if place else "")
        if session.scalar(select(JobFair.id).where(JobFair.is_demo.is_(True), JobFair.title == title)) is not None:
            continue
        fair = JobFair(title=title, theme="migrant", target_groups=["migrant_worker", "graduate"], kind="both",
                       venue=f"{place.name if place else ''}人力资源市场一楼大厅（演示）", region_code=region,
                       date=today + dt.timedelta(days=7), start_time="09:00", end_time="12:00", booth_capacity=60,
                       visitor_capacity=2000, organiser=f"{place.name if place else ''}人力资源和社会保障局（演示）",
                       status="open_visitors", created_by=user.id, is_demo=True)
        session.add(fair)
        session.flush()
        emit(session, "fair", fair.id)  # searchable once the relay runs, like every fair
        _demo_booth(session, fair, enterprise)
        _demo_registration(session, fair)
        created.append(title)
    return created


def _demo_booth(session: Session, fair: JobFair, enterprise: Enterprise | None) -> None:
    if enterprise is None:
        return
    postings = session.scalars(select(Posting.id).where(Posting.enterprise_id == enterprise.id,
                                                        Posting.status == PostingStatus.PUBLISHED).limit(5)).all()
    session.add(FairBooth(fair_id=fair.id, enterprise_id=enterprise.id, posting_ids=list(postings),
                          headcount=20, needs="电源、两张桌子", status="approved", booth_number=1,
                          decided_by=fair.created_by))


def _demo_registration(session: Session, fair: JobFair) -> None:
    seeker = session.scalar(select(Jobseeker).join(User, User.id == Jobseeker.user_id)
                            .where(User.username == "demo_seeker"))
    if seeker is not None:
        session.add(FairRegistration(fair_id=fair.id, jobseeker_id=seeker.id, code=new_code(), token=new_token()))
    session.flush()
