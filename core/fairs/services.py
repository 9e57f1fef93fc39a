"""Use cases on job fairs (招聘会): create and change a fair, move it through its stages, cancel it
(notifying registrants and exhibitors), booth requests with the qualification check, and jobseekers'
registrations. Every commissioner action is checked against the FAIR'S OWN region and written to the
audit log. Flask-free: views pass the actor (a user) and plain values."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.services import commissioner_jurisdiction, in_jurisdiction
from core.audit.services import record_access
from core.db import utcnow
from core.enums import NotificationKind, PostingStatus, PriorityGroup, Role, VerificationStatus
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.identity import validate_region_code
from core.notifications.services import notify_many
from core.outbox.services import emit
from core.postings.models import Posting
from core.reference.models import Occupation

from .codes import new_code, new_token
from .models import FairBooth, FairRegistration, JobFair

# DOMAIN: a fair's stages. 草稿 → 展位报名中 → 求职者报名中 → 进行中 → 已结束; 已取消 from any but the end.
STATUS_LABELS: dict[str, str] = {
    "draft": "草稿", "open_booths": "展位报名中", "open_visitors": "求职者报名中", "running": "进行中",
    "closed": "已结束", "cancelled": "已取消",
}
NEXT_STATUS = {"draft": "open_booths", "open_booths": "open_visitors", "open_visitors": "running", "running": "closed"}
KIND_LABELS = {"onsite": "现场招聘", "online": "网络招聘", "both": "现场+网络"}
THEMES: dict[str, str] = {
    "general": "综合招聘", "graduates": "高校毕业生专场", "veterans": "退役军人专场", "migrant": "农民工专场",
    "project": "重大项目专场", "campus": "名校人才直通车", "community": "社区就业服务圈", "industry": "行业专场",
    "disabled": "残疾人专场",
}
BOOTH_STATUS_LABELS = {"pending": "待审核", "approved": "已通过", "refused": "未通过"}
# Booths may be requested while a fair takes exhibitors or visitors; visitors register from then on.
BOOTHS_OPEN = ("open_booths", "open_visitors")
VISITORS_OPEN = ("open_visitors", "running")
ACTIVE = ("open_booths", "open_visitors", "running")
RECENT_REJECTION_DAYS = 90
_TIME_FORMAT_HINT = "时间格式应为 时:分，如 09:00"


# --- who may act -----------------------------------------------------------------------------------

def is_staff(actor) -> bool:
    return actor is not None and Role(actor.role) in (Role.COMMISSIONER, Role.ADMIN)


def audit(session: Session, actor, action: str, fair_id: int | None, purpose: str, fields=None) -> None:
    """Every commissioner action on a fair, in the audit log."""
    record_access(session, actor_user_id=actor.id, actor_role=str(actor.role), action=action,
                  subject_type="job_fair", subject_id=fair_id, purpose=purpose[:200], fields=list(fields or []))


def get_fair(session: Session, fair_id: int) -> JobFair:
    fair = session.get(JobFair, fair_id)
    if fair is None:
        raise NotFound("该招聘会")
    return fair


def fair_for_staff(session: Session, fair_id: int, actor) -> JobFair:
    """The fair, if the actor is a commissioner whose jurisdiction holds its region (or an admin)."""
    fair = get_fair(session, fair_id)
    if not is_staff(actor) or not in_jurisdiction(actor, fair.region_code):
        raise PermissionDenied("该招聘会不在您的管辖范围内")
    return fair


def _lock(session: Session, fair: JobFair) -> None:
    """Hold the fair's row until the transaction ends (PostgreSQL), so that two approvals or two
    registrations cannot both take the last place; SQLite's writers are one at a time anyway."""
    session.execute(select(JobFair.id).where(JobFair.id == fair.id).with_for_update())


def public_fair(session: Session, fair_id: int) -> JobFair:
    """A fair anyone may see: not a draft."""
    fair = get_fair(session, fair_id)
    if fair.status == "draft":
        raise NotFound("该招聘会")
    return fair


def list_staff_fairs(session: Session, actor, status: str | None = None) -> list[JobFair]:
    stmt = select(JobFair)
    prefix = commissioner_jurisdiction(actor)
    if prefix is not None:
        stmt = stmt.where(JobFair.region_code.like(f"{prefix}%"))
    if status:
        stmt = stmt.where(JobFair.status == status)
    return list(session.scalars(stmt.order_by(JobFair.date.desc(), JobFair.id.desc())))


