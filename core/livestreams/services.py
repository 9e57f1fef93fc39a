"""Use cases of livestream job promotion (直播带岗): sessions and their run-sheets, the claims check
before going live, the "now presenting" pointer, what viewer pages show, apply-link attribution and
the chapters of the replay.

Who may do what — one rule each, asked by every path:
- seeing a session's console: admins, and commissioners whose jurisdiction holds the session's OWN
  region (``can_see``);
- changing it (details, run-sheet, going live, the pointer, ending, figures): only the session's own
  commissioners (``commissioner_ids``; the creator is the first), and only while its region is in
  their jurisdiction (``may_run``);
- the viewer pages (listing, overlay, carousel, replay, the state poll) are public.
Every change is written to the audit trail (``core.audit``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.services import get_in_jurisdiction, in_jurisdiction, jurisdiction_clause
from core.audit.services import record_access
from core.db import utcnow
from core.enums import ApplicationOrigin, PostingStatus, PriorityGroup, Role
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.postings.models import Posting
from core.postings.services import format_pay

from . import claims as claims_check
from .models import LiveSession, PointerEvent, RunSheetItem

# DOMAIN: where the stream goes out. 视频号 = WeChat Channels; 本局平台 = the bureau's own platform.
PLATFORM_LABELS: dict[str, str] = {"douyin": "抖音", "kuaishou": "快手", "channels": "视频号", "own": "本局平台"}
STATUS_LABELS: dict[str, str] = {"planned": "未开始", "live": "直播中", "ended": "已结束"}
MAX_ITEMS = 60  # a run-sheet longer than this is several sessions
_URL = re.compile(r"^https?://[^\s<>\"']{3,490}$")


# --- who may see and change what ---------------------------------------------------------------

def can_see(actor, live: LiveSession) -> bool:
    """Admins, and commissioners whose jurisdiction holds the session's region (no other role)."""
    return in_jurisdiction(actor, live.region_code)


def may_run(actor, live: LiveSession) -> bool:
    """Whether the actor runs this session: one of its commissioners, its region in their jurisdiction."""
    return (Role(actor.role) == Role.COMMISSIONER and actor.id in (live.commissioner_ids or [])
            and in_jurisdiction(actor, live.region_code))


def get_session(session: Session, session_id: int, actor) -> LiveSession:
    return get_in_jurisdiction(session, LiveSession, session_id, actor, "该场直播", can_see)


def session_for_change(session: Session, session_id: int, actor) -> LiveSession:
    live = get_session(session, session_id, actor)
    if not may_run(actor, live):
        raise PermissionDenied("只有这场直播的专员可以操作")
    return live


def public_session(session: Session, session_id: int) -> LiveSession:
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound("该场直播")
    return live


def list_sessions(session: Session, actor) -> list[LiveSession]:
    stmt = select(LiveSession)
    if (inside := jurisdiction_clause(actor, LiveSession.region_code)) is not None:
        stmt = stmt.where(inside)
    order = (LiveSession.scheduled_start.desc().nullsfirst(), LiveSession.id.desc())
    return list(session.scalars(stmt.order_by(*order)))


def _audit(session: Session, actor, action: str, live_id: int | None, purpose: str, fields=()) -> None:
    record_access(session, actor_user_id=actor.id, actor_role=str(actor.role), action=action,
                  subject_type="live_session", subject_id=live_id, purpose=purpose, fields=list(fields))


def _bump(live: LiveSession) -> None:
    """Every viewer page follows: the next poll sees a new version."""
    live.pointer_version = (live.pointer_version or 0) + 1


# --- sessions --------------------------------------------------------------------------------------

_FIELDS = ("title", "theme", "target_groups", "platform", "hosts", "region_code", "scheduled_start",
           "scheduled_end", "stream_url", "replay_url")


def _when(value, field: str, errors: list[DomainError]) -> dt.datetime | None:
    if isinstance(value, dt.datetime) or value in (None, ""):
        return value or None
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace(" ", "T"))
    except ValueError:
        errors.append(DomainError("invalid_datetime", "请填写日期和时间，如 2026-12-10 19:30", field))
        return None


