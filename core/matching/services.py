"""Use cases of matching: rank jobseekers for a posting, recommend postings to a jobseeker, apply a
commissioner's overrides, and store every list with its inputs' versions.

The caller hands in a ranker (``matching.ranker.Ranker`` or anything with the same methods): core
never loads a model itself. Only matching's plain data types are imported here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import begin_write, reading, retry_conflicts
from core.enums import Availability, PostingStatus, Role
from core.errors import DomainError
from core.postings.models import Posting
from core.seekers.models import Jobseeker
from core.seekers.privacy import findable_by_enterprise
from matching.constraints import REASONS
from matching.profiles import GroupPolicy, PostingProfile, RankedItem, RankedList, SeekerProfile

from .models import MatchOverride, RankedListRecord, StoredEmbedding

DEFAULT_GROUP_SHARE = 0.3  # a posting's target groups share at least this much of every prefix


def _value(v) -> str:
    return getattr(v, "value", v) if v is not None else ""


def shortage_occupations(session: Session) -> frozenset[str]:
    """The detailed occupations of the latest published shortage catalogue (a draft counts for
    nothing): the postings of these get the score's ``shortage`` feature."""
    from core.statistics.catalogue import shortage_codes

    return shortage_codes(session)


def mark_shortage(profiles, codes: frozenset[str]) -> None:
    for prof in profiles:
        prof.shortage = bool(prof.occupation_code) and prof.occupation_code in codes


def posting_profile(p: Posting, occupation_name: str = "") -> PostingProfile:
    return PostingProfile(
        id=p.id, title=p.title or "", description=p.description or "", occupation_code=p.occupation_code,
        occupation_name=occupation_name, region_code=p.region_code, lat=p.lat, lon=p.lon,
        pay_min=p.pay_monthly_min, pay_max=p.pay_monthly_max, education=_value(p.education) or "none",
        experience_years=p.experience_years, skills=list(p.skills or []),
        employment_type=_value(p.employment_type) or "full_time", target_groups=list(p.target_groups or []),
    )


def seeker_profile(s: Jobseeker, interpret=None) -> SeekerProfile:
    """The matcher's view of a jobseeker; ``interpret`` (the ranker's, see ``read_occupations``)
    adds the occupations their own words name."""
    prof = SeekerProfile(
        id=s.id, desired_titles=list(s.desired_titles or []), desired_occupations=list(s.desired_occupations or []),
        region_code=s.region_code, desired_regions=list(s.desired_regions or []), lat=s.lat, lon=s.lon,
        education=_value(s.education) or "none", experience_years=s.experience_years or 0,
        skills=list(s.skills or []), certificates=list(s.certificates or []), expected_pay_min=s.expected_pay_min,
        availability=_value(s.availability) or "immediate",
        groups=s.group_values(verified_only=True), birth_date=s.birth_date, graduation_year=s.graduation_year,
        consent_recommendation=bool(s.consent_recommendation), summary=s.summary or "",
    )
    if interpret is not None:
        read_occupations(prof, interpret)
    return prof


def read_occupations(prof: SeekerProfile, interpret) -> None:
    """People write, codes don't: the occupations named by the desired titles the person typed (and,
    when those name none, by their skills and self-description) join the chosen codes, each with the
    words it was read from, so "仓库管理员" is matched and quoted like a code would be.
    ``interpret(text) -> [(code, [evidence words])]`` is the normaliser's classifier, handed in by the app."""
    codes = list(prof.desired_occupations)
    words: dict[str, str] = {}

    def read(texts, own_title: bool) -> None:
        for text in texts:
            for code, evidence in interpret(text) if text and text.strip() else ():
                # a title is quoted as typed; a self-description by the words that named the job
                said = text.strip()[:20] if own_title else "您提到的" + "、".join(evidence[:3])
                words.setdefault(code, said)
                if code not in codes:
                    codes.append(code)

    read(prof.desired_titles, True)
    if not codes:
        read([*prof.skills, *prof.certificates, prof.summary], False)
    prof.desired_occupations, prof.occupation_words = codes, words


