"""What a list of postings shows (search results, typeahead): a small read model loaded with two plain
queries instead of whole ORM objects.

A result page shows 20 postings; loading them as ``Posting`` objects with their enterprise, region,
occupation and every channel record (raw payloads included) cost about half of a search request's
CPU. A card carries only the fields the list and the JSON API show, under the same attribute names
as ``Posting`` (``format_pay``, ``badge_current`` and ``source_links`` read it unchanged).

The same postings are shown again and again (the first page of 普工 or 司机 in a city), so a process
keeps the cards it read lately (``CardCache``). Each request still asks the database which of its
ids are published now, with a stamp of what a card shows (the posting's version and last change, the
enterprise's name and badge, how many channels carried it): a card is read again when its stamp
changed, and a withdrawn posting drops out at once, as before. Only a region's name (reference data)
can be up to ``max_age_s`` old.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.enterprises.models import Enterprise
from core.enums import Education, EmploymentType, PayUnit, PostingStatus, VerificationStatus
from core.reference.models import Region

from .models import Posting, PostingSource


@dataclass(frozen=True)
class EnterpriseCard:
    id: int
    name: str
    verification_status: VerificationStatus | None
    qualified_at: dt.datetime | None


@dataclass(frozen=True)
class RegionCard:
    code: str
    full_name: str


@dataclass(frozen=True)
class ChannelName:
    name: str


@dataclass(frozen=True)
class SourceCard:
    channel: ChannelName | None
    source_url: str | None


@dataclass(frozen=True)
class PostingCard:
    id: int
    title: str
    enterprise: EnterpriseCard | None
    region: RegionCard | None
    region_code: str | None
    occupation_code: str | None
    pay_text: str | None
    pay_min: float | None
    pay_max: float | None
    pay_unit: PayUnit | None
    pay_monthly_min: float | None
    pay_monthly_max: float | None
    employment_type: EmploymentType | None
    education: Education | None
    experience_years: int | None
    target_groups: list[str]
    welfare_tags: list[str]
    headcount: int | None
    lat: float | None
    lon: float | None
    published_at: dt.datetime | None
    valid_until: dt.date | None
    sources: list[SourceCard] = field(default_factory=list)


_COLUMNS = (
    Posting.id, Posting.title, Posting.region_code, Posting.occupation_code, Posting.pay_text, Posting.pay_min,
    Posting.pay_max, Posting.pay_unit, Posting.pay_monthly_min, Posting.pay_monthly_max, Posting.employment_type,
    Posting.education, Posting.experience_years, Posting.target_groups, Posting.welfare_tags, Posting.headcount,
    Posting.lat, Posting.lon, Posting.published_at, Posting.valid_until,
)
_NAMES = [c.key for c in _COLUMNS]

# Built once (building a statement costs more than running it on 20 ids) and run on the session's
# connection: plain rows, no ORM identity map to fill.
_CARDS = (
    select(*_COLUMNS, Enterprise.id, Enterprise.name, Enterprise.verification_status, Enterprise.qualified_at,
           Region.full_name)
    .outerjoin(Enterprise, Enterprise.id == Posting.enterprise_id)
    .outerjoin(Region, Region.code == Posting.region_code)
    .where(Posting.id.in_(bindparam("ids", expanding=True)), Posting.status == PostingStatus.PUBLISHED)
)
_SOURCES = (
    select(PostingSource.posting_id, Channel.name, PostingSource.source_url)
    .outerjoin(Channel, Channel.id == PostingSource.channel_id)
    .where(PostingSource.posting_id.in_(bindparam("ids", expanding=True)))
    .order_by(PostingSource.id)
)


# What a card shows, stamped: compared as stored (the raw text on SQLite), never parsed.
_STAMPS = (
    select(Posting.id, Posting.version, type_coerce(Posting.updated_at, String), Enterprise.name,
           type_coerce(Enterprise.verification_status, String), type_coerce(Enterprise.qualified_at, String),
           select(func.count(PostingSource.id)).where(PostingSource.posting_id == Posting.id).scalar_subquery())
    .outerjoin(Enterprise, Enterprise.id == Posting.enterprise_id)
    .where(Posting.id.in_(bindparam("ids", expanding=True)), Posting.status == PostingStatus.PUBLISHED)
)


class CardCache:
    """The cards one process read lately (at most ``size``, least recently shown dropped first), each
    with the stamp it was read under. Shared by a process's threads; cards are never changed once made.
    One cache per database: the web app keeps one in ``app.extensions``."""

    def __init__(self, size: int = 4096, max_age_s: float = 300.0):
        self.size, self.max_age_s = size, max_age_s
        self._items: OrderedDict[int, tuple[tuple, float, PostingCard]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def take(self, stamps: dict[int, tuple]) -> tuple[dict[int, PostingCard], list[int]]:
        """The cached cards whose stamp is still ``stamps[id]``, and the ids to read again."""
        found, missing = {}, []
        oldest = time.monotonic() - self.max_age_s
        with self._lock:
            for posting_id, stamp in stamps.items():
                item = self._items.get(posting_id)
                if item is not None and item[0] == stamp and item[1] >= oldest:
                    self._items.move_to_end(posting_id)
                    found[posting_id] = item[2]
                else:
                    missing.append(posting_id)
        return found, missing

    def put(self, stamps: dict[int, tuple], cards: dict[int, PostingCard]) -> None:
        now = time.monotonic()
        with self._lock:
            for posting_id, card in cards.items():
                self._items[posting_id] = (stamps[posting_id], now, card)
                self._items.move_to_end(posting_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def published_cards(session: Session, ids: list[int], cache: CardCache | None = None) -> dict[int, PostingCard]:
    """Cards of the published postings among ``ids`` (withdrawn ones are left out), by id; with a
    ``cache``, only the cards whose stamp changed since it read them are read."""
    if not ids:
        return {}
    if cache is None:
        return _read_cards(session, list(ids))
    stamps = {row[0]: tuple(row[1:]) for row in session.connection().execute(_STAMPS, {"ids": list(ids)})}
    cards, missing = cache.take(stamps)
    if missing:
        fresh = _read_cards(session, missing)
        cache.put({i: stamps[i] for i in fresh}, fresh)
        cards.update(fresh)
    return cards


def _read_cards(session: Session, ids: list[int]) -> dict[int, PostingCard]:
    cards: dict[int, PostingCard] = {}
    n = len(_NAMES)
    for row in session.connection().execute(_CARDS, {"ids": ids}):
        values = dict(zip(_NAMES, row[:n]))
        ent_id, ent_name, ent_status, ent_qualified, region_name = row[n:]
        values["target_groups"] = list(values["target_groups"] or [])
        values["welfare_tags"] = list(values["welfare_tags"] or [])
        cards[values["id"]] = PostingCard(
            **values,
            enterprise=EnterpriseCard(ent_id, ent_name, ent_status, ent_qualified) if ent_id is not None else None,
            region=RegionCard(values["region_code"], region_name) if region_name is not None else None,
        )
    if cards:
        _attach_sources(session, cards)
    return cards


def _attach_sources(session: Session, cards: dict[int, PostingCard]) -> None:
    for posting_id, channel_name, url in session.connection().execute(_SOURCES, {"ids": list(cards)}):
        cards[posting_id].sources.append(SourceCard(ChannelName(channel_name) if channel_name is not None else None, url))
