"""Use cases on applications (投递): a jobseeker applies to a published posting, lists and withdraws them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from core.enums import ApplicationOrigin, ApplicationStatus, SeekerVisibility
from core.errors import DomainError, NotFound, PermissionDenied
from core.postings.services import get_public_posting
from core.seekers.models import Jobseeker

from .models import Application, ApplicationNote


def seeker_for_user(session: Session, user_id: int) -> Jobseeker | None:
    return session.scalar(select(Jobseeker).where(Jobseeker.user_id == user_id))


def find_application(session: Session, jobseeker_id: int, posting_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.jobseeker_id == jobseeker_id, Application.posting_id == posting_id)
    )


def apply_to_posting(
    session: Session,
    *,
    jobseeker_id: int,
    posting_id: int,
    origin: str | ApplicationOrigin = ApplicationOrigin.SEARCH,
    origin_ref: str | None = None,
) -> Application:
    """Apply to a published posting. Applying again after a withdrawal resubmits the same application.

    Applying is the jobseeker's consent for that posting's enterprise to see their contact details.
    """
    try:
        origin = ApplicationOrigin(origin)
    except ValueError:
        raise DomainError("invalid_origin", "投递来源无效", "origin") from None
    posting = get_public_posting(session, posting_id)
    seeker = session.get(Jobseeker, jobseeker_id)
    if seeker is None:
        raise NotFound("求职者档案")
    if not seeker.phone:
        raise DomainError("missing_phone", "投递前请先在个人档案中填写手机号码，方便用人单位联系您", "phone")
    if seeker.visibility == SeekerVisibility.HIDDEN:  # hidden from every enterprise: nobody would see it
        raise DomainError("profile_hidden", "您在隐私设置里选了“对所有单位隐藏”，单位看不到您的投递。请先改为“仅在我投递时可见”再投递",
                          "visibility")
    existing = find_application(session, jobseeker_id, posting.id)
    if existing is not None:
        if existing.status != ApplicationStatus.WITHDRAWN:
            raise DomainError("already_applied", "您已投递过该岗位", None)
        existing.status = ApplicationStatus.SUBMITTED
        existing.origin = origin
        existing.origin_ref = origin_ref
        session.flush()
        return existing
    app = Application(
        jobseeker_id=jobseeker_id,
        posting_id=posting.id,
        origin=origin,
        origin_ref=origin_ref,
        status=ApplicationStatus.SUBMITTED,
    )
    session.add(app)
    session.flush()
    return app


def seeker_applications(session: Session, jobseeker_id: int) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.jobseeker_id == jobseeker_id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return list(session.scalars(stmt))


def withdraw_application(session: Session, *, jobseeker_id: int, application_id: int) -> Application:
    """Withdrawing also withdraws the consent: the enterprise sees masked contact details again."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound("该投递记录")
    if app.jobseeker_id != jobseeker_id:
        raise PermissionDenied("这不是您的投递记录")
    app.status = ApplicationStatus.WITHDRAWN
    session.flush()
    return app


# --- the enterprise's hiring pipeline ----------------------------------------------------------------

# The stages an enterprise moves an application through, in order (submitted is "new").
STAGES = [ApplicationStatus.SUBMITTED, ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW,
          ApplicationStatus.OFFER, ApplicationStatus.HIRED, ApplicationStatus.DECLINED]
ENTERPRISE_MOVES = STAGES[1:]  # an enterprise never sets "new" or the jobseeker's "withdrawn"

# Why an application was declined: code -> the words the jobseeker and the enterprise read.
REJECTION_REASONS: dict[str, str] = {
    "mismatch": "技能或经验与岗位要求不符",
    "position_filled": "岗位已招满",
    "no_show": "未参加面试",
    "seeker_gave_up": "求职者本人表示放弃",
    "unreachable": "多次联系未能联系上",
    "other": "其他原因",
}
NOTE_MAX = 1000

