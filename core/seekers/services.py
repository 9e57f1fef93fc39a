"""Jobseeker profiles: validation at the edge, encrypted ID numbers, priority-group verification.
Who may see which personal data, and the masked read model, are in ``core.seekers.privacy``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.services import commissioner_jurisdiction, in_jurisdiction
from core.crypto import PersonalDataCipher
from core.enums import Availability, Education, PriorityGroup, VerificationStatus
from core.errors import DomainError, ValidationErrors
from core.numbers import finite_float
from core.identity import (
    birth_date_from_id,
    validate_id_number,
    validate_phone,
    validate_region_code,
)
from core.outbox.services import emit

from .models import Jobseeker, JobseekerGroup

PROFILE_FIELDS = (
    "name", "phone", "region_code", "address", "education", "graduation_year", "experience_years",
    "skills", "certificates", "desired_occupations", "desired_titles", "desired_regions",
    "expected_pay_min", "availability", "summary", "consent_recommendation",
    "consent_visible_to_enterprises", "lat", "lon",
)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        import re

        return [v for v in (x.strip() for x in re.split(r"[,，、;；\s]+", value)) if v]
    return [str(v).strip() for v in value if str(v).strip()]


def _validate(session: Session, data: dict, errors: list[DomainError]) -> dict:
    """The profile fields present in ``data``, checked; every problem is appended to ``errors``
    (each naming its field), in the order the form shows them."""
    clean: dict = {}
    _check_name_and_phone(data, clean, errors)
    _check_place(session, data, clean, errors)
    _check_choices(data, clean, errors)
    _check_numbers(data, clean, errors)
    _check_lists(session, data, clean, errors)
    for key in ("address", "summary"):
        if key in data:
            clean[key] = (data[key] or "").strip()[:5000 if key == "summary" else 300]
    for key in ("consent_recommendation", "consent_visible_to_enterprises"):
        if key in data:
            clean[key] = bool(data[key])
    return clean


def _check_name_and_phone(data: dict, clean: dict, errors: list[DomainError]) -> None:
    if "name" in data:
        name = (data.get("name") or "").strip()
        if not name or len(name) > 64:
            errors.append(DomainError("invalid_name", "请填写姓名（不超过64个字符）", "name"))
        clean["name"] = name
    if data.get("phone"):
        try:
            clean["phone"] = validate_phone(data["phone"])
        except DomainError as e:
            errors.append(e)
    elif "phone" in data:
        clean["phone"] = None


def _check_place(session: Session, data: dict, clean: dict, errors: list[DomainError]) -> None:
    """Region code (its coordinates when none are given) and explicit coordinates."""
    from core.reference.models import Region

    if data.get("region_code"):
        try:
            code = validate_region_code(data["region_code"])
            region = session.get(Region, code)
            if region is None:
                errors.append(DomainError("unknown_region", f"行政区划代码 {code} 不存在", "region_code"))
            else:
                clean["region_code"] = code
                if data.get("lat") is None and region.lat is not None:
                    clean["lat"], clean["lon"] = region.lat, region.lon
        except DomainError as e:
            errors.append(e)
    for key, limit in (("lat", 90), ("lon", 180)):
        if data.get(key) is not None:
            try:
                clean[key] = finite_float(data[key])
                if abs(clean[key]) > limit:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(DomainError("invalid_coordinates", "坐标格式不正确", key))


def _check_choices(data: dict, clean: dict, errors: list[DomainError]) -> None:
    for key, enum, code, message in (("education", Education, "invalid_education", "学历选项无效"),
                                     ("availability", Availability, "invalid_availability", "到岗时间选项无效")):
        if data.get(key) is not None:
            try:
                clean[key] = enum(data[key])
            except ValueError:
                errors.append(DomainError(code, message, key))


def _check_numbers(data: dict, clean: dict, errors: list[DomainError]) -> None:
    """Experience and graduation year (whole numbers in a range) and the expected monthly pay."""
    for key, lo, hi, msg in (
        ("experience_years", 0, 60, "工作年限应为0-60之间的整数"),
        ("graduation_year", 1950, dt.date.today().year + 6, "毕业年份不正确"),
    ):
        if data.get(key) not in (None, ""):
            try:
                v = int(data[key])
                if not lo <= v <= hi:
                    raise ValueError
                clean[key] = v
            except (TypeError, ValueError):
                errors.append(DomainError(f"invalid_{key}", msg, key))
        elif key in data:
            clean[key] = 0 if key == "experience_years" else None
    if data.get("expected_pay_min") not in (None, ""):
        try:
            v = float(data["expected_pay_min"])
            if not 0 <= v <= 1_000_000:
                raise ValueError
            clean["expected_pay_min"] = v
        except (TypeError, ValueError):
            errors.append(DomainError("invalid_expected_pay", "期望月薪应为0-1000000之间的数字（元/月）", "expected_pay_min"))
    elif "expected_pay_min" in data:
        clean["expected_pay_min"] = None


def _check_lists(session: Session, data: dict, clean: dict, errors: list[DomainError]) -> None:
    """Free-text lists (skills, certificates, titles) and lists of codes that must exist."""
    from core.reference.models import Occupation, Region

    for key in ("skills", "certificates", "desired_titles"):
        if key in data:
            clean[key] = _as_list(data[key])[:50]
    for key, model, code, label in (("desired_occupations", Occupation, "unknown_occupation", "职业代码"),
                                    ("desired_regions", Region, "unknown_region", "行政区划代码")):
        if key in data:
            codes = _as_list(data[key])
            unknown = [c for c in codes if session.get(model, c) is None]
            if unknown:
                errors.append(DomainError(code, f"{label}不存在：{'、'.join(unknown)}", key))
            clean[key] = codes


def _set_groups(seeker: Jobseeker, groups: list[str], errors: list[DomainError]) -> None:
    wanted: list[PriorityGroup] = []
    for g in groups:
        try:
            wanted.append(PriorityGroup(g))
        except ValueError:
            errors.append(DomainError("invalid_priority_group", f"重点群体类别无效：{g}", "groups"))
    if errors:
        return
    keep = {g.group: g for g in seeker.groups}
    seeker.groups = [keep.get(g) or JobseekerGroup(group=g) for g in dict.fromkeys(wanted)]


def _checked_id_number(
    session: Session, cipher: PersonalDataCipher, id_number: str | None, errors: list[DomainError],
    own_id: int | None = None,
) -> str | None:
    """The normalised ID number, or None (with the reason appended to ``errors``) when it is invalid
    or already registered to another jobseeker."""
    if not id_number:
        return None
    try:
        id_clean = validate_id_number(id_number)
    except DomainError as e:
        errors.append(e)
        return None
    other = find_by_id_number(session, cipher, id_clean)
    if other is not None and other.id != own_id:
        errors.append(DomainError("duplicate_id_number", "该身份证号码已登记", "id_number"))
        return None
    return id_clean


def _store_id_number(seeker: Jobseeker, cipher: PersonalDataCipher, id_clean: str) -> None:
    """Only the ciphertext and the keyed hash are stored; birth date and gender follow from the number."""
    seeker.id_number_encrypted = cipher.encrypt(id_clean)
    seeker.id_number_hash = cipher.lookup_hash(id_clean)
    seeker.birth_date = birth_date_from_id(id_clean)
    seeker.gender = "男" if int(id_clean[16]) % 2 else "女"


def create_jobseeker(
    session: Session,
    cipher: PersonalDataCipher,
    *,
    id_number: str | None = None,
    groups: list[str] | None = None,
    user_id: int | None = None,
    origin: str = "self",
    is_demo: bool = False,
    **data,
) -> Jobseeker:
    """Validate everything first; on any error raise ValidationErrors and save nothing."""
    errors: list[DomainError] = []
    data.setdefault("name", data.get("name"))
    clean = _validate(session, data, errors)
    id_clean = _checked_id_number(session, cipher, id_number, errors)
    seeker = Jobseeker(user_id=user_id, origin=origin, is_demo=is_demo, **clean)
    _set_groups(seeker, groups or [], errors)
    if errors:
        raise ValidationErrors(errors)
    if id_clean:
        _store_id_number(seeker, cipher, id_clean)
    session.add(seeker)
    session.flush()
    emit(session, "seeker", seeker.id)
    return seeker


def update_jobseeker(
    session: Session,
    cipher: PersonalDataCipher,
    seeker: Jobseeker,
    *,
    id_number: str | None = None,
    groups: list[str] | None = None,
    **data,
) -> Jobseeker:
    errors: list[DomainError] = []
    clean = _validate(session, data, errors)
    id_clean = _checked_id_number(session, cipher, id_number, errors, own_id=seeker.id)
    if groups is not None:
        _set_groups(seeker, groups, errors)
    if errors:
        raise ValidationErrors(errors)
    for k, v in clean.items():
        setattr(seeker, k, v)
    if id_clean:
        _store_id_number(seeker, cipher, id_clean)
    seeker.version = (seeker.version or 0) + 1
    session.flush()
    emit(session, "seeker", seeker.id)
    return seeker


def find_by_id_number(session: Session, cipher: PersonalDataCipher, id_number: str) -> Jobseeker | None:
    return session.scalar(select(Jobseeker).where(Jobseeker.id_number_hash == cipher.lookup_hash(id_number)))


def verify_group(session: Session, seeker: Jobseeker, group: str, verifier_user_id: int, approve: bool) -> None:
    from core.db import utcnow

    for g in seeker.groups:
        if g.group == PriorityGroup(group):
            g.verification = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
            g.verified_by_id = verifier_user_id
            g.verified_at = utcnow()
            seeker.version += 1
            emit(session, "seeker", seeker.id)
            return
    raise DomainError("group_not_declared", "该求职者未申报此重点群体", "group")


# --- priority group verification (重点群体认定) -------------------------------------------------------

# A declared group waits for the bureau while it is neither verified nor refused.
AWAITING_VERIFICATION = (VerificationStatus.UNVERIFIED, VerificationStatus.PENDING)
REFUSAL_NOTE_MAX = 150  # the note goes into the audit purpose (200 characters) after a short prefix


def may_verify(user, seeker: Jobseeker) -> bool:
    return in_jurisdiction(user, seeker.region_code)


@dataclass
class GroupVerificationQueue:
    """One page of jobseekers having at least one declared group awaiting verification."""

    items: list[Jobseeker]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_awaiting_group_verification(
    session: Session, user, *, group: str | None = None, page: int = 1, per_page: int = 20,
) -> GroupVerificationQueue:
    """Jobseekers in ``user``'s jurisdiction with declared-but-unverified priority groups (optionally
    one group), oldest registration first: group rows carry no declaration time, so the jobseeker's
    registration time stands in for it. Admins see every region."""
    from sqlalchemy import exists, func

    awaiting = (
        select(JobseekerGroup.id)
        .where(JobseekerGroup.jobseeker_id == Jobseeker.id, JobseekerGroup.verification.in_(AWAITING_VERIFICATION))
    )
    if group:
        try:
            awaiting = awaiting.where(JobseekerGroup.group == PriorityGroup(group))
        except ValueError:
            raise DomainError("invalid_priority_group", f"重点群体类别无效：{group}", "group") from None
    cond = [exists(awaiting)]
    prefix = commissioner_jurisdiction(user)
    if prefix is not None:
        cond.append(Jobseeker.region_code.like(f"{prefix}%"))
    per_page = max(1, min(int(per_page), 100))
    total = session.scalar(select(func.count()).select_from(Jobseeker).where(*cond)) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    items = list(session.scalars(
        select(Jobseeker).where(*cond).order_by(Jobseeker.created_at, Jobseeker.id)
        .offset((page - 1) * per_page).limit(per_page)
    ))
    return GroupVerificationQueue(items=items, total=total, page=page, per_page=per_page)


def decide_group_verification(
    session: Session, user, seeker: Jobseeker, group: str, *, approve: bool, note: str = "", ip: str | None = None,
) -> JobseekerGroup:
    """A commissioner (of the jobseeker's jurisdiction) or an admin approves or refuses one declared
    group through ``verify_group``. A refusal needs a note; the model has no place for it, so the note
    is kept in the audit trail with the decision."""
    from core.audit.services import record_access
    from core.errors import PermissionDenied

    if not may_verify(user, seeker):
        raise PermissionDenied("该求职者不在您的管辖范围内")
    try:
        wanted = PriorityGroup(group)
    except ValueError:
        raise DomainError("invalid_priority_group", f"重点群体类别无效：{group}", "group") from None
    declared = next((g for g in seeker.groups if g.group == wanted), None)
    if declared is None:
        raise DomainError("group_not_declared", "该求职者未申报此重点群体", "group")
    if declared.verification not in AWAITING_VERIFICATION:
        raise DomainError("already_decided", "该重点群体已认定过，请勿重复处理", "group")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError("missing_note", "不予认定时请填写原因（备注）", "note")
    if len(note) > REFUSAL_NOTE_MAX:
        raise DomainError("note_too_long", f"备注不超过{REFUSAL_NOTE_MAX}个字符", "note")
    verify_group(session, seeker, wanted.value, user.id, approve)
    from core.enums import LABELS

    text = f"重点群体认定：{LABELS.get(wanted.value, wanted.value)}" + ("通过" if approve else f"不予认定：{note}")
    if approve and note:
        text += f"（{note}）"
    record_access(
        session, actor_user_id=user.id, actor_role=str(user.role), action="review", subject_type="jobseeker",
        subject_id=seeker.id, purpose=text[:200], fields=["groups"], ip=ip,
    )
    from core.notifications.events import group_verification_decided

    group_verification_decided(session, seeker, wanted.value, approve=approve, note=note)
    session.flush()
    return declared
