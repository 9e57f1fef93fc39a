"""The data passed between the pipeline's stages.

Adapters produce ``PostingDraft`` (the channel's record, nothing interpreted yet); the normaliser
turns a draft into a ``NormalisedPosting``; screening's findings become a ``Decision``. Every stage reports
problems as ``Issue`` values (stable code, Chinese message, field) rather than raising, so one bad
record never loses its batch.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class Issue:
    code: str            # stable machine code, e.g. "missing_title", "pay_unparsable", "discrimination_gender"
    message: str         # Chinese, actionable
    field: str | None = None
    severity: Literal["info", "hold", "reject"] = "hold"
    # Character span in the field's text that triggered the issue (for highlighting in review).
    span: tuple[int, int] | None = None
    evidence: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = {"code": self.code, "message": self.message, "severity": self.severity}
        if self.field:
            d["field"] = self.field
        if self.span:
            d["span"] = list(self.span)
        if self.evidence:
            d["evidence"] = self.evidence
        return d


@dataclass
class PostingDraft:
    """One record as a channel sent it, mapped to named fields but not interpreted."""

    channel_code: str
    external_id: str | None
    raw: dict[str, Any]
    record_number: int | None = None     # row in a spreadsheet (1-based, header = row 1) or index in a batch
    source_url: str | None = None
    title: str | None = None
    description: str | None = None
    company_name: str | None = None
    credit_code: str | None = None
    company_industry: str | None = None
    company_size: str | None = None
    region_text: str | None = None       # free text: "山东省临沂市兰山区", "临沂·兰山区", "兰山区"
    region_code: str | None = None       # when the channel already gives a code
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    pay_text: str | None = None          # free text: "8千-1.2万/月", "150元/天", "面议"
    pay_min: float | None = None         # when the channel gives numbers
    pay_max: float | None = None
    pay_unit: str | None = None          # "month" | "day" | "hour" when the channel says
    pay_months: int | None = None        # 13薪 etc.
    employment_type: str | None = None   # free text or enum value
    headcount_text: str | None = None    # "3", "若干"
    education_text: str | None = None
    experience_text: str | None = None
    occupation_text: str | None = None   # the channel's own category, if any
    occupation_code: str | None = None   # when the channel already gives a national code
    welfare: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    contact: str | None = None
    published_at: dt.datetime | None = None
    valid_until: dt.date | None = None
    start_date: dt.date | None = None    # gig work
    duration_text: str | None = None     # gig work: "3天", "2小时"
    licence_number: str | None = None    # HR firm's licence, when carried per record
    closed: bool = False                 # the channel says the posting is closed (filled/withdrawn)
    issues: list[Issue] = field(default_factory=list)  # problems the adapter already found


@dataclass
class NormalisedPosting:
    """A draft interpreted into the platform's codes and units."""

    draft: PostingDraft
    title: str
    description: str
    company_name: str | None
    company_normalized_name: str | None
    credit_code: str | None
    region_code: str | None
    region_candidates: list[str] = field(default_factory=list)  # when ambiguous
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    occupation_code: str | None = None
    occupation_confidence: float | None = None
    occupation_suggestions: list[tuple[str, float]] = field(default_factory=list)
    pay_text: str | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    pay_unit: str | None = None          # PayUnit value
    pay_monthly_min: float | None = None
    pay_monthly_max: float | None = None
    employment_type: str = "full_time"   # EmploymentType value
    headcount: int | None = None         # None = 若干
    education: str = "none"              # Education value
    experience_years: int | None = None
    welfare_tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    valid_until: dt.date | None = None
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Decision:
    """Publish, hold for review or reject, with every reason (``info`` ones too: they are shown, they
    do not hold). Made by ``indexer.intake.decide`` only."""

    outcome: Literal["publish", "hold", "reject"]
    reasons: list[Issue] = field(default_factory=list)
