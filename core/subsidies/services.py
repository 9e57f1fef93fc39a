"""The one subsidy service. Hiring-subsidy hints: which of a person's priority groups may bring the
enterprise a subsidy if it hires them for a posting, in the enterprise's words. Training claims: the
subsidies a person's completed training gives rise to (职业培训补贴, 职业技能评价补贴), filed as claims
that name their rule. Both sets of rules are data in one file (``data/subsidies/rules.json``: ``rules``
and ``claim_rules``); the hint rules are kept in the database once an administrator edits one."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import EmploymentType, PriorityGroup
from core.errors import DomainError, NotFound

from .models import SubsidyClaim, SubsidyRule

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "subsidies" / "rules.json"
HINT_MAX = 500


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    groups: tuple[str, ...]
    hint: str
    employment_types: tuple[str, ...] = ()
    source: str = ""
    active: bool = True


@dataclass(frozen=True)
class SubsidyHint:
    code: str
    name: str
    text: str
    groups: list[str] = field(default_factory=list)  # the person's groups the hint is about


def shipped_rules(path: Path = RULES_FILE) -> list[Rule]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Rule(code=r["code"], name=r["name"], groups=tuple(r["groups"]), hint=r["hint"],
                 employment_types=tuple(r.get("employment_types") or ()), source=r.get("source", ""),
                 active=bool(r.get("active", True))) for r in data["rules"]]


def _as_rule(row: SubsidyRule) -> Rule:
    return Rule(code=row.code, name=row.name, groups=tuple(row.groups or ()), hint=row.hint,
                employment_types=tuple(row.employment_types or ()), source=row.source or "", active=row.active)


def current_rules(session: Session) -> list[Rule]:
    """The rules in force: the administrator's once edited, else the shipped ones."""
    rows = session.scalars(select(SubsidyRule).order_by(SubsidyRule.position, SubsidyRule.id)).all()
    return [_as_rule(r) for r in rows] if rows else shipped_rules()


def hints_for(rules: Iterable[Rule], groups: Iterable[str], posting=None) -> list[SubsidyHint]:
    """The hints for hiring a person of ``groups`` (PriorityGroup values, verified ones for a person)
    to ``posting`` (its employment type narrows the rules that need one; None: any)."""
    groups = [str(g) for g in groups]
    kind = str(posting.employment_type) if posting is not None and posting.employment_type else None
    hints = []
    for rule in rules:
        if not rule.active or (rule.employment_types and kind is not None and kind not in rule.employment_types):
            continue
        mine = [g for g in groups if g in rule.groups]
        if mine:
            hints.append(SubsidyHint(rule.code, rule.name, rule.hint, mine))
    return hints


def posting_hints(rules: Iterable[Rule], posting) -> list[SubsidyHint]:
    """The hints for a posting whatever person it hires: those of its target groups, else of every
    group a rule names."""
    rules = list(rules)
    groups = list(posting.target_groups or []) or [g for r in rules for g in r.groups]
    return hints_for(rules, dict.fromkeys(groups), posting)


def _materialise(session: Session) -> None:
    """Copy the shipped rules into the database (the first edit keeps them all from then on)."""
    if session.scalar(select(func.count()).select_from(SubsidyRule)):
        return
    for n, r in enumerate(shipped_rules()):
        session.add(SubsidyRule(code=r.code, name=r.name, groups=list(r.groups),
                                employment_types=list(r.employment_types), hint=r.hint, source=r.source,
                                active=r.active, position=n))
    session.flush()


def _clean(name: str, groups: list[str], employment_types: list[str], hint: str, source: str) -> dict:
    name, hint, source = (name or "").strip(), (hint or "").strip(), (source or "").strip()
    if not name or len(name) > 100:
        raise DomainError("invalid_name", "请填写补贴名称（不超过100个字）", "name")
    if not hint or len(hint) > HINT_MAX:
        raise DomainError("invalid_hint", f"请填写给用人单位看的提示（不超过{HINT_MAX}个字）", "hint")
    valid_groups = {g.value for g in PriorityGroup}
    groups = [g for g in dict.fromkeys(groups) if g]
    if not groups or any(g not in valid_groups for g in groups):
        raise DomainError("invalid_groups", "请至少选择一类重点群体", "groups")
    valid_kinds = {t.value for t in EmploymentType}
    employment_types = [t for t in dict.fromkeys(employment_types) if t]
    if any(t not in valid_kinds for t in employment_types):
        raise DomainError("invalid_employment_types", "用工形式选项无效", "employment_types")
    return {"name": name, "groups": groups, "employment_types": employment_types, "hint": hint,
            "source": source[:1000]}


