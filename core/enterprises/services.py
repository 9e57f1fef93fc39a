"""Use cases on employers: registering an enterprise by its unified social credit code and its postings.
The people who applied to them are shown by the hiring pipeline (``core.applications``)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.audit.services import record_access
from core.db import utcnow
from core.enums import VerificationStatus
from core.errors import DomainError, NotFound, PermissionDenied
from core.identity import validate_credit_code, validate_region_code
from core.postings.models import Posting, PostingSource

from .models import Enterprise
from .names import normalize_company_name


def validate_enterprise_fields(session: Session, data: dict, errors: list[DomainError]) -> dict:
    """Check name, credit code (GB 32100 check character, not already registered) and region code.
    Appends every problem to ``errors`` (each naming its field) and returns the clean values."""
    from core.reference.models import Region

    clean: dict = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 200:
        errors.append(DomainError("invalid_enterprise_name", "请填写单位名称（不超过200个字符）", "enterprise_name"))
    clean["name"] = name
    try:
        code = validate_credit_code(data.get("credit_code") or "", field="credit_code")
        if session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code)):
            errors.append(DomainError("credit_code_taken", "该统一社会信用代码已注册，请用原账号登录或联系人社部门", "credit_code"))
        clean["credit_code"] = code
    except DomainError as e:
        errors.append(e)
    raw_region = (data.get("region_code") or "").strip()
    if raw_region:
        try:
            region = validate_region_code(raw_region, field="region_code")
            if session.get(Region, region) is None:
                errors.append(DomainError("unknown_region", f"行政区划代码 {region} 不存在", "region_code"))
            clean["region_code"] = region
        except DomainError as e:
            errors.append(e)
    else:
        errors.append(DomainError("missing_region", "请填写单位所在地的行政区划", "region_code"))
    clean["industry"] = (data.get("industry") or "").strip()[:100] or None
    clean["size"] = (data.get("size") or "").strip()[:50] or None
    return clean


def create_enterprise(session: Session, **data) -> Enterprise:
    """Register an enterprise; raises ValidationErrors (nothing saved) when any field is wrong.

    Its ``normalized_name`` is the one name key intake uses too (``core.enterprises.names``), so
    postings of the same company arriving through a channel find this enterprise."""
    from core.errors import ValidationErrors
    from core.reference.services import region_directory

    errors: list[DomainError] = []
    clean = validate_enterprise_fields(session, data, errors)
    if errors:
        raise ValidationErrors(errors)
    ent = Enterprise(
        normalized_name=normalize_company_name(clean["name"], region_directory(session))[:200],
        # A registered code with a valid check character is pending verification by the bureau
        # (matching it against the business registry is a manual step).
        verification_status=VerificationStatus.PENDING,
        **clean,
    )
    session.add(ent)
    session.flush()
    return ent


# --- the enterprise's postings and applicants ------------------------------------------------------

def enterprise_postings(session: Session, enterprise_id: int) -> list[tuple[Posting, int]]:
    """The enterprise's postings, newest first, each with its number of applications."""
    counts = (
        select(Application.posting_id, func.count(Application.id).label("n"))
        .group_by(Application.posting_id)
        .subquery()
    )
    stmt = (
        select(Posting, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.posting_id == Posting.id)
        .where(Posting.enterprise_id == enterprise_id)
        .order_by(Posting.created_at.desc(), Posting.id.desc())
    )
    return [(p, int(n)) for p, n in session.execute(stmt).unique()]


def owned_posting(session: Session, enterprise_id: int, posting_id: int) -> Posting:
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound("该岗位")
    if posting.enterprise_id != enterprise_id:
        raise PermissionDenied("这不是贵单位发布的岗位")
    return posting


