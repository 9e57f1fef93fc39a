"""Turning database rows into search documents, and documents into analysed form.

``posting_document`` is the one place that decides what of a ``Posting`` is searchable;
``analyse`` applies the shared analyser, so every backend indexes exactly the same tokens.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from core.search import COLLECTIONS, CollectionSpec, Document, check_point
from indexer.search.analyzer import Analyzer, default_analyzer
from indexer.search.columnar import AnalysedDoc

#: The index keeps the start of a description: it carries the job; the tail is mostly boilerplate.
DESCRIPTION_CHARS = 600

EDUCATION_ORDER = ["none", "primary", "junior", "senior", "associate", "bachelor", "master", "doctor"]


def region_path(code: str | None) -> list[str]:
    """``440306`` -> province ``440000``, city ``440300``, county ``440306`` (GB/T 2260 levels)."""
    if not code or len(code) != 6 or not code.isdigit():
        return []
    path = [code[:2] + "0000"]
    if code[2:4] != "00":
        path.append(code[:4] + "00")
    if code[4:] != "00":
        path.append(code)
    return path


def occupation_path(code: str | None) -> list[str]:
    """``6-18-02-04`` -> ``6``, ``6-18``, ``6-18-02``, ``6-18-02-04``."""
    if not code:
        return []
    parts = code.split("-")
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def _ts(value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _val(v) -> str | None:
    return None if v is None else str(getattr(v, "value", v))


def posting_document(posting, channel_kind: str | None = None, vector: list[float] | None = None) -> Document:
    """The search document of a ``core.postings.models.Posting`` row (relationships loaded);
    ``channel_kind`` is the kind of the channel it came from (the "1+1+N" facet)."""
    enterprise = getattr(posting, "enterprise", None)
    region = getattr(posting, "region", None)
    occupation = getattr(posting, "occupation", None)
    enterprise_name = getattr(enterprise, "name", "") or ""
    body_parts = [
        (posting.description or "")[:DESCRIPTION_CHARS],
        getattr(occupation, "name", "") or "",
        enterprise_name,
        getattr(region, "full_name", "") or "",
        posting.address or "",
        " ".join(posting.skills or []),
        " ".join(posting.welfare_tags or []),
    ]
    education = _val(posting.education) or "none"
    location = None
    if posting.lat is not None and posting.lon is not None:
        location = {"lat": float(posting.lat), "lon": float(posting.lon)}
    doc: Document = {
        "id": int(posting.id),
        "version": int(posting.version or 1),
        "title": posting.title or "",
        "body": "\n".join(p for p in body_parts if p),
        "region_path": region_path(posting.region_code),
        "occupation_path": occupation_path(posting.occupation_code),
        "employment_type": _val(posting.employment_type),
        "education": education,
        "pay_unit": _val(posting.pay_unit),
        "channel": _val(channel_kind),
        "enterprise_id": str(posting.enterprise_id) if posting.enterprise_id else None,
        "target_groups": list(posting.target_groups or []),
        "pay_monthly_min": posting.pay_monthly_min,
        "pay_monthly_max": posting.pay_monthly_max,
        "pay_min": posting.pay_min,
        "pay_max": posting.pay_max,
        "experience_years": posting.experience_years or 0,  # 不限 = no minimum
        "education_rank": EDUCATION_ORDER.index(education) if education in EDUCATION_ORDER else 0,
        "published_ts": _ts(posting.published_at),
        "location": location,
        "title_text": posting.title or "",
        "description_text": (posting.description or "")[:DESCRIPTION_CHARS],
    }
    if vector is not None:
        doc["vector"] = list(map(float, vector))
    return doc


def seeker_document(seeker, vector: list[float] | None = None) -> Document:
    """The search document of a ``core.seekers.models.Jobseeker`` (no name, phone or ID number:
    the index holds what matching needs and nothing that identifies the person)."""
    education = _val(seeker.education) or "none"
    occupations: list[str] = []
    for code in seeker.desired_occupations or []:
        for c in occupation_path(code):
            if c not in occupations:
                occupations.append(c)
    regions: list[str] = []
    for code in [seeker.region_code, *(seeker.desired_regions or [])]:
        for c in region_path(code):
            if c not in regions:
                regions.append(c)
    location = None
    if seeker.lat is not None and seeker.lon is not None:
        location = {"lat": float(seeker.lat), "lon": float(seeker.lon)}
    doc: Document = {
        "id": int(seeker.id),
        "version": int(seeker.version or 1),
        "title": " ".join(seeker.desired_titles or []),
        "body": "\n".join([" ".join(seeker.skills or []), " ".join(seeker.certificates or []),
                           (seeker.summary or "")[:DESCRIPTION_CHARS]]),
        "region_path": regions,
        "occupation_path": occupations,
        "priority_groups": [_val(g.group) for g in (seeker.groups or [])],
        "availability": _val(seeker.availability),
        "education": education,
        "education_rank": EDUCATION_ORDER.index(education) if education in EDUCATION_ORDER else 0,
        "experience_years": seeker.experience_years,
        "expected_pay_monthly": seeker.expected_pay_min,
        "location": location,
    }
    if vector is not None:
        doc["vector"] = list(map(float, vector))
    return doc


def _as_list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, (list, tuple, set)):
        return [str(x) for x in v if x is not None and x != ""]
    return [str(v)]


def analyse(spec: CollectionSpec | str, doc: Document, analyzer: Analyzer | None = None) -> AnalysedDoc:
    """Validate and analyse one document; raises ``ValueError`` naming the bad field."""
    if isinstance(spec, str):
        spec = COLLECTIONS[spec]
    analyzer = analyzer or default_analyzer()
    try:
        doc_id = int(doc["id"])
        version = int(doc.get("version") or 1)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("id/version: 缺少或无效") from exc
    tokens = {f.name: analyzer.index_tokens(str(doc.get(f.name) or "")) for f in spec.by_kind("text")}
    keywords = {f.name: _as_list(doc.get(f.name)) for f in spec.by_kind("keyword")}
    numbers: dict[str, float | None] = {}
    for f in spec.by_kind("number"):
        v = doc.get(f.name)
        if v is None:
            numbers[f.name] = None
        else:
            try:
                numbers[f.name] = float(v)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{f.name}: 不是数值") from exc
    lat = lon = None
    loc = doc.get("location")
    if loc:
        lat, lon = float(loc["lat"]), float(loc["lon"])
        check_point(lat, lon)
    vector = doc.get("vector")
    return AnalysedDoc(doc_id, version, tokens, keywords, numbers, lat, lon,
                       [float(x) for x in vector] if vector else None)


def stored_fields(spec: CollectionSpec, doc: Document) -> dict[str, Any]:
    return {f.name: doc.get(f.name) for f in spec.by_kind("stored")}