def save_rule(
    session: Session, *, code: str | None, name: str, groups: list[str], hint: str, employment_types: list[str] = (),
    source: str = "", active: bool = True, by_user_id: int | None = None,
) -> SubsidyRule:
    """Edit a rule (``code``) or add one (``code`` None). The caller records who in the audit trail."""
    values = _clean(name, list(groups), list(employment_types), hint, source)
    _materialise(session)
    if code:
        row = session.scalar(select(SubsidyRule).where(SubsidyRule.code == code))
        if row is None:
            raise NotFound("该补贴规则")
    else:
        position = session.scalar(select(func.max(SubsidyRule.position))) or 0
        row = SubsidyRule(code=_new_code(session), position=position + 1)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.active = bool(active)
    row.updated_by_user_id = by_user_id
    session.flush()
    return row


def _new_code(session: Session) -> str:
    n = session.scalar(select(func.count()).select_from(SubsidyRule)) or 0
    while session.scalar(select(SubsidyRule.id).where(SubsidyRule.code == f"local_{n + 1}")):
        n += 1
    return f"local_{n + 1}"


def rule_rows(session: Session) -> list[tuple[Rule, bool]]:
    """Every rule for the admin page, with whether it is the administrator's (True) or shipped."""
    rows = session.scalars(select(SubsidyRule).order_by(SubsidyRule.position, SubsidyRule.id)).all()
    if rows:
        return [(_as_rule(r), True) for r in rows]
    return [(r, False) for r in shipped_rules()]


# --- training claims (rules in the same file, ``claim_rules``) -----------------------------------

CLAIM_STATUS = {"pending": "待审核"}


@dataclass(frozen=True)
class ClaimRule:
    code: str
    kind: str                     # training | assessment
    name: str
    requires_subsidy_eligible: bool = False
    requires_certificate: bool = False
    min_attendance: float = 0.0   # share of the course's sessions attended
    per_hour: float | None = None
    cap: float | None = None
    amount: float | None = None


@lru_cache(maxsize=4)
def claim_rules(path: Path = RULES_FILE) -> tuple[ClaimRule, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(ClaimRule(**r) for r in data["claim_rules"])


def claim_rule_names() -> dict[str, str]:
    return {r.code: r.name for r in claim_rules()}


def claim_amount(rule: ClaimRule, *, subsidy_eligible: bool, certificate: str, sessions_attended: int,
                 sessions: int, hours: int) -> float | None:
    """What ``rule`` grants a completion (None: it does not apply)."""
    if rule.requires_subsidy_eligible and not subsidy_eligible:
        return None
    if rule.requires_certificate and not certificate:
        return None
    if sessions_attended < rule.min_attendance * sessions:
        return None
    if rule.per_hour is not None:
        return float(min(rule.per_hour * hours, rule.cap if rule.cap is not None else float("inf")))
    return float(rule.amount or 0)


def file_training_claims(session: Session, enrolment, course) -> list[SubsidyClaim]:
    """The claims a completed enrolment gives rise to, one per claim rule that applies. The caller commits."""
    claims = []
    for rule in claim_rules():
        amount = claim_amount(rule, subsidy_eligible=course.subsidy_eligible, certificate=enrolment.certificate,
                              sessions_attended=enrolment.sessions_attended or 0, sessions=course.sessions,
                              hours=course.hours)
        if amount is not None:
            claims.append(SubsidyClaim(enrolment_id=enrolment.id, kind=rule.kind, rule=rule.code, amount=amount))
    session.add_all(claims)
    session.flush()
    return claims


def claims_by_enrolment(session: Session, enrolment_ids: list[int]) -> dict[int, list[SubsidyClaim]]:
    out: dict[int, list[SubsidyClaim]] = {}
    if enrolment_ids:
        for c in session.scalars(select(SubsidyClaim).where(SubsidyClaim.enrolment_id.in_(enrolment_ids))
                                 .order_by(SubsidyClaim.id)):
            out.setdefault(c.enrolment_id, []).append(c)
    return out


@dataclass(frozen=True)
class ClaimRow:
    id: int
    created_at: dt.datetime
    person: str
    course: str
    rule: str
    amount: float
    status: str


def claim_rows(session: Session, limit: int = 500) -> list[ClaimRow]:
    """The newest claims for the admin page: who, which course, which rule, how much, where it stands."""
    from core.projects.models import TrainingCourse, TrainingEnrolment
    from core.seekers.models import Jobseeker

    names = claim_rule_names()
    stmt = (select(SubsidyClaim, Jobseeker.name, TrainingCourse.name)
            .join(TrainingEnrolment, TrainingEnrolment.id == SubsidyClaim.enrolment_id)
            .join(TrainingCourse, TrainingCourse.id == TrainingEnrolment.course_id)
            .join(Jobseeker, Jobseeker.id == TrainingEnrolment.jobseeker_id)
            .order_by(SubsidyClaim.created_at.desc(), SubsidyClaim.id.desc()).limit(limit))
    return [ClaimRow(c.id, c.created_at, person or "", course, names.get(c.rule, "补贴"), c.amount,
                     CLAIM_STATUS.get(c.status, "待审核")) for c, person, course in session.execute(stmt)]
