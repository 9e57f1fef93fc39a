"""At a booth, on the enterprise's phone: the shortlist of the fair's registered visitors ranked by the
matcher for the booth's postings, conversations recorded from a visitor's code, and hiring intentions
(达成意向), each of which becomes an application from the fair and a commissioner's call-back task.
For the jobseeker: the fair's postings ranked for them (哪些展位适合我). The caller hands in the ranker."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.applications.models import Application
from core.applications.services import apply_to_posting, find_application
from core.enums import ApplicationOrigin, ApplicationStatus, NotificationKind, Role
from core.errors import DomainError, NotFound, PermissionDenied
from core.matching.services import posting_profile, read_embeddings, seeker_profile
from core.notifications.services import notify
from core.postings.models import Posting
from core.seekers.models import Jobseeker

from .door import find_registration
from .models import FairBooth, FairConversation, FairFollowUp, FairRegistration, JobFair
from .services import VISITORS_OPEN, get_fair, own_booth

DEFAULT_FOLLOW_UP_DAYS = 7


def booth_for_enterprise(session: Session, actor, fair_id: int) -> tuple[JobFair, FairBooth]:
    """The actor's approved booth at the fair."""
    if Role(actor.role) != Role.ENTERPRISE:
        raise PermissionDenied("只有参展单位可以使用展位页面")
    fair = get_fair(session, fair_id)
    booth = own_booth(session, fair.id, actor.enterprise_id)
    if booth is None or booth.status != "approved":
        raise PermissionDenied("贵单位在该招聘会没有已通过的展位")
    return fair, booth


def booth_postings(session: Session, booth: FairBooth) -> list[Posting]:
    if not booth.posting_ids:
        return []
    rows = session.scalars(select(Posting).where(Posting.id.in_(booth.posting_ids))).all()
    return sorted(rows, key=lambda p: booth.posting_ids.index(p.id))


def _names(session: Session, ranker) -> dict[str, str]:
    if not ranker.occupation_names:
        from core.reference.services import occupation_directory

        ranker.occupation_names = {o.code: o.name for o in occupation_directory(session).all()}
    return ranker.occupation_names


@dataclass
class ShortlistRow:
    registration: FairRegistration
    score: float
    posting_id: int
    reasons: list[str] = field(default_factory=list)
    talked: bool = False  # stopped at this booth already


def talked_registrations(session: Session, booth_id: int) -> set[int]:
    return set(session.scalars(select(FairConversation.registration_id).where(FairConversation.booth_id == booth_id)))


# A fair's visitors as matcher pools, kept per process: building the base pool reads every
# registration's profile (20,000 at a big fair: seconds), ranking against it takes tens of
# milliseconds. Registrations made since are added as a small second pool (their profiles only:
# milliseconds), so a newcomer is ranked at the next look; the two are folded into one base when the
# newcomers pass DELTA_FOLD (or a share of the base), and the base is rebuilt every POOL_TTL_S so an
# edited profile shows. A cancelled registration is dropped from the rows at once.
POOL_TTL_S = 300.0
DELTA_FOLD = 2000
_POOLS: dict[tuple, dict] = {}


def _build_pool(session: Session, ranker, fair_id: int, after_id: int = 0):
    """(pool or None, [(registration id, jobseeker id)] in pool order, highest registration id read) of
    the fair's consenting visitors registered after ``after_id``."""
    regs = session.scalars(select(FairRegistration).where(
        FairRegistration.fair_id == fair_id, FairRegistration.cancelled_at.is_(None), FairRegistration.id > after_id)
        .order_by(FairRegistration.id)).all()
    wanted = [(r, seeker_profile(r.jobseeker)) for r in regs]
    wanted = [(r, p) for r, p in wanted if p.consent_recommendation]
    _names(session, ranker)
    read_embeddings(session, ranker, "seeker", [r.jobseeker for r, _ in wanted], [p for _, p in wanted])
    pool = ranker.pool([p for _, p in wanted]) if wanted else None
    return pool, [(r.id, r.jobseeker_id) for r, _ in wanted], max([after_id] + [r.id for r in regs])


