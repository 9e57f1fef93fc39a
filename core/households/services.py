"""Use cases of the zero-employment household register (零就业家庭): the roster import (one row per
member, grouped into households by 户编号), the open list per jurisdiction with days open, referrals
(a posting offered to a member, and its outcome) and clearing.

One rule (``is_zero_employment``): a household is open while none of its working-age members
(16 to 59 years old) works; the placement of one member through a referral clears it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.services import commissioner_jurisdiction, in_jurisdiction, require_jurisdiction
from core.db import utcnow
from core.enums import Role
from core.errors import DomainError, NotFound, PermissionDenied
from core.identity import birth_date_from_id, mask_id_number, validate_id_number
from core.tabular import ColumnSpec, read_table

from .models import Household, HouseholdMember, HouseholdReferral

WORKING_AGE = (16, 59)  # 法定劳动年龄内：16 周岁至 59 周岁
OUTCOMES = {"offered": "已推荐", "hired": "已上岗", "declined": "本人未接受", "not_hired": "单位未录用"}
_EMPLOYED = ("已就业", "就业", "务工", "在岗", "灵活就业", "个体", "自主创业", "创业", "公益性岗位")
_NOT_EMPLOYED = ("未就业", "失业", "无业", "待业", "在校", "学生", "退休", "丧失劳动能力", "无", "")
_STAFF = (Role.COMMISSIONER, Role.ADMIN)

COLUMNS = [
    ColumnSpec("reference", ("户编号", "户号", "家庭编号")),
    ColumnSpec("head", ("户主姓名", "户主")),
    ColumnSpec("name", ("姓名", "成员姓名"), required=True),
    ColumnSpec("id_number", ("身份证号码", "身份证号", "公民身份号码")),
    ColumnSpec("age", ("年龄",)),
    ColumnSpec("employment", ("就业状况", "就业情况", "是否就业")),
    ColumnSpec("phone", ("联系电话", "手机号码", "电话")),
    ColumnSpec("address", ("家庭住址", "现居住地", "住址", "地址")),
]


def is_working_age(age: int | None) -> bool:
    return age is not None and WORKING_AGE[0] <= age <= WORKING_AGE[1]


def is_zero_employment(members) -> bool:
    """No working-age member works (and there is at least one working-age member)."""
    working_age = [m for m in members if is_working_age(m.age)]
    return bool(working_age) and not any(m.employed for m in working_age)


def days_open(household: Household, today: dt.date | None = None) -> int:
    end = household.cleared_on or today or utcnow().date()
    return (end - household.opened_on).days


def _require_staff(actor) -> None:
    if Role(actor.role) not in _STAFF:
        raise PermissionDenied("只有服务专员和管理员可以管理零就业家庭")


def get_household(session: Session, actor, household_id: int) -> Household:
    _require_staff(actor)
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("该家庭")
    require_jurisdiction(actor, household.region_code, "该家庭")
    return household


def list_households(session: Session, actor, *, cleared: bool = False) -> list[Household]:
    """My jurisdiction's open households, the longest open first (or the cleared ones, latest first)."""
    _require_staff(actor)
    stmt = select(Household)
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(Household.region_code.startswith(prefix))
    if cleared:
        stmt = stmt.where(Household.cleared_on.is_not(None)).order_by(Household.cleared_on.desc(), Household.id.desc())
    else:
        stmt = stmt.where(Household.cleared_on.is_(None)).order_by(Household.opened_on, Household.id)
    return list(session.scalars(stmt.limit(500)))


# --- the roster import -----------------------------------------------------------------------------

@dataclass
class HouseholdImport:
    rows: int = 0
    added: list[dict] = field(default_factory=list)        # {"reference", "head", "members"}
    not_zero: list[dict] = field(default_factory=list)     # {"reference", "head", "reason"}
    already: list[dict] = field(default_factory=list)      # {"reference", "head"}
    rejected: list[dict] = field(default_factory=list)     # {"row", "reasons": [..]}
    unknown_columns: list[str] = field(default_factory=list)


def _employed(text: str) -> bool:
    text = (text or "").strip()
    if text in _NOT_EMPLOYED or any(w in text for w in ("未", "失业", "无业", "待业")):
        return False
    if any(w in text for w in _EMPLOYED):
        return True
    raise DomainError("invalid_employment", f"无法识别的就业状况：{text}（可填：已就业、未就业、在校、退休）", "employment")


def _member(values: dict, today: dt.date) -> dict:
    """One row as a member's fields; raises DomainError for the first problem found."""
    age, masked = None, None
    raw_id = (values.get("id_number") or "").strip()
    if raw_id:
        number = validate_id_number(raw_id)
        masked = mask_id_number(number)
        born = birth_date_from_id(number)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    raw_age = (values.get("age") or "").strip().rstrip("岁")
    if raw_age:
        if not raw_age.isdigit() or int(raw_age) > 120:
            raise DomainError("invalid_age", f"年龄应为整数：{raw_age}", "age")
        age = int(raw_age)
    if age is None:
        raise DomainError("missing_age", "请填写年龄或身份证号码", "age")
    return {"name": values["name"].strip()[:64], "id_number_masked": masked, "age": age,
            "employed": _employed(values.get("employment", "")), "phone": (values.get("phone") or "").strip()[:20] or None}