# What the jobseeker is told when their application reaches a stage.
_STAGE_NEWS = {
    ApplicationStatus.VIEWED: "用人单位已查看您的投递。",
    ApplicationStatus.INTERVIEW: "用人单位邀请您参加面试，请留意来电或短信。",
    ApplicationStatus.OFFER: "用人单位打算录用您，请留意来电，确认入职安排。",
    ApplicationStatus.HIRED: "恭喜您，已被录用。",
    ApplicationStatus.DECLINED: "很遗憾，这次没有通过。您可以继续看看其他岗位。",
}


def stage_news(app: Application) -> tuple[str, str]:
    """(title, body) of the notification a jobseeker gets when ``app`` reaches its stage."""
    from core.enums import label

    title = f"您投递的“{app.posting.title[:60]}”岗位：{label(app.status)}"
    body = _STAGE_NEWS.get(ApplicationStatus(app.status), "")
    if app.status == ApplicationStatus.DECLINED and app.rejection_reason:
        body = f"很遗憾，这次没有通过（{rejection_words(app.rejection_reason)}）。您可以继续看看其他岗位。"
    return title, body


def rejection_words(code: str | None) -> str:
    return REJECTION_REASONS.get(code or "", REJECTION_REASONS["other"])


def _tell_seeker(session: Session, app: Application) -> None:
    from core.enums import NotificationKind
    from core.notifications.services import notify

    user_id = app.jobseeker.user_id if app.jobseeker is not None else None
    if user_id is None:  # a person from a roster import has no account to tell
        return
    title, body = stage_news(app)
    notify(session, user_id=user_id, kind=NotificationKind.APPLICATION, title=title, body=body,
           link="/me/applications")


