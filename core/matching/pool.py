"""The published postings as a vector pool, kept in memory per process for the service path.

为我推荐 must answer in well under a second at 100,000 postings and write nothing. Building every
posting's profile per request (the path before this one) costs seconds; here the pool (each
published posting's place, kind and stored vector, arranged by ``matching``'s vector index) is
built once and refreshed when postings change: a change is seen from primary keys alone (the
outbox's newest event, the newest posting), and only the postings named since are read again. The pool
only generates candidates: the candidates' rows are read again from the database before they are
scored, so a posting withdrawn a moment ago never reaches a card.

A posting whose vector is not stored yet (the relay stores it after indexing; a model changed) is
embedded in memory for the pool, never written from here.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import PostingStatus
from core.outbox.models import OutboxEvent
from core.postings.models import Posting
from matching.profiles import PostingProfile

from .models import StoredEmbedding

_lock = threading.Lock()
_pools: dict[tuple, PostingPool] = {}
_CHUNK = 900  # ids per IN (...) (SQLite's variable limit is 999 on old builds)
# A change seen through the outbox refreshes only the postings it names; above this many, and at
# least every FULL_CHECK_SECONDS (for changes written around the outbox), every published posting's
# version is compared instead.
INCREMENTAL_MAX = 5_000
FULL_CHECK_SECONDS = 3600.0
# Changed postings are indexed apart (a small index rebuilt per change) until there are this many,
# or this share of the base (at least a quarter of DELTA_MAX rows) is out of date; then the whole
# index is rebuilt.
DELTA_MAX = 2_000
DEAD_SHARE = 0.05


def _value(v) -> str:
    return getattr(v, "value", v) if v is not None else ""


@dataclass
class PostingPool:
    """``base``: the vector index of the postings as of the last full build; ``dead`` marks its rows
    changed or gone since; ``delta``: a small index of the postings changed or added since (rebuilt
    on each change, which costs milliseconds). A full rebuild folds the delta in when it grows."""

    signature: tuple
    base: object  # matching.ranker.ProfilePool
    entries: dict[int, PostingProfile] = field(default_factory=dict)  # published postings, place and kind only
    keys: dict[int, int] = field(default_factory=dict)  # posting id -> version
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    checked_at: float = 0.0  # monotonic time of the last full comparison with the table
    embedded_here: int = 0  # postings whose vector was computed in memory (not stored yet)
    dead: np.ndarray | None = None  # base rows no longer current
    delta: object | None = None  # matching.ranker.ProfilePool of the changed and new postings

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def today(self) -> dt.date:
        return self.base.today

    def base_row(self, posting_id: int) -> int | None:
        rows = getattr(self, "_rows", None)
        if rows is None:
            rows = self._rows = {p.id: i for i, p in enumerate(self.base.profiles)}
        return rows.get(posting_id)

    def candidates(self, ranker, seeker, today: dt.date | None, depth: int) -> list[int]:
        """Posting ids, nearest first, within the person's area (the base's live rows and the delta)."""
        found = [(self.base.profiles[r].id, sim) for r, sim in
                 ranker.candidates_for_seeker(seeker, self.base, today, depth=depth, exclude=self.dead)]
        if self.delta is not None and len(self.delta):
            found += [(self.delta.profiles[r].id, sim) for r, sim in
                      ranker.candidates_for_seeker(seeker, self.delta, today, depth=depth)]
            found.sort(key=lambda t: (-t[1], t[0]))
        return [pid for pid, _ in found[:depth]]


def signature(session: Session) -> tuple:
    """What tells a change, read from two primary keys (constant time at any size): every change of a
    posting that search or matching must follow goes through the outbox (``core.outbox``), and a
    posting written straight to the table (a test, a repair) still takes a new id."""
    newest = session.execute(select(Posting.id, Posting.version, Posting.updated_at)
                             .order_by(Posting.id.desc()).limit(1)).first()
    return (session.scalar(select(func.max(OutboxEvent.id))),) + (tuple(newest) if newest else (None, None, None))


def _chunks(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _stored_vectors(session: Session, model_version: str, wanted: dict[int, int]) -> dict[int, np.ndarray]:
    """Stored, current vectors of ``wanted`` (id -> version) under the model."""
    out: dict[int, np.ndarray] = {}
    stmt = select(StoredEmbedding.subject_id, StoredEmbedding.subject_version, StoredEmbedding.vector).where(
        StoredEmbedding.model_version == model_version, StoredEmbedding.subject_type == "posting",
        StoredEmbedding.stale.is_(False))
    if len(wanted) > 20_000:  # most of the table: one pass beats many IN lists
        rows = session.execute(stmt)
    else:
        rows = (r for part in _chunks(list(wanted)) for r in session.execute(stmt.where(
            StoredEmbedding.subject_id.in_(part))))
    for sid, version, blob in rows:
        if wanted.get(sid) == version:
            out[sid] = np.frombuffer(blob, dtype="<f4")
    return out


def _embed_missing(session: Session, ranker, ids: list[int], posting_profile) -> dict[int, np.ndarray]:
    """Vectors of postings that have none stored, computed in memory (nothing is written)."""
    out: dict[int, np.ndarray] = {}
    for part in _chunks(ids):
        rows = session.scalars(select(Posting).where(Posting.id.in_(part))).all()
        profiles = [posting_profile(p, ranker.occupation_names.get(p.occupation_code or "", "")) for p in rows]
        ranker.embed(profiles)
        out.update((p.id, np.asarray(prof.embedding, dtype=np.float32)) for p, prof in zip(rows, profiles))
    return out


_LITE = (Posting.id, Posting.version, Posting.region_code, Posting.lat, Posting.lon, Posting.employment_type)


def _versions(session: Session) -> list:
    """(id, version) of every published posting: the full comparison reads no more than this."""
    return session.execute(select(Posting.id, Posting.version).where(Posting.status == PostingStatus.PUBLISHED)).all()


def _lite_rows(session: Session, ids: list[int] | None) -> list:
    """Place and kind of ``ids`` that are published (None: of every published posting, in one pass)."""
    published = Posting.status == PostingStatus.PUBLISHED
    if ids is None:
        return session.execute(select(*_LITE).where(published)).all()
    return [r for part in _chunks(ids) for r in session.execute(select(*_LITE).where(Posting.id.in_(part), published))]


def _rewritten(before: tuple, now: tuple) -> bool:
    """The newest posting went back, or is another row under the same id."""
    return (before[1] or 0) > (now[1] or 0) or (before[1] == now[1] and before[2:] != now[2:] and
                                                  before[0] == now[0])


def _changed_ids(session: Session, old: PostingPool, now: tuple) -> list[int] | None:
    """Postings changed since ``old`` was built, or None when a full comparison is due."""
    last_event, last_posting = old.signature[:2]
    if time.monotonic() - old.checked_at > FULL_CHECK_SECONDS:
        return None
    ids = set(session.scalars(select(OutboxEvent.entity_id).where(
        OutboxEvent.id > (last_event or 0), OutboxEvent.entity == "posting")))
    ids.update(session.scalars(select(Posting.id).where(Posting.id > (last_posting or 0))))
    return None if len(ids) > INCREMENTAL_MAX else sorted(ids)


def _index(ranker, entries: dict, vectors: dict, ids, today: dt.date):
    profiles = [entries[i] for i in sorted(ids) if i in vectors]
    for p in profiles:
        p.embedding = vectors[p.id]
    pool = ranker.pool(profiles, today=today)
    for p in profiles:
        p.embedding = None  # the index holds them now; ``vectors`` keeps one copy for the next refresh
    return pool


def _build(session: Session, ranker, sig: tuple, old: PostingPool | None, posting_profile,
           today: dt.date) -> PostingPool:
    entries = dict(old.entries) if old is not None else {}
    keys = dict(old.keys) if old is not None else {}
    vectors = dict(old.vectors) if old is not None else {}
    changed = _changed_ids(session, old, sig) if old is not None else None
    checked = old.checked_at if old is not None else 0.0
    full = old is None or changed is None or old.today != today
    if old is None:
        changed, checked = None, time.monotonic()  # the first build reads every published posting at once
    elif changed is None:  # compare every published posting's version with what the pool holds
        current = {pid: version or 1 for pid, version in _versions(session)}
        changed = [pid for pid, version in current.items() if keys.get(pid) != version]
        changed += [pid for pid in keys if pid not in current]
        checked = time.monotonic()
    for pid in changed or ():
        entries.pop(pid, None), keys.pop(pid, None), vectors.pop(pid, None)
    for r in _lite_rows(session, changed):  # the changed postings that are (still) published
        keys[r.id] = r.version or 1
        entries[r.id] = PostingProfile(id=r.id, title="", region_code=r.region_code, lat=r.lat, lon=r.lon,
                                       employment_type=_value(r.employment_type) or "full_time")
    todo = {i: keys[i] for i in entries if i not in vectors}
    vectors.update(_stored_vectors(session, ranker.model_version, todo))
    missing = [i for i in todo if i not in vectors]
    if missing:
        vectors.update(_embed_missing(session, ranker, missing, posting_profile))
    if not full and not changed:
        return replace(old, signature=sig, entries=entries, keys=keys, vectors=vectors, checked_at=checked)
    if not full:  # mark the changed rows of the base, index the changed and new postings apart
        dead = old.dead.copy() if old.dead is not None else np.zeros(len(old.base), dtype=bool)
        for pid in changed:
            row = old.base_row(pid)
            if row is not None:
                dead[row] = True
        fresh = {p.id for p in (old.delta.profiles if old.delta is not None else ())} | set(changed)
        fresh = {i for i in fresh if i in entries}
        if len(fresh) <= DELTA_MAX and dead.sum() <= max(DELTA_MAX / 4, DEAD_SHARE * len(old.base)):
            return PostingPool(sig, old.base, entries, keys, vectors, checked, old.embedded_here + len(missing),
                               dead, _index(ranker, entries, vectors, fresh, today))
    return PostingPool(sig, _index(ranker, entries, vectors, entries, today), entries, keys, vectors, checked,
                       len(missing))


def posting_pool(session: Session, ranker, posting_profile, today: dt.date | None = None) -> PostingPool:
    """The current pool of published postings for ``ranker``'s model (built or refreshed as needed).

    ``posting_profile(row, occupation_name)`` turns a posting row into the matcher's profile (core's
    one conversion, handed in to keep this module free of the services that import it)."""
    today = today or dt.date.today()
    bind = session.get_bind()
    key = (str(getattr(bind, "engine", bind).url), ranker.model_version)
    sig = signature(session)
    with _lock:
        cached = _pools.get(key)
        if cached is not None and _rewritten(cached.signature, sig):
            cached = None  # rows rewritten under the same ids (a restore, a test's rollback): start afresh
        fresh = cached is not None and cached.signature == sig and cached.today == today
        if fresh and time.monotonic() - cached.checked_at <= FULL_CHECK_SECONDS:
            return cached
        built = _build(session, ranker, sig, cached, posting_profile, today)
        _pools[key] = built
        return built


def clear_pools() -> None:
    """Forget every pool (a new model, tests)."""
    with _lock:
        _pools.clear()
