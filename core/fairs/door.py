"""At the door: one check-in rule for a typed numeric code, a phone number or a scanned QR code, and
walk-in registration. A duplicate check-in answers 已签到 without counting twice; a forged code,
another fair's code or a cancelled registration is refused with a message staff can read out."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from core.db import utcnow
from core.errors import DomainError
from core.seekers.models import Jobseeker

from .codes import classify
from .models import FairRegistration, JobFair
from .services import VISITORS_OPEN, audit, fair_for_staff, register_for_fair


@dataclass
class CheckIn:
    registration: FairRegistration
    already: bool  # this person had checked in before: 已签到, not counted again

    @property
    def message(self) -> str:
        return "已签到，无需重复签到" if self.already else "签到成功"


def find_registration(session: Session, fair: JobFair, raw: str) -> FairRegistration:
    """The registration a typed or scanned code points at, within this fair only."""
    kind, value = classify(raw)
    # the person's name is what the door shows: no need to join the region row
    light = joinedload(FairRegistration.jobseeker).lazyload(Jobseeker.region)
    if kind == "invalid":
        raise DomainError("invalid_code", "签到码无效：请核对6位数字签到码、手机号，或重新扫码", "code")
    if kind == "token":
        reg = session.scalar(select(FairRegistration).where(FairRegistration.token == value).options(light))
        if reg is not None and reg.fair_id != fair.id:
            raise DomainError("other_fair_code", "这是另一场招聘会的签到码，请出示本场招聘会的签到码", "code")
    elif kind == "code":
        reg = session.scalar(select(FairRegistration).where(
            FairRegistration.fair_id == fair.id, FairRegistration.code == value).options(light))
    else:
        reg = session.scalar(select(FairRegistration).join(Jobseeker, Jobseeker.id == FairRegistration.jobseeker_id)
                             .where(FairRegistration.fair_id == fair.id, Jobseeker.phone == value)
                             .order_by(FairRegistration.cancelled_at.is_not(None)).options(light))
    if reg is None:
        if kind == "phone":
            raise DomainError("not_registered", "这个手机号没有报名本场招聘会，可以现场登记", "code")
        raise DomainError("unknown_code", "签到码无效：本场招聘会没有这个签到码", "code")
    if reg.cancelled_at is not None:
        raise DomainError("registration_cancelled", "这个报名已经取消，可以现场重新登记", "code")
    return reg


def check_in(session: Session, actor, fair_id: int, raw: str) -> CheckIn:
    """Check a visitor in at the door (staff of the fair's jurisdiction). The update is conditional,
    so two scans racing each other count once."""
    fair = fair_for_staff(session, fair_id, actor)
    if fair.status not in VISITORS_OPEN:
        raise DomainError("fair_not_open", "该招聘会现在不能签到（未开放或已结束）", None)
    reg = find_registration(session, fair, raw)
    if reg.checked_in_at is not None:
        return CheckIn(reg, already=True)
    now = utcnow()
    done = session.execute(update(FairRegistration).where(
        FairRegistration.id == reg.id, FairRegistration.checked_in_at.is_(None)).values(checked_in_at=now)
        .execution_options(synchronize_session=False))
    if not done.rowcount:  # another scan of the same code got there first
        session.refresh(reg, ["checked_in_at"])
        return CheckIn(reg, already=True)
    set_committed_value(reg, "checked_in_at", now)
    audit(session, actor, "fair.check_in", fair.id, "招聘会入场签到", ["registration"])
    return CheckIn(reg, already=False)


def walk_in(session: Session, cipher, actor, fair_id: int, *, name: str, phone: str,
            region_code: str | None = None) -> CheckIn:
    """Register a visitor at the door (现场登记) and check them in; someone already on the platform
    with that phone number is registered as themself, not as a second person."""
    from core.seekers.services import create_jobseeker

    fair = fair_for_staff(session, fair_id, actor)
    if fair.status not in VISITORS_OPEN:
        raise DomainError("fair_not_open", "该招聘会现在不能签到（未开放或已结束）", None)
    phone = (phone or "").strip()
    seeker = session.scalar(select(Jobseeker).where(Jobseeker.phone == phone).order_by(Jobseeker.id)) if phone else None
    if seeker is None:
        seeker = create_jobseeker(session, cipher, name=(name or "").strip(), phone=phone,
                                  region_code=region_code or fair.region_code, origin="fair")
    reg = register_for_fair(session, fair.id, seeker.id, walk_in=True)
    if reg.checked_in_at is not None:
        return CheckIn(reg, already=True)
    reg.checked_in_at = utcnow()
    session.flush()
    audit(session, actor, "fair.walk_in", fair.id, "招聘会现场登记并签到", ["name", "phone"])
    return CheckIn(reg, already=False)
