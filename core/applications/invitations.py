"""Invitations to apply (邀请投递): an enterprise invites a recommended jobseeker to one of its
postings; the person accepts (which is applying, origin "invitation") or declines. An invitation
gives the enterprise nothing of the person: only the application it leads to does."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import ApplicationOrigin, ApplicationStatus, InvitationStatus, NotificationKind, PostingStatus
from core.errors import DomainError, NotFound, PermissionDenied
from core.notifications.services import notify, notify_many
from core.postings.models import Posting
from core.seekers.models import Jobseeker
from core.seekers.privacy import findable_by_enterprise

from .models import Application, Invitation
from .services import apply_to_posting, find_application

MESSAGE_MAX = 300
INBOX_LINK = "/me/invitations"

# What the jobseeker and the enterprise read of an invitation's status.
STATUS_WORDS = {InvitationStatus.SENT: "待回复", InvitationStatus.ACCEPTED: "已接受并投递",
                InvitationStatus.DECLINED: "已婉拒"}


def status_words(status) -> str:
    return STATUS_WORDS.get(InvitationStatus(status), "")


def invitations_for_posting(session: Session, posting_id: int) -> dict[int, Invitation]:
    """The posting's invitations, by jobseeker id."""
    rows = session.scalars(select(Invitation).where(Invitation.posting_id == posting_id))
    return {i.jobseeker_id: i for i in rows}


def invite(
    session: Session, *, enterprise_id: int, posting_id: int, jobseeker_id: int, invited_by_user_id: int | None,
    message: str = "",
) -> Invitation:
    """The enterprise invites one jobseeker to apply to one of its published postings; the person
    finds it in their inbox. Once per posting and person (a declined invitation is not repeated)."""
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound("该岗位")
    if posting.enterprise_id != enterprise_id:
        raise PermissionDenied("只能为本单位的岗位邀请求职者")
    if posting.status != PostingStatus.PUBLISHED:
        raise DomainError("posting_not_published", "岗位发布后才能邀请求职者投递", "posting")
    seeker = session.get(Jobseeker, jobseeker_id)
    if seeker is None or not seeker.consent_recommendation or seeker.id not in findable_by_enterprise(
            session, enterprise_id, [seeker]):
        raise NotFound("该求职者")  # one the enterprise may not find is as missing (core.seekers.privacy)
    if seeker.user_id is None:
        raise DomainError("seeker_without_account", "该求职者还没有注册账号，无法在线邀请，可请人社部门协助联系", None)
    existing = find_application(session, seeker.id, posting.id)
    if existing is not None and existing.status != ApplicationStatus.WITHDRAWN:
        raise DomainError("already_applied", "该求职者已投递这个岗位，请到“收到的投递”查看", None)
    if session.scalar(select(Invitation.id).where(Invitation.posting_id == posting.id,
                                                  Invitation.jobseeker_id == seeker.id)):
        raise DomainError("already_invited", "已经邀请过该求职者投递这个岗位", None)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError("message_too_long", f"邀请留言不能超过 {MESSAGE_MAX} 个字", "message")
    inv = Invitation(posting_id=posting.id, jobseeker_id=seeker.id, enterprise_id=enterprise_id,
                     invited_by_user_id=invited_by_user_id, message=message, status=InvitationStatus.SENT)
    session.add(inv)
    session.flush()
    company = posting.enterprise.name if posting.enterprise is not None else "一家用人单位"
    notify(session, user_id=seeker.user_id, kind=NotificationKind.INVITATION,
           title=f"{company}邀请您投递“{posting.title[:60]}”",
           body=(message or "对方看了您的求职资料，觉得您适合这个岗位。") + "接受邀请即投递该岗位，对方才能看到您的姓名和电话。",
           link=INBOX_LINK)
    return inv


def seeker_invitations(session: Session, jobseeker_id: int) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.jobseeker_id == jobseeker_id)
                                .order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def _own_invitation(session: Session, jobseeker_id: int, invitation_id: int) -> Invitation:
    inv = session.get(Invitation, invitation_id)
    if inv is None or inv.jobseeker_id != jobseeker_id:  # another person's invitation is as missing
        raise NotFound("这条邀请")
    if inv.status != InvitationStatus.SENT:
        raise DomainError("invitation_answered", "这条邀请已经回复过了", None)
    return inv


def accept_invitation(session: Session, *, jobseeker_id: int, invitation_id: int) -> Application:
    """Accepting is applying to the posting (origin invitation, origin_ref "invitation:<id>"): the
    person's consent for the enterprise to see their name and phone. The enterprise is told."""
    inv = _own_invitation(session, jobseeker_id, invitation_id)
    if inv.posting.status != PostingStatus.PUBLISHED:
        raise DomainError("posting_closed", "该岗位已停止招聘，无法投递", None)
    existing = find_application(session, jobseeker_id, inv.posting_id)
    if existing is not None and existing.status != ApplicationStatus.WITHDRAWN:
        app = existing  # already applied some other way: that application stands
    else:
        app = apply_to_posting(session, jobseeker_id=jobseeker_id, posting_id=inv.posting_id,
                               origin=ApplicationOrigin.INVITATION, origin_ref=f"invitation:{inv.id}")
    inv.status = InvitationStatus.ACCEPTED
    inv.application_id = app.id
    inv.responded_at = utcnow()
    session.flush()
    _tell_enterprise(session, inv, f"{inv.jobseeker.name or '求职者'}接受了邀请，投递了“{inv.posting.title[:60]}”",
                     f"/enterprise/postings/{inv.posting_id}/applicants")
    return app


def decline_invitation(session: Session, *, jobseeker_id: int, invitation_id: int) -> Invitation:
    """The person says no; the enterprise learns only that an invitation was declined."""
    inv = _own_invitation(session, jobseeker_id, invitation_id)
    inv.status = InvitationStatus.DECLINED
    inv.responded_at = utcnow()
    session.flush()
    _tell_enterprise(session, inv, f"一位求职者婉拒了“{inv.posting.title[:60]}”的投递邀请",
                     f"/enterprise/postings/{inv.posting_id}/candidates")
    return inv


def _tell_enterprise(session: Session, inv: Invitation, title: str, link: str) -> None:
    from core.accounts.models import User

    users = session.scalars(select(User.id).where(User.enterprise_id == inv.enterprise_id)).all()
    notify_many(session, users, kind=NotificationKind.APPLICATION, title=title, link=link)