def _parse(session: Session, actor, data: dict) -> dict:
    """The session's fields from form text or typed values; every problem at once."""
    from core.reference.models import Region

    errors: list[DomainError] = []
    text = {k: ("" if data.get(k) is None else data.get(k)) for k in _FIELDS}
    out = {k: str(text[k]).strip() for k in ("title", "theme", "hosts", "stream_url", "replay_url")}
    if not out["title"]:
        errors.append(DomainError("missing_title", "请填写直播标题", "title"))
    for key, limit in (("title", 200), ("theme", 200), ("hosts", 200)):
        if len(out[key]) > limit:
            errors.append(DomainError("too_long", f"最多 {limit} 个字", key))
    for key in ("stream_url", "replay_url"):
        if out[key] and not _URL.match(out[key]):
            errors.append(DomainError("invalid_url", "请填写以 http:// 或 https:// 开头的完整网址", key))
    platform = str(text["platform"] or "own")
    if platform not in PLATFORM_LABELS:
        errors.append(DomainError("invalid_platform", "直播平台只能是：" + "、".join(PLATFORM_LABELS.values()), "platform"))
    groups = text["target_groups"]
    groups = [g for g in (groups if isinstance(groups, (list, tuple)) else re.split(r"[,，、\s]+", str(groups))) if g]
    bad = [g for g in groups if g not in set(PriorityGroup)]
    if bad:
        errors.append(DomainError("invalid_group", "面向群体只能从列表中选择", "target_groups"))
    region = str(text["region_code"] or "").strip()
    if not region or session.get(Region, region) is None:
        errors.append(DomainError("missing_region", "请填写直播所属地区", "region_code"))
    elif not in_jurisdiction(actor, region):
        errors.append(DomainError("forbidden", "该地区不在您的管辖范围内", "region_code"))
    start = _when(text["scheduled_start"], "scheduled_start", errors)
    end = _when(text["scheduled_end"], "scheduled_end", errors)
    if start and end and end <= start:
        errors.append(DomainError("invalid_range", "结束时间要晚于开始时间", "scheduled_end"))
    if errors:
        raise ValidationErrors(errors)
    return dict(out, platform=platform, target_groups=groups, region_code=region, scheduled_start=start,
                scheduled_end=end)


def create_session(session: Session, actor, data: dict) -> LiveSession:
    if Role(actor.role) != Role.COMMISSIONER:
        raise PermissionDenied("只有人社服务专员可以创建直播")
    values = _parse(session, actor, data)
    live = LiveSession(**values, commissioner_ids=[actor.id], created_by_id=actor.id, status="planned",
                       pointer_version=0, override_flags=[])
    session.add(live)
    session.flush()
    _audit(session, actor, "create", live.id, "创建直播带岗", values.keys())
    return live


def update_session(session: Session, actor, session_id: int, data: dict) -> LiveSession:
    live = session_for_change(session, session_id, actor)
    values = _parse(session, actor, data)
    changed = [k for k, v in values.items() if getattr(live, k) != v]
    for k in changed:
        setattr(live, k, values[k])
    if changed:
        _bump(live)
        _audit(session, actor, "update", live.id, "修改直播信息", changed)
    session.flush()
    return live


def add_commissioner(session: Session, actor, session_id: int, username: str) -> User:
    """Another commissioner of the same jurisdiction joins the session (co-host from the bureau)."""
    live = session_for_change(session, session_id, actor)
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or Role(user.role) != Role.COMMISSIONER or not in_jurisdiction(user, live.region_code):
        raise DomainError("unknown_commissioner", "没有找到该账号，或对方不是本辖区的人社服务专员", "username")
    if user.id not in live.commissioner_ids:
        live.commissioner_ids = [*live.commissioner_ids, user.id]
        _audit(session, actor, "update", live.id, "添加直播专员", ["commissioner_ids"])
    session.flush()
    return user


# --- the run-sheet ---------------------------------------------------------------------------------

def _renumber(live: LiveSession) -> None:
    for pos, item in enumerate(live.items, start=1):
        item.position = pos


def get_item(session: Session, live: LiveSession, item_id: int) -> RunSheetItem:
    item = session.get(RunSheetItem, item_id)
    if item is None or item.session_id != live.id:
        raise NotFound("该讲解岗位")
    return item