def upcoming_fairs(session: Session, *, theme: str | None = None, region_prefix: str | None = None,
                   today: dt.date | None = None, limit: int = 100) -> list[JobFair]:
    """Public list: fairs from today on, open or running, soonest first."""
    today = today or dt.date.today()
    stmt = select(JobFair).where(JobFair.status.in_(ACTIVE), JobFair.date >= today)
    if theme:
        stmt = stmt.where(JobFair.theme == theme)
    if region_prefix:
        stmt = stmt.where(JobFair.region_code.like(f"{region_prefix}%"))
    return list(session.scalars(stmt.order_by(JobFair.date, JobFair.start_time, JobFair.id).limit(limit)))


# --- create and change -----------------------------------------------------------------------------

def _text(data: dict, key: str) -> str:
    v = data.get(key)
    return "" if v is None else str(v).strip()


def _int(data: dict, key: str, label: str, errors: list, *, low: int, high: int, default: int) -> int:
    raw = _text(data, key)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(DomainError(f"invalid_{key}", f"{label}应为 {low} 到 {high} 之间的整数", key))
        return default
    return int(raw)


def _time(data: dict, key: str, errors: list, default: str) -> str:
    raw = _text(data, key) or default
    try:
        return dt.time.fromisoformat(raw).strftime("%H:%M")
    except ValueError:
        errors.append(DomainError(f"invalid_{key}", _TIME_FORMAT_HINT, key))
        return default


def _float(data: dict, key: str, label: str, errors: list, low: float, high: float) -> float | None:
    raw = _text(data, key)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors.append(DomainError(f"invalid_{key}", f"{label}应为 {low:g} 到 {high:g} 之间的数", key))
        return None
    return value


def _region(session: Session, actor, data: dict, errors: list) -> str | None:
    from core.reference.models import Region

    raw = _text(data, "region_code")
    if not raw:
        errors.append(DomainError("missing_region_code", "请填写举办地区", "region_code"))
        return None
    try:
        code = validate_region_code(raw, "region_code")
    except DomainError as e:
        errors.append(e)
        return None
    if session.get(Region, code) is None:
        errors.append(DomainError("unknown_region", f"行政区划代码 {code} 不存在", "region_code"))
        return None
    if not in_jurisdiction(actor, code):
        errors.append(DomainError("outside_jurisdiction", "举办地区不在您的管辖范围内", "region_code"))
        return None
    return code


def _choice(data: dict, key: str, choices: dict, label: str, errors: list, default: str) -> str:
    value = _text(data, key) or default
    if value not in choices:
        errors.append(DomainError(f"invalid_{key}", f"{label}只能是：" + "、".join(choices.values()), key))
        return default
    return value


def _groups(data: dict, errors: list) -> list[str]:
    raw = data.get("target_groups") or []
    values = [raw] if isinstance(raw, str) else list(raw)
    out = []
    for v in values:
        v = str(v).strip()
        if not v:
            continue
        if v not in set(PriorityGroup):
            errors.append(DomainError("invalid_target_groups", "重点群体选择有误，请重新选择", "target_groups"))
            return []
        out.append(v)
    return list(dict.fromkeys(out))


def _project(session: Session, data: dict, errors: list) -> int | None:
    from core.projects.models import MajorProject

    raw = _text(data, "project_id")
    if not raw:
        return None
    if not raw.isdigit() or session.get(MajorProject, int(raw)) is None:
        errors.append(DomainError("unknown_project", "所选重大项目不存在", "project_id"))
        return None
    return int(raw)


