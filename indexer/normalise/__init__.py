"""Normalisation: a channel's ``PostingDraft`` to a ``NormalisedPosting`` in the platform's codes and units.

Region text to a 6-digit division code with coordinates, title to an occupational code with a
confidence, pay text to min/max/unit and a monthly equivalent, education/experience to enumerations,
headcount ("若干" = unspecified) and dates. Nothing raises: what cannot be read is kept as the
channel wrote it and reported as an ``Issue`` (severity ``hold`` when a reviewer must look).
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from core.enterprises.names import normalize_company_name
from core.enums import Education
from core.reference.services import (
    OccupationDirectory,
    RegionDirectory,
    occupation_directory,
    region_directory,
)
from indexer.drafts import Issue, NormalisedPosting, PostingDraft

from .fields import (
    parse_date,
    parse_datetime,
    parse_education,
    parse_employment_type,
    parse_experience,
    parse_headcount,
    parse_tags,
)
from .occupation import (
    REVIEW_THRESHOLD,
    OccupationClassifier,
    OccupationResult,
    classify_occupation,
    default_classifier,
)
from .pay import PayResult, paid_by_piece, parse_pay, pay_from_numbers, piece_rate, piece_work, stated_rate, to_monthly
from .region import RegionResult, candidates_for, resolve_region

# Postings without a valid-until date stay live this long (the spot-check/expiry job refreshes).
DEFAULT_VALIDITY_DAYS = 60


@dataclass
class NormaliseContext:
    regions: RegionDirectory
    occupations: OccupationDirectory
    classifier: OccupationClassifier
    channel_region_code: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    default_validity_days: int = DEFAULT_VALIDITY_DAYS


def make_context(session=None, channel_region_code: str | None = None, today: dt.date | None = None) -> NormaliseContext:
    """The directories (from the database when a session is given and loaded, else the shipped
    files), the shared occupation classifier, and the channel's region for disambiguation."""
    regions = region_directory(session)
    occupations = occupation_directory(session)
    return NormaliseContext(
        regions=regions, occupations=occupations, classifier=default_classifier(occupations),
        channel_region_code=channel_region_code, today=today or dt.date.today(),
    )


_TAGS = re.compile(r"<[^>]{0,200}>")
_WS = re.compile(r"[ \t\u3000\xa0]+")
_ENTITY = re.compile(r"&(amp|nbsp|lt|gt|quot|#\d+);")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """Trim and collapse whitespace; HTML stays text (it is escaped when rendered), but entity
    escapes some channels double-encode ("&amp;nbsp;") are decoded once."""
    if not text:
        return ""
    t = str(text)
    if "\r" in t:
        t = t.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in t and _ENTITY.search(t):
        t = html.unescape(t)
    # most texts have no run to collapse; finding that with ``in`` is far cheaper than the regex
    if "  " in t or "\t" in t or "\u3000" in t or "\xa0" in t:
        t = _WS.sub(" ", t)
    if "\n\n\n" in t:
        t = _BLANK_LINES.sub("\n\n", t)
    return t.strip()


def _pay(draft: PostingDraft, issues: list[Issue]) -> PayResult:
    """The channel's pay; a day or hour rate the title states ("仓库看守380一天", "270/天") wins over a
    monthly band the channel filled in for it (a search list's "8001-9000" for a 380-a-day gig). A title
    saying the job is paid by the piece ("计件0.5元/件", "普工，计件，食品厂") makes it piece pay: the
    title's rate if any, the channel's monthly band kept as the monthly earnings the posting states."""
    res = _channel_pay(draft, issues)
    if res.unit not in (None, "month"):
        return res
    stated = stated_rate(draft.title)
    if stated is not None and stated.unit in ("day", "hour"):
        stated.text = draft.pay_text or stated.text
        return stated
    if piece_work(draft.title):
        return paid_by_piece(res, piece_rate(draft.title))
    return res


def _channel_pay(draft: PostingDraft, issues: list[Issue]) -> PayResult:
    if draft.pay_min is not None or draft.pay_max is not None:
        try:
            res = pay_from_numbers(
                float(draft.pay_min) if draft.pay_min is not None else None,
                float(draft.pay_max) if draft.pay_max is not None else None,
                draft.pay_unit, draft.pay_months,
            )
        except (TypeError, ValueError):
            issues.append(Issue("pay_unparsable", f"薪资数值无法识别：{draft.pay_min}-{draft.pay_max}", "pay", "hold"))
        else:
            if res.unit == "piece" and draft.pay_text:   # a rate sent as numbers: the monthly figure is the text's
                said = parse_pay(draft.pay_text)
                res.monthly_min, res.monthly_max = (said.monthly_min, said.monthly_max) if said.unit == "piece" else (None, None)
            return res
    res = parse_pay(draft.pay_text, context_unit=draft.pay_unit)
    if res.unparsable:
        issues.append(Issue(
            "pay_unparsable", f"薪资“{draft.pay_text}”无法识别，已保留原文，请人工核对", "pay", "hold",
            evidence=draft.pay_text,
        ))
    if draft.pay_months and not res.months:
        res.months = draft.pay_months
    return res