def add_item(session: Session, actor, session_id: int, posting_id: int, *, talking_points: str = "",
             presenter: str = "") -> RunSheetItem:
    live = session_for_change(session, session_id, actor)
    if live.status == "ended":
        raise DomainError("session_ended", "直播已结束，不能再添加岗位", None)
    posting = session.get(Posting, posting_id)
    if posting is None or posting.status != PostingStatus.PUBLISHED:
        raise DomainError("posting_not_public", "只能添加已发布的岗位", "posting_id")
    if any(i.posting_id == posting_id for i in live.items):
        raise DomainError("already_listed", f"“{posting.title}”已在讲解单中", "posting_id")
    if len(live.items) >= MAX_ITEMS:
        raise DomainError("too_many_items", f"一场直播最多讲解 {MAX_ITEMS} 个岗位", "posting_id")
    item = RunSheetItem(posting_id=posting_id, position=len(live.items) + 1, talking_points=(talking_points or "")[:2000],
                        presenter=(presenter or "")[:100], link_opens=0)
    live.items.append(item)
    session.flush()
    _bump(live)
    _audit(session, actor, "update", live.id, "讲解单添加岗位", ["items"])
    return item


def update_item(session: Session, actor, session_id: int, item_id: int, *, talking_points: str,
                presenter: str) -> RunSheetItem:
    live = session_for_change(session, session_id, actor)
    item = get_item(session, live, item_id)
    if len(talking_points or "") > 2000 or len(presenter or "") > 100:
        raise DomainError("too_long", "讲解要点最多 2000 字，讲解人最多 100 字", "talking_points")
    item.talking_points, item.presenter = (talking_points or "").strip(), (presenter or "").strip()
    _bump(live)
    _audit(session, actor, "update", live.id, "修改讲解要点", ["talking_points", "presenter"])
    session.flush()
    return item


def remove_item(session: Session, actor, session_id: int, item_id: int) -> None:
    live = session_for_change(session, session_id, actor)
    item = get_item(session, live, item_id)
    if live.current_item_id == item.id:
        live.current_item_id = None
    live.items.remove(item)
    session.flush()
    _renumber(live)
    _bump(live)
    _audit(session, actor, "update", live.id, "讲解单移除岗位", ["items"])
    session.flush()


def reorder_items(session: Session, actor, session_id: int, item_ids: list[int]) -> LiveSession:
    """Put the run-sheet in the given order (drag and drop sends the whole order)."""
    live = session_for_change(session, session_id, actor)
    if sorted(item_ids) != sorted(i.id for i in live.items):
        raise DomainError("stale_order", "讲解单已被修改，请刷新后重试", None)
    by_id = {i.id: i for i in live.items}
    for pos, iid in enumerate(item_ids, start=1):
        by_id[iid].position = pos
    session.flush()
    session.expire(live, ["items"])
    _bump(live)
    _audit(session, actor, "update", live.id, "调整讲解顺序", ["items"])
    session.flush()
    return live


