"""Plain data the matcher works on: profiles in, ranked items and policy reports out.

These are deliberately not ORM objects: ``core`` converts its rows into these, so the matcher
stays a pure library that can be tested and benchmarked without a database.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields

import numpy as np

# Same stable values as core.enums.Education, lowest first (matching imports nothing of the project).
EDUCATION_ORDER = ("none", "primary", "junior", "senior", "associate", "bachelor", "master", "doctor")

GROUP_LABELS = {
    "graduate": "高校毕业生", "veteran": "退役军人", "migrant_worker": "农民工", "land_lost_farmer": "被征地农民",
    "laid_off": "失业/去产能职工", "hard_to_employ": "就业困难人员", "disabled": "残疾人",
    "poverty_alleviated": "脱贫劳动力", "zero_employment_household": "零就业家庭成员",
}


def education_rank(value: str | None) -> int:
    try:
        return EDUCATION_ORDER.index(value or "none")
    except ValueError:
        return 0


@dataclass(slots=True)
class SeekerProfile:
    id: int | str
    desired_titles: list[str] = field(default_factory=list)
    desired_occupations: list[str] = field(default_factory=list)  # occupation codes, e.g. 6-31-01-03
    region_code: str | None = None  # 6-digit administrative code where the person lives
    desired_regions: list[str] = field(default_factory=list)  # region codes (2, 4 or 6 digits) they'd work in
    lat: float | None = None
    lon: float | None = None
    max_commute_km: float | None = None  # None = the filter's default radius
    education: str = "none"
    experience_years: int = 0
    skills: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    expected_pay_min: float | None = None  # monthly, yuan
    availability: str = "immediate"  # immediate | within_month | employed_open | unavailable
    groups: list[str] = field(default_factory=list)  # verified priority groups (PriorityGroup values)
    birth_date: dt.date | None = None
    graduation_year: int | None = None
    consent_recommendation: bool = False
    summary: str = ""
    embedding: np.ndarray | None = None
    # occupation code -> the person's own words it was read from ("仓库管理员", "会开叉车"): the
    # reasons shown to the person quote them instead of the code
    occupation_words: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PostingProfile:
    id: int | str
    title: str
    description: str = ""
    occupation_code: str | None = None
    occupation_name: str = ""
    region_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    pay_min: float | None = None  # monthly equivalent, yuan
    pay_max: float | None = None
    education: str = "none"  # minimum required
    experience_years: int | None = None  # minimum years; None = 不限
    skills: list[str] = field(default_factory=list)
    employment_type: str = "full_time"  # full_time | part_time | gig | internship
    target_groups: list[str] = field(default_factory=list)
    embedding: np.ndarray | None = None
    # its occupation is in the latest published shortage catalogue (急需紧缺职业目录); core sets it
    shortage: bool = False


@dataclass(slots=True)
class GroupPolicy:
    """A post's or programme's representation target: each group at least ``share`` of every prefix."""

    shares: dict[str, float]  # PriorityGroup value -> minimum share p in (0, 1]
    name: str = ""  # e.g. "高校毕业生专场"

    def __post_init__(self):
        for group, p in self.shares.items():
            if not 0 < p <= 1:
                raise ValueError(f"share for {group} must be in (0, 1], got {p}")


@dataclass(slots=True)
class GroupOutcome:
    group: str
    share: float
    in_pool: int  # qualified candidates of this group in the whole filtered pool
    required: int  # floor(p * k)
    achieved: int  # members in the returned top k
    met: bool
    note: str = ""


@dataclass(slots=True)
class PolicyReport:
    applied: bool
    name: str
    k: int
    outcomes: list[GroupOutcome] = field(default_factory=list)
    moved: int = 0  # items whose rank differs from pure relevance order
    prefix_violations: list[tuple[str, int]] = field(default_factory=list)  # (group, prefix i) left short
    summary: str = ""


@dataclass(slots=True)
class RankedItem:
    id: int | str
    rank: int  # 1-based, after the policy
    relevance_rank: int  # 1-based, by score alone
    score: float
    features: dict[str, float]
    groups: list[str]
    explanation: list[str]  # Chinese sentences, one per aspect
    policy_effect: str = ""

    @property
    def explanation_text(self) -> str:
        return "；".join(self.explanation)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "rank": self.rank, "relevance_rank": self.relevance_rank, "score": round(self.score, 4),
            "features": {k: round(v, 4) for k, v in self.features.items()}, "groups": list(self.groups),
            "explanation": self.explanation_text, "explanation_items": list(self.explanation),
            "policy_effect": self.policy_effect,
        }


@dataclass(slots=True)
class RankedList:
    direction: str  # "seekers_for_posting" | "postings_for_seeker"
    subject_id: int | str
    items: list[RankedItem]
    policy: PolicyReport | None
    weights: dict[str, float]
    model_version: str
    candidates_considered: int
    filtered_out: dict[str, int]  # reason -> count
    search: str  # "exact" | "ann" | "none"

    def to_dict(self) -> dict:
        return {
            "direction": self.direction, "subject_id": self.subject_id,
            "items": [i.to_dict() for i in self.items],
            "policy": asdict(self.policy) if self.policy else None,
            "weights": dict(self.weights), "model_version": self.model_version,
            "candidates_considered": self.candidates_considered, "filtered_out": dict(self.filtered_out),
            "search": self.search,
        }


@dataclass(slots=True)
class MatchWeights:
    """Weights of the transparent score (they need not sum to 1: the score divides by their sum)."""

    semantic: float = 0.35
    occupation: float = 0.20
    skills: float = 0.15
    education_experience: float = 0.10
    pay: float = 0.10
    distance: float = 0.10
    # A posting of a published shortage occupation gains at most 0.05 / 1.05 ≈ 0.048 of score: enough
    # to put it ahead of an otherwise equal post, never ahead of a clearly better fit (one occupation
    # level, 0.3 × 0.20 = 0.06, outweighs it). 0 switches it off.
    shortage: float = 0.05

    @classmethod
    def from_config(cls, value: str | dict | None) -> MatchWeights:
        """From a dict or a JSON string (e.g. the MATCHER_WEIGHTS setting); unknown keys are an error."""
        if not value:
            return cls()
        data = json.loads(value) if isinstance(value, str) else dict(value)
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown matcher weights: {sorted(unknown)}")
        weights = cls(**{k: float(v) for k, v in data.items()})
        if any(v < 0 for v in weights.as_dict().values()) or sum(weights.as_dict().values()) <= 0:
            raise ValueError("matcher weights must be non-negative and not all zero")
        return weights

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