def _region(draft: PostingDraft, ctx: NormaliseContext, issues: list[Issue]) -> RegionResult:
    if draft.region_code:
        ref = ctx.regions.get(str(draft.region_code).strip())
        if ref:
            lat, lon = (draft.lat, draft.lon) if draft.lat is not None else (ref.lat, ref.lon)
            return RegionResult(text=draft.region_text, status="resolved", code=ref.code, name=ref.full_name,
                                lat=lat, lon=lon, resolved_by="channel")
        issues.append(Issue("region_code_unknown", f"行政区划代码“{draft.region_code}”不存在，改按地区文字识别",
                            "region", "info", evidence=str(draft.region_code)))
    text = draft.region_text or None
    res = resolve_region(text, ctx.channel_region_code, draft.address, ctx.regions)
    if res.status == "unknown":
        if text or draft.address:
            issues.append(Issue("region_unknown", f"无法识别工作地点“{text or draft.address}”", "region", "hold",
                                evidence=text or draft.address))
        else:
            issues.append(Issue("region_missing", "缺少工作地点", "region", "hold"))
    elif res.status == "ambiguous":
        names = "、".join(res.candidate_names[:5])
        issues.append(Issue("region_ambiguous", f"工作地点“{text}”有多个同名地区（{names}），请确认", "region", "hold",
                            evidence=text))
    return res


def _occupation(draft: PostingDraft, title: str, description: str, ctx: NormaliseContext,
                issues: list[Issue]) -> OccupationResult:
    if draft.occupation_code:
        o = ctx.occupations.get(str(draft.occupation_code).strip())
        if o:
            return OccupationResult(o.code, o.name, 1.0, [(o.code, 1.0)], "channel")
        issues.append(Issue("occupation_code_unknown", f"职业代码“{draft.occupation_code}”不在职业分类大典中",
                            "occupation", "info", evidence=str(draft.occupation_code)))
    text = title if not draft.occupation_text else f"{title} {draft.occupation_text}"
    res = ctx.classifier.classify(text, description)
    if res.needs_review:
        sugg = "、".join(
            f"{c} {(ctx.occupations.get(c).name if ctx.occupations.get(c) else '')}" for c, _ in res.suggestions[:3]
        )
        issues.append(Issue(
            "occupation_uncertain",
            f"职业归类把握不足（置信度 {res.confidence:.2f}）" + (f"，候选：{sugg}" if sugg else "，无候选"),
            "occupation", "hold", evidence=title,
        ))
    return res


def normalise(draft: PostingDraft, ctx: NormaliseContext) -> NormalisedPosting:
    issues: list[Issue] = list(draft.issues)
    title = clean_text(draft.title)
    description = clean_text(draft.description)
    if not title:
        issues.append(Issue("missing_title", "缺少岗位名称", "title", "reject"))
    elif len(title) > 200:
        issues.append(Issue("title_too_long", "岗位名称超过200字，已截断", "title", "info"))
        title = title[:200]

    company = clean_text(draft.company_name) or None
    credit_code = (draft.credit_code or "").strip().upper() or None

    region = _region(draft, ctx, issues)
    occ = _occupation(draft, title, description, ctx, issues)
    pay = _pay(draft, issues)

    education = parse_education(draft.education_text)
    if education is None:
        issues.append(Issue("education_unparsable", f"学历要求“{draft.education_text}”无法识别，按不限处理",
                            "education", "info", evidence=draft.education_text))
        education = Education.NONE
    years, ok = parse_experience(draft.experience_text)
    if not ok:
        issues.append(Issue("experience_unparsable", f"经验要求“{draft.experience_text}”无法识别，按不限处理",
                            "experience", "info", evidence=str(draft.experience_text)))
    headcount, ok = parse_headcount(draft.headcount_text)
    if not ok:
        issues.append(Issue("headcount_unparsable", f"招聘人数“{draft.headcount_text}”无法识别，按若干处理",
                            "headcount", "info", evidence=str(draft.headcount_text)))
    employment = parse_employment_type(draft.employment_type, pay.unit, title)

    published = parse_datetime(draft.published_at, ctx.today) if draft.published_at else None
    valid_until = parse_date(draft.valid_until, ctx.today) if draft.valid_until else None
    if valid_until is None:
        base = published.date() if published else ctx.today
        valid_until = max(base, ctx.today) + dt.timedelta(days=ctx.default_validity_days)
    elif valid_until < ctx.today:
        issues.append(Issue("expired", f"有效期 {valid_until} 已过", "valid_until", "hold"))

    lat = draft.lat if draft.lat is not None and region.status == "resolved" else region.lat
    lon = draft.lon if draft.lon is not None and region.status == "resolved" else region.lon

    return NormalisedPosting(
        draft=draft,
        title=title,
        description=description,
        company_name=company,
        company_normalized_name=normalize_company_name(company, ctx.regions) or None,
        credit_code=credit_code,
        region_code=region.code,
        region_candidates=list(region.candidates),
        address=clean_text(draft.address) or None,
        lat=lat,
        lon=lon,
        occupation_code=occ.code,
        occupation_confidence=occ.confidence,
        occupation_suggestions=list(occ.suggestions),
        pay_text=draft.pay_text,
        pay_min=pay.min,
        pay_max=pay.max,
        pay_unit=pay.unit,
        pay_monthly_min=pay.monthly_min,
        pay_monthly_max=pay.monthly_max,
        employment_type=employment.value,
        headcount=headcount,
        education=education.value,
        experience_years=years,
        welfare_tags=parse_tags(draft.welfare),
        skills=parse_tags(draft.skills),
        target_groups=list(draft.target_groups or []),
        published_at=published,
        valid_until=valid_until,
        issues=issues,
    )


__all__ = [
    "NormaliseContext", "make_context", "normalise", "clean_text",
    "parse_pay", "PayResult", "pay_from_numbers", "to_monthly",
    "resolve_region", "RegionResult", "candidates_for",
    "classify_occupation", "OccupationResult", "OccupationClassifier", "default_classifier", "REVIEW_THRESHOLD",
    "parse_education", "parse_experience", "parse_headcount", "parse_employment_type", "parse_date",
    "parse_datetime", "parse_tags", "normalize_company_name",
]
