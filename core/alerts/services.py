"""Saved searches and the alert runner.

A jobseeker saves the search page's filters; the runner, on the schedule each alert asked for, finds
the published postings that match and are new to it (published after the search was saved, never
announced before, not applied to by the person), puts one message in the inbox and, when the person
asked for it, queues a text message in the delivery outbox. How postings are found is handed in
(``find_ids``): the web app searches through the ``SearchBackend`` port, and ``sql_matches`` answers
when no index is there.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.db import begin_write, reading, utcnow
from core.enums import AlertFrequency, NotificationKind, PostingStatus
from core.errors import DomainError, NotFound
from core.notifications.delivery import queue_delivery
from core.notifications.services import notify
from core.postings.models import Posting
from core.seekers.models import Jobseeker

from .models import SavedSearch, SavedSearchHit

MAX_PER_PERSON = 20
NAME_MAX = 60
# The search parameters an alert keeps (page, size, sort and "posted within" belong to one look, not
# to the alert: new postings are new by definition).
FILTER_PARAMS = ("q", "region", "occupation", "type", "pay_min", "pay_unit", "education", "experience", "group",
                 "channel", "enterprise", "near", "lat", "lon", "radius")
PERIODS = {AlertFrequency.IMMEDIATELY: dt.timedelta(0), AlertFrequency.DAILY: dt.timedelta(days=1),
           AlertFrequency.WEEKLY: dt.timedelta(days=7)}
TITLES_IN_MESSAGE = 5


def alert_params(args) -> dict[str, list[str]]:
    """The filters of a search request (a MultiDict or a dict of lists) an alert keeps."""
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: list(args.get(k) or []))
    out = {}
    for key in FILTER_PARAMS:
        values = [str(v).strip()[:100] for v in getlist(key) if str(v).strip()][:20]
        if values:
            out[key] = values
    return out


def search_link(params: dict[str, list[str]]) -> str:
    """The search page showing the alert's postings, newest first."""
    pairs = [(k, v) for k in FILTER_PARAMS for v in params.get(k, [])]
    return "/search?" + urlencode(pairs + [("sort", "newest")])


def _frequency(value) -> AlertFrequency:
    try:
        return AlertFrequency(value)
    except ValueError:
        raise DomainError("invalid_frequency", "请选择提醒频率：有新岗位就提醒、每天一次或每周一次", "frequency") from None


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise DomainError("invalid_name", "请给这个订阅起个名字", "name")
    return name[:NAME_MAX]


def create_saved_search(session: Session, *, user_id: int, name: str, params: dict[str, list[str]],
                        frequency=AlertFrequency.DAILY, by_sms: bool = False,
                        now: dt.datetime | None = None) -> SavedSearch:
    """Save a search for ``user_id`` (in the caller's transaction)."""
    mine = saved_searches(session, user_id)
    if len(mine) >= MAX_PER_PERSON:
        raise DomainError("too_many_alerts", f"最多保存{MAX_PER_PERSON}个订阅，请先删除不用的", None)
    clean = alert_params(params)
    same = next((s for s in mine if s.query == clean), None)
    if same is not None:  # saving the same search twice keeps one alert
        same.active = True
        same.frequency, same.by_sms = _frequency(frequency), bool(by_sms)
        session.flush()
        return same
    ss = SavedSearch(user_id=user_id, name=_name(name), query=clean, frequency=_frequency(frequency),
                     by_sms=bool(by_sms), active=True, unsubscribe_token=secrets.token_urlsafe(32),
                     created_at=now or utcnow())
    session.add(ss)
    session.flush()
    return ss


def saved_searches(session: Session, user_id: int) -> list[SavedSearch]:
    return list(session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)
                                .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())))


def own_saved_search(session: Session, user_id: int, saved_search_id: int) -> SavedSearch:
    ss = session.get(SavedSearch, saved_search_id)
    if ss is None or ss.user_id != user_id:  # another person's alert is "not found"
        raise NotFound("这个订阅")
    return ss


def update_saved_search(session: Session, *, user_id: int, saved_search_id: int, name: str | None = None,
                        frequency=None, by_sms: bool | None = None, active: bool | None = None) -> SavedSearch:
    ss = own_saved_search(session, user_id, saved_search_id)
    if name is not None:
        ss.name = _name(name)
    if frequency is not None:
        ss.frequency = _frequency(frequency)
    if by_sms is not None:
        ss.by_sms = bool(by_sms)
    if active is not None:
        ss.active = bool(active)
    session.flush()
    return ss


def delete_saved_search(session: Session, *, user_id: int, saved_search_id: int) -> None:
    session.delete(own_saved_search(session, user_id, saved_search_id))
    session.flush()


def by_token(session: Session, token: str) -> SavedSearch | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(SavedSearch).where(SavedSearch.unsubscribe_token == token))


def unsubscribe(session: Session, token: str) -> SavedSearch | None:
    """One tap from a message, signed out: the alert stops (None for an unknown token)."""
    ss = by_token(session, token)
    if ss is not None:
        ss.active = False
        session.flush()
    return ss


