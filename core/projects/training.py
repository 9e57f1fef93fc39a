"""Order-based training (订单式、定向式培训): courses training institutions offer, orders that reserve
places on a course for a project's demand line or an occupation, enrolment (by the person, or by a
commissioner from the survey roster), attendance, completion. A certificate gained goes onto the
person's profile (the matcher's certificate match); completion gives rise to subsidy claims, filed
by the one subsidy service (``core.subsidies``, its rules data in ``data/subsidies/rules.json``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.services import in_jurisdiction
from core.db import utcnow
from core.enums import ChannelKind, Role
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.subsidies import services as subsidies
from core.subsidies.models import SubsidyClaim

from .models import LabourDemand, TrainingCourse, TrainingEnrolment, TrainingOrder

STATUS = {"enrolled": "在训", "completed": "已结业", "dropped": "已退出"}


def subsidy_rules() -> list[dict]:
    """The training claim rules as plain dicts (keys absent where a rule has no value), for readers of
    the former file's shape (``core.statistics.hints``); the rules live in ``core.subsidies.claim_rules``."""
    return [{k: v for k, v in asdict(r).items() if v is not None} for r in subsidies.claim_rules()]


def _staff(actor) -> None:
    if Role(actor.role) not in (Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("只有服务专员和管理员可以办理培训")


def _int(data: dict, key: str, label: str, errors: list, low: int = 1, high: int = 100_000) -> int | None:
    raw = str(data.get(key) or "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(DomainError(f"invalid_{key}", f"{label}应为{low}到{high}之间的整数", key))
        return None
    return int(raw)


def _day(data: dict, key: str, label: str, errors: list) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(data.get(key) or "").strip())
    except ValueError:
        errors.append(DomainError("invalid_date", f"请填写{label}（年-月-日）", key))
        return None


def institutions(session: Session) -> list:
    from core.channels.models import Channel

    return list(session.scalars(select(Channel).where(Channel.kind == ChannelKind.TRAINING_INSTITUTION,
                                                      Channel.active.is_(True)).order_by(Channel.name)))


def create_course(session: Session, actor, data: dict) -> TrainingCourse:
    """A course: institution (a training-institution channel), name, occupation, hours, sessions, places,
    start and end dates, region, subsidy eligibility, the certificate it leads to."""
    from core.channels.models import Channel

    _staff(actor)
    errors: list[DomainError] = []
    inst = session.get(Channel, int(data["institution_id"])) if str(data.get("institution_id") or "").isdigit() else None
    if inst is None or inst.kind != ChannelKind.TRAINING_INSTITUTION:
        errors.append(DomainError("unknown_institution", "请选择培训机构", "institution_id"))
    clean = {}
    for key, label, limit in (("name", "课程名称", 200), ("occupation_text", "培训工种", 100)):
        clean[key] = str(data.get(key) or "").strip()
        if not clean[key] or len(clean[key]) > limit:
            errors.append(DomainError(f"missing_{key}", f"请填写{label}（不超过{limit}个字）", key))
    clean["certificate_name"] = str(data.get("certificate_name") or "").strip()[:100]
    clean["hours"] = _int(data, "hours", "课时", errors, high=2000)
    clean["sessions"] = _int(data, "sessions", "上课次数", errors, high=500) if data.get("sessions") else 1
    clean["places"] = _int(data, "places", "名额", errors)
    clean["start_date"] = _day(data, "start_date", "开班日期", errors)
    clean["end_date"] = _day(data, "end_date", "结业日期", errors)
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors.append(DomainError("invalid_period", "结业日期不能早于开班日期", "end_date"))
    region = str(data.get("region_code") or "").strip() or (inst.region_code if inst else None)
    if region and not in_jurisdiction(actor, region):
        errors.append(DomainError("outside_jurisdiction", "培训地点不在您的管辖范围内", "region_code"))
    if errors:
        raise ValidationErrors(errors)
    course = TrainingCourse(institution_id=inst.id, region_code=region, created_by_id=actor.id,
                            subsidy_eligible=str(data.get("subsidy_eligible", "1")) in ("1", "on", "true", "True"),
                            **clean)
    session.add(course)
    session.flush()
    return course


def get_course(session: Session, course_id: int) -> TrainingCourse:
    course = session.get(TrainingCourse, course_id)
    if course is None:
        raise NotFound("该培训课程")
    return course


def list_courses(session: Session) -> list[TrainingCourse]:
    return list(session.scalars(select(TrainingCourse).order_by(TrainingCourse.start_date.desc(), TrainingCourse.id.desc())))


def open_courses(session: Session, today: dt.date | None = None) -> list[TrainingCourse]:
    """Courses not yet started, soonest first (a full one is shown as full)."""
    today = today or dt.date.today()
    return list(session.scalars(select(TrainingCourse).where(TrainingCourse.start_date >= today)
                                .order_by(TrainingCourse.start_date, TrainingCourse.id)))


def my_course_ids(session: Session, actor) -> set[int]:
    from core.seekers.models import Jobseeker

    seeker_id = session.scalar(select(Jobseeker.id).where(Jobseeker.user_id == actor.id))
    if seeker_id is None:
        return set()
    return set(session.scalars(select(TrainingEnrolment.course_id).where(TrainingEnrolment.jobseeker_id == seeker_id)))


def taken(session: Session, course_id: int, order_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(TrainingEnrolment).where(TrainingEnrolment.course_id == course_id,
                                                                     TrainingEnrolment.status != "dropped")
    if order_id is not None:
        stmt = stmt.where(TrainingEnrolment.order_id == order_id)
    return session.scalar(stmt) or 0


def place_order(session: Session, actor, course_id: int, data: dict) -> TrainingOrder:
    """Reserve places on a course for a project's demand line (``demand_id``) or an occupation."""
    from .services import get_demand

    _staff(actor)
    course = get_course(session, course_id)
    errors: list[DomainError] = []
    places = _int(data, "places", "订单名额", errors)
    demand = None
    if str(data.get("demand_id") or "").isdigit():
        demand = get_demand(session, int(data["demand_id"]), actor)
    occupation = str(data.get("occupation_text") or "").strip()[:100]
    if demand is None and not occupation:
        errors.append(DomainError("missing_target", "请选择项目用工需求，或填写紧缺工种", "demand_id"))
    ordered = session.scalar(select(func.coalesce(func.sum(TrainingOrder.places), 0))
                             .where(TrainingOrder.course_id == course.id)) or 0
    if places and ordered + places > course.places:
        errors.append(DomainError("too_many_places", f"该课程共{course.places}个名额，已下订单{ordered}个，"
                                  f"最多还能订{course.places - ordered}个", "places"))
    if errors:
        raise ValidationErrors(errors)
    order = TrainingOrder(course_id=course.id, demand_id=demand.id if demand else None,
                          occupation_text=occupation or (demand.occupation_text or demand.title if demand else ""),
                          places=places, created_by_id=actor.id)
    session.add(order)
    session.flush()
    return order


def course_orders(session: Session, course_id: int) -> list[TrainingOrder]:
    return list(session.scalars(select(TrainingOrder).where(TrainingOrder.course_id == course_id).order_by(TrainingOrder.id)))


def orders_for_demands(session: Session, demand_ids: list[int]) -> list[TrainingOrder]:
    if not demand_ids:
        return []
    return list(session.scalars(select(TrainingOrder).where(TrainingOrder.demand_id.in_(demand_ids))
                                .order_by(TrainingOrder.id)))


def enrol(session: Session, actor, course_id: int, *, jobseeker_id: int | None = None, record_id: int | None = None,
          order_id: int | None = None) -> TrainingEnrolment:
    """Sign a person up: a jobseeker for themselves, or a commissioner for a person of the roster
    (whose placement outcome becomes 参加培训). Places of the course and of the order are kept."""
    from .placement import get_record

    course = get_course(session, course_id)
    record = None
    if Role(actor.role) == Role.JOBSEEKER:
        from core.seekers.models import Jobseeker

        seeker_id = session.scalar(select(Jobseeker.id).where(Jobseeker.user_id == actor.id))
        if seeker_id is None:
            raise DomainError("no_profile", "请先填写求职信息再报名", None)
    else:
        _staff(actor)
        if record_id is not None:
            record = get_record(session, record_id, actor)
            seeker_id = record.jobseeker_id
            if seeker_id is None:
                raise DomainError("missing_identity", f"{record.name}的身份证号码有误，请先更正再报名", "record_id")
        else:
            seeker_id = jobseeker_id
    if seeker_id is None:
        raise DomainError("missing_person", "请选择报名的人员", "record_id")
    order = session.get(TrainingOrder, order_id) if order_id else None
    if order_id and (order is None or order.course_id != course.id):
        raise DomainError("unknown_order", "所选订单不属于该课程", "order_id")
    if taken(session, course.id) >= course.places:
        raise DomainError("course_full", "该课程名额已满", None)
    if order is not None and taken(session, course.id, order.id) >= order.places:
        raise DomainError("order_full", "该订单名额已满", "order_id")
    if session.scalar(select(TrainingEnrolment.id).where(TrainingEnrolment.course_id == course.id,
                                                         TrainingEnrolment.jobseeker_id == seeker_id)):
        raise DomainError("already_enrolled", "已报名该课程", None)
    enrolment = TrainingEnrolment(course_id=course.id, order_id=order.id if order else None, jobseeker_id=seeker_id,
                                  record_id=record.id if record else None, enrolled_by_id=actor.id)
    session.add(enrolment)
    if record is not None and record.outcome is None:
        record.outcome, record.outcome_reason, record.outcome_at = "training", course.name, utcnow()
    session.flush()
    return enrolment


def get_enrolment(session: Session, enrolment_id: int, actor) -> TrainingEnrolment:
    _staff(actor)
    enrolment = session.get(TrainingEnrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("该报名")
    return enrolment


def record_attendance(session: Session, actor, enrolment_id: int, sessions_attended) -> TrainingEnrolment:
    enrolment = get_enrolment(session, enrolment_id, actor)
    errors: list[DomainError] = []
    n = _int({"sessions_attended": sessions_attended}, "sessions_attended", "出勤次数", errors, low=0,
             high=enrolment.course.sessions)
    if errors:
        raise ValidationErrors(errors)
    enrolment.sessions_attended = n
    session.flush()
    return enrolment


def complete(session: Session, actor, enrolment_id: int, *, certificate: bool) -> list[SubsidyClaim]:
    """Completion: with a certificate it goes onto the person's profile; the subsidy service files the
    claims its rules grant."""
    from core.outbox.services import emit
    from core.seekers.models import Jobseeker

    enrolment = get_enrolment(session, enrolment_id, actor)
    if enrolment.status == "completed":
        raise DomainError("already_completed", "该学员已结业", None)
    course = enrolment.course
    enrolment.status, enrolment.completed_at = "completed", utcnow()
    if certificate:
        enrolment.certificate = course.certificate_name or f"{course.occupation_text}职业技能等级证书"
        seeker = session.get(Jobseeker, enrolment.jobseeker_id)
        if enrolment.certificate not in (seeker.certificates or []):
            seeker.certificates = list(seeker.certificates or []) + [enrolment.certificate]
            seeker.version = (seeker.version or 1) + 1
            emit(session, "seeker", seeker.id)
    return subsidies.file_training_claims(session, enrolment, course)


def course_enrolments(session: Session, course_id: int) -> list[TrainingEnrolment]:
    return list(session.scalars(select(TrainingEnrolment).where(TrainingEnrolment.course_id == course_id)
                                .order_by(TrainingEnrolment.id)))


def claims_for(session: Session, enrolment_ids: list[int]) -> dict[int, list[SubsidyClaim]]:
    return subsidies.claims_by_enrolment(session, enrolment_ids)


def demand_title(session: Session, demand_id: int | None) -> str:
    line = session.get(LabourDemand, demand_id) if demand_id else None
    return f"{line.project.name}：{line.title}" if line else ""


def rule_names() -> dict[str, str]:
    return subsidies.claim_rule_names()