def _fair_fields(session: Session, actor, data: dict) -> dict:
    errors: list[DomainError] = []
    clean: dict = {"title": _text(data, "title")}
    if not clean["title"]:
        errors.append(DomainError("missing_title", "请填写招聘会名称", "title"))
    elif len(clean["title"]) > 200:
        errors.append(DomainError("too_long", "招聘会名称不能超过200个字", "title"))
    clean["theme"] = _choice(data, "theme", THEMES, "主题", errors, "general")
    clean["kind"] = _choice(data, "kind", KIND_LABELS, "形式", errors, "onsite")
    clean["target_groups"] = _groups(data, errors)
    clean["venue"] = _text(data, "venue")[:300]
    clean["organiser"] = _text(data, "organiser")[:200]
    if clean["kind"] != "online" and not clean["venue"]:
        errors.append(DomainError("missing_venue", "现场招聘请填写举办地点", "venue"))
    clean["region_code"] = _region(session, actor, data, errors)
    clean["lat"] = _float(data, "lat", "纬度", errors, -90, 90)
    clean["lon"] = _float(data, "lon", "经度", errors, -180, 180)
    if clean["region_code"] and clean["lat"] is None and clean["lon"] is None:
        from core.reference.models import Region

        place = session.get(Region, clean["region_code"])  # the map point defaults to the district's centre
        clean["lat"], clean["lon"] = (place.lat, place.lon) if place else (None, None)
    try:
        clean["date"] = data["date"] if isinstance(data.get("date"), dt.date) else dt.date.fromisoformat(_text(data, "date"))
    except ValueError:
        errors.append(DomainError("invalid_date", "请填写举办日期，格式如 2026-03-01", "date"))
    clean["start_time"] = _time(data, "start_time", errors, "09:00")
    clean["end_time"] = _time(data, "end_time", errors, "12:00")
    if clean["end_time"] <= clean["start_time"]:
        errors.append(DomainError("invalid_end_time", "结束时间应晚于开始时间", "end_time"))
    clean["booth_capacity"] = _int(data, "booth_capacity", "展位数", errors, low=1, high=2000, default=50)
    clean["visitor_capacity"] = _int(data, "visitor_capacity", "求职者名额", errors, low=1, high=200000, default=1000)
    clean["project_id"] = _project(session, data, errors)
    if errors:
        raise ValidationErrors(errors)
    return clean


def _reindex(session: Session, fair: JobFair) -> None:
    """Tell search the fair changed, in this transaction (the relay decides: shown, or removed)."""
    emit(session, "fair", fair.id)


def create_fair(session: Session, actor, data: dict, *, is_demo: bool = False) -> JobFair:
    if not is_staff(actor):
        raise PermissionDenied()
    fair = JobFair(**_fair_fields(session, actor, data), status="draft", created_by=actor.id, is_demo=is_demo)
    session.add(fair)
    session.flush()
    _reindex(session, fair)
    audit(session, actor, "fair.create", fair.id, "登记招聘会")
    return fair


def update_fair(session: Session, actor, fair_id: int, data: dict) -> JobFair:
    fair = fair_for_staff(session, fair_id, actor)
    if fair.status in ("closed", "cancelled"):
        raise DomainError("fair_finished", "已结束或已取消的招聘会不能再修改", None)
    clean = _fair_fields(session, actor, data)
    if clean["booth_capacity"] < approved_booths(session, fair.id):
        raise ValidationErrors([DomainError("capacity_below_approved", "展位数不能少于已通过的展位数", "booth_capacity")])
    if clean["visitor_capacity"] < active_registrations(session, fair.id):
        raise ValidationErrors([DomainError("capacity_below_registered", "求职者名额不能少于已报名人数",
                                            "visitor_capacity")])
    for k, v in clean.items():
        setattr(fair, k, v)
    session.flush()
    _reindex(session, fair)
    audit(session, actor, "fair.update", fair.id, "修改招聘会", list(clean))
    return fair


def advance_fair(session: Session, actor, fair_id: int) -> JobFair:
    """Move the fair to its next stage (草稿 → 展位报名中 → 求职者报名中 → 进行中 → 已结束)."""
    fair = fair_for_staff(session, fair_id, actor)
    nxt = NEXT_STATUS.get(fair.status)
    if nxt is None:
        raise DomainError("fair_finished", "该招聘会已结束或已取消", None)
    fair.status = nxt
    session.flush()
    _reindex(session, fair)
    audit(session, actor, "fair.status", fair.id, f"招聘会进入“{STATUS_LABELS[nxt]}”")
    return fair


def cancel_fair(session: Session, actor, fair_id: int, reason: str) -> int:
    """Cancel the fair; its registrants and exhibitors are told in their inbox. Returns how many."""
    fair = fair_for_staff(session, fair_id, actor)
    if fair.status in ("closed", "cancelled"):
        raise DomainError("fair_finished", "该招聘会已结束或已取消", None)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationErrors([DomainError("missing_reason", "请填写取消原因，会告知已报名的求职者和单位", "reason")])
    fair.status = "cancelled"
    session.flush()
    _reindex(session, fair)
    from core.accounts.models import User
    from core.seekers.models import Jobseeker

    seeker_users = session.scalars(
        select(Jobseeker.user_id).join(FairRegistration, FairRegistration.jobseeker_id == Jobseeker.id)
        .where(FairRegistration.fair_id == fair.id, FairRegistration.cancelled_at.is_(None),
               Jobseeker.user_id.is_not(None))).all()
    ent_users = session.scalars(
        select(User.id).join(FairBooth, FairBooth.enterprise_id == User.enterprise_id)
        .where(FairBooth.fair_id == fair.id, FairBooth.status != "refused")).all()
    body = f"{fair.date:%Y年%m月%d日}的“{fair.title}”已取消。原因：{reason[:200]}"
    sent = notify_many(session, list(seeker_users) + list(ent_users), kind=NotificationKind.FAIR,
                       title=f"招聘会已取消：{fair.title}", body=body, link=f"/fairs/{fair.id}")
    audit(session, actor, "fair.cancel", fair.id, f"取消招聘会：{reason[:150]}")
    return sent


