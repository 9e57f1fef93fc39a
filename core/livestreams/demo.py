"""The demo livestream (演示数据) that ``make run`` sets up: a planned session of the demo commissioner
with a run-sheet of published demo postings and talking points that agree with them, ready to go live."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.db import utcnow
from core.enums import PostingStatus
from core.postings.models import Posting
from core.reference.services import RegionDirectory

from .models import LiveSession, RunSheetItem
from .services import chapter_pay

DEMO_TITLE = "演示：乐业广州·重点企业直播带岗（演示数据）"


def _talking_points(posting: Posting) -> str:
    """What a presenter would say, taken from the posting itself (so the claims check passes)."""
    pay = chapter_pay(posting)
    pay_line = f"工资{pay}" if posting.pay_min or posting.pay_max else "薪资面议，面试时详谈"
    return f"{posting.title}：{pay_line}，岗位要求以页面为准，扫码或点链接就能投递。"


def create_demo_livestream(session: Session, commissioner_username: str = "demo_commissioner",
                           region_code: str | None = None, size: int = 5) -> str:
    """Idempotent: returns the demo session's title, or "(unchanged)" when it exists or cannot be made
    (no demo commissioner, no published posting)."""
    if session.scalar(select(LiveSession.id).where(LiveSession.is_demo.is_(True), LiveSession.title == DEMO_TITLE)):
        return "(unchanged)"
    host = session.scalar(select(User).where(User.username == commissioner_username))
    region = region_code or (host.region_code if host else None)
    if host is None or not region:
        return "(unchanged)"
    published = select(Posting).where(Posting.status == PostingStatus.PUBLISHED).order_by(Posting.id).limit(size)
    prefix = RegionDirectory.code_prefix(region)
    postings = list(session.scalars(published.where(Posting.region_code.like(f"{prefix}%"))).unique())
    postings = postings or list(session.scalars(published).unique())
    if not postings:
        return "(unchanged)"
    return make_session(session, host, region, postings, DEMO_TITLE, is_demo=True).title


def make_session(session: Session, host: User, region_code: str, postings: list[Posting], title: str, *,
                 is_demo: bool = False) -> LiveSession:
    """A planned session of ``host`` presenting ``postings`` in order, its talking points taken from
    them (the demo, and the browser walks that need one session with every page filled)."""
    start = (utcnow() + dt.timedelta(days=2)).replace(hour=11, minute=0, second=0, microsecond=0)  # 19:00 北京时间
    live = LiveSession(title=title, theme="重点企业用工", target_groups=["migrant_worker", "graduate"], platform="own",
                       hosts="演示专员、企业人事", region_code=region_code, scheduled_start=start,
                       scheduled_end=start + dt.timedelta(hours=1), status="planned", pointer_version=0,
                       commissioner_ids=[host.id], created_by_id=host.id, override_flags=[], is_demo=is_demo)
    session.add(live)
    session.flush()
    for pos, posting in enumerate(postings, start=1):
        session.add(RunSheetItem(session_id=live.id, posting_id=posting.id, position=pos,
                                 talking_points=_talking_points(posting), presenter="企业人事", link_opens=0))
    session.flush()
    return live
