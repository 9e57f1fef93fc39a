"""Who may see which of a jobseeker's personal data — the rule, written once — and the one read model
of a jobseeker that every page, API and command builds through it, each display audited.

The registration and profile forms promise "联系方式隐藏，直到我投递": being visible to enterprises lets
them find a profile, never reach the person. An enterprise sees a name and phone only of someone who
applied to one of its own postings and has not withdrawn (applying is the consent), and never an ID
number (it has no need of one: PIPL minimisation). Commissioners see everything of the people of
their jurisdiction, admins of everyone; the person sees their own data.

Who an enterprise may find at all is the person's choice (``Jobseeker.visibility``, the privacy
page): open to verified enterprises, only through my applications, or hidden from every enterprise
(then not even an earlier application shows); and an enterprise the person blocked never finds them
among candidates (``findable_by_enterprise``, ``hidden_seekers``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.audit.services import record_access
from core.crypto import PersonalDataCipher
from core.enums import ApplicationStatus, Role, SeekerVisibility, VerificationStatus
from core.identity import mask_id_number, mask_phone
from core.postings.models import Posting

from .models import EnterpriseBlock, Jobseeker
from .services import may_verify


@dataclass(frozen=True)
class Disclosure:
    """What one viewer may see of one jobseeker besides the job facts (region, education, skills…)."""

    name: bool
    contacts: bool  # the phone number
    id_number: bool

    def __and__(self, other: Disclosure) -> Disclosure:
        return Disclosure(self.name and other.name, self.contacts and other.contacts,
                          self.id_number and other.id_number)


EVERYTHING = Disclosure(name=True, contacts=True, id_number=True)
APPLICANT_TO_ENTERPRISE = Disclosure(name=True, contacts=True, id_number=False)
NAME_ONLY = Disclosure(name=True, contacts=False, id_number=False)
NOTHING = Disclosure(name=False, contacts=False, id_number=False)


def _applied_to_enterprise(session: Session, enterprise_id: int, seeker_ids: list[int]) -> set[int]:
    """Those of ``seeker_ids`` with a standing application to any posting of the enterprise."""
    if not seeker_ids:
        return set()
    return set(session.scalars(
        select(Application.jobseeker_id)
        .join(Posting, Posting.id == Application.posting_id)
        .where(Posting.enterprise_id == enterprise_id, Application.jobseeker_id.in_(seeker_ids),
               Application.status != ApplicationStatus.WITHDRAWN)
    ))


def hidden_seekers():
    """The ids of jobseekers hidden from every enterprise, as a subquery for an enterprise's lists
    (``Application.jobseeker_id.not_in(hidden_seekers())``): no enterprise sees them anywhere, not even
    through an application made before they chose it."""
    return select(Jobseeker.id).where(Jobseeker.visibility == SeekerVisibility.HIDDEN)


def _blocking(session: Session, enterprise_id: int, seeker_ids: list[int]) -> set[int]:
    if not seeker_ids:
        return set()
    return set(session.scalars(select(EnterpriseBlock.jobseeker_id).where(
        EnterpriseBlock.enterprise_id == enterprise_id, EnterpriseBlock.jobseeker_id.in_(seeker_ids))))


def findable_by_enterprise(session: Session, enterprise_id: int | None, seekers: Iterable[Jobseeker]) -> set[int]:
    """Those of ``seekers`` an enterprise may find among candidates (ranked lists, the matches API):
    never a hidden person nor one who blocked it; a person open to verified enterprises when it is
    verified; anyone whose application to it stands (they came to it)."""
    from core.enterprises.models import Enterprise

    seekers = [s for s in seekers if s.visibility != SeekerVisibility.HIDDEN]
    if enterprise_id is None or not seekers:
        return set()
    ids = [s.id for s in seekers]
    blocked = _blocking(session, enterprise_id, ids)
    applied = _applied_to_enterprise(session, enterprise_id, ids)
    ent = session.get(Enterprise, enterprise_id)
    verified = ent is not None and ent.verification_status == VerificationStatus.VERIFIED
    return {s.id for s in seekers if s.id not in blocked
            and (s.id in applied or (verified and s.visibility == SeekerVisibility.OPEN))}


def _is_own(viewer, seeker: Jobseeker) -> bool:
    return viewer is not None and seeker.user_id is not None and seeker.user_id == viewer.id


def contact_entitlements(session: Session, viewer, seekers: Iterable[Jobseeker]) -> dict[int, Disclosure]:
    """The rule, for many jobseekers at once (one query). ``viewer`` is a user (role, id,
    enterprise_id, region_code) or None for a shell command, which sees nothing in full."""
    seekers = list(seekers)
    role = Role(viewer.role) if viewer is not None else None
    if role == Role.ENTERPRISE and viewer.enterprise_id:
        consented = _applied_to_enterprise(session, viewer.enterprise_id, [s.id for s in seekers])
        return {s.id: APPLICANT_TO_ENTERPRISE if s.id in consented and s.visibility != SeekerVisibility.HIDDEN
                else NOTHING for s in seekers}
    if role == Role.JOBSEEKER:
        return {s.id: EVERYTHING if _is_own(viewer, s) else NOTHING for s in seekers}
    if role in (Role.COMMISSIONER, Role.ADMIN):
        # The staff who may check a person's documents are those who may see them.
        return {s.id: EVERYTHING if may_verify(viewer, s) else NOTHING for s in seekers}
    return {s.id: NOTHING for s in seekers}


def contact_entitlement(session: Session, viewer, seeker: Jobseeker) -> Disclosure:
    """What ``viewer`` may see of ``seeker`` (see ``contact_entitlements``)."""
    return contact_entitlements(session, viewer, [seeker])[seeker.id]


@dataclass
class SeekerView:
    """A jobseeker as one viewer may see them: what the viewer is not entitled to is masked."""

    id: int
    name: str
    id_number: str
    phone: str
    region_code: str | None
    education: str
    experience_years: int
    skills: list[str]
    certificates: list[str]
    groups: list[str]
    masked: bool  # contacts hidden
    id_number_masked: bool

    def to_json(self) -> dict:
        return asdict(self)


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def _build(seeker: Jobseeker, cipher: PersonalDataCipher, d: Disclosure) -> SeekerView:
    id_plain = cipher.decrypt(seeker.id_number_encrypted) if seeker.id_number_encrypted else ""
    return SeekerView(
        id=seeker.id,
        name=seeker.name if d.name else _mask_name(seeker.name or ""),
        id_number=id_plain if d.id_number else mask_id_number(id_plain),
        phone=(seeker.phone or "") if d.contacts else mask_phone(seeker.phone),
        region_code=seeker.region_code,
        education=str(seeker.education),
        experience_years=seeker.experience_years,
        skills=list(seeker.skills or []),
        certificates=list(seeker.certificates or []),
        groups=seeker.group_values(),
        masked=not d.contacts,
        id_number_masked=not d.id_number,
    )


def shown_fields(d: Disclosure) -> list[str]:
    """The audit trail's names of the fields a view under ``d`` shows (never their values)."""
    return [
        "name" if d.name else "name_masked",
        "phone" if d.contacts else "phone_masked",
        "id_number" if d.id_number else "id_number_masked",
        "region_code", "education", "experience_years", "skills", "certificates", "groups",
    ]


