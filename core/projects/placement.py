"""The resettlement and placement plan (安置分流方案) of a land notice: for each affected person the
matcher proposes posts — the project's own demand lines first, then published postings nearby (same
city) — scored by ``matching.scoring.score_pair`` on the profiles ``core.matching.services`` builds;
a commissioner confirms offers and records outcomes; the plan's figures by village and outcome.

Candidates are generated first (the project's lines, and the city's postings sharing the most
character pairs with what the person can do or wants, topped up with the county's newest), then
scored in full. Proposals for a village are computed in one batch (candidates, their profiles and the
index read once); the one-person path exists for a single record and as the baseline
``bench/placement.py`` measures."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import PostingStatus
from core.errors import DomainError, NotFound, PermissionDenied
from core.matching.services import posting_profile, seeker_profile
from core.postings.models import Posting
from core.seekers.models import Jobseeker
from matching.profiles import MatchWeights, PostingProfile, SeekerProfile
from matching.scoring import score_pair

from .land import get_notice, get_village, sees_names
from .models import LabourDemand, LandNotice, LandNoticeVillage, PlacementProposal, SurveyRecord
from .survey import EMPLOYMENT, WANTS

OUTCOMES = {"placed": "已安置就业", "training": "参加培训", "self_employed": "自主创业或灵活就业",
            "declined": "不接受安置"}
PROJECT_PROPOSALS = 3   # the project's own lines offered first
NEARBY_PROPOSALS = 3    # then the best published postings in the same city
NEARBY_POOL = 3000      # newest published postings of the city considered
SHORTLIST = 60          # nearby postings scored in full per person (after candidate generation)
_WEIGHTS = MatchWeights().as_dict()


@dataclass
class Candidate:
    source: str                 # project | nearby
    profile: PostingProfile
    grams: frozenset
    demand_id: int | None = None
    posting_id: int | None = None


def _grams(text: str) -> frozenset:
    text = "".join(ch for ch in (text or "") if not ch.isspace())
    return frozenset(text[i:i + 2] for i in range(len(text) - 1)) | frozenset(text)


def _similarity(a: frozenset, b: frozenset) -> float:
    """Text overlap of what the person can do and wants with the post (Dice on characters and
    character pairs): the semantic feature, without a model to load."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _occupation_names(session: Session) -> dict[str, str]:
    from core.reference.services import occupation_directory

    return {o.code: o.name for o in occupation_directory(session).all()}


def _line_profile(line: LabourDemand) -> PostingProfile:
    region = line.region_code or line.project.region_code
    return PostingProfile(id=f"demand-{line.id}", title=line.title, description=line.requirements or "",
                          occupation_name=line.occupation_text or "", region_code=region,
                          employment_type="full_time", target_groups=["land_lost_farmer"])


@dataclass
class Pool:
    """What a village's people are matched against, read once: the project's lines, the city's
    published postings, and an index of those postings by character pair (candidate generation)."""

    own: list[Candidate]
    nearby: list[Candidate]
    index: dict[str, list[int]]   # character pair -> positions in ``nearby``
    default: list[int]            # positions in ``nearby``: the village's county first, then newest


def candidates(session: Session, notice: LandNotice, city_prefix: str, names: dict[str, str]) -> list[Candidate]:
    """The project's lines (as the posting each became, when it is published), then the city's newest
    published postings that are not one of those lines."""
    out, own_postings = [], set()
    lines = session.scalars(select(LabourDemand).where(LabourDemand.project_id == notice.project_id)
                            .order_by(LabourDemand.id)).all()
    posted = {p.id: p for p in session.scalars(select(Posting).where(
        Posting.id.in_([d.posting_id for d in lines if d.posting_id]), Posting.status == PostingStatus.PUBLISHED))}
    for line in lines:
        p = posted.get(line.posting_id)
        prof = posting_profile(p, names.get(p.occupation_code or "", "")) if p else _line_profile(line)
        own_postings.add(line.posting_id)
        out.append(Candidate("project", prof, _grams(f"{line.title}{line.occupation_text or ''}{prof.occupation_name}"),
                             line.id, p.id if p else None))
    nearby = session.scalars(select(Posting).where(Posting.status == PostingStatus.PUBLISHED,
                                                   Posting.region_code.like(f"{city_prefix}%"))
                             .order_by(Posting.id.desc()).limit(NEARBY_POOL))
    for p in nearby:
        if p.id in own_postings:
            continue
        prof = posting_profile(p, names.get(p.occupation_code or "", ""))
        out.append(Candidate("nearby", prof, _grams(f"{p.title}{prof.occupation_name}"), None, p.id))
    return out


def build_pool(session: Session, notice: LandNotice, village_code: str, names: dict[str, str]) -> Pool:
    found = candidates(session, notice, village_code[:4], names)
    own = [c for c in found if c.source == "project"]
    nearby = [c for c in found if c.source == "nearby"]
    index: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(nearby):
        for g in c.grams:
            if len(g) == 2:
                index[g].append(i)
    county = village_code[:6]
    default = sorted(range(len(nearby)), key=lambda i: (nearby[i].profile.region_code != county, i))[:SHORTLIST]
    return Pool(own, nearby, dict(index), default)