def _group_rows(table, today: dt.date, out: HouseholdImport) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for row in table.rows:
        v = row.values
        if row.problem:
            out.rejected.append({"row": row.number, "reasons": [row.problem]})
            continue
        key = (v.get("reference") or v.get("head") or "").strip()
        if not key:
            out.rejected.append({"row": row.number, "reasons": ["缺少户编号或户主姓名"]})
            continue
        try:
            member = _member(v, today)
        except DomainError as e:
            out.rejected.append({"row": row.number, "reasons": [e.message]})
            continue
        g = groups.setdefault(key, {"head": (v.get("head") or "").strip() or member["name"], "address": "",
                                    "members": [], "rows": []})
        g["address"] = g["address"] or (v.get("address") or "").strip()
        g["members"].append(member)
        g["rows"].append(row.number)
    return groups


def import_households(session: Session, actor, source, *, filename: str | None = None) -> HouseholdImport:
    """Import the register; a household whose working-age members include one who works is reported
    and not registered. Commits nothing (the caller commits)."""
    from core.seekers.roster import _Places

    _require_staff(actor)
    today = utcnow().date()
    table = read_table(source, COLUMNS, filename=filename)
    out = HouseholdImport(rows=len(table.rows), unknown_columns=table.unknown_headers)
    places = _Places(session)
    for key, g in _group_rows(table, today, out).items():
        place = places.find(g["address"]) if g["address"] else None
        region = place.code if place is not None and len(place.code) == 6 else actor.region_code
        if not region or not in_jurisdiction(actor, region) or len(region) != 6:
            out.rejected.append({"row": g["rows"][0], "reasons": [f"{g['head']}家的住址不在您辖区内的区县，请填写家庭住址（到区县）"]})
            continue
        members = [HouseholdMember(**m) for m in g["members"]]
        if not is_zero_employment(members):
            reason = "有劳动年龄内成员已就业" if any(is_working_age(m.age) for m in members) else "没有劳动年龄内成员"
            out.not_zero.append({"reference": key, "head": g["head"], "reason": reason})
            continue
        if session.scalar(select(Household.id).where(Household.region_code == region, Household.reference == key[:40])):
            out.already.append({"reference": key, "head": g["head"]})
            continue
        session.add(Household(reference=key[:40], head_name=g["head"][:64], region_code=region,
                              address=g["address"][:200] or None, opened_on=today, created_by_user_id=actor.id,
                              members=members))
        out.added.append({"reference": key, "head": g["head"], "members": len(members)})
    session.flush()
    return out


# --- referrals -------------------------------------------------------------------------------------

def referrals(session: Session, household: Household) -> list[HouseholdReferral]:
    return list(session.scalars(select(HouseholdReferral).where(HouseholdReferral.household_id == household.id)
                                .order_by(HouseholdReferral.id)))


def nearby_postings(session: Session, household: Household, limit: int = 20) -> list:
    """Published postings in the household's county (then its city), newest first, to offer."""
    from core.enums import PostingStatus
    from core.postings.models import Posting

    out: list = []
    for prefix in (household.region_code, household.region_code[:4]):
        stmt = (select(Posting).where(Posting.status == PostingStatus.PUBLISHED, Posting.region_code.startswith(prefix))
                .order_by(Posting.published_at.desc(), Posting.id.desc()).limit(limit))
        out += [p for p in session.scalars(stmt) if p not in out]
        if len(out) >= limit:
            break
    return out[:limit]


def refer(session: Session, actor, household_id: int, member_id: int, posting_id: int | None) -> HouseholdReferral:
    """Offer a published posting to a working-age member of an open household. The caller commits."""
    from core.enums import PostingStatus
    from core.postings.models import Posting

    household = get_household(session, actor, household_id)
    if household.cleared_on is not None:
        raise DomainError("household_cleared", "该家庭已有成员就业，已销号", "member_id")
    member = next((m for m in household.members if m.id == member_id), None)
    if member is None or not is_working_age(member.age):
        raise DomainError("invalid_member", "请选择家中劳动年龄内的成员", "member_id")
    posting = session.get(Posting, posting_id) if posting_id else None
    if posting is None or posting.status != PostingStatus.PUBLISHED:
        raise DomainError("invalid_posting", "请填写正在招聘的岗位编号", "posting_id")
    referral = HouseholdReferral(household_id=household.id, member_id=member.id, posting_id=posting.id,
                                 title=posting.title[:200], referred_by_user_id=actor.id)
    session.add(referral)
    session.flush()
    return referral


def record_outcome(session: Session, actor, referral_id: int, outcome: str) -> HouseholdReferral:
    """The referral's outcome; 已上岗 makes the member employed and clears the household."""
    referral = session.get(HouseholdReferral, referral_id)
    if referral is None:
        raise NotFound("该推荐")
    household = get_household(session, actor, referral.household_id)
    if outcome not in OUTCOMES or outcome == "offered":
        raise DomainError("invalid_outcome", "结果只能是：已上岗、本人未接受、单位未录用", "outcome")
    referral.outcome = outcome
    referral.decided_at = utcnow()
    if outcome == "hired":
        _placed(household, referral.member)
    session.flush()
    return referral


def _placed(household: Household, member: HouseholdMember) -> None:
    member.employed = True
    if household.cleared_on is None and not is_zero_employment(household.members):
        household.cleared_on = utcnow().date()


def record_found_work(session: Session, actor, member_id: int) -> HouseholdMember:
    """A member found work without a referral (自主就业, 灵活就业): employed, and the household cleared."""
    member = session.get(HouseholdMember, member_id)
    if member is None:
        raise NotFound("该成员")
    household = get_household(session, actor, member.household_id)
    if not is_working_age(member.age):
        raise DomainError("invalid_member", "该成员不在劳动年龄内", "member_id")
    _placed(household, member)
    session.flush()
    return member