def default_policy(posting: Posting, share: float = DEFAULT_GROUP_SHARE) -> GroupPolicy | None:
    """The posting's target groups share ``share`` of every prefix between them."""
    groups = [g for g in (posting.target_groups or []) if g]
    if not groups:
        return None
    return GroupPolicy({g: round(share / len(groups), 4) for g in groups}, name="岗位指定的重点群体")


def _current(e: StoredEmbedding | None, row) -> bool:
    return e is not None and e.subject_version == (row.version or 1) and not e.stale


def _stored(session: Session, subject_type: str, model_version: str, ids: list[int]) -> dict[int, StoredEmbedding]:
    return {e.subject_id: e for e in session.scalars(select(StoredEmbedding).where(
        StoredEmbedding.subject_type == subject_type, StoredEmbedding.model_version == model_version,
        StoredEmbedding.subject_id.in_(ids)))}


def read_embeddings(session: Session, ranker, subject_type: str, rows: list, profiles: list) -> list[int]:
    """Fill ``profiles``' embeddings from the store (same model, same row version) and compute the
    missing or stale ones in memory, writing nothing: a page that only reads stays a reader. Returns
    the indexes (into ``rows``) that were computed here."""
    if not rows:
        return []
    stored = _stored(session, subject_type, ranker.model_version, [r.id for r in rows])
    missing = []
    for i, (row, prof) in enumerate(zip(rows, profiles)):
        e = stored.get(row.id)
        if _current(e, row):
            prof.embedding = np.frombuffer(e.vector, dtype="<f4").copy()
        else:
            missing.append(i)
    if missing:
        ranker.embed([profiles[i] for i in missing])
    return missing


def store_embeddings(session: Session, model_version: str, subject_type: str, rows: list, profiles: list) -> None:
    """Store computed ``profiles``' embeddings for ``rows`` (insert or replace; flushes, does not commit)."""
    stored = _stored(session, subject_type, model_version, [r.id for r in rows])
    for row, prof in zip(rows, profiles):
        vec = np.asarray(prof.embedding, dtype="<f4")
        e = stored.get(row.id)
        if e is None:
            e = StoredEmbedding(subject_type=subject_type, subject_id=row.id, model_version=model_version)
            session.add(e)
        e.subject_version, e.dim, e.vector, e.stale = row.version or 1, len(vec), vec.tobytes(), False
    session.flush()


def load_embeddings(session: Session, ranker, subject_type: str, rows: list, profiles: list) -> int:
    """Fill ``profiles``' embeddings, computing and storing the missing or stale ones (``matcher
    embed``, set-up). Returns how many were (re-)computed."""
    missing = read_embeddings(session, ranker, subject_type, rows, profiles)
    if missing:
        store_embeddings(session, ranker.model_version, subject_type, [rows[i] for i in missing],
                         [profiles[i] for i in missing])
    return len(missing)


@dataclass(frozen=True)
class _Subject:
    id: int
    version: int


def _embed_and_store(session: Session, ranker, subject_type: str, load) -> int:
    """``load()`` -> (rows, profiles). Read them, end the read, compute the embeddings that are not
    current with no transaction open while the model runs, and store them in one short write
    transaction (run again after a conflict)."""
    with reading():
        rows, profiles = load()
        subjects = [_Subject(r.id, r.version or 1) for r in rows]
        stored = _stored(session, subject_type, ranker.model_version, [s.id for s in subjects]) if rows else {}
        todo = [i for i, s in enumerate(subjects) if not _current(stored.get(s.id), s)]
        session.commit()  # nothing of this session holds a lock while the model runs
    if not todo:
        return 0
    ranker.embed([profiles[i] for i in todo])

    def store() -> None:
        try:
            begin_write(session)
            store_embeddings(session, ranker.model_version, subject_type, [subjects[i] for i in todo],
                             [profiles[i] for i in todo])
            session.commit()
        except BaseException:
            session.rollback()
            raise

    retry_conflicts(store)
    return len(todo)


