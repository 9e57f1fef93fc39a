"""The affected people's survey (被征地人员调查摸底) of a land notice: the roster imported (XLSX/CSV with
the office column names, UTF-8 or GB18030, through ``core.tabular``) or entered on a phone; progress
per village. Each person is a jobseeker (one per ID number, 被征地农民 attested by the surveying
commissioner), so the same person on two notices is one jobseeker with two records; a row without a
valid ID number is kept, with the reason, for the commissioner to correct, and listed in the report."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.services import in_jurisdiction
from core.audit.services import record_access
from core.crypto import PersonalDataCipher
from core.db import utcnow
from core.enums import PriorityGroup, Role, VerificationStatus
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.identity import birth_date_from_id, mask_id_number, validate_id_number, validate_phone
from core.tabular import ColumnSpec, read_table

from .land import get_notice, sees_names
from .models import LandNotice, LandNoticeVillage, SurveyRecord

EMPLOYMENT = {"farming": "务农", "employed_local": "本地务工", "employed_away": "外出务工",
              "self_employed": "个体经营", "unemployed": "无业", "other": "其他"}
WANTS = {"job": "就业", "business": "创业", "training": "参加培训", "none": "暂无需求"}
_WORDS = {
    "employment_now": {"务农": "farming", "种地": "farming", "本地务工": "employed_local", "本地就业": "employed_local",
                       "外出务工": "employed_away", "外出打工": "employed_away", "个体": "self_employed",
                       "个体经营": "self_employed", "无业": "unemployed", "失业": "unemployed", "待业": "unemployed",
                       "其他": "other"},
    "wants": {"就业": "job", "找工作": "job", "务工": "job", "创业": "business", "培训": "training",
              "参加培训": "training", "技能培训": "training", "无": "none", "暂无": "none", "暂无需求": "none",
              "不需要": "none"},
}

COLUMNS = [
    ColumnSpec("name", ("姓名", "名字"), required=True),
    ColumnSpec("id_number", ("身份证号码", "身份证号", "公民身份号码", "证件号码")),
    ColumnSpec("village", ("所在村", "村", "村庄", "村组", "行政村", "村名")),
    ColumnSpec("age", ("年龄",)),
    ColumnSpec("household", ("户主", "户主姓名", "户号")),
    ColumnSpec("household_size", ("家庭人口", "家庭人数", "户人口")),
    ColumnSpec("phone", ("联系电话", "手机号码", "手机号", "电话")),
    ColumnSpec("skills", ("技能特长", "技能", "特长", "技能证书")),
    ColumnSpec("employment_now", ("目前就业情况", "就业情况", "就业状况", "现就业状况")),
    ColumnSpec("wants", ("就业意愿", "需求", "安置意愿", "意愿")),
    ColumnSpec("training_wishes", ("培训意愿", "培训需求", "想学技能")),
]


@dataclass
class SurveyReport:
    rows: int = 0
    added: list[int] = field(default_factory=list)          # record ids
    kept_without_id: list[dict] = field(default_factory=list)  # {"row", "name", "reason"}
    already: list[dict] = field(default_factory=list)        # {"row", "name"}: on this notice already
    rejected: list[dict] = field(default_factory=list)       # {"row", "reasons": [..]}
    unknown_columns: list[str] = field(default_factory=list)


def _choice(kind: str, value: str, default: str, label: str, errors: list[DomainError]) -> str:
    value = (value or "").strip()
    if not value:
        return default
    table = EMPLOYMENT if kind == "employment_now" else WANTS
    if value in table:
        return value
    hit = _WORDS[kind].get(value)
    if hit is None:
        errors.append(DomainError(f"invalid_{kind}", f"无法识别的{label}：{value}（可填：{'、'.join(table.values())}）", kind))
        return default
    return hit


def _count(data: dict, key: str, label: str, top: int, errors: list[DomainError]) -> int | None:
    raw = str(data.get(key) or "").strip().rstrip("岁人")
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= top:
        errors.append(DomainError(f"invalid_{key}", f"{label}应为1到{top}之间的整数", key))
        return None
    return int(raw)


def _needs(data: dict, errors: list[DomainError]) -> dict:
    """The person's situation and needs as the survey records them (also what a later edit may change)."""
    skills = str(data.get("skills") or "").replace("，", "、").replace(",", "、").split("、")
    return {"household_size": _count(data, "household_size", "家庭人口", 50, errors),
            "skills": [s.strip() for s in skills if s.strip()],
            "employment_now": _choice("employment_now", str(data.get("employment_now") or ""), "farming", "就业情况", errors),
            "wants": _choice("wants", str(data.get("wants") or ""), "job", "意愿", errors),
            "training_wishes": str(data.get("training_wishes") or "").strip()[:200]}