# --- booths ----------------------------------------------------------------------------------------

def approved_booths(session: Session, fair_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(FairBooth).where(
        FairBooth.fair_id == fair_id, FairBooth.status == "approved")) or 0)


@dataclass
class Qualification:
    """The check shown beside a booth request (资格审核)."""

    verified: bool
    holds: int  # postings held for review
    recent_rejections: int  # postings rejected in the last RECENT_REJECTION_DAYS days
    published: int

    @property
    def ok(self) -> bool:
        return self.verified and not self.holds and not self.recent_rejections and self.published > 0

    def problems(self) -> list[str]:
        out = []
        if not self.verified:
            out.append("单位尚未通过认证")
        if self.holds:
            out.append(f"有 {self.holds} 个岗位正在合规审核中")
        if self.recent_rejections:
            out.append(f"近{RECENT_REJECTION_DAYS}天有 {self.recent_rejections} 个岗位被驳回")
        if not self.published:
            out.append("没有已发布的岗位")
        return out


def qualification(session: Session, enterprise_id: int, today: dt.date | None = None) -> Qualification:
    from core.enterprises.models import Enterprise

    ent = session.get(Enterprise, enterprise_id)
    since = dt.datetime.combine(today or dt.date.today(), dt.time()) - dt.timedelta(days=RECENT_REJECTION_DAYS)

    def count(*where) -> int:
        return int(session.scalar(select(func.count()).select_from(Posting).where(
            Posting.enterprise_id == enterprise_id, *where)) or 0)

    return Qualification(
        verified=ent is not None and ent.verification_status == VerificationStatus.VERIFIED,
        holds=count(Posting.status == PostingStatus.PENDING_REVIEW),
        recent_rejections=count(Posting.status == PostingStatus.REJECTED, Posting.updated_at >= since),
        published=count(Posting.status == PostingStatus.PUBLISHED),
    )


def published_postings(session: Session, enterprise_id: int) -> list[Posting]:
    return list(session.scalars(select(Posting).where(
        Posting.enterprise_id == enterprise_id, Posting.status == PostingStatus.PUBLISHED).order_by(Posting.id.desc())))


def own_booth(session: Session, fair_id: int, enterprise_id: int | None) -> FairBooth | None:
    if not enterprise_id:
        return None
    return session.scalar(select(FairBooth).where(FairBooth.fair_id == fair_id, FairBooth.enterprise_id == enterprise_id))


def request_booth(session: Session, actor, fair_id: int, *, posting_ids: list, headcount, needs: str = "") -> FairBooth:
    """An enterprise asks for a booth with some of its published postings. Asking again (before a
    decision) updates the request; a full fair refuses."""
    if Role(actor.role) != Role.ENTERPRISE or not actor.enterprise_id:
        raise PermissionDenied("只有用人单位可以申请展位")
    fair = public_fair(session, fair_id)
    if fair.status not in BOOTHS_OPEN:
        raise DomainError("booths_closed", "该招聘会现在不接受展位申请", None)
    own = {p.id for p in published_postings(session, actor.enterprise_id)}
    chosen = [int(i) for i in posting_ids if str(i).isdigit()]
    errors = []
    if not chosen:
        errors.append(DomainError("missing_postings", "请至少选择一个已发布的岗位带到招聘会", "posting_ids"))
    elif any(i not in own for i in chosen):
        errors.append(DomainError("invalid_postings", "只能选择本单位已发布的岗位", "posting_ids"))
    heads = str(headcount or "").strip()
    if not heads.isdigit() or not 1 <= int(heads) <= 10000:
        errors.append(DomainError("invalid_headcount", "请填写计划招聘人数（1 到 10000）", "headcount"))
    if errors:
        raise ValidationErrors(errors)
    booth = own_booth(session, fair.id, actor.enterprise_id)
    if booth is not None and booth.status == "approved":
        raise DomainError("booth_decided", "展位已通过审核，如需调整请联系招聘会组织方", None)
    if approved_booths(session, fair.id) >= fair.booth_capacity:
        raise DomainError("booths_full", "该招聘会展位已满，请关注其他招聘会", None)
    if booth is None:
        booth = FairBooth(fair_id=fair.id, enterprise_id=actor.enterprise_id)
        session.add(booth)
    booth.posting_ids = list(dict.fromkeys(chosen))
    booth.headcount = int(heads)
    booth.needs = (needs or "").strip()[:300]
    booth.status, booth.refusal_reason = "pending", None
    session.flush()
    return booth