def _shortlist(pool: Pool, grams: frozenset) -> list[Candidate]:
    """The nearby postings worth scoring in full: those sharing most character pairs with what the
    person can do or wants, topped up with the village's county's newest."""
    counts: Counter = Counter()
    for g in grams:
        if len(g) == 2:
            counts.update(pool.index.get(g, ()))
    chosen = [i for i, _n in counts.most_common(SHORTLIST)]
    seen = set(chosen)
    chosen += [i for i in pool.default if i not in seen][:SHORTLIST - len(chosen)]
    return [pool.nearby[i] for i in chosen]


def person_profile(record: SurveyRecord, seeker: Jobseeker | None, county: str) -> tuple[SeekerProfile, frozenset]:
    """The person as the matcher sees them: their jobseeker profile (with any certificates gained
    since) plus what the survey recorded (skills, training wishes)."""
    wishes = [w for w in (record.training_wishes or "").replace("，", "、").split("、") if w]
    if seeker is not None:
        prof = seeker_profile(seeker)
    else:
        prof = SeekerProfile(id=f"record-{record.id}", region_code=county)
    prof = replace(prof, region_code=prof.region_code or county,
                   skills=list(dict.fromkeys(list(prof.skills) + list(record.skills or []))),
                   desired_titles=list(prof.desired_titles) + wishes, consent_recommendation=True)
    text = "".join(list(prof.skills) + list(prof.certificates) + list(prof.desired_titles))
    return prof, _grams(text)


def _propose(record: SurveyRecord, prof: SeekerProfile, grams: frozenset, pool: Pool,
             names: dict[str, str]) -> list[PlacementProposal]:
    best: dict[str, list[tuple[float, Candidate]]] = {"project": [], "nearby": []}
    for c in pool.own + _shortlist(pool, grams):
        s = score_pair(prof, c.profile, _similarity(grams, c.grams), _WEIGHTS, explain=False).score
        best[c.source].append((s, c))
    chosen = sorted(best["project"], key=lambda t: -t[0])[:PROJECT_PROPOSALS] + \
        sorted(best["nearby"], key=lambda t: -t[0])[:NEARBY_PROPOSALS]
    out = []
    for rank, (_s, c) in enumerate(chosen, start=1):
        scored = score_pair(prof, c.profile, _similarity(grams, c.grams), _WEIGHTS, names)
        out.append(PlacementProposal(record_id=record.id, rank=rank, source=c.source, demand_id=c.demand_id,
                                     posting_id=c.posting_id, title=c.profile.title[:200], score=round(scored.score, 4),
                                     reasons=[w for w in scored.explanation if w][:3]))
    return out


def _open_records(session: Session, village: LandNoticeVillage) -> list[SurveyRecord]:
    return list(session.scalars(select(SurveyRecord).where(SurveyRecord.village_id == village.id,
                                                           SurveyRecord.outcome.is_(None),
                                                           SurveyRecord.wants != "none")
                                .order_by(SurveyRecord.id)))


def _replace(session: Session, record_ids: list[int], proposals: list[PlacementProposal]) -> None:
    """Drop the records' proposals not yet offered, then add the new ones (an offer made stays)."""
    if record_ids:
        session.execute(delete(PlacementProposal).where(PlacementProposal.record_id.in_(record_ids),
                                                        PlacementProposal.offered_at.is_(None)))
    session.add_all(proposals)
    session.flush()


def propose_for_village(session: Session, actor, notice_id: int, village_id: int) -> int:
    """Proposals for every person of the village still to place (batched). Returns how many people."""
    village = get_village(session, notice_id, village_id, actor)
    names = _occupation_names(session)
    pool = build_pool(session, village.notice, village.code, names)
    records = _open_records(session, village)
    seekers = {s.id: s for s in session.scalars(select(Jobseeker).where(
        Jobseeker.id.in_([r.jobseeker_id for r in records if r.jobseeker_id])))}
    proposals = []
    for record in records:
        prof, grams = person_profile(record, seekers.get(record.jobseeker_id), village.code[:6])
        proposals.extend(_propose(record, prof, grams, pool, names))
    _replace(session, [r.id for r in records], proposals)
    return len(records)


def propose_for_record(session: Session, actor, record_id: int) -> list[PlacementProposal]:
    """Proposals for one person (reads the candidates for this person alone)."""
    record = get_record(session, record_id, actor)
    names = _occupation_names(session)
    pool = build_pool(session, record.notice, record.village.code, names)
    seeker = session.get(Jobseeker, record.jobseeker_id) if record.jobseeker_id else None
    prof, grams = person_profile(record, seeker, record.village.code[:6])
    proposals = _propose(record, prof, grams, pool, names)
    _replace(session, [record.id], proposals)
    return proposals


def get_record(session: Session, record_id: int, actor) -> SurveyRecord:
    record = session.get(SurveyRecord, record_id)
    if record is None:
        raise NotFound("该人员")
    get_notice(session, record.notice_id, actor)
    if not sees_names(actor, record.village):
        raise PermissionDenied(f"{record.village.name}不在您的管辖范围内")
    return record