def _village(notice: LandNotice, text: str, errors: list[DomainError]) -> LandNoticeVillage | None:
    text = (text or "").strip()
    if not text and len(notice.villages) == 1:
        return notice.villages[0]
    for v in notice.villages:
        if text in (v.code, v.name, str(v.id)):
            return v
    names = "、".join(v.name for v in notice.villages)
    errors.append(DomainError("unknown_village", f"所在村“{text}”不是本公告涉及的村（{names}）" if text
                              else f"请填写所在村（{names}）", "village"))
    return None


def _clean(notice: LandNotice, data: dict) -> tuple[dict, LandNoticeVillage | None, list[DomainError]]:
    errors: list[DomainError] = []
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(DomainError("missing_name", "请填写姓名", "name"))
    if len(name) > 64:
        errors.append(DomainError("too_long", "姓名不能超过64个字", "name"))
    village = _village(notice, str(data.get("village") or ""), errors)
    clean = {"name": name, "household": str(data.get("household") or "").strip()[:64],
             **_needs(data, errors), "age": _count(data, "age", "年龄", 120, errors)}
    phone = str(data.get("phone") or "").strip()
    clean["phone"] = None
    if phone:
        try:
            clean["phone"] = validate_phone(phone)
        except DomainError as e:
            errors.append(e)
    return clean, village, errors


def _person(session: Session, cipher: PersonalDataCipher, actor, id_number: str, clean: dict, village):
    """The jobseeker with this ID number, made if new, attested as 被征地农民 by the surveying commissioner."""
    from core.seekers.models import JobseekerGroup
    from core.seekers.services import create_jobseeker, find_by_id_number

    seeker = find_by_id_number(session, cipher, id_number)
    if seeker is None:
        seeker = create_jobseeker(session, cipher, id_number=id_number, origin="roster", name=clean["name"],
                                  phone=clean["phone"], region_code=village.code[:6], skills=clean["skills"])
    group = next((g for g in seeker.groups if g.group == PriorityGroup.LAND_LOST_FARMER), None)
    if group is None:
        group = JobseekerGroup(group=PriorityGroup.LAND_LOST_FARMER)
        seeker.groups.append(group)
    if group.verification != VerificationStatus.VERIFIED:
        group.verification, group.verified_by_id, group.verified_at = VerificationStatus.VERIFIED, actor.id, utcnow()
    session.flush()
    return seeker


def add_person(session: Session, cipher: PersonalDataCipher, actor, notice_id: int, data: dict, *,
               source: str = "phone", row_number: int | None = None) -> SurveyRecord:
    """One affected person on the notice (entered on a phone, or a roster row). Raises ValidationErrors
    for a row that cannot be kept (no name, unknown village, …); an invalid ID number is kept with the
    reason (``record.id_problem``); a person already on this notice raises ``already_surveyed``."""
    notice = get_notice(session, notice_id, actor)
    clean, village, errors = _clean(notice, data)
    if errors:
        raise ValidationErrors(errors)
    if not sees_names(actor, village):
        raise PermissionDenied(f"{village.name}不在您的管辖范围内")
    raw_id = str(data.get("id_number") or "").strip()
    record = SurveyRecord(notice_id=notice.id, village_id=village.id, source=source, row_number=row_number,
                          surveyed_by_id=actor.id, **{k: v for k, v in clean.items()})
    try:
        id_number = validate_id_number(raw_id)
    except DomainError as e:
        record.id_problem = "缺少身份证号码" if not raw_id else e.message
        record.id_number_encrypted = cipher.encrypt(raw_id) if raw_id else None
    else:
        record.id_number_encrypted = cipher.encrypt(id_number)
        with session.begin_nested():
            seeker = _person(session, cipher, actor, id_number, clean, village)
        if session.scalar(select(SurveyRecord.id).where(SurveyRecord.notice_id == notice.id,
                                                        SurveyRecord.jobseeker_id == seeker.id)):
            raise DomainError("already_surveyed", f"{clean['name']}已在本公告的名单中", "id_number")
        record.jobseeker_id = seeker.id
        record.age = _age(id_number, notice.notice_date)
    session.add(record)
    session.flush()
    return record


def _age(id_number: str, on: dt.date) -> int:
    born = birth_date_from_id(id_number)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def import_survey(session: Session, cipher: PersonalDataCipher, actor, notice_id: int, source, *,
                  filename: str | None = None) -> SurveyReport:
    """Every row of a roster file onto the notice; a bad row never stops the others. The caller commits."""
    get_notice(session, notice_id, actor)
    table = read_table(source, COLUMNS, filename=filename)
    report = SurveyReport(rows=len(table.rows), unknown_columns=table.unknown_headers)
    for row in table.rows:
        if row.problem:
            report.rejected.append({"row": row.number, "reasons": [row.problem]})
            continue
        try:
            with session.begin_nested():
                record = add_person(session, cipher, actor, notice_id, row.values, source="import",
                                    row_number=row.number)
        except ValidationErrors as e:
            report.rejected.append({"row": row.number, "reasons": [x.message for x in e.errors]})
            continue
        except DomainError as e:
            if e.code == "already_surveyed":
                report.already.append({"row": row.number, "name": row.values.get("name", "")})
            else:
                report.rejected.append({"row": row.number, "reasons": [e.message]})
            continue
        report.added.append(record.id)
        if record.id_problem:
            report.kept_without_id.append({"row": row.number, "name": record.name, "reason": record.id_problem})
    return report


