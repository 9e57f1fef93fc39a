"""The published postings as a vector pool, kept in memory per process for the service path.

为我推荐 must answer in well under a second at 100,000 postings and write nothing. Building every
posting's profile per request (the path before this one) costs seconds; here the pool (each
published posting's place, kind and stored vector, arranged by ``matching``'s vector index) is
built once and rebuilt only when the published postings or their vectors change. A change is seen
by one aggregate query per request (count, highest id, sum of versions, latest update). The pool
only generates candidates: the candidates' rows are read again from the database before they are
scored, so a posting withdrawn a moment ago never reaches a card.

A posting whose vector is not stored yet (the relay stores it after indexing; a model changed) is
embedded in memory for the pool, never written from here.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import PostingStatus
from core.postings.models import Posting
from matching.profiles import PostingProfile

from .models import StoredEmbedding

_lock = threading.Lock()
_pools: dict[tuple, PostingPool] = {}
_CHUNK = 900  # ids per IN (...) (SQLite's variable limit is 999 on old builds)


def _value(v) -> str:
    return getattr(v, "value", v) if v is not None else ""


@dataclass
class PostingPool:
    signature: tuple
    pool: object  # matching.ranker.ProfilePool
    keys: dict[int, tuple] = field(default_factory=dict)  # posting id -> (version, updated_at)
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    built_at: dt.datetime | None = None
    embedded_here: int = 0  # postings whose vector was computed in memory (not stored yet)

    def __len__(self) -> int:
        return len(self.pool)

    def row(self, i: int) -> PostingProfile:
        return self.pool.profiles[i]


def signature(session: Session, model_version: str) -> tuple:
    """What the pool depends on, in two aggregate queries (no rows come back to Python)."""
    posts = session.execute(
        select(func.count(Posting.id), func.max(Posting.id), func.sum(Posting.version), func.max(Posting.updated_at))
        .where(Posting.status == PostingStatus.PUBLISHED)).one()
    vecs = session.execute(
        select(func.count(StoredEmbedding.id), func.max(StoredEmbedding.updated_at))
        .where(StoredEmbedding.model_version == model_version, StoredEmbedding.subject_type == "posting")).one()
    return tuple(posts) + tuple(vecs)


def _chunks(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _stored_vectors(session: Session, model_version: str, wanted: dict[int, tuple]) -> dict[int, np.ndarray]:
    """Stored, current vectors of ``wanted`` (id -> (version, updated_at)) under the model."""
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
        key = wanted.get(sid)
        if key is not None and key[0] == version:
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


def _lite_rows(session: Session):
    return session.execute(select(
        Posting.id, Posting.version, Posting.updated_at, Posting.region_code, Posting.lat, Posting.lon,
        Posting.employment_type).where(Posting.status == PostingStatus.PUBLISHED).order_by(Posting.id)).all()


def _build(session: Session, ranker, sig: tuple, old: PostingPool | None, posting_profile,
           today: dt.date) -> PostingPool:
    rows = _lite_rows(session)
    keys = {r.id: (r.version or 1, r.updated_at) for r in rows}
    vectors = {}
    if old is not None:  # unchanged postings keep the vectors already in memory
        vectors = {i: v for i, v in old.vectors.items() if old.keys.get(i) == keys.get(i)}
    todo = {i: k for i, k in keys.items() if i not in vectors}
    vectors.update(_stored_vectors(session, ranker.model_version, todo))
    missing = [i for i in todo if i not in vectors]
    if missing:
        vectors.update(_embed_missing(session, ranker, missing, posting_profile))
    profiles = [PostingProfile(id=r.id, title="", region_code=r.region_code, lat=r.lat, lon=r.lon,
                               employment_type=_value(r.employment_type) or "full_time", embedding=vectors[r.id])
                for r in rows if r.id in vectors]
    pool = ranker.pool(profiles, today=today)
    for p in profiles:
        p.embedding = None  # the index holds them now; ``vectors`` keeps one copy for the next refresh
    return PostingPool(sig, pool, keys, vectors, dt.datetime.now(dt.UTC), len(missing))


def posting_pool(session: Session, ranker, posting_profile, today: dt.date | None = None) -> PostingPool:
    """The current pool of published postings for ``ranker``'s model (built or refreshed as needed).

    ``posting_profile(row, occupation_name)`` turns a posting row into the matcher's profile (core's
    one conversion, handed in to keep this module free of the services that import it)."""
    today = today or dt.date.today()
    bind = session.get_bind()
    key = (str(getattr(bind, "engine", bind).url), ranker.model_version, today)
    sig = signature(session, ranker.model_version)
    with _lock:
        cached = _pools.get(key)
        if cached is not None and cached.signature == sig:
            return cached
        old = cached or next((p for (url, mv, _d), p in _pools.items() if url == key[0] and mv == key[1]), None)
        built = _build(session, ranker, sig, old, posting_profile, today)
        for k in [k for k in _pools if k[0] == key[0] and k[1] == key[1]]:
            del _pools[k]  # one pool per database and model
        _pools[key] = built
        return built


def clear_pools() -> None:
    """Forget every pool (a new model, tests)."""
    with _lock:
        _pools.clear()
