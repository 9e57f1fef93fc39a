"""The outbox relay: drains ``outbox_events`` to the search backend, and repairs drift.

- ``Relay.run_once`` claims a batch of due events with a claim token (an ``UPDATE ... WHERE
  state='pending'`` that a second relay cannot win for the same rows, on SQLite and PostgreSQL
  alike), re-reads the rows by id, writes documents (or deletions) with the row's version, and marks
  the events done. A failed write goes back to pending with exponential back-off; after
  ``max_attempts`` it is dead-lettered with its error kept. Events claimed by a relay that died are
  reclaimed after ``claim_timeout``.
- ``rebuild`` builds a new index from the database and swaps it in; ``reconcile`` compares the
  database with the index (missing, orphans, stale versions) and fixes what differs.

Delivery is at least once: a redelivered event rewrites the same version, which the backend refuses
as stale, so repetition is harmless.

Transactions stay short and the search backend (a network call with Elasticsearch) is written with no
write transaction open: the claim and the bookkeeping are short writes that queue for SQLite's write
lock (core.db), the documents are read as a reader. When given ``embed``, the relay also stores the
embeddings of the postings it indexed (computed with no transaction open), so recommendations only read.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

import core.all_models  # noqa: F401  every mapper, so relationships resolve outside the web app too
from core.channels.models import Channel
from core.db import reading, utcnow
from core.enums import OutboxState, PostingStatus
from core.outbox.models import OutboxEvent
from core.postings.models import Posting
from core.search import SearchBackend, SearchError
from indexer.search.documents import posting_document, seeker_document
from indexer.search.semantic import PostingVectors
from indexer.search.fairs import fair_documents, searchable_fair_documents

log = logging.getLogger(__name__)
T = TypeVar("T")

ENTITY_COLLECTION = {"posting": "postings", "seeker": "seekers", "fair": "fairs"}


# ---------------------------------------------------------------------------------------------
# What is searchable, as documents
# ---------------------------------------------------------------------------------------------


def posting_is_searchable(p: Posting, today: dt.date | None = None) -> bool:
    today = today or utcnow().date()
    return p.status == PostingStatus.PUBLISHED and (p.valid_until is None or p.valid_until >= today)


def seeker_is_searchable(s) -> bool:
    from core.enums import Availability

    return bool(s.consent_recommendation) and s.availability != Availability.UNAVAILABLE


def _channel_kinds(session: Session) -> dict[int, str]:
    return {cid: str(getattr(kind, "value", kind)) for cid, kind in session.execute(select(Channel.id, Channel.kind))}


def load_documents(session: Session, entity: str, ids: list[int],
                   vectors: PostingVectors | None = None) -> tuple[list[dict], list[tuple[int, int | None]]]:
    """Documents to write and ``(id, version)`` deletions for ``ids`` of ``entity``, from the rows as
    they are now (a missing row is deleted without a version); postings carry their ``vectors``
    (indexer.search.semantic) when a model is there."""
    docs, deletes = [], []
    if entity == "posting":
        rows = {p.id: p for p in session.scalars(select(Posting).where(Posting.id.in_(ids))).unique()}
        kinds = _channel_kinds(session) if rows else {}
        vecs = vectors(session, [p for p in rows.values() if posting_is_searchable(p)]) if vectors and rows else {}
        for i in ids:
            p = rows.get(i)
            if p is None:
                deletes.append((i, None))
            elif posting_is_searchable(p):
                docs.append(posting_document(p, channel_kind=kinds.get(p.channel_id), vector=vecs.get(p.id)))
            else:
                deletes.append((i, p.version))
    elif entity == "seeker":
        from core.seekers.models import Jobseeker

        rows = {s.id: s for s in session.scalars(select(Jobseeker).where(Jobseeker.id.in_(ids))).unique()}
        for i in ids:
            s = rows.get(i)
            if s is None:
                deletes.append((i, None))
            elif seeker_is_searchable(s):
                docs.append(seeker_document(s))
            else:
                deletes.append((i, s.version))
    elif entity == "fair":
        return fair_documents(session, ids)
    else:
        raise ValueError(f"unknown entity {entity!r}")
    return docs, deletes


def searchable_documents(session: Session, collection: str, batch: int = 500,
                         vectors: PostingVectors | None = None) -> Iterator[dict]:
    """Every document the index should hold, read in pages by id (for rebuild); postings with their
    ``vectors`` when given."""
    if collection == "fairs":
        yield from searchable_fair_documents(session, batch)
        return
    if collection == "postings":
        kinds = _channel_kinds(session)
        today = utcnow().date()
        model, where = Posting, Posting.status == PostingStatus.PUBLISHED
    elif collection == "seekers":
        from core.seekers.models import Jobseeker

        model, where = Jobseeker, Jobseeker.consent_recommendation.is_(True)
    else:
        raise ValueError(f"unknown collection {collection!r}")
    last = 0
    while True:
        rows = list(session.scalars(select(model).where(where, model.id > last).order_by(model.id).limit(batch)).unique())
        if not rows:
            return
        last = rows[-1].id
        vecs = vectors(session, [r for r in rows if posting_is_searchable(r, today)]) \
            if vectors and collection == "postings" else {}
        for row in rows:
            if collection == "postings":
                if posting_is_searchable(row, today):
                    yield posting_document(row, channel_kind=kinds.get(row.channel_id), vector=vecs.get(row.id))
            elif seeker_is_searchable(row):
                yield seeker_document(row)


def searchable_versions(session: Session, collection: str) -> dict[int, int]:
    if collection == "postings":
        today = utcnow().date()
        stmt = select(Posting.id, Posting.version).where(
            Posting.status == PostingStatus.PUBLISHED,
            or_(Posting.valid_until.is_(None), Posting.valid_until >= today))
        return {i: v for i, v in session.execute(stmt)}
    return {d["id"]: d["version"] for d in searchable_documents(session, collection)}


# ---------------------------------------------------------------------------------------------
# The relay
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    entity: str
    entity_id: int
    attempts: int


@dataclass
class RelayStats:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    dead: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "RelayStats") -> None:
        self.claimed += other.claimed
        self.done += other.done
        self.retried += other.retried
        self.dead += other.dead
        self.batches += other.batches
        self.errors += other.errors[-5:]


class Relay:
    def __init__(self, backend: SearchBackend, batch_size: int = 200, max_attempts: int = 8,
                 base_delay: float = 2.0, max_delay: float = 600.0, claim_timeout: float = 300.0,
                 worker_id: str | None = None, embed: Callable[[Session, list[int]], int] | None = None,
                 vectors: PostingVectors | None = None):
        self.backend = backend
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.claim_timeout = claim_timeout
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.embed = embed  # (session, posting ids) -> how many vectors it stored
        self.vectors = vectors  # the postings' vectors put into their documents (semantic search)

    # -- claiming ---------------------------------------------------------------------------

    def claim(self, session: Session) -> list["Claimed"]:
        """Claim up to ``batch_size`` due events for this relay; commits the claim."""
        session.commit()  # start from a fresh transaction: its first statement is the write below
        now = utcnow()
        expired = now - dt.timedelta(seconds=self.claim_timeout)
        due = or_(
            and_(OutboxEvent.state == OutboxState.PENDING, OutboxEvent.available_at <= now),
            and_(OutboxEvent.state == OutboxState.PROCESSING, OutboxEvent.claimed_at < expired),
        )
        token = f"{self.worker_id}:{uuid.uuid4().hex[:12]}"
        # One statement that both picks and claims: the condition is evaluated again on each row as
        # it is updated (PostgreSQL re-checks a row another transaction just claimed; SQLite
        # serialises writers), so an event has exactly one owner. Starting the transaction with a
        # write also keeps SQLite from failing a read-then-write upgrade when two relays race.
        pick = select(OutboxEvent.id).where(due).order_by(OutboxEvent.id).limit(self.batch_size).scalar_subquery()
        session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(pick), due)
            .values(state=OutboxState.PROCESSING, claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False))
        session.commit()
        rows = session.execute(select(OutboxEvent.id, OutboxEvent.entity, OutboxEvent.entity_id, OutboxEvent.attempts)
                               .where(OutboxEvent.claimed_by == token, OutboxEvent.state == OutboxState.PROCESSING)
                               .order_by(OutboxEvent.id)).all()
        session.commit()
        return [Claimed(*r) for r in rows]

    # -- processing -------------------------------------------------------------------------

    def run_once(self, session: Session) -> RelayStats:
        """Claim and process one batch; returns what happened (``claimed == 0``: nothing due)."""
        stats = RelayStats()
        events = self.claim(session)
        stats.claimed = len(events)
        if not events:
            return stats
        stats.batches = 1
        with reading():  # documents are read beside the writers; the backend is written with no lock held
            failures, indexed = self._deliver(session, events)
            session.commit()  # end the read transaction: the bookkeeping below starts with a write
        self._record(session, events, failures, stats)
        if self.embed is not None and indexed:
            self._embed(session, indexed)
        return stats

    def _deliver(self, session: Session, events: list[Claimed]) -> tuple[dict[int, str], list[int]]:
        """Write the claimed events' documents; returns failures (event id -> error) and the ids of
        the postings written."""
        failures: dict[int, str] = {}
        by_entity: dict[str, dict[int, list[Claimed]]] = {}
        for ev in events:
            if ev.entity not in ENTITY_COLLECTION:
                failures[ev.id] = f"unknown entity {ev.entity!r}"
                continue
            by_entity.setdefault(ev.entity, {}).setdefault(ev.entity_id, []).append(ev)
        indexed: list[int] = []
        for entity, evs in by_entity.items():
            collection = ENTITY_COLLECTION[entity]
            ids = sorted(evs)
            try:
                docs, deletes = load_documents(session, entity, ids, vectors=self.vectors)
                failed: dict[int, str] = {}
                if docs:
                    failed.update(self.backend.upsert(collection, docs).failed)
                if deletes:
                    failed.update(self.backend.delete(collection, deletes).failed)
                if entity == "posting":
                    indexed += [d["id"] for d in docs if d["id"] not in failed]
            except SearchError as exc:
                failed = {i: str(exc) for i in ids}
            except Exception as exc:  # a bug must not stop the relay; the event keeps the error
                log.exception("relay: %s %s failed", entity, ids[:5])
                failed = {i: f"{type(exc).__name__}: {exc}" for i in ids}
            for entity_id, error in failed.items():
                for ev in evs.get(entity_id, []):
                    failures[ev.id] = error
        return failures, indexed

    def _record(self, session: Session, events: list[Claimed], failures: dict[int, str], stats: RelayStats) -> None:
        """Mark the batch's events done, retried or dead, in one short write transaction."""
        now = utcnow()
        done_ids = [ev.id for ev in events if ev.id not in failures]
        if done_ids:
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(done_ids))
                            .values(state=OutboxState.DONE, claimed_by=None, attempts=OutboxEvent.attempts + 1,
                                    last_error=None)
                            .execution_options(synchronize_session=False))
        stats.done = len(done_ids)
        for ev in events:
            if ev.id not in failures:
                continue
            attempts = (ev.attempts or 0) + 1
            error = failures[ev.id][:2000]
            if attempts >= self.max_attempts:
                values = dict(state=OutboxState.DEAD, attempts=attempts, last_error=error, claimed_by=None)
                stats.dead += 1
            else:
                delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
                values = dict(state=OutboxState.PENDING, attempts=attempts, last_error=error, claimed_by=None,
                              available_at=now + dt.timedelta(seconds=delay))
                stats.retried += 1
            session.execute(update(OutboxEvent).where(OutboxEvent.id == ev.id).values(**values)
                            .execution_options(synchronize_session=False))
            stats.errors.append(f"{ev.entity} {ev.entity_id}: {error}")
        session.commit()

    def _embed(self, session: Session, posting_ids: list[int]) -> None:
        """Store the indexed postings' vectors; a failure here only leaves them to be computed in
        memory when a page needs them, so it is logged, never raised."""
        try:
            self.embed(session, posting_ids)
        except Exception:
            session.rollback()
            log.exception("relay: embeddings of postings %s not stored", posting_ids[:5])

    def drain(self, session: Session, max_batches: int | None = None) -> RelayStats:
        """Process batches until nothing is due (``--once``)."""
        total = RelayStats()
        while max_batches is None or total.batches < max_batches:
            s = self.run_once(session)
            total.add(s)
            if s.claimed == 0:
                break
        return total

    def run_forever(self, session_factory: Callable[[], Session], poll_interval: float = 0.5,
                    should_stop: Callable[[], bool] = lambda: False) -> None:
        while not should_stop():
            session = session_factory()
            try:
                stats = self.drain(session, max_batches=50)
            except Exception:  # database unreachable and the like: wait and retry
                log.exception("relay cycle failed")
                session.rollback()
                stats = RelayStats()
            finally:
                session.close()
            if stats.claimed == 0:
                time.sleep(poll_interval)


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxEvent.state, func.count()).group_by(OutboxEvent.state))
    return {str(getattr(s, "value", s)): int(n) for s, n in rows}