def village_records(session: Session, village: LandNoticeVillage) -> list[SurveyRecord]:
    return list(session.scalars(select(SurveyRecord).where(SurveyRecord.village_id == village.id)
                                .order_by(SurveyRecord.id)))


def masked_id(cipher: PersonalDataCipher, record: SurveyRecord) -> str:
    if not record.id_number_encrypted:
        return ""
    return mask_id_number(cipher.decrypt(record.id_number_encrypted))


@dataclass
class VillageProgress:
    village: LandNoticeVillage
    households_expected: int | None
    households_surveyed: int
    people: int
    without_id: int
    wants: dict[str, int]
    outcomes: dict[str, int]


def survey_progress(session: Session, notice: LandNotice) -> list[VillageProgress]:
    """Per village: households expected and surveyed (by 户主/户号), people, rows without a valid ID
    number, what people want, and placement outcomes so far. Counts only: no names."""
    records = session.scalars(select(SurveyRecord).where(SurveyRecord.notice_id == notice.id))
    by_village: dict[int, list[SurveyRecord]] = defaultdict(list)
    for r in records:
        by_village[r.village_id].append(r)
    out = []
    for v in notice.villages:
        rows = by_village.get(v.id, [])
        households = {r.household or f"#{r.id}" for r in rows}
        out.append(VillageProgress(v, v.households, len(households), len(rows), sum(1 for r in rows if r.id_problem),
                                   dict(Counter(r.wants for r in rows)),
                                   dict(Counter(r.outcome or "open" for r in rows))))
    return out


def fix_identity(session: Session, cipher: PersonalDataCipher, actor, record_id: int, id_number: str) -> SurveyRecord:
    """Correct a kept row's ID number: it then becomes (or joins) the person's jobseeker record."""
    record = session.get(SurveyRecord, record_id)
    if record is None:
        raise DomainError("not_found", "未找到该人员", None)
    notice = get_notice(session, record.notice_id, actor)
    if not sees_names(actor, record.village):
        raise PermissionDenied(f"{record.village.name}不在您的管辖范围内")
    clean_id = validate_id_number(id_number)
    clean = {"name": record.name, "phone": record.phone, "skills": list(record.skills or [])}
    with session.begin_nested():
        seeker = _person(session, cipher, actor, clean_id, clean, record.village)
    if session.scalar(select(SurveyRecord.id).where(SurveyRecord.notice_id == notice.id,
                                                    SurveyRecord.jobseeker_id == seeker.id,
                                                    SurveyRecord.id != record.id)):
        raise DomainError("already_surveyed", f"{record.name}已在本公告的名单中", "id_number")
    record.jobseeker_id, record.id_problem = seeker.id, None
    record.id_number_encrypted = cipher.encrypt(clean_id)
    record.age = _age(clean_id, notice.notice_date)
    session.flush()
    return record


# --- correcting a person's survey answers ----------------------------------------------------------

EDITABLE = ("household_size", "skills", "employment_now", "wants", "training_wishes")


def record_for_edit(session: Session, actor, record_id: int) -> SurveyRecord:
    """A surveyed person whose answers ``actor`` may correct: only a commissioner whose jurisdiction
    covers the person's village (admins and the project's commissioner elsewhere follow, not edit)."""
    record = session.get(SurveyRecord, record_id)
    if record is None:
        raise NotFound("该人员")
    get_notice(session, record.notice_id, actor)
    if Role(actor.role) != Role.COMMISSIONER or not in_jurisdiction(actor, record.village.code):
        raise PermissionDenied(f"只有{record.village.name}所在地的服务专员可以修改调查情况")
    return record


def edit_record(session: Session, actor, record_id: int, data: dict, *, ip: str | None = None) -> dict[str, tuple]:
    """Correct a surveyed person's situation and needs (family size, skills, employment now, what they
    want, training wishes). Returns the changes as ``{field: (before, after)}``; the audit entry names
    the changed fields, never their values or the person (the audit log's rule: it is read more widely
    than the survey). Nothing changed: no entry. The caller commits."""
    record = record_for_edit(session, actor, record_id)
    errors: list[DomainError] = []
    clean = _needs(data, errors)
    if errors:
        raise ValidationErrors(errors)
    changes = {k: (getattr(record, k), clean[k]) for k in EDITABLE if getattr(record, k) != clean[k]}
    if not changes:
        return changes
    for key, (_before, after) in changes.items():
        setattr(record, key, after)
    record_access(session, actor_user_id=actor.id, actor_role=str(actor.role), action="update",
                  subject_type="land_survey_record", subject_id=record.id,
                  purpose="征地人员调查：修改调查情况", ip=ip, fields=sorted(changes))
    session.flush()
    return changes