def _booth_for_staff(session: Session, actor, fair_id: int, booth_id: int) -> tuple[JobFair, FairBooth]:
    fair = fair_for_staff(session, fair_id, actor)
    booth = session.get(FairBooth, booth_id)
    if booth is None or booth.fair_id != fair.id:
        raise NotFound("该展位申请")
    return fair, booth


def approve_booth(session: Session, actor, fair_id: int, booth_id: int) -> FairBooth:
    """Approve a qualified request and give it the next free booth number; a full fair refuses."""
    fair, booth = _booth_for_staff(session, actor, fair_id, booth_id)
    if fair.status in ("closed", "cancelled"):
        raise DomainError("fair_finished", "该招聘会已结束或已取消", None)
    if booth.status == "approved":
        return booth
    _lock(session, fair)
    q = qualification(session, booth.enterprise_id)
    if not q.ok:
        raise DomainError("not_qualified", "不符合参展条件：" + "；".join(q.problems()), None)
    if approved_booths(session, fair.id) >= fair.booth_capacity:
        raise DomainError("booths_full", f"展位已满（共 {fair.booth_capacity} 个），不能再通过", None)
    taken = set(session.scalars(select(FairBooth.booth_number).where(
        FairBooth.fair_id == fair.id, FairBooth.booth_number.is_not(None))))
    booth.booth_number = next(n for n in range(1, len(taken) + 2) if n not in taken)
    booth.status, booth.refusal_reason = "approved", None
    booth.decided_by, booth.decided_at = actor.id, utcnow()
    session.flush()
    _tell_enterprise(session, booth, f"展位申请已通过：{fair.title}", f"您的展位号是 {booth.booth_number} 号。")
    audit(session, actor, "fair.booth_approve", fair.id, f"通过展位申请（{booth.enterprise.name}）")
    return booth


def refuse_booth(session: Session, actor, fair_id: int, booth_id: int, reason: str) -> FairBooth:
    fair, booth = _booth_for_staff(session, actor, fair_id, booth_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationErrors([DomainError("missing_reason", "请填写不通过的原因，会告知该单位", "reason")])
    booth.status, booth.refusal_reason, booth.booth_number = "refused", reason[:300], None
    booth.decided_by, booth.decided_at = actor.id, utcnow()
    session.flush()
    _tell_enterprise(session, booth, f"展位申请未通过：{fair.title}", f"原因：{reason[:200]}")
    audit(session, actor, "fair.booth_refuse", fair.id, f"不通过展位申请（{booth.enterprise.name}）")
    return booth


def _tell_enterprise(session: Session, booth: FairBooth, title: str, body: str) -> None:
    from core.accounts.models import User

    users = session.scalars(select(User.id).where(User.enterprise_id == booth.enterprise_id)).all()
    notify_many(session, users, kind=NotificationKind.FAIR, title=title, body=body, link=f"/fairs/{booth.fair_id}")


# --- registrations ---------------------------------------------------------------------------------

def active_registrations(session: Session, fair_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(FairRegistration).where(
        FairRegistration.fair_id == fair_id, FairRegistration.cancelled_at.is_(None))) or 0)


def registration_of(session: Session, fair_id: int, jobseeker_id: int) -> FairRegistration | None:
    return session.scalar(select(FairRegistration).where(
        FairRegistration.fair_id == fair_id, FairRegistration.jobseeker_id == jobseeker_id))


def _unused_code(session: Session, fair_id: int) -> str:
    for _ in range(50):
        code = new_code()
        if session.scalar(select(FairRegistration.id).where(
                FairRegistration.fair_id == fair_id, FairRegistration.code == code)) is None:
            return code
    raise DomainError("no_code", "签到码暂时分配不出来，请稍后再试", None)


