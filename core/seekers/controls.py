"""A jobseeker's privacy controls: who may find me, which enterprises are blocked, automated
recommendation on or off, and a copy of everything JobLink keeps about me (PIPL arts. 24, 44, 45).
Every change and every export is recorded in the audit trail. The rule these choices feed is
``core.seekers.privacy``."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditEvent
from core.audit.services import record_access
from core.crypto import PersonalDataCipher
from core.enums import SeekerVisibility, label
from core.errors import DomainError, NotFound
from core.outbox.services import emit

from .models import EnterpriseBlock, Jobseeker

MAX_BLOCKS = 20
SEARCH_MAX = 10


def _audit(session: Session, seeker: Jobseeker, action: str, purpose: str, fields: list[str], ip: str | None) -> None:
    record_access(session, actor_user_id=seeker.user_id, actor_role="jobseeker", action=action,
                  subject_type="jobseeker", subject_id=seeker.id, purpose=purpose[:200], fields=fields, ip=ip)


def set_visibility(session: Session, seeker: Jobseeker, mode, *, ip: str | None = None) -> Jobseeker:
    try:
        mode = SeekerVisibility(mode)
    except ValueError:
        raise DomainError("invalid_visibility", "请选择谁可以找到您", "visibility") from None
    seeker.consent_visible_to_enterprises = mode == SeekerVisibility.OPEN  # the old yes/no follows the mode
    seeker.visibility = mode
    seeker.version = (seeker.version or 0) + 1
    emit(session, "seeker", seeker.id)
    _audit(session, seeker, "update", f"隐私设置：谁可以找到我改为“{label(mode)}”", ["visibility"], ip)
    session.flush()
    return seeker


def set_recommendation(session: Session, seeker: Jobseeker, enabled: bool, *, ip: str | None = None) -> Jobseeker:
    """Automated recommendation on or off (PIPL art. 24): off, no posting is recommended to me and I am
    in no ranked list of candidates; I still search and apply myself."""
    seeker.consent_recommendation = bool(enabled)
    seeker.version = (seeker.version or 0) + 1
    emit(session, "seeker", seeker.id)  # the index keeps only people who accept recommendation
    _audit(session, seeker, "update", "隐私设置：" + ("接受自动推荐" if enabled else "不接受自动推荐"),
           ["consent_recommendation"], ip)
    session.flush()
    return seeker


def find_enterprises(session: Session, text: str):
    """Registered enterprises whose name contains ``text`` (to pick the one to block)."""
    from core.enterprises.models import Enterprise

    text = (text or "").strip()[:60]
    if len(text) < 2:
        raise DomainError("name_too_short", "请输入单位名称（至少两个字）", "enterprise")
    return list(session.scalars(select(Enterprise).where(Enterprise.name.contains(text))
                                .order_by(Enterprise.name).limit(SEARCH_MAX)))


def blocked_enterprises(session: Session, seeker: Jobseeker) -> list[EnterpriseBlock]:
    return list(session.scalars(select(EnterpriseBlock).where(EnterpriseBlock.jobseeker_id == seeker.id)
                                .order_by(EnterpriseBlock.created_at, EnterpriseBlock.id)))


def block_enterprise(session: Session, seeker: Jobseeker, enterprise_id: int, *, ip: str | None = None) -> EnterpriseBlock:
    from core.enterprises.models import Enterprise

    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound("该单位")
    mine = blocked_enterprises(session, seeker)
    existing = next((b for b in mine if b.enterprise_id == ent.id), None)
    if existing is not None:
        return existing
    if len(mine) >= MAX_BLOCKS:
        raise DomainError("too_many_blocks", f"最多屏蔽{MAX_BLOCKS}家单位", "enterprise")
    block = EnterpriseBlock(jobseeker_id=seeker.id, enterprise_id=ent.id)
    session.add(block)
    _audit(session, seeker, "update", f"隐私设置：屏蔽单位“{ent.name[:80]}”", ["blocked_enterprises"], ip)
    session.flush()
    return block


def unblock_enterprise(session: Session, seeker: Jobseeker, block_id: int, *, ip: str | None = None) -> None:
    block = session.get(EnterpriseBlock, block_id)
    if block is None or block.jobseeker_id != seeker.id:
        raise NotFound("这条屏蔽")
    _audit(session, seeker, "update", f"隐私设置：取消屏蔽“{block.enterprise.name[:80]}”", ["blocked_enterprises"], ip)
    session.delete(block)
    session.flush()


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _profile(seeker: Jobseeker, cipher: PersonalDataCipher) -> dict:
    return {
        "name": seeker.name, "phone": seeker.phone,
        "id_number": cipher.decrypt(seeker.id_number_encrypted) if seeker.id_number_encrypted else None,
        "birth_date": seeker.birth_date.isoformat() if seeker.birth_date else None, "gender": seeker.gender,
        "region_code": seeker.region_code, "address": seeker.address, "education": str(seeker.education),
        "graduation_year": seeker.graduation_year, "experience_years": seeker.experience_years,
        "skills": list(seeker.skills or []), "certificates": list(seeker.certificates or []),
        "desired_titles": list(seeker.desired_titles or []), "desired_occupations": list(seeker.desired_occupations or []),
        "desired_regions": list(seeker.desired_regions or []), "expected_pay_min": seeker.expected_pay_min,
        "availability": str(seeker.availability), "summary": seeker.summary,
        "groups": [{"group": str(g.group), "verification": str(g.verification), "verified_at": _when(g.verified_at)}
                   for g in seeker.groups],
        "created_at": _when(seeker.created_at), "updated_at": _when(seeker.updated_at),
    }


def _activity(session: Session, seeker: Jobseeker) -> dict:
    from core.alerts.models import SavedSearch
    from core.applications.models import Application
    from core.notifications.models import Notification

    apps = session.scalars(select(Application).where(Application.jobseeker_id == seeker.id)
                           .order_by(Application.created_at)).all()
    alerts = session.scalars(select(SavedSearch).where(SavedSearch.user_id == seeker.user_id)).all() \
        if seeker.user_id else []
    notes = session.scalars(select(Notification).where(Notification.user_id == seeker.user_id)
                            .order_by(Notification.created_at)).all() if seeker.user_id else []
    return {
        "applications": [{"posting": a.posting.title, "enterprise": a.posting.enterprise.name if a.posting.enterprise
                          else None, "status": str(a.status), "origin": str(a.origin), "applied_at": _when(a.created_at)}
                         for a in apps],
        "saved_searches": [{"name": s.name, "filters": s.query, "frequency": str(s.frequency), "by_sms": s.by_sms,
                            "active": s.active} for s in alerts],
        "notifications": [{"title": n.title, "body": n.body, "at": _when(n.created_at), "read": n.read_at is not None}
                          for n in notes],
    }


def _access_log(session: Session, seeker: Jobseeker) -> list[dict]:
    """Who looked at my data and why (the audit trail's entries about me, the fields shown)."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                      AuditEvent.subject_id == seeker.id)
                             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(500)).all()
    return [{"at": _when(e.at), "by": e.actor_role or "", "action": e.action, "purpose": e.purpose,
             "fields": list(e.fields or [])} for e in events]


def export_my_data(session: Session, cipher: PersonalDataCipher, seeker: Jobseeker, *, ip: str | None = None) -> dict:
    """Everything JobLink keeps about the person, for them (recorded in the audit trail)."""
    data = {
        "exported_at": _when(dt.datetime.now(dt.UTC).replace(tzinfo=None)),
        "profile": _profile(seeker, cipher),
        "privacy": {"visibility": str(seeker.visibility), "automated_recommendation": bool(seeker.consent_recommendation),
                    "blocked_enterprises": [b.enterprise.name for b in blocked_enterprises(session, seeker)]},
        **_activity(session, seeker),
        "access_log": _access_log(session, seeker),
    }
    _audit(session, seeker, "export", "本人导出个人数据", ["profile", "applications", "saved_searches", "notifications",
                                                       "access_log"], ip)
    session.flush()
    return data