def own_form_source(session: Session, enterprise_id: int, posting_id: int) -> PostingSource:
    """The form record the enterprise created this posting with (what an edit replaces). Postings
    that came from another channel are changed there; closed ones are copied into a new posting."""
    from core.channels.models import Channel
    from core.enums import ChannelKind, PostingStatus

    posting = owned_posting(session, enterprise_id, posting_id)
    if posting.status in (PostingStatus.WITHDRAWN, PostingStatus.FILLED):
        raise DomainError("posting_closed", "该岗位已下线，不能再修改；可以“复制”为新岗位后发布", None)
    source = session.scalar(
        select(PostingSource).join(Channel, Channel.id == PostingSource.channel_id)
        .where(PostingSource.posting_id == posting.id, PostingSource.channel_id == posting.channel_id,
               Channel.kind == ChannelKind.ENTERPRISE_DIRECT)
        .order_by(PostingSource.id).limit(1)
    )
    if source is None:
        raise DomainError("not_own_form", "该岗位来自其他招聘渠道，请在原渠道修改；也可以“复制”为新岗位", None)
    return source


def merged_submissions(session: Session, enterprise_id: int) -> list[tuple[PostingSource, Posting]]:
    """The enterprise's own submissions that dedup merged into a posting already held (kept as one
    more source of it), newest first: the enterprise is told where each went and may undo it."""
    from core.channels.models import Channel
    from core.enums import ChannelKind

    first = (select(func.min(PostingSource.id)).where(PostingSource.posting_id == Posting.id)
             .correlate(Posting).scalar_subquery())
    stmt = (
        select(PostingSource, Posting)
        .join(Posting, Posting.id == PostingSource.posting_id)
        .join(Channel, Channel.id == PostingSource.channel_id)
        .where(Posting.enterprise_id == enterprise_id, Channel.kind == ChannelKind.ENTERPRISE_DIRECT,
               PostingSource.id != first)
        .order_by(PostingSource.id.desc())
        .limit(50)
    )
    return [(s, p) for s, p in session.execute(stmt).unique() if (s.raw or {}).get("enterprise_id") == enterprise_id]


def close_posting(session: Session, *, enterprise_id: int, posting_id: int, outcome: str) -> Posting:
    """The enterprise takes its posting down: filled (已招满) or withdrawn (已撤回). The search index
    follows through the outbox; applications already made stay visible to both sides."""
    from core.db import utcnow
    from core.enums import PostingStatus
    from core.outbox.services import emit

    posting = owned_posting(session, enterprise_id, posting_id)
    try:
        new = PostingStatus(outcome)
    except ValueError:
        raise DomainError("invalid_status", "只能设为“已招满”或“已撤回”", "outcome") from None
    if new not in (PostingStatus.FILLED, PostingStatus.WITHDRAWN):
        raise DomainError("invalid_status", "只能设为“已招满”或“已撤回”", "outcome")
    if posting.status not in (PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW, PostingStatus.EXPIRED,
                              PostingStatus.DRAFT):
        raise DomainError("already_closed", "该岗位已下线", "outcome")
    posting.status = new
    posting.version = (posting.version or 1) + 1
    posting.updated_at = utcnow()
    session.flush()
    emit(session, "posting", posting.id, "upsert")
    from core.notifications.events import posting_closed

    posting_closed(session, posting)  # the people still waiting on an application hear of it
    return posting


def pending_enterprises(session: Session, limit: int = 200) -> list[Enterprise]:
    stmt = (
        select(Enterprise)
        .where(Enterprise.verification_status == VerificationStatus.PENDING)
        .order_by(Enterprise.created_at, Enterprise.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def verify_enterprise(
    session: Session, *, enterprise_id: int, approve: bool, actor_user_id: int, actor_role: str, note: str = ""
) -> Enterprise:
    """The bureau confirms (or refuses) a registered enterprise after checking its credit code against
    the business registry; the decision is kept in the audit trail."""
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound("该用人单位")
    if ent.verification_status != VerificationStatus.PENDING:
        raise DomainError("not_pending", "该单位已处理过", None)
    if not approve and not note.strip():
        raise DomainError("missing_note", "不通过时请写明原因，便于单位更正", "note")
    ent.verification_status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    if approve:  # the first check of its qualifications: the six-month requalification counts from here
        ent.qualified_at, ent.qualified_by_user_id = utcnow(), actor_user_id
    record_access(
        session,
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        action="review",
        subject_type="enterprise",
        subject_id=ent.id,
        purpose=("认证通过" if approve else "认证不通过：" + note.strip())[:200],
        fields=["verification_status"],
    )
    session.flush()
    return ent