def embed_seeker(session: Session, ranker, seeker_id: int) -> int:
    """Store a jobseeker's embedding after their profile is saved (1 when it was computed)."""

    def load():
        seeker = session.get(Jobseeker, seeker_id)
        return ([seeker], [seeker_profile(seeker, _interpret(ranker))]) if seeker is not None else ([], [])

    return _embed_and_store(session, ranker, "seeker", load)


def embed_seekers(session: Session, ranker, seeker_ids: list[int]) -> int:
    """Store the embeddings of several jobseekers (a roster just imported): ahead of their first
    recommendations, so those only read. Returns how many were computed."""

    def load():
        rows = session.scalars(select(Jobseeker).where(Jobseeker.id.in_(seeker_ids))).all() if seeker_ids else []
        interpret = _interpret(ranker)
        return rows, [seeker_profile(s, interpret) for s in rows]

    return _embed_and_store(session, ranker, "seeker", load)


def embed_postings(session: Session, ranker, posting_ids: list[int]) -> int:
    """Store the embeddings of the published postings among ``posting_ids`` (the relay, after indexing)."""

    def load():
        if not ranker.occupation_names:
            ranker.occupation_names = _occupation_names(session)
        rows = session.scalars(select(Posting).where(Posting.id.in_(posting_ids),
                                                     Posting.status == PostingStatus.PUBLISHED)).all()
        names = ranker.occupation_names
        return rows, [posting_profile(p, names.get(p.occupation_code or "", "")) for p in rows]

    return _embed_and_store(session, ranker, "posting", load)


def mark_embeddings_stale(session: Session, model_version: str) -> int:
    """After a model change: every vector of another model is stale (re-embedded on next use or by
    ``joblink matcher embed``)."""
    rows = session.scalars(select(StoredEmbedding).where(StoredEmbedding.model_version != model_version,
                                                         StoredEmbedding.stale.is_(False))).all()
    for r in rows:
        r.stale = True
    return len(rows)


@dataclass
class MatchOutcome:
    ranked: RankedList
    record_id: int | None
    excluded: list[dict] = field(default_factory=list)  # [{"id", "reason"}]


def _occupation_names(session: Session) -> dict[str, str]:
    from core.reference.services import occupation_directory

    return {o.code: o.name for o in occupation_directory(session).all()}


def _for_enterprise(session: Session, actor_user_id: int | None) -> bool:
    from core.accounts.models import User

    actor = session.get(User, actor_user_id) if actor_user_id is not None else None
    return actor is not None and actor.role == Role.ENTERPRISE


