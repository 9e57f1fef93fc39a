"""What a list of postings shows (search results, typeahead): a small read model loaded with two plain
queries instead of whole ORM objects.

A result page shows 20 postings; loading them as ``Posting`` objects with their enterprise, region,
occupation and every channel record (raw payloads included) cost about half of a search request's
CPU. A card carries only the fields the list and the JSON API show, under the same attribute names
as ``Posting`` (``format_pay``, ``badge_current`` and ``source_links`` read it unchanged).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
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


@dataclass
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


def published_cards(session: Session, ids: list[int]) -> dict[int, PostingCard]:
    """Cards of the published postings among ``ids`` (withdrawn ones are left out), by id."""
    if not ids:
        return {}
    cards: dict[int, PostingCard] = {}
    n = len(_NAMES)
    for row in session.connection().execute(_CARDS, {"ids": list(ids)}):
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