def retry_dead(session: Session) -> int:
    """Put dead-lettered events back in the queue (after the cause is fixed)."""
    n = session.execute(update(OutboxEvent).where(OutboxEvent.state == OutboxState.DEAD)
                        .values(state=OutboxState.PENDING, attempts=0, available_at=utcnow())
                        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return int(n or 0)


# ---------------------------------------------------------------------------------------------
# Rebuild and reconcile
# ---------------------------------------------------------------------------------------------


def _as_reader(session: Session, work: Callable[[], T]) -> T:
    """``work()`` in transactions that only read (on SQLite they run beside the writer, so the web app
    keeps writing during a rebuild of minutes); the session's transaction is ended before and after."""
    session.commit()
    with reading():
        try:
            return work()
        finally:
            session.commit()


def rebuild(session: Session, backend: SearchBackend, collection: str, vectors: PostingVectors | None = None) -> int:
    """Build ``collection`` anew from the database (postings with their ``vectors`` when given)."""
    return _as_reader(session, lambda: backend.rebuild(collection, searchable_documents(session, collection,
                                                                                        vectors=vectors)))


@dataclass
class ReconcileReport:
    collection: str
    missing: list[int] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.orphans or self.stale)


def reconcile(session: Session, backend: SearchBackend, collection: str, fix: bool = True,
              batch: int = 500, vectors: PostingVectors | None = None) -> ReconcileReport:
    """Compare what the database says is searchable with what the index holds, and repair it."""
    return _as_reader(session, lambda: _reconcile(session, backend, collection, fix, batch, vectors))


def _reconcile(session: Session, backend: SearchBackend, collection: str, fix: bool, batch: int,
               vectors: PostingVectors | None = None) -> ReconcileReport:
    want = searchable_versions(session, collection)
    have = backend.versions(collection)
    report = ReconcileReport(collection)
    report.missing = sorted(set(want) - set(have))
    report.orphans = sorted(set(have) - set(want))
    report.stale = sorted(i for i in set(want) & set(have) if have[i] != want[i])
    if not fix:
        return report
    entity = {v: k for k, v in ENTITY_COLLECTION.items()}[collection]
    if report.orphans:
        report.failed.update(backend.delete(collection, [(i, None) for i in report.orphans]).failed)
    # An index version ahead of the database (a restored backup) would refuse the write as
    # stale, so those documents are removed first.
    ahead = [i for i in report.stale if have[i] > want[i]]
    if ahead:
        backend.delete(collection, [(i, None) for i in ahead])
    todo = report.missing + report.stale
    for start in range(0, len(todo), batch):
        docs, deletes = load_documents(session, entity, todo[start:start + batch], vectors=vectors)
        if docs:
            report.failed.update(backend.upsert(collection, docs).failed)
        if deletes:
            report.failed.update(backend.delete(collection, deletes).failed)
    return report