def move_item(session: Session, actor, session_id: int, item_id: int, step: int) -> LiveSession:
    """Move one item up (-1) or down (+1): the buttons and the keyboard."""
    live = session_for_change(session, session_id, actor)
    ids = [i.id for i in live.items]
    if item_id not in ids:
        raise NotFound("该讲解岗位")
    at = ids.index(item_id)
    to = min(max(at + (1 if step > 0 else -1), 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return reorder_items(session, actor, session_id, ids)


# --- claims, going live, the pointer, ending ------------------------------------------------------

def claims_for(live: LiveSession, screen=None) -> list[claims_check.Flag]:
    return claims_check.check_session(live, screen)


def go_live(session: Session, actor, session_id: int, *, screen=None, override_reason: str = "") -> LiveSession:
    """Start the session. Refused while a claims flag is unresolved, unless the commissioner lets the
    current flags through with a reason (kept on the session and in the audit trail)."""
    live = session_for_change(session, session_id, actor)
    if live.status != "planned":
        raise DomainError("not_planned", "这场直播已经开始或结束", None)
    if not live.items:
        raise DomainError("empty_run_sheet", "讲解单里还没有岗位，请先添加", None)
    flags = claims_check.unresolved(live, claims_for(live, screen))
    reason = (override_reason or "").strip()
    if flags and not reason:
        raise DomainError("unresolved_claims", f"讲解要点还有 {len(flags)} 处与岗位信息不符，请修改；"
                          "确需照常开播，请填写理由", "override_reason")
    if flags:
        if len(reason) < 4:
            raise DomainError("short_reason", "请写明照常开播的理由（至少 4 个字）", "override_reason")
        live.override_flags = sorted({*live.override_flags, *(f.key for f in flags)})
        live.override_reason, live.override_by_id = reason[:1000], actor.id
        _audit(session, actor, "override", live.id, f"核对提示未处理即开播：{reason[:150]}",
               ["override_flags", "override_reason"])
    live.status, live.started_at = "live", utcnow()
    _audit(session, actor, "update", live.id, "开始直播", ["status"])
    _point(session, actor, live, live.items[0])
    return live


def _point(session: Session, actor, live: LiveSession, item: RunSheetItem | None) -> None:
    live.current_item_id = item.id if item else None
    _bump(live)
    if item is not None:
        session.add(PointerEvent(session_id=live.id, item_id=item.id, posting_id=item.posting_id,
                                 by_user_id=actor.id, at=utcnow()))
    session.flush()


def move_pointer(session: Session, actor, session_id: int, *, step: int = 0, item_id: int | None = None) -> LiveSession:
    """Present the next (+1), previous (-1) or a given item. Only while live, only its commissioners."""
    live = session_for_change(session, session_id, actor)
    if live.status != "live":
        raise DomainError("not_live", "直播未在进行中", None)
    items = list(live.items)
    if item_id is not None:
        target = next((i for i in items if i.id == item_id), None)
        if target is None:
            raise NotFound("该讲解岗位")
    else:
        ids = [i.id for i in items]
        at = ids.index(live.current_item_id) if live.current_item_id in ids else -1
        target = items[min(max(at + step, 0), len(items) - 1)] if items else None
    if target is not None and target.id != live.current_item_id:
        _point(session, actor, live, target)
    return live


def end_session(session: Session, actor, session_id: int) -> LiveSession:
    live = session_for_change(session, session_id, actor)
    if live.status != "live":
        raise DomainError("not_live", "直播未在进行中", None)
    live.status, live.ended_at, live.current_item_id = "ended", utcnow(), None
    _bump(live)
    _audit(session, actor, "update", live.id, "结束直播", ["status"])
    session.flush()
    return live


# --- what viewer pages show -----------------------------------------------------------------------

def state_fingerprint(session: Session, session_id: int) -> str | None:
    """A short text that changes whenever a viewer page would: one small query, no ORM objects (the
    poll asks it every second per viewer). None when the session does not exist."""
    head = session.execute(select(LiveSession.status, LiveSession.current_item_id, LiveSession.pointer_version,
                                  LiveSession.updated_at).where(LiveSession.id == session_id)).first()
    if head is None:
        return None
    rows = session.execute(
        select(RunSheetItem.id, RunSheetItem.position, Posting.status, Posting.updated_at)
        .join(Posting, Posting.id == RunSheetItem.posting_id).where(RunSheetItem.session_id == session_id)
        .order_by(RunSheetItem.position)
    ).all()
    raw = repr((tuple(head), [tuple(r) for r in rows]))
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


def place_of(session: Session, posting: Posting) -> str:
    from core.reference.services import region_directory

    ref = region_directory(session).get(posting.region_code)
    return ref.full_name if ref else ""


def is_open(posting: Posting) -> bool:
    return posting.status == PostingStatus.PUBLISHED


def _item_view(session: Session, i: RunSheetItem) -> dict:
    return {"id": i.id, "session_id": i.session_id, "posting_id": i.posting_id, "position": i.position,
            "title": i.posting.title, "enterprise": i.posting.enterprise.name if i.posting.enterprise else "",
            "pay": format_pay(i.posting), "place": place_of(session, i.posting), "open": is_open(i.posting),
            "headcount": i.posting.headcount}


def viewer_state(session: Session, session_id: int) -> dict:
    """What every viewer page shows: the session, its run-sheet in order and the current item."""
    live = public_session(session, session_id)
    return {"id": live.id, "title": live.title, "status": live.status, "status_label": STATUS_LABELS[live.status],
            "current_item_id": live.current_item_id, "version": live.pointer_version,
            "items": [_item_view(session, i) for i in live.items]}


# --- a theme's carousel: the posts of every session of that theme not yet ended ---------------------

def _theme_items_query(theme: str):
    return (select(RunSheetItem).join(LiveSession, LiveSession.id == RunSheetItem.session_id)
            .where(LiveSession.theme == theme, LiveSession.status != "ended")
            .order_by(LiveSession.scheduled_start.nullslast(), LiveSession.id, RunSheetItem.position))


def current_themes(session: Session) -> list[str]:
    """Themes of sessions not yet ended, for the carousel's chooser."""
    rows = session.scalars(select(LiveSession.theme).where(LiveSession.status != "ended", LiveSession.theme != "")
                           .distinct().order_by(LiveSession.theme))
    return list(rows)


def theme_state(session: Session, theme: str) -> dict:
    """The carousel of a theme: every post of its sessions not yet ended, each post once."""
    seen: set[int] = set()
    items = []
    for item in session.scalars(_theme_items_query(theme)).unique():
        if item.posting_id not in seen:
            seen.add(item.posting_id)
            items.append(_item_view(session, item))
    return {"id": None, "title": theme, "status": "live", "status_label": "", "current_item_id": None, "version": 0,
            "items": items}


def theme_fingerprint(session: Session, theme: str) -> str:
    rows = session.execute(
        select(RunSheetItem.id, RunSheetItem.position, LiveSession.status, Posting.status, Posting.updated_at)
        .join(LiveSession, LiveSession.id == RunSheetItem.session_id).join(Posting, Posting.id == RunSheetItem.posting_id)
        .where(LiveSession.theme == theme, LiveSession.status != "ended")
        .order_by(LiveSession.id, RunSheetItem.position)).all()
    return hashlib.sha1(repr([tuple(r) for r in rows]).encode()).hexdigest()[:20]


def count_link_open(session: Session, session_id: int, posting_id: int) -> RunSheetItem:
    """An apply link or QR code of this session was opened (one UPDATE, no read-modify-write race)."""
    item = session.scalar(select(RunSheetItem).where(RunSheetItem.session_id == session_id,
                                                     RunSheetItem.posting_id == posting_id))
    if item is None:
        raise NotFound("该直播岗位")
    session.execute(update(RunSheetItem).where(RunSheetItem.id == item.id)
                    .values(link_opens=RunSheetItem.link_opens + 1).execution_options(synchronize_session=False))
    return item


def apply_from_live(session: Session, session_id: int, posting_id: int, jobseeker_id: int):
    """Apply through a session's link: the application records the session as its origin."""
    from core.applications.services import apply_to_posting

    item = session.scalar(select(RunSheetItem.id).where(RunSheetItem.session_id == session_id,
                                                        RunSheetItem.posting_id == posting_id))
    if item is None:
        raise NotFound("该直播岗位")
    return apply_to_posting(session, jobseeker_id=jobseeker_id, posting_id=posting_id,
                            origin=ApplicationOrigin.LIVESTREAM, origin_ref=f"livestream:{session_id}")


# --- after the session: the replay's chapters ------------------------------------------------------

def chapter_pay(posting: Posting) -> str:
    """"8000–12000 元" (monthly), "320 元/天": the way a presenter says it."""
    lo, hi = posting.pay_min, posting.pay_max
    unit = {"day": "/天", "hour": "/小时"}.get(str(posting.pay_unit or "month"), "")
    if lo is None and hi is None:
        return "薪资面议"
    if lo is not None and hi is not None and lo != hi:
        return f"{lo:g}–{hi:g} 元{unit}"
    return f"{(lo if lo is not None else hi):g} 元{unit}"


def chapters(session: Session, live: LiveSession) -> list[dict]:
    """One chapter per pointer move: its minute from the start, the posting's title and pay."""
    if live.started_at is None:
        return []
    events = session.scalars(select(PointerEvent).where(PointerEvent.session_id == live.id)
                             .order_by(PointerEvent.at, PointerEvent.id)).all()
    out = []
    for ev in events:
        posting = session.get(Posting, ev.posting_id) if ev.posting_id else None
        if posting is None:
            continue
        seconds = max(0, int((ev.at - live.started_at).total_seconds()))
        minute = seconds // 60
        out.append({"minute": minute, "seconds": seconds, "posting_id": posting.id, "title": posting.title,
                    "pay": chapter_pay(posting), "text": f"第 {minute} 分钟：{posting.title}，{chapter_pay(posting)}"})
    return out


def session_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LiveSession)) or 0