def _enterprise_application(session: Session, enterprise_id: int, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound("该投递记录")
    if app.posting.enterprise_id != enterprise_id:
        raise PermissionDenied("这不是投递到贵单位岗位的记录")
    return app


def _check_move(stage: str, reason: str | None, note: str | None) -> tuple[ApplicationStatus, str | None, str]:
    try:
        new = ApplicationStatus(stage)
    except ValueError:
        raise DomainError("invalid_status", "请选择要移到的阶段", "stage") from None
    if new not in ENTERPRISE_MOVES:
        raise DomainError("invalid_status", "用人单位不能把投递设为该状态", "stage")
    note = (note or "").strip()[:500]
    if new != ApplicationStatus.DECLINED:
        return new, None, ""
    if not reason or reason not in REJECTION_REASONS:
        raise DomainError("reason_required", "设为“未通过”时请选择原因", "reason")
    if reason == "other" and not note:
        raise DomainError("reason_required", "选择“其他原因”时请写明原因", "reason_note")
    return new, reason, note


def _move(session: Session, app: Application, new: ApplicationStatus, reason: str | None, note: str) -> bool:
    """Set one application's stage; tell the jobseeker. False when it was withdrawn or already there."""
    if app.status == ApplicationStatus.WITHDRAWN:
        return False
    if app.status == new and (new != ApplicationStatus.DECLINED or app.rejection_reason == reason):
        return False
    app.status = new
    app.rejection_reason = reason
    app.rejection_note = note or None
    app.stage_changed_at = utcnow()
    session.flush()
    _tell_seeker(session, app)
    return True


def move_application(
    session: Session, *, enterprise_id: int, application_id: int, stage: str, reason: str | None = None,
    note: str | None = None,
) -> Application:
    """The enterprise moves one application to ``stage`` (declined needs a reason; "other" needs words)."""
    new, reason, note = _check_move(stage, reason, note)
    app = _enterprise_application(session, enterprise_id, application_id)
    if app.status == ApplicationStatus.WITHDRAWN:
        raise DomainError("application_withdrawn", "求职者已撤回该投递", "stage")
    _move(session, app, new, reason, note)
    return app


def move_applications(
    session: Session, *, enterprise_id: int, application_ids: list[int], stage: str, reason: str | None = None,
    note: str | None = None,
) -> tuple[int, int]:
    """Move several applications at once, all of them the enterprise's or none. Returns (moved,
    unchanged): withdrawn ones and those already at the stage stay as they are."""
    new, reason, note = _check_move(stage, reason, note)
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    if not ids:
        raise DomainError("nothing_selected", "请先勾选要处理的投递", "application_ids")
    apps = [_enterprise_application(session, enterprise_id, i) for i in ids]
    moved = sum(_move(session, a, new, reason, note) for a in apps)
    return moved, len(apps) - moved


def mark_viewed(session: Session, apps: list[Application]) -> int:
    """New applications the enterprise has now seen become "viewed" (the jobseeker is told)."""
    seen = [a for a in apps if a.status == ApplicationStatus.SUBMITTED]
    for a in seen:
        _move(session, a, ApplicationStatus.VIEWED, None, "")
    return len(seen)


def add_note(session: Session, *, enterprise_id: int, author_user_id: int, application_id: int,
             body: str) -> ApplicationNote:
    """The enterprise's own note on an application (the jobseeker never sees it)."""
    body = (body or "").strip()
    if not body:
        raise DomainError("note_empty", "请填写备注内容", "body")
    if len(body) > NOTE_MAX:
        raise DomainError("note_too_long", f"备注不能超过 {NOTE_MAX} 个字", "body")
    app = _enterprise_application(session, enterprise_id, application_id)
    note = ApplicationNote(author_user_id=author_user_id, body=body)
    app.notes.append(note)
    session.flush()
    return note


def enterprise_applications(
    session: Session, enterprise_id: int, *, posting_id: int | None = None, stage: str | None = None,
) -> tuple[list[Application], dict[str, int]]:
    """The enterprise's applications (optionally of one posting and one stage), newest first, with
    the count per stage (before the stage filter)."""
    from core.postings.models import Posting

    from core.seekers.privacy import hidden_seekers

    stmt = (select(Application).join(Posting, Posting.id == Application.posting_id)
            .where(Posting.enterprise_id == enterprise_id, Application.jobseeker_id.not_in(hidden_seekers())))
    if posting_id is not None:
        stmt = stmt.where(Application.posting_id == posting_id)
    # one query per relation for the whole page, not one per card
    stmt = stmt.options(selectinload(Application.notes), selectinload(Application.jobseeker),
                        selectinload(Application.posting))
    apps = list(session.scalars(stmt.order_by(Application.created_at.desc(), Application.id.desc())))
    counts: dict[str, int] = {}
    for a in apps:
        counts[str(a.status)] = counts.get(str(a.status), 0) + 1
    if stage:
        apps = [a for a in apps if str(a.status) == stage]
    return apps, counts


def origin_words(app: Application, names: dict[str, str] | None = None) -> str:
    """Where the application came from, in words: 搜索, 智能推荐, 招聘会“…”, 直播带岗“…”, 邀请投递.
    ``names`` maps an origin_ref ("fair:12") to the event's name when the caller knows it."""
    from core.enums import label

    words = label(app.origin)
    if app.origin_ref and names and names.get(app.origin_ref):
        words += f"“{names[app.origin_ref]}”"
    return words


def origin_ref_names(session: Session, apps: list[Application]) -> dict[str, str]:
    """The name of the fair or livestream each application came through ("fair:12" -> its title)."""
    wanted: dict[str, set[int]] = {}
    for a in apps:
        kind, _, ref_id = (a.origin_ref or "").partition(":")
        if kind in ("fair", "livestream") and ref_id.isdigit():
            wanted.setdefault(kind, set()).add(int(ref_id))
    names: dict[str, str] = {}
    for kind, ids in wanted.items():
        model = _event_model(kind)
        if model is None:
            continue
        for row_id, title in session.execute(select(model.id, model.title).where(model.id.in_(ids))):
            names[f"{kind}:{row_id}"] = title
    return names


def _event_model(kind: str):
    """The model of a fair or a livestream session (None while that domain is not installed)."""
    try:
        if kind == "fair":
            from core.fairs.models import JobFair

            return JobFair
        from core.livestreams.models import LiveSession

        return LiveSession
    except ImportError:  # the fairs and livestreams domains land separately from this one
        return None
