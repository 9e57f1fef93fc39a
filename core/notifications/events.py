"""Notifications for events other domains decide, worded once: a posting someone applied to was
closed, a priority-group verification was decided. The deciding use case calls these in its own
transaction (``notify`` only adds rows)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import ApplicationStatus, NotificationKind, PostingStatus, label

from .services import notify, notify_many

_STILL_WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW)
_WHY = {
    PostingStatus.FILLED: "用人单位已经招满了。",
    PostingStatus.WITHDRAWN: "这个岗位已停止招聘。",
    PostingStatus.EXPIRED: "这个岗位已过了有效期，暂停展示。",
}


def posting_closed(session: Session, posting) -> int:
    """Tell everyone whose application to ``posting`` is still waiting that it closed (filled,
    withdrawn, expired). Returns how many were told."""
    from core.applications.models import Application
    from core.seekers.models import Jobseeker

    user_ids = list(session.scalars(
        select(Jobseeker.user_id).join(Application, Application.jobseeker_id == Jobseeker.id)
        .where(Application.posting_id == posting.id, Application.status.in_(_STILL_WAITING),
               Jobseeker.user_id.is_not(None))
        .order_by(Application.id)))
    status = PostingStatus(posting.status)
    return notify_many(session, user_ids, kind=NotificationKind.POSTING,
                       title=f"您投递的“{(posting.title or '')[:60]}”{label(status)}",
                       body=_WHY.get(status, "") + "可以看看其他岗位，或保存搜索让新岗位来提醒您。",
                       link="/me/applications")


def group_verification_decided(session: Session, seeker, group: str, *, approve: bool, note: str = "") -> None:
    """Tell the person how the bureau decided a priority group they declared."""
    if seeker.user_id is None:  # imported from a roster, no account to tell
        return
    if approve:
        title, body = f"您的重点群体身份“{label(group)}”已认定", "符合条件的岗位和扶持政策会优先告诉您。"
    else:
        title = f"您的重点群体身份“{label(group)}”未通过认定"
        body = f"原因：{note}。如有疑问，可带相关材料到当地人社部门咨询。" if note else "如有疑问，可带相关材料到当地人社部门咨询。"
    notify(session, user_id=seeker.user_id, kind=NotificationKind.VERIFICATION, title=title, body=body,
           link="/me/profile")


def postings_closed(session: Session, posting_ids: list[int]) -> int:
    """``posting_closed`` for many postings at once (the daily expiry)."""
    from core.postings.models import Posting

    told = 0
    for i in range(0, len(posting_ids), 500):
        for posting in session.scalars(select(Posting).where(Posting.id.in_(posting_ids[i:i + 500]))):
            told += posting_closed(session, posting)
    return told