def rank_seekers_for_posting(
    session: Session, posting_id: int, ranker, *, k: int = 50, policy: GroupPolicy | None | str = "auto",
    actor_user_id: int | None = None, store: bool = True, today: dt.date | None = None,
) -> MatchOutcome:
    """Rank the jobseekers for a posting; ``policy="auto"`` takes the posting's target groups. A list
    made for an enterprise account holds only the people who let that enterprise find them."""
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise DomainError("posting_not_found", f"岗位 {posting_id} 不存在", "posting")
    if policy == "auto":
        policy = default_policy(posting)
    if not ranker.occupation_names:
        ranker.occupation_names = _occupation_names(session)
    pprof = posting_profile(posting, ranker.occupation_names.get(posting.occupation_code or "", ""))
    mark_shortage([pprof], shortage_occupations(session))  # the same for every person: a line for staff
    read_embeddings(session, ranker, "posting", [posting], [pprof])
    seekers = session.scalars(
        select(Jobseeker).where(Jobseeker.availability != Availability.UNAVAILABLE).order_by(Jobseeker.id)
    ).all()
    interpret = _interpret(ranker)
    profiles = [seeker_profile(s, interpret) for s in seekers]
    overrides = {o.jobseeker_id: o for o in session.scalars(
        select(MatchOverride).where(MatchOverride.posting_id == posting_id))}
    # only people who may be recommended (or whom a commissioner named) need a vector
    wanted = [(s, p) for s, p in zip(seekers, profiles) if p.consent_recommendation or s.id in overrides]
    if _for_enterprise(session, actor_user_id):  # what the people chose: core.seekers.privacy
        findable = findable_by_enterprise(session, posting.enterprise_id, [s for s, _ in wanted])
        wanted = [(s, p) for s, p in wanted if s.id in findable]
    read_embeddings(session, ranker, "seeker", [s for s, _ in wanted], [p for _, p in wanted])
    ranked = ranker.rank_seekers_for_posting(pprof, [p for _, p in wanted], k=k + len(overrides), policy=policy,
                                             today=today)
    by_id = {p.id: p for _, p in wanted}
    excluded = _apply_overrides(ranked, overrides, by_id, pprof, ranker, k)
    unwilling = sum(1 for p in profiles if not p.consent_recommendation)  # left out before ranking: say so
    if unwilling:
        ranked.filtered_out[REASONS["no_consent"]] = unwilling
    record_id = None
    if store:
        chosen = {i.id for i in ranked.items}
        versions = {"posting": {str(posting.id): posting.version},
                    "jobseekers": {str(s.id): s.version for s in seekers if s.id in chosen}}
        begin_write(session)
        record_id = _store(session, ranked, posting_id=posting.id, jobseeker_id=None, k=k, versions=versions,
                           actor_user_id=actor_user_id, excluded=excluded)
    return MatchOutcome(ranked, record_id, excluded)


def _interpret(ranker):
    return getattr(ranker, "interpret", None)


@dataclass
class Recommendations:
    """Posts for one person: the ranked list, the person's profile as the matcher read it, the rows
    and profiles of the posts in the list (for cards and reasons), and how many posts were open."""

    ranked: RankedList
    seeker: SeekerProfile
    postings: dict[int, Posting]
    profiles: dict[int, PostingProfile]
    open_postings: int
    record_id: int | None = None


def recommend_postings(
    session: Session, seeker_id: int, ranker, *, k: int = 20, today: dt.date | None = None,
    human_review: bool = False,
) -> Recommendations:
    """The service path of 为我推荐, and nothing in it writes: the person's stored vector (computed in
    memory when none is current), candidates from the in-memory pool of published postings (hard
    constraints and nearest neighbours), the candidates' rows read again, then re-ranked with
    their explanation. ``human_review``: a commissioner reviews the list and offers posts by hand
    (a rostered person), so consent to automated recommendation is not needed for it."""
    from matching.ltr import rank_postings

    from .pool import posting_pool

    seeker = session.get(Jobseeker, seeker_id)
    if seeker is None:
        raise DomainError("jobseeker_not_found", f"求职者 {seeker_id} 不存在", "seeker")
    if not ranker.occupation_names:
        ranker.occupation_names = _occupation_names(session)
    sprof = seeker_profile(seeker, _interpret(ranker))
    pool = posting_pool(session, ranker, posting_profile, today)
    consent = False if human_review else None
    blocked = sprof.availability == "unavailable" or (not human_review and ranker.filters.require_consent
                                                      and not sprof.consent_recommendation)
    if blocked:
        ranked = ranker.rank_postings_for_seeker(sprof, [], k=k, today=today, require_consent=consent,
                                                 out_of=len(pool))
        return Recommendations(ranked, sprof, {}, {}, len(pool))
    read_embeddings(session, ranker, "seeker", [seeker], [sprof])
    ids = pool.candidates(ranker, sprof, today, depth=max(ranker.rerank_depth, 3 * k))
    names = ranker.occupation_names
    profiles = {}
    for row in _scoring_rows(session, ids):  # a posting withdrawn since the pool was built is gone
        prof = posting_profile(row, names.get(row.occupation_code or "", ""))
        prof.embedding = pool.vectors[row.id]
        profiles[row.id] = prof
    mark_shortage(profiles.values(), shortage_occupations(session))
    # the learned order when the app chose it and one is saved (MATCHER_RANKER), else the hand-set score
    ranked = rank_postings(ranker, ranker.learned, sprof,
                           [profiles[i] for i in ids if i in profiles], k=k, today=today,
                           require_consent=consent, out_of=len(pool))
    ranked.candidates_considered, ranked.search = len(pool), "index"
    shown = [i.id for i in ranked.items]
    rows = {p.id: p for p in session.scalars(select(Posting).where(Posting.id.in_(shown)))} if shown else {}
    return Recommendations(ranked, sprof, rows, {i: profiles[i] for i in shown}, len(pool))


