"""At the door: one check-in rule for a typed numeric code, a phone number or a scanned QR code, and
walk-in registration. A duplicate check-in answers 已签到 without counting twice; a forged code,
another fair's code or a cancelled registration is refused with a message staff can read out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from core.accounts.services import in_jurisdiction
from core.db import utcnow
from core.errors import DomainError, NotFound, PermissionDenied
from core.seekers.models import Jobseeker

from .codes import classify
from .models import FairRegistration, JobFair
from .services import VISITORS_OPEN, audit, fair_for_staff, is_staff, register_for_fair


@dataclass
class CheckIn:
    """The door's answer: who was checked in (shown through core.seekers.privacy like any display of a
    person) and whether this was a repeat (已签到, not counted again)."""

    registration_id: int
    person: Jobseeker  # transient, never in the session: the privacy rule's inputs (name, region, user, visibility)
    walk_in: bool
    checked_in_at: dt.datetime
    already: bool

    @property
    def message(self) -> str:
        return "已签到，无需重复签到" if self.already else "签到成功"


@dataclass
class WalkIn:
    registration: FairRegistration
    already: bool  # this person had checked in before: 已签到, not counted again

    @property
    def message(self) -> str:
        return "已签到，无需重复签到" if self.already else "签到成功"


def _refuse(kind: str, reg_fair_id: int | None, fair_id: int, cancelled: bool) -> None:
    """The one set of refusals for a looked-up code (None: nothing found)."""
    if kind == "token" and reg_fair_id is not None and reg_fair_id != fair_id:
        raise DomainError("other_fair_code", "这是另一场招聘会的签到码，请出示本场招聘会的签到码", "code")
    if reg_fair_id is None:
        if kind == "phone":
            raise DomainError("not_registered", "这个手机号没有报名本场招聘会，可以现场登记", "code")
        raise DomainError("unknown_code", "签到码无效：本场招聘会没有这个签到码", "code")
    if cancelled:
        raise DomainError("registration_cancelled", "这个报名已经取消，可以现场重新登记", "code")


def _classified(raw: str) -> tuple[str, str]:
    kind, value = classify(raw)
    if kind == "invalid":
        raise DomainError("invalid_code", "签到码无效：请核对6位数字签到码、手机号，或重新扫码", "code")
    return kind, value


def _code_filter(stmt, fair_id: int, kind: str, value: str):
    """The WHERE of a look-up by QR token (any fair: another fair's code is told apart), numeric code or
    phone number (this fair only)."""
    if kind == "token":
        return stmt.where(FairRegistration.token == value)
    if kind == "code":
        return stmt.where(FairRegistration.fair_id == fair_id, FairRegistration.code == value)
    return (stmt.join(Jobseeker, Jobseeker.id == FairRegistration.jobseeker_id)
            .where(FairRegistration.fair_id == fair_id, Jobseeker.phone == value)
            .order_by(FairRegistration.cancelled_at.is_not(None)))


def find_registration(session: Session, fair: JobFair, raw: str) -> FairRegistration:
    """The registration a typed or scanned code points at, within this fair only (the booth's look-up)."""
    kind, value = _classified(raw)
    # the person's name is what the booth shows: no need to join the region row
    light = joinedload(FairRegistration.jobseeker).lazyload(Jobseeker.region)
    reg = session.scalar(_code_filter(select(FairRegistration), fair.id, kind, value).options(light).limit(1))
    _refuse(kind, reg.fair_id if reg else None, fair.id, reg is not None and reg.cancelled_at is not None)
    return reg


# The door's statements, built once (a busy door runs them hundreds of times a second): the fair's
# region and stage; the registration by QR token, numeric code or phone with the person's name; the
# conditional UPDATE whose row count tells a first check-in from 已签到.
_FAIR_GATE = select(JobFair.region_code, JobFair.status).where(JobFair.id == bindparam("fair_id"))
_DOOR_COLUMNS = (FairRegistration.id, FairRegistration.fair_id, FairRegistration.jobseeker_id, FairRegistration.walk_in,
                 FairRegistration.checked_in_at, FairRegistration.cancelled_at,
                 Jobseeker.name, Jobseeker.user_id, Jobseeker.region_code, Jobseeker.visibility)
_DOOR_LOOKUP = {
    kind: _code_filter(select(*_DOOR_COLUMNS) if kind == "phone" else select(*_DOOR_COLUMNS).join(
        Jobseeker, Jobseeker.id == FairRegistration.jobseeker_id), bindparam("fair_id"), kind, bindparam("value")).limit(1)
    for kind in ("token", "code", "phone")}
_CHECK_IN = (update(FairRegistration).where(FairRegistration.id == bindparam("rid"), FairRegistration.checked_in_at.is_(None))
             .values(checked_in_at=bindparam("at")))
_CHECKED_AT = select(FairRegistration.checked_in_at).where(FairRegistration.id == bindparam("rid"))


def _door_fair(conn, actor, fair_id: int) -> None:
    """The fair's jurisdiction and stage, read as two columns (the door needs nothing else of it)."""
    row = conn.execute(_FAIR_GATE, {"fair_id": fair_id}).one_or_none()
    if row is None:
        raise NotFound("该招聘会")
    if not is_staff(actor) or not in_jurisdiction(actor, row.region_code):
        raise PermissionDenied("该招聘会不在您的管辖范围内")
    if row.status not in VISITORS_OPEN:
        raise DomainError("fair_not_open", "该招聘会现在不能签到（未开放或已结束）", None)


def check_in(session: Session, actor, fair_id: int, raw: str) -> CheckIn:
    """Check a visitor in at the door (staff of the fair's jurisdiction): two column reads (the fair's
    region and stage; the registration with the person's name), then one keyed UPDATE … WHERE
    checked_in_at IS NULL whose row count tells a first check-in from 已签到, so two scans racing each
    other count once (audited). Plain statements on the session's connection: no objects loaded."""
    conn = session.connection()
    _door_fair(conn, actor, fair_id)
    kind, value = _classified(raw)
    params = {"value": value} if kind == "token" else {"value": value, "fair_id": fair_id}
    row = conn.execute(_DOOR_LOOKUP[kind], params).first()
    _refuse(kind, row.fair_id if row else None, fair_id, row is not None and row.cancelled_at is not None)
    person = Jobseeker(id=row.jobseeker_id, user_id=row.user_id, region_code=row.region_code, name=row.name,
                       visibility=row.visibility)
    when, already = row.checked_in_at, True
    if when is None:
        now = utcnow()
        if conn.execute(_CHECK_IN, {"rid": row.id, "at": now}).rowcount:
            when, already = now, False
            audit(session, actor, "fair.check_in", fair_id, "招聘会入场签到", ["registration"])
        else:  # another scan of the same code got there first
            when = conn.execute(_CHECKED_AT, {"rid": row.id}).scalar()
    return CheckIn(row.id, person, row.walk_in, when, already)


def walk_in(session: Session, cipher, actor, fair_id: int, *, name: str, phone: str,
            region_code: str | None = None) -> WalkIn:
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
        return WalkIn(reg, already=True)
    reg.checked_in_at = utcnow()
    session.flush()
    audit(session, actor, "fair.walk_in", fair.id, "招聘会现场登记并签到", ["name", "phone"])
    return WalkIn(reg, already=False)
