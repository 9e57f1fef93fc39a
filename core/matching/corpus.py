"""What the in-domain encoder learns from, read from the postings JobLink holds: every published or
held posting as matching's plain ``CorpusPosting``, and the occupational classification as its
``Occupation`` records. ``joblink matcher train`` hands these to ``matching.training``; the raw
channel formats were read once, by intake's adapters, and are not parsed again here."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.enums import PostingStatus
from core.postings.models import Posting
from core.reference.models import Occupation as OccupationRow
from core.reference.services import region_directory
from matching.corpus import CorpusPosting, Occupation

_BATCH = 2000
_LEARNED_FROM = (PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW)
# The city-level rows under a municipality (北京市 > 市辖区 > 东城区) are placeholders, not city names.
_MUNICIPAL_PLACEHOLDERS = {"市辖区", "县"}


def training_postings(session: Session, *, limit: int | None = None) -> Iterator[CorpusPosting]:
    """The published postings and those waiting for review, oldest first (``limit``: at most that many).

    Held postings are real channel text too, and most of the channels' postings wait for review since
    the January 2026 notice's required elements (headcount, job content) are missing from their data:
    learning from published ones only left a demo model a tenth of the size. Only a published posting
    lends its occupation as a category: its code was either sure enough for intake or set by a
    reviewer, while a held one's may be the uncertain guess it was held for."""
    regions = region_directory(session)
    stmt = (
        select(Posting.id, Posting.title, Posting.description, Posting.skills, Posting.region_code, Posting.lat,
               Posting.lon, Posting.pay_monthly_min, Posting.pay_monthly_max, Posting.education,
               Posting.experience_years, OccupationRow.name, Channel.code, Posting.status)
        .outerjoin(OccupationRow, OccupationRow.code == Posting.occupation_code)
        .outerjoin(Channel, Channel.id == Posting.channel_id)
        .where(Posting.status.in_(_LEARNED_FROM))
        .order_by(Posting.id)
        .execution_options(yield_per=_BATCH)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    for (pid, title, description, skills, region_code, lat, lon, pay_min, pay_max, education, experience,
         occupation, channel, status) in session.execute(stmt):
        city, district = _city_and_district(regions, region_code)
        yield CorpusPosting(
            id=f"posting-{pid}", title=title or "", description=description or "", category=(occupation or "") if status == PostingStatus.PUBLISHED else "",
            skills=list(skills or []), city=city, district=district, lat=lat, lon=lon, pay_min=pay_min,
            pay_max=pay_max, education=getattr(education, "value", education) or "",
            experience="" if experience is None else str(experience), source=channel or "",
        )


def training_occupations(session: Session) -> list[Occupation]:
    """Every node of the occupational classification (职业分类大典), all four levels."""
    rows = session.execute(select(OccupationRow.code, OccupationRow.name, OccupationRow.level).order_by(OccupationRow.code))
    return [Occupation(code, name, int(level or 0)) for code, name, level in rows]


def _city_and_district(regions, region_code: str | None) -> tuple[str, str]:
    """The short name of the city a region code lies in (a municipality's own name: 北京, 上海) and the
    county's name."""
    chain = regions.ancestors(region_code) if region_code else []
    city = next((r.short_name for r in chain if r.level == 2 and r.name not in _MUNICIPAL_PLACEHOLDERS), "")
    if not city and chain and chain[0].name.endswith("市"):
        city = chain[0].short_name
    district = next((r.name for r in chain if r.level == 3), "")
    return city, district