def view_jobseekers(
    session: Session,
    cipher: PersonalDataCipher,
    viewer,
    seekers: Iterable[Jobseeker],
    *,
    purpose: str,
    ip: str | None = None,
    at_most: Disclosure = EVERYTHING,
) -> dict[int, SeekerView]:
    """The jobseekers as ``viewer`` may see them (keyed by id, in the given order). ``at_most`` narrows
    what a page needs below what the rule allows (a list masks what only its detail page shows).
    Every display to anyone but the person themself is recorded in the audit trail with ``purpose``
    and the fields shown."""
    seekers = list({s.id: s for s in seekers}.values())
    allowed = contact_entitlements(session, viewer, seekers)
    views: dict[int, SeekerView] = {}
    for s in seekers:
        d = allowed[s.id] & at_most
        views[s.id] = _build(s, cipher, d)
        if not _is_own(viewer, s):
            record_access(
                session, actor_user_id=getattr(viewer, "id", None),
                actor_role=str(viewer.role) if viewer is not None else "command_line", action="read",
                subject_type="jobseeker", subject_id=s.id, purpose=purpose[:200], fields=shown_fields(d), ip=ip,
            )
    return views


def view_jobseeker(
    session: Session, cipher: PersonalDataCipher, viewer, seeker: Jobseeker, *, purpose: str,
    ip: str | None = None, at_most: Disclosure = EVERYTHING,
) -> SeekerView:
    """One jobseeker as ``viewer`` may see them (see ``view_jobseekers``)."""
    return view_jobseekers(session, cipher, viewer, [seeker], purpose=purpose, ip=ip, at_most=at_most)[seeker.id]