_SCORED = (Posting.id, Posting.title, Posting.description, Posting.occupation_code, Posting.region_code, Posting.lat,
           Posting.lon, Posting.pay_monthly_min, Posting.pay_monthly_max, Posting.education, Posting.experience_years,
           Posting.skills, Posting.employment_type, Posting.target_groups)


def _scoring_rows(session: Session, ids: list[int]) -> list:
    """What the score reads of the candidates still published (plain rows: no entities to build)."""
    if not ids:
        return []
    return session.execute(select(*_SCORED).where(Posting.id.in_(ids), Posting.status == PostingStatus.PUBLISHED)).all()


def rank_postings_for_seeker(
    session: Session, seeker_id: int, ranker, *, k: int = 20, actor_user_id: int | None = None,
    store: bool = True, today: dt.date | None = None, human_review: bool = False,
) -> MatchOutcome:
    """``recommend_postings``, the list kept (``store``) with its inputs' versions when someone
    acts on it (the API, the command line, a commissioner)."""
    rec = recommend_postings(session, seeker_id, ranker, k=k, today=today, human_review=human_review)
    record_id = keep_recommendations(session, rec, k=k, actor_user_id=actor_user_id) if store else None
    return MatchOutcome(rec.ranked, record_id, [])


def keep_recommendations(session: Session, rec: Recommendations, *, k: int, actor_user_id: int | None) -> int:
    """Store the list someone acts on (a commissioner, the API) with its inputs' versions."""
    seeker = session.get(Jobseeker, rec.seeker.id)
    versions = {"jobseeker": {str(seeker.id): seeker.version},
                "postings": {str(p.id): p.version for p in rec.postings.values()}}
    begin_write(session)
    rec.record_id = _store(session, rec.ranked, posting_id=None, jobseeker_id=seeker.id, k=k, versions=versions,
                           actor_user_id=actor_user_id, excluded=[])
    return rec.record_id


def rank_postings_for_seeker_scan(
    session: Session, seeker_id: int, ranker, *, k: int = 20, today: dt.date | None = None,
) -> MatchOutcome:
    """The path before the pool, kept as bench/recommendations.py's baseline: every published
    posting read and profiled on each request, then ranked exactly. Writes nothing."""
    seeker = session.get(Jobseeker, seeker_id)
    if seeker is None:
        raise DomainError("jobseeker_not_found", f"求职者 {seeker_id} 不存在", "seeker")
    if not ranker.occupation_names:
        ranker.occupation_names = _occupation_names(session)
    sprof = seeker_profile(seeker)
    postings = []
    if sprof.consent_recommendation and sprof.availability != "unavailable":
        postings = session.scalars(select(Posting).where(Posting.status == PostingStatus.PUBLISHED)
                                   .order_by(Posting.id)).all()
        read_embeddings(session, ranker, "seeker", [seeker], [sprof])
    pprofs = [posting_profile(p, ranker.occupation_names.get(p.occupation_code or "", "")) for p in postings]
    mark_shortage(pprofs, shortage_occupations(session))
    read_embeddings(session, ranker, "posting", postings, pprofs)
    return MatchOutcome(ranker.rank_postings_for_seeker(sprof, pprofs, k=k, today=today), None, [])


_ACTION_TEXT = {"pin": "专员置顶", "move": "专员调整名次"}


