"""Job fairs in search (the ``fairs`` collection): which fairs the index holds (one rule, used by the
relay, the rebuild and the results), which words ask for fairs, and finding upcoming fairs through the
``SearchBackend`` port, rows loaded from the database in the engine's order (the system of record)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.search import GeoRadius, Range, SearchBackend, SearchQuery, Terms

from .models import JobFair
from .services import ACTIVE

COLLECTION = "fairs"
ENTITY = "fair"  # the outbox's entity name
#: the stages in which the public fair list shows a fair; search shows the same fairs
SEARCHABLE_STATUSES = ACTIVE
#: fair dates and times are local (China Standard Time); the index keeps instants
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8))
_EPOCH = dt.datetime(1970, 1, 1)
#: words that ask for fairs rather than for posts, longest first so 现场招聘会 goes whole
FAIR_WORDS = ("现场招聘会", "网络招聘会", "专场招聘会", "招聘会", "现场招聘", "网络招聘", "专场招聘", "双选会",
              "人才交流会", "招聘大会", "招聘活动", "招聘集市", "专场")


def fair_is_searchable(fair: JobFair, today: dt.date | None = None) -> bool:
    """Shown to the public (not a draft, not cancelled or over) and not yet past."""
    today = today or dt.date.today()
    return fair.status in SEARCHABLE_STATUSES and fair.date >= today


def fair_version(fair: JobFair) -> int:
    """The document version: the row's last change in microseconds (every change of a fair's own
    columns moves ``updated_at``), so a late stale write never wins over a newer one."""
    stamp = fair.updated_at or fair.created_at
    if stamp is None:
        return 1
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return max(1, (stamp - _EPOCH) // dt.timedelta(microseconds=1))


def starts_ts(day: dt.date, start_time: str = "00:00") -> float:
    """The fair's start as seconds since the epoch (its date and time read as local time)."""
    try:
        hour, minute = (int(x) for x in (start_time or "00:00").split(":", 1))
    except ValueError:
        hour, minute = 0, 0
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).timestamp()


def split_fair_words(text: str) -> tuple[bool, str]:
    """(whether the words ask for fairs, the words left when those are taken out): "毕业生招聘会"
    asks for fairs about 毕业生; the posts are searched with 毕业生 alone."""
    asked = False
    for word in FAIR_WORDS:
        if word in text:
            asked = True
            text = text.replace(word, " ")
    return asked, " ".join(text.split())


@dataclass(frozen=True)
class FairHit:
    fair: JobFair
    distance_km: float | None = None


@dataclass
class FairResults:
    total: int = 0
    items: list[FairHit] = field(default_factory=list)


def fair_query(text: str = "", region_code: str | None = None, geo: GeoRadius | None = None, page: int = 1,
               size: int = 3, today: dt.date | None = None) -> SearchQuery:
    """Upcoming fairs matching every word (title, theme, target groups, kind, venue, place), in the
    region, within the radius; nearest first when a place is given, else soonest first."""
    today = today or dt.date.today()
    filters: list = [Range("starts_ts", gte=starts_ts(today))]
    if region_code:
        filters.append(Terms("region_path", (region_code,)))
    return SearchQuery(text=text, filters=tuple(filters), geo=geo, sort="distance" if geo else "soonest",
                       page=page, size=size, highlight=False)


def find_fairs(session: Session, backend: SearchBackend, query: SearchQuery,
               today: dt.date | None = None) -> FairResults:
    """The engine's hits as fairs, in its order; a fair no longer shown since it was indexed is left
    out (the relay catches up). Raises ``SearchError`` when the engine fails."""
    result = backend.search(COLLECTION, query)
    rows = {f.id: f for f in session.scalars(select(JobFair).where(JobFair.id.in_(result.ids)))} if result.ids else {}
    items = [FairHit(rows[h.id], h.distance_km) for h in result.hits
             if h.id in rows and fair_is_searchable(rows[h.id], today)]
    gone = len(result.hits) - len(items)
    return FairResults(total=max(0, result.total - gone), items=items)