def record_proposals(session: Session, record_ids: list[int]) -> dict[int, list[PlacementProposal]]:
    out: dict[int, list[PlacementProposal]] = defaultdict(list)
    if record_ids:
        for p in session.scalars(select(PlacementProposal).where(PlacementProposal.record_id.in_(record_ids))
                                 .order_by(PlacementProposal.record_id, PlacementProposal.rank)):
            out[p.record_id].append(p)
    return out


def confirm_offer(session: Session, actor, proposal_id: int) -> PlacementProposal:
    """The commissioner confirms the post is offered to the person."""
    proposal = session.get(PlacementProposal, proposal_id)
    if proposal is None:
        raise NotFound("该推荐岗位")
    get_record(session, proposal.record_id, actor)
    proposal.offered_at, proposal.offered_by_id = utcnow(), actor.id
    session.flush()
    return proposal


def record_outcome(session: Session, actor, record_id: int, outcome: str, reason: str = "",
                   proposal_id: int | None = None) -> SurveyRecord:
    """Placed (in an offered post, when one is named), in training, self-employed, or declined with a reason."""
    record = get_record(session, record_id, actor)
    reason = (reason or "").strip()
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", "请选择安置结果：" + "、".join(OUTCOMES.values()), "outcome")
    if outcome == "declined" and not reason:
        raise DomainError("missing_reason", "不接受安置时请填写原因", "reason")
    if len(reason) > 200:
        raise DomainError("too_long", "原因不能超过200个字", "reason")
    record.outcome_posting_id = None
    if proposal_id is not None:
        proposal = session.get(PlacementProposal, proposal_id)
        if proposal is None or proposal.record_id != record.id:
            raise DomainError("unknown_proposal", "所选岗位不是该人员的推荐岗位", "proposal_id")
        if proposal.offered_at is None:
            proposal.offered_at, proposal.offered_by_id = utcnow(), actor.id
        record.outcome_posting_id = proposal.posting_id
        reason = reason or proposal.title
    record.outcome, record.outcome_reason, record.outcome_at = outcome, reason, utcnow()
    if outcome == "placed" and record.outcome_posting_id and record.jobseeker_id:
        _count_as_hire(session, record)
    session.flush()
    return record


def _count_as_hire(session: Session, record: SurveyRecord) -> None:
    """A placement in a posting is a hire of that posting, origin 征地安置, so the statistics count it
    with the person's priority groups (被征地农民) like every other hire."""
    from core.applications.models import Application
    from core.enums import ApplicationOrigin, ApplicationStatus

    app = session.scalar(select(Application).where(Application.jobseeker_id == record.jobseeker_id,
                                                   Application.posting_id == record.outcome_posting_id))
    if app is None:
        app = Application(jobseeker_id=record.jobseeker_id, posting_id=record.outcome_posting_id,
                          origin=ApplicationOrigin.PLACEMENT, origin_ref=f"placement:{record.id}")
        session.add(app)
    app.status, app.stage_changed_at = ApplicationStatus.HIRED, utcnow()


@dataclass
class PlanFigures:
    villages: list[dict]              # {"name", "code", "people", "open", <outcome>: n}
    totals: dict[str, int]
    wants: dict[str, int]
    declined_reasons: dict[str, int]


def plan_figures(session: Session, notice: LandNotice) -> PlanFigures:
    """The plan's figures by village and by outcome (counts only)."""
    records = session.scalars(select(SurveyRecord).where(SurveyRecord.notice_id == notice.id)).all()
    per: dict[int, Counter] = defaultdict(Counter)
    for r in records:
        per[r.village_id]["people"] += 1
        per[r.village_id][r.outcome or "open"] += 1
    villages = [{"name": v.name, "code": v.code, **{k: per[v.id][k] for k in ("people", "open", *OUTCOMES)}}
                for v in notice.villages]
    totals = {k: sum(v[k] for v in villages) for k in ("people", "open", *OUTCOMES)}
    return PlanFigures(villages, totals, dict(Counter(r.wants for r in records)),
                       dict(Counter(r.outcome_reason for r in records if r.outcome == "declined")))


def placements_by_group(session: Session, notice_ids: list[int] | None = None) -> dict[str, int]:
    """Outcomes recorded for people of each priority group (every surveyed person is attested
    被征地农民, so each placement counts there): group value -> people placed, trained or self-employed."""
    from core.seekers.models import JobseekerGroup

    stmt = (select(JobseekerGroup.group, SurveyRecord.jobseeker_id)
            .join(SurveyRecord, SurveyRecord.jobseeker_id == JobseekerGroup.jobseeker_id)
            .where(SurveyRecord.outcome.in_(("placed", "training", "self_employed"))))
    if notice_ids is not None:
        stmt = stmt.where(SurveyRecord.notice_id.in_(notice_ids))
    seen = {(str(getattr(g, "value", g)), sid) for g, sid in session.execute(stmt)}
    return dict(Counter(g for g, _sid in seen))


LABELS = {"employment_now": EMPLOYMENT, "wants": WANTS, "outcome": OUTCOMES}
