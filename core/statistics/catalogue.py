"""The shortage-occupation catalogue (急需紧缺职业（工种）目录): computed from the thresholds (the rules
are configuration), proposed as a draft, edited by staff, published as a numbered version that never
changes afterwards. The latest published version is the one search shows as 紧缺."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from core.enums import PostingStatus
from core.errors import DomainError, NotFound
from core.postings.models import Posting
from core.projects.models import LabourDemand
from core.reference.services import occupation_directory

from .models import ShortageCatalogue, ShortageEntry
from .queries import Filters, Period, narrowed, supply_demand

DEFAULT_RULES = {"ratio": 1.5, "quarters": 2, "min_demand": 5, "projects": True}
REASONS = {"ratio": "求人倍率持续偏高", "project": "重大项目用工未满足", "staff": "人工补充"}


class CatalogueError(DomainError):
    pass


def rules_from(config: dict | None) -> dict:
    """The thresholds: the defaults, overridden by configuration (``STATS_SHORTAGE_RULES``)."""
    rules = dict(DEFAULT_RULES)
    for key, value in (config or {}).items():
        if key in rules:
            rules[key] = type(DEFAULT_RULES[key])(value)
    return rules


@dataclass
class Candidate:
    occupation_code: str
    reason: str
    demand: int
    supply: int
    ratio: float | None
    note: str = ""


def ratio_candidates(session: Session, period: Period, rules: dict, filters: Filters) -> list[Candidate]:
    """Detailed occupations whose 求人倍率 reached the threshold in each of the last ``quarters``
    quarters (ending with ``period``) with at least ``min_demand`` people wanted each quarter; no
    jobseeker at all counts as reaching it."""
    detail = narrowed(filters, occupation_depth=4)
    periods = [period]
    while len(periods) < max(1, int(rules["quarters"])):
        periods.insert(0, periods[0].previous())
    tables = [{r.key: r for r in supply_demand(session, p, detail, "occupation").rows} for p in periods]
    out = []
    for code, row in tables[-1].items():
        if not code:
            continue
        rows = [t.get(code) for t in tables]
        if all(r is not None and (r.demand or 0) >= rules["min_demand"]
               and (r.ratio is None or r.ratio >= rules["ratio"]) for r in rows):
            out.append(Candidate(code, "ratio", row.demand or 0, row.supply or 0, row.ratio,
                                 "、".join(f"{p.label} {_ratio_text(r)}" for p, r in zip(periods, rows))))
    return out


def _ratio_text(row) -> str:
    return "无人求职" if row.ratio is None else f"{row.ratio:.2f}"


def project_candidates(session: Session, today: dt.date, jurisdiction: str | None) -> list[Candidate]:
    """Occupations of major-project demand lines past their needed-by date (start date) whose posting
    is not filled."""
    stmt = (select(LabourDemand, Posting).outerjoin(Posting, Posting.id == LabourDemand.posting_id)
            .where(LabourDemand.start_date.is_not(None), LabourDemand.start_date < today))
    if jurisdiction is not None:
        stmt = stmt.where(LabourDemand.region_code.like(f"{jurisdiction}%"))
    occupations = occupation_directory(session)
    found: dict[str, Candidate] = {}
    for line, posting in session.execute(stmt).all():
        if posting is not None and posting.status == PostingStatus.FILLED:
            continue
        code = posting.occupation_code if posting is not None else None
        if not code and line.occupation_text:
            match = occupations.resolve(line.occupation_text)
            code = match.occupation.code if match else None
        if not code or len(code) != 10:
            continue
        c = found.setdefault(code, Candidate(code, "project", 0, 0, None, ""))
        c.demand += line.headcount or 1
        c.note = f"{c.note}、{line.title}（{line.start_date}前到岗）".lstrip("、")[:290]
    return list(found.values())


def compute_draft(session: Session, period: Period, rules: dict, filters: Filters, actor_id: int | None,
                  today: dt.date | None = None) -> ShortageCatalogue:
    """A new draft from the rules (an earlier unpublished draft is replaced)."""
    if "Q" not in period.key:
        raise CatalogueError("invalid_period", "目录按季度测算，请选择某一季度", "period")
    for old in session.scalars(select(ShortageCatalogue).where(ShortageCatalogue.state == "draft")):
        session.delete(old)
    session.flush()
    draft = ShortageCatalogue(state="draft", period=period.key, region_code=filters.region, rules=dict(rules),
                              created_by_id=actor_id)
    seen: dict[str, ShortageEntry] = {}
    candidates = ratio_candidates(session, period, rules, filters)
    if rules.get("projects"):
        candidates += project_candidates(session, today or utcnow().date(), filters.jurisdiction)
    for c in candidates:
        if c.occupation_code in seen:
            seen[c.occupation_code].note = (seen[c.occupation_code].note + "；" + REASONS[c.reason])[:300]
            continue
        seen[c.occupation_code] = ShortageEntry(occupation_code=c.occupation_code, reason=c.reason, demand=c.demand,
                                                supply=c.supply, ratio=c.ratio, note=c.note[:300])
    draft.entries = list(seen.values())
    session.add(draft)
    session.flush()
    return draft


def current_draft(session: Session) -> ShortageCatalogue | None:
    return session.scalar(select(ShortageCatalogue).where(ShortageCatalogue.state == "draft")
                          .options(selectinload(ShortageCatalogue.entries)).order_by(ShortageCatalogue.id.desc()))


def _draft(session: Session) -> ShortageCatalogue:
    draft = current_draft(session)
    if draft is None:
        raise NotFound("目录草稿", "没有待发布的目录草稿，请先测算")
    return draft


def add_entry(session: Session, occupation: str, note: str) -> ShortageEntry:
    """Staff add an occupation to the draft: a detailed occupation of the classification, by its code
    or its name (焊工, or an everyday name such as 电焊工)."""
    draft = _draft(session)
    directory = occupation_directory(session)
    ref = directory.get(occupation.strip())
    if ref is None and occupation.strip():
        match = directory.resolve(occupation)
        ref = match.occupation if match else None
    if ref is None or ref.level != 4:
        raise CatalogueError("invalid_occupation", "没有找到这个职业，请从提示中选择一个具体职业", "occupation")
    if any(e.occupation_code == ref.code for e in draft.entries):
        raise CatalogueError("duplicate_occupation", f"{ref.name} 已在目录草稿中", "occupation")
    entry = ShortageEntry(occupation_code=ref.code, reason="staff", note=(note or "").strip()[:300])
    draft.entries.append(entry)
    session.flush()
    return entry


def remove_entry(session: Session, entry_id: int) -> None:
    draft = _draft(session)
    entry = next((e for e in draft.entries if e.id == entry_id), None)
    if entry is None:
        raise NotFound("目录条目")
    draft.entries.remove(entry)
    session.flush()


def publish_draft(session: Session, actor_id: int | None, note: str = "") -> ShortageCatalogue:
    """Publish the draft as the next numbered version."""
    draft = _draft(session)
    if not draft.entries:
        raise CatalogueError("empty_catalogue", "目录草稿中没有职业，不能发布", None)
    draft.version = (session.scalar(select(func.max(ShortageCatalogue.version))) or 0) + 1
    draft.state, draft.published_at, draft.published_by_id = "published", utcnow(), actor_id
    draft.note = (note or "").strip()[:2000]
    session.flush()
    return draft


def published(session: Session, version: int | None = None) -> ShortageCatalogue | None:
    """A published version (default: the latest)."""
    stmt = select(ShortageCatalogue).where(ShortageCatalogue.state == "published") \
        .options(selectinload(ShortageCatalogue.entries))
    if version is not None:
        return session.scalar(stmt.where(ShortageCatalogue.version == version))
    return session.scalar(stmt.order_by(ShortageCatalogue.version.desc()).limit(1))


def history(session: Session) -> list[ShortageCatalogue]:
    return list(session.scalars(select(ShortageCatalogue).where(ShortageCatalogue.state == "published")
                                .order_by(ShortageCatalogue.version.desc())))


def shortage_codes(session: Session) -> frozenset[str]:
    """The detailed occupation codes of the latest published version (what search tags 紧缺)."""
    latest = session.scalar(select(func.max(ShortageCatalogue.version)))
    if latest is None:
        return frozenset()
    return frozenset(session.scalars(select(ShortageEntry.occupation_code).join(ShortageCatalogue)
                                     .where(ShortageCatalogue.version == latest)))


def catalogue_json(cat: ShortageCatalogue) -> dict:
    occupations = occupation_directory()
    return {
        "version": cat.version, "period": cat.period, "region_code": cat.region_code,
        "published_at": cat.published_at.isoformat() + "Z" if cat.published_at else None,
        "rules": cat.rules,
        "entries": [{"occupation_code": e.occupation_code,
                     "occupation": (occupations.get(e.occupation_code).name
                                    if occupations.get(e.occupation_code) else None),
                     "reason": e.reason, "demand": e.demand, "supply": e.supply, "ratio": e.ratio, "note": e.note}
                    for e in cat.entries],
    }
