"""Training and subsidy hints for the shortage catalogue: a jobseeker whose work (what they want to do,
or the posts recommended to them) is in the latest published catalogue is told which open training
courses for it start in their region, what finishing one may bring them, and which hiring subsidies an
employer may claim for taking them on. Reads only; the words are the page's."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.projects import training
from core.projects.models import TrainingCourse, TrainingOrder
from core.reference.services import occupation_directory
from core.seekers.models import Jobseeker
from core.subsidies.services import claim_amount, claim_rules, current_rules, hints_for

from .catalogue import shortage_codes

MAX_OCCUPATIONS = 3  # a short hint: what the person wants to do first, then the posts in rank order


@dataclass(frozen=True)
class CourseHint:
    id: int
    name: str
    start_date: dt.date
    hours: int
    places_left: int
    certificate: str
    subsidies: tuple[str, ...]  # what finishing it may bring the person, in plain words


@dataclass(frozen=True)
class OccupationHint:
    code: str
    name: str
    courses: list[CourseHint] = field(default_factory=list)


@dataclass(frozen=True)
class HiringSubsidy:
    name: str  # 社会保险补贴
    groups: tuple[str, ...]  # the person's verified groups it is about (labels, 就业困难人员)


@dataclass(frozen=True)
class TrainingHints:
    occupations: list[OccupationHint]
    hiring: list[HiringSubsidy]

    def __bool__(self) -> bool:
        return bool(self.occupations)


def training_hints(session: Session, seeker: Jobseeker, today: dt.date | None = None,
                   occupations: Iterable[str] = ()) -> TrainingHints:
    """The hints for ``seeker``: one per detailed occupation of the published catalogue among the
    person's desired occupations and ``occupations`` (those their own words name, the recommended
    posts'), each with the courses for it that have not started, have places left and are held in the
    person's city or a region they would work in. Empty (falsy) when none is in the catalogue."""
    codes = shortage_codes(session)
    wanted = [c for c in dict.fromkeys([*(seeker.desired_occupations or []), *occupations])
              if c and c in codes][:MAX_OCCUPATIONS]
    if not wanted:
        return TrainingHints([], [])
    directory = occupation_directory(session)
    courses = _open_courses_by_occupation(session, directory, _places(seeker), today or dt.date.today())
    found = []
    for code in wanted:
        ref = directory.get(code)
        found.append(OccupationHint(code, ref.name if ref else "", courses.get(code, [])))
    from core.enums import label

    hiring = [HiringSubsidy(h.name, tuple(label(g) for g in h.groups))
              for h in hints_for(current_rules(session), seeker.group_values(verified_only=True))]
    return TrainingHints(found, hiring)


def _places(seeker: Jobseeker) -> list[str]:
    """Region prefixes a course may be held in: the person's city, and each region they would work
    in (a province named means the whole province)."""
    codes = [seeker.region_code, *(seeker.desired_regions or [])]
    return sorted({c[:4] if len(c) >= 4 else c for c in codes if c and c.strip()})


def _open_courses_by_occupation(session: Session, directory, places: list[str],
                                today: dt.date) -> dict[str, list[CourseHint]]:
    """Courses not yet started with places left in ``places``, by the occupation they train for: the
    course's own occupation and those of the orders placed on it, as the classification reads them."""
    if not places:
        return {}
    courses = [c for c in training.open_courses(session, today)
               if c.region_code and any(c.region_code.startswith(p) for p in places)]
    if not courses:
        return {}
    ordered: dict[int, list[str]] = {}
    for course_id, text in session.execute(select(TrainingOrder.course_id, TrainingOrder.occupation_text)
                                           .where(TrainingOrder.course_id.in_([c.id for c in courses]))):
        ordered.setdefault(course_id, []).append(text)
    out: dict[str, list[CourseHint]] = {}
    for course in courses:
        left = course.places - training.taken(session, course.id)
        if left <= 0:
            continue
        hint = CourseHint(course.id, course.name, course.start_date, course.hours, left, course.certificate_name,
                          tuple(course_subsidies(course)))
        for code in _course_occupations(directory, [course.occupation_text, *ordered.get(course.id, [])]):
            out.setdefault(code, []).append(hint)
    return out


def _course_occupations(directory, texts: list[str]) -> list[str]:
    codes = []
    for text in texts:
        ref = directory.get((text or "").strip())
        if ref is None and text and text.strip():
            match = directory.resolve(text)
            ref = match.occupation if match else None
        if ref is not None and ref.code not in codes:
            codes.append(ref.code)
    return codes


def course_subsidies(course: TrainingCourse) -> list[str]:
    """What finishing ``course`` may bring the person, by the training claim rules of the subsidy
    service (the amounts it would file for full attendance), in plain words."""
    out = []
    for rule in claim_rules():
        amount = claim_amount(rule, subsidy_eligible=course.subsidy_eligible, certificate=course.certificate_name,
                              sessions_attended=course.sessions, sessions=course.sessions, hours=course.hours)
        if amount is None:
            continue
        if rule.requires_certificate:
            out.append(f"考取{course.certificate_name}，可申领{rule.name} {amount:.0f} 元")
        elif rule.min_attendance:
            out.append(f"上满{rule.min_attendance * 10:g}成的课并结业，可申领{rule.name}约 {amount:.0f} 元")
        else:
            out.append(f"结业可申领{rule.name}约 {amount:.0f} 元")
    return out