def _visitor_pools(session: Session, ranker, fair: JobFair) -> list[tuple]:
    """[(pool, [(registration id, jobseeker id)] in pool order)] of the fair's consenting visitors: the
    base pool and, when people registered since it was built, the newcomers' pool."""
    import time

    from sqlalchemy import func

    shape = tuple(session.execute(select(func.count(), func.max(FairRegistration.id), func.max(FairRegistration.cancelled_at))
                                  .where(FairRegistration.fair_id == fair.id)).one())
    key = (fair.id, fair.created_at, id(ranker), ranker.model_version)  # created_at: a reused id is another fair
    hit, now = _POOLS.get(key), time.monotonic()
    if hit is None or now >= hit["at"] + POOL_TTL_S:
        pool, ids, top = _build_pool(session, ranker, fair.id)
        if len(_POOLS) > 64:
            _POOLS.clear()
        hit = _POOLS[key] = {"at": now, "shape": shape, "base": (pool, ids), "base_top": top, "delta": (None, [])}
    elif hit["shape"] != shape:  # newcomers (or only cancellations, which the rows drop)
        if (shape[1] or 0) > hit["base_top"]:
            pool, ids, _top = _build_pool(session, ranker, fair.id, hit["base_top"])
            if len(ids) > max(DELTA_FOLD, len(hit["base"][1]) // 10):
                pool, ids, top = _build_pool(session, ranker, fair.id)
                hit.update(at=now, base=(pool, ids), base_top=top, delta=(None, []))
            else:
                hit["delta"] = (pool, ids)
        hit["shape"] = shape
    return [part for part in (hit["base"], hit["delta"]) if part[0] is not None]


def booth_shortlist(session: Session, ranker, booth: FairBooth, *, k: int = 30) -> list[ShortlistRow]:
    """Registered visitors (not cancelled) ranked for the booth's postings: each person once, at the
    posting they fit best. Only people who consented to recommendation are ranked (the matcher's rule)."""
    pools = _visitor_pools(session, ranker, booth.fair)
    if not pools:
        return []
    reg_of = {sid: rid for _pool, ids in pools for rid, sid in ids}
    best: dict[int, tuple] = {}
    for posting in booth_postings(session, booth):
        pprof = posting_profile(posting, ranker.occupation_names.get(posting.occupation_code or "", ""))
        read_embeddings(session, ranker, "posting", [posting], [pprof])
        for pool, _ids in pools:
            for item in ranker.rank_seekers_for_posting(pprof, pool, k=k).items:
                sid = int(item.id)
                if sid not in best or item.score > best[sid][0]:
                    best[sid] = (item.score, posting.id, item.explanation)
    top = sorted(best.items(), key=lambda kv: -kv[1][0])[:k]
    regs = {r.id: r for r in session.scalars(select(FairRegistration).where(
        FairRegistration.id.in_([reg_of[sid] for sid, _ in top])))} if top else {}
    talked = talked_registrations(session, booth.id)
    rows = []
    for sid, (score, pid, reasons) in top:
        reg = regs.get(reg_of[sid])
        if reg is not None and reg.cancelled_at is None:
            rows.append(ShortlistRow(reg, score, pid, reasons, talked=reg.id in talked))
    return rows


def _visitor(session: Session, fair: JobFair, raw: str) -> FairRegistration:
    if fair.status not in VISITORS_OPEN:
        raise DomainError("fair_not_open", "该招聘会现在不在进行中", None)
    return find_registration(session, fair, raw)


def record_conversation(session: Session, actor, fair_id: int, raw_code: str, note: str = "") -> FairConversation:
    """A visitor's code typed or scanned at the booth: a conversation is recorded."""
    fair, booth = booth_for_enterprise(session, actor, fair_id)
    reg = _visitor(session, fair, raw_code)
    conv = FairConversation(fair_id=fair.id, booth_id=booth.id, registration_id=reg.id, note=(note or "").strip()[:2000],
                            created_by=actor.id)
    session.add(conv)
    session.flush()
    return conv


def record_intention(session: Session, actor, fair_id: int, raw_code: str, posting_id, *, note: str = "",
                     follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS, today: dt.date | None = None) -> FairConversation:
    """达成意向: the visitor and the booth agree on one of the booth's postings. The person's application
    to it is recorded with origin fair:<id> (an application they already had keeps its own origin), and
    the fair's commissioner gets a call-back task ``follow_up_days`` after the fair."""
    fair, booth = booth_for_enterprise(session, actor, fair_id)
    reg = _visitor(session, fair, raw_code)
    pid = int(posting_id) if str(posting_id or "").isdigit() else None
    if pid is None or pid not in (booth.posting_ids or []):
        raise DomainError("invalid_posting", "请选择本展位带来的岗位", "posting_id")
    application = find_application(session, reg.jobseeker_id, pid)
    if application is None or application.status == ApplicationStatus.WITHDRAWN:
        application = apply_to_posting(session, jobseeker_id=reg.jobseeker_id, posting_id=pid,
                                       origin=ApplicationOrigin.FAIR, origin_ref=f"fair:{fair.id}")
    conv = FairConversation(fair_id=fair.id, booth_id=booth.id, registration_id=reg.id, posting_id=pid,
                            note=(note or "").strip()[:2000], intention=True, application_id=application.id,
                            created_by=actor.id)
    session.add(conv)
    session.flush()
    due = max(fair.date, today or dt.date.today()) + dt.timedelta(days=follow_up_days)
    session.add(FairFollowUp(fair_id=fair.id, conversation_id=conv.id, due_date=due))
    if fair.created_by:
        notify(session, user_id=fair.created_by, kind=NotificationKind.TASK, title=f"招聘会意向待回访：{fair.title}",
               body=f"请在 {due:%Y年%m月%d日} 回访这条达成意向的结果。", link="/fairs/follow-ups")
    session.flush()
    return conv


def booth_conversations(session: Session, booth: FairBooth) -> list[FairConversation]:
    return list(session.scalars(select(FairConversation).where(FairConversation.booth_id == booth.id)
                                .order_by(FairConversation.id.desc())))


def fair_postings(session: Session, fair: JobFair) -> list[tuple[Posting, FairBooth]]:
    """The published postings of the fair's approved booths, with their booth."""
    booths = [b for b in fair.booths if b.status == "approved"]
    ids = {pid: b for b in booths for pid in (b.posting_ids or [])}
    if not ids:
        return []
    rows = session.scalars(select(Posting).where(Posting.id.in_(list(ids)))).all()
    return [(p, ids[p.id]) for p in rows if str(p.status) == "published"]


def postings_for_visitor(session: Session, ranker, fair: JobFair, seeker: Jobseeker, *, k: int = 20):
    """哪些展位适合我: the fair's postings ranked for the person, each with its booth and reasons."""
    pairs = fair_postings(session, fair)
    if not pairs:
        return []
    names = _names(session, ranker)
    pprofs = [posting_profile(p, names.get(p.occupation_code or "", "")) for p, _ in pairs]
    sprof = seeker_profile(seeker)
    read_embeddings(session, ranker, "seeker", [seeker], [sprof])
    read_embeddings(session, ranker, "posting", [p for p, _ in pairs], pprofs)
    by_id = {p.id: (p, b) for p, b in pairs}
    ranked = ranker.rank_postings_for_seeker(sprof, pprofs, k=k)
    return [(by_id[int(i.id)][0], by_id[int(i.id)][1], i) for i in ranked.items]


def application_for(session: Session, conv: FairConversation) -> Application | None:
    return session.get(Application, conv.application_id) if conv.application_id else None


def conversation_of_enterprise(session: Session, actor, conv_id: int) -> FairConversation:
    conv = session.get(FairConversation, conv_id)
    if conv is None or conv.booth.enterprise_id != actor.enterprise_id:
        raise NotFound("该记录")
    return conv