def is_due(ss: SavedSearch, now: dt.datetime) -> bool:
    return ss.active and (ss.last_run_at is None or now - ss.last_run_at >= PERIODS[AlertFrequency(ss.frequency)])


def sql_matches(session: Session, params: dict[str, list[str]], *, since: dt.datetime, limit: int = 200) -> list[int]:
    """Published postings since ``since`` matching the alert's words, place, occupation, type and
    education, straight from the database (when no search index is there), newest first."""
    stmt = select(Posting.id).where(Posting.status == PostingStatus.PUBLISHED, Posting.published_at >= since)
    for word in " ".join(params.get("q", [])).split():
        stmt = stmt.where(or_(Posting.title.contains(word), Posting.description.contains(word)))
    region = (params.get("region") or [""])[0]
    if region.isdigit() and len(region) == 6:
        prefix = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
        stmt = stmt.where(Posting.region_code.startswith(prefix))
    occupation = (params.get("occupation") or [""])[0]
    if occupation[:1].isdigit():
        stmt = stmt.where(Posting.occupation_code.startswith(occupation))
    if params.get("type"):
        stmt = stmt.where(Posting.employment_type.in_(params["type"]))
    if params.get("education"):
        stmt = stmt.where(Posting.education.in_(params["education"]))
    return list(session.scalars(stmt.order_by(Posting.published_at.desc(), Posting.id.desc()).limit(limit)))


@dataclass
class AlertRun:
    checked: int = 0
    notified: int = 0
    postings: int = 0
    texts: int = 0
    problems: list[str] = field(default_factory=list)


def _new_postings(session: Session, ss: SavedSearch, ids: list[int]) -> list[Posting]:
    if not ids:
        return []
    seeker_ids = select(Jobseeker.id).where(Jobseeker.user_id == ss.user_id).scalar_subquery()
    applied = select(Application.posting_id).where(Application.jobseeker_id == seeker_ids)
    seen = select(SavedSearchHit.posting_id).where(SavedSearchHit.saved_search_id == ss.id)
    rows = session.scalars(select(Posting).where(
        Posting.id.in_(ids), Posting.status == PostingStatus.PUBLISHED, Posting.published_at >= ss.created_at,
        Posting.id.not_in(applied), Posting.id.not_in(seen)))
    order = {pid: n for n, pid in enumerate(ids)}
    return sorted(rows, key=lambda p: order[p.id])


def _announce(session: Session, ss: SavedSearch, postings: list[Posting], unsubscribe_url: Callable[[str], str]) -> bool:
    """One inbox message for the new postings (and a text message when asked); True if a text was queued."""
    n = len(postings)
    titles = "、".join(p.title for p in postings[:TITLES_IN_MESSAGE]) + ("等" if n > TITLES_IN_MESSAGE else "")
    link = f"/postings/{postings[0].id}" if n == 1 else search_link(ss.query)
    note = notify(session, user_id=ss.user_id, kind=NotificationKind.ALERT, title=f"您订阅的“{ss.name}”有{n}个新岗位",
                  body=titles, link=link)
    for p in postings:
        session.add(SavedSearchHit(saved_search_id=ss.id, posting_id=p.id))
    if not ss.by_sms:
        return False
    phone = session.scalar(select(Jobseeker.phone).where(Jobseeker.user_id == ss.user_id))
    row = queue_delivery(session, note, channel="sms", address=phone)
    if row is not None:
        row.body = (row.body + f" 不想再收到请点 {unsubscribe_url(ss.unsubscribe_token)}")[:500]
    return row is not None


def run_alerts(session: Session, find_ids: Callable[[SavedSearch], list[int]], *, now: dt.datetime | None = None,
               unsubscribe_url: Callable[[str], str] = lambda token: f"/alerts/unsubscribe/{token}") -> AlertRun:
    """Run every due alert: the search is read outside any write transaction, each alert's messages
    are written in its own short one."""
    now = now or utcnow()
    run = AlertRun()
    with reading():
        due = [ss.id for ss in session.scalars(select(SavedSearch).where(SavedSearch.active.is_(True))
                                               .order_by(SavedSearch.id)) if is_due(ss, now)]
        session.commit()
    for ss_id in due:
        ss = session.get(SavedSearch, ss_id)
        try:
            ids = find_ids(ss)
        except Exception as exc:  # one broken alert (e.g. a region since renamed) does not stop the rest
            run.problems.append(f"{ss_id}: {type(exc).__name__}")
            ids = []
        begin_write(session)
        ss = session.get(SavedSearch, ss_id)
        if ss is None or not ss.active:  # deleted or unsubscribed meanwhile
            session.commit()
            continue
        postings = _new_postings(session, ss, ids)
        if postings:
            run.texts += _announce(session, ss, postings, unsubscribe_url)
            run.notified += 1
            run.postings += len(postings)
        ss.last_run_at = now
        session.commit()
        run.checked += 1
    return run