def _apply_overrides(ranked: RankedList, overrides: dict, profiles: dict, posting: PostingProfile, ranker,
                     k: int) -> list[dict]:
    """Exclusions leave the list (kept aside with their reason); pins and moves take their place."""
    items = [i for i in ranked.items if i.id not in overrides]
    placed = []
    excluded = []
    for sid, o in sorted(overrides.items(), key=lambda t: (t[1].position or 1, t[0])):
        if o.action == "exclude":
            excluded.append({"id": sid, "reason": o.reason})
            continue
        item = next((i for i in ranked.items if i.id == sid), None)
        if item is None:
            prof = profiles.get(sid)
            if prof is None:
                continue  # the person left the pool (e.g. no longer looking)
            s = ranker.score_pair(prof, posting)
            item = RankedItem(sid, 0, 0, s.score, s.features, list(prof.groups), list(s.explanation),
                              "不在自动推荐名单中")
        placed.append((o.position or 1, item, o))
    items = items[: max(0, k - len(placed))]
    for position, item, o in placed:
        note = f"人工调整：{_ACTION_TEXT.get(o.action, o.action)}至第{position}位" + (f"（{o.reason}）" if o.reason else "")
        item.explanation.append(note)
        item.policy_effect = (item.policy_effect + "；" if item.policy_effect else "") + note
        items.insert(min(position - 1, len(items)), item)
    for rank, item in enumerate(items, start=1):
        item.rank = rank
    ranked.items = items
    return excluded


def _store(session, ranked: RankedList, *, posting_id, jobseeker_id, k, versions, actor_user_id, excluded) -> int:
    data = ranked.to_dict()
    record = RankedListRecord(
        direction=ranked.direction, posting_id=posting_id, jobseeker_id=jobseeker_id, k=k,
        model_version=ranked.model_version, weights=data["weights"], policy=data["policy"],
        input_versions=versions, items=data["items"],
        filtered_out={**data["filtered_out"], **({"专员排除": len(excluded)} if excluded else {})},
        created_by_id=actor_user_id,
    )
    session.add(record)
    session.flush()
    return record.id


def set_override(
    session: Session, *, posting_id: int, jobseeker_id: int, action: str, actor_user_id: int | None,
    reason: str = "", position: int | None = None,
) -> MatchOverride:
    """Pin (to ``position``, default 1), exclude (a reason is required) or move a jobseeker."""
    if action not in ("pin", "exclude", "move"):
        raise DomainError("invalid_action", "操作应为置顶、排除或调整名次", "action")
    reason = (reason or "").strip()
    if action == "exclude" and not reason:
        raise DomainError("reason_required", "排除求职者时必须填写理由", "reason")
    if action in ("pin", "move"):
        position = position or 1
        if position < 1 or position > 1000:
            raise DomainError("invalid_position", "名次应为1-1000之间的整数", "position")
    else:
        position = None
    if session.get(Posting, posting_id) is None:
        raise DomainError("posting_not_found", f"岗位 {posting_id} 不存在", "posting")
    if session.get(Jobseeker, jobseeker_id) is None:
        raise DomainError("jobseeker_not_found", f"求职者 {jobseeker_id} 不存在", "seeker")
    o = session.scalar(select(MatchOverride).where(MatchOverride.posting_id == posting_id,
                                                   MatchOverride.jobseeker_id == jobseeker_id))
    if o is None:
        o = MatchOverride(posting_id=posting_id, jobseeker_id=jobseeker_id)
        session.add(o)
    o.action, o.position, o.reason, o.created_by_id = action, position, reason[:500], actor_user_id
    session.flush()
    return o


def clear_override(session: Session, *, posting_id: int, jobseeker_id: int) -> bool:
    o = session.scalar(select(MatchOverride).where(MatchOverride.posting_id == posting_id,
                                                   MatchOverride.jobseeker_id == jobseeker_id))
    if o is None:
        return False
    session.delete(o)
    session.flush()
    return True


def overrides_for(session: Session, posting_id: int) -> list[MatchOverride]:
    return list(session.scalars(select(MatchOverride).where(MatchOverride.posting_id == posting_id)
                                .order_by(MatchOverride.id)))