def register_for_fair(session: Session, fair_id: int, jobseeker_id: int, *, walk_in: bool = False) -> FairRegistration:
    """Register a jobseeker; a second registration returns the existing one (a cancelled one comes
    back to life with its code). A full fair refuses."""
    fair = public_fair(session, fair_id)
    if fair.status not in VISITORS_OPEN:
        raise DomainError("registration_closed", "该招聘会现在不能报名", None)
    reg = registration_of(session, fair.id, jobseeker_id)
    if reg is not None and reg.cancelled_at is None:
        return reg
    _lock(session, fair)
    if active_registrations(session, fair.id) >= fair.visitor_capacity:
        raise DomainError("fair_full", "该招聘会报名人数已满，请关注其他招聘会", None)
    if reg is None:
        reg = FairRegistration(fair_id=fair.id, jobseeker_id=jobseeker_id, code=_unused_code(session, fair.id),
                               token=new_token(), walk_in=walk_in)
        session.add(reg)
    reg.cancelled_at = None
    session.flush()
    return reg


def cancel_registration(session: Session, fair_id: int, jobseeker_id: int) -> FairRegistration:
    reg = registration_of(session, fair_id, jobseeker_id)
    if reg is None or reg.cancelled_at is not None:
        raise NotFound("您的报名")
    if reg.checked_in_at is not None:
        raise DomainError("already_checked_in", "您已经签到入场，不能再取消报名", None)
    reg.cancelled_at = utcnow()
    session.flush()
    return reg


def renumber_booths(session: Session, actor, fair_id: int, numbers: dict) -> list[FairBooth]:
    """Give the approved booths the numbers the commissioner chose (by dragging, or typed): every
    approved booth a different whole number from 1 up."""
    fair = fair_for_staff(session, fair_id, actor)
    if fair.status in ("closed", "cancelled"):
        raise DomainError("fair_finished", "该招聘会已结束或已取消", None)
    booths = [b for b in fair.booths if b.status == "approved"]
    chosen: dict[int, int] = {}
    for b in booths:
        raw = str(numbers.get(b.id, numbers.get(str(b.id), "")) or "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 10000:
            raise ValidationErrors([DomainError("invalid_booth_number", f"请给“{b.enterprise.name}”填写展位号（正整数）",
                                                "booth_number")])
        chosen[b.id] = int(raw)
    if len(set(chosen.values())) != len(chosen):
        raise ValidationErrors([DomainError("duplicate_booth_number", "展位号不能重复", "booth_number")])
    for b in booths:  # clear first: the numbers are unique within the fair at every moment
        b.booth_number = None
    session.flush()
    for b in booths:
        b.booth_number = chosen[b.id]
    session.flush()
    audit(session, actor, "fair.booth_numbers", fair.id, "调整展位号")
    return sorted(booths, key=lambda b: b.booth_number)


def major_group_of(occupation_code: str | None) -> str | None:
    """The occupation's major group (大类: the first part of ``4-01-02-01``)."""
    return occupation_code.split("-", 1)[0] if occupation_code else None


def auto_number_booths(session: Session, actor, fair_id: int) -> list[tuple[str, list[FairBooth]]]:
    """Number the approved booths by theme (自动按类别排号): each booth falls in the occupation major group
    most of its postings belong to (a tie: the lower code), groups in code order, booths without a
    classified posting last; within a group the order the commissioner had. Returns the groups, named."""
    fair = fair_for_staff(session, fair_id, actor)
    booths = sorted((b for b in fair.booths if b.status == "approved"), key=lambda b: (b.booth_number or 10 ** 6, b.id))
    ids = [pid for b in booths for pid in (b.posting_ids or [])]
    occ = dict(session.execute(select(Posting.id, Posting.occupation_code).where(Posting.id.in_(ids))).all()) if ids else {}
    groups: dict[str, list[FairBooth]] = {}
    for b in booths:
        counts = Counter(g for g in (major_group_of(occ.get(pid)) for pid in (b.posting_ids or [])) if g)
        best = min(counts, key=lambda g: (-counts[g], g)) if counts else "~"  # "~" sorts after the digits
        groups.setdefault(best, []).append(b)
    order = sorted(groups)
    names = dict(session.execute(select(Occupation.code, Occupation.name).where(Occupation.code.in_(order))).all())
    ranked = [b for g in order for b in groups[g]]
    renumber_booths(session, actor, fair_id, {b.id: str(i) for i, b in enumerate(ranked, start=1)})
    return [(names.get(g, "其他岗位"), groups[g]) for g in order]
