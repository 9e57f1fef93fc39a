"""The intake flow for every posting: convert (the channel's adapter) -> normalise -> screen ->
dedup -> persist (postings, their source records and outbox events in ONE transaction per batch).

Idempotent by (channel, external id): a replay updates the posting instead of doubling it, an
identical replay changes nothing. Every record intake does not accept is kept as a
``RejectedRecord`` with its reasons, for ``joblink ingest retry``. Work is done in batches (one
SELECT per batch for known sources and enterprises, bulk INSERTs with RETURNING); with worker
processes the next batch is normalised, screened and fingerprinted while this one is persisted
(``bench/ingest.py``, docs/feeds.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enums import PostingStatus
from core.ingest.models import IngestRun
from core.postings.models import Posting
from core.reference.models import Occupation, Region
from indexer import normalise
from indexer.drafts import Issue, PostingDraft
from indexer.screening import RuleSet, load_rules

from . import runs
from .decide import reported
from .duplicates import BatchDuplicates, Duplicates, ProbableDuplicate
from .enterprises import Enterprises
from .persist import Writes, insert_returning_ids, posting_row, source_row
from .prepare import Channels, posting_states, prepare
from .results import Batch, IngestSummary, Record, RecordResult
from .stages import Stages, default_workers

DEFAULT_BATCH_SIZE = 1000
# A reviewer's or the channel's terminal decision a replay must not silently undo.
_STICKY_STATUSES = {PostingStatus.WITHDRAWN, PostingStatus.FILLED}

Progress = Callable[..., None]


@dataclass
class IntakeOptions:
    run_kind: str = "file"            # file, pull, push, form, project, retry, demo, bench
    source_name: str | None = None    # the file name or feed address, kept on the run
    format: str = "draft"             # the adapter's format, kept with rejected records for retry
    batch_size: int = DEFAULT_BATCH_SIZE
    keep_results: bool = True         # False: the summary keeps only held and rejected records
    keep_rejects: bool = True         # keep refused records as RejectedRecord rows
    commit: bool = True               # False: flush only, in the caller's transaction
    record_run: bool = True           # write an IngestRun
    is_demo: bool = False
    dedup_mode: str = "memory"        # "memory": load the dedup index once; "db": ask the table per record
    workers: int | str = 1            # processes, or "auto" (CLI, demo and bench runs; never the web app)
    progress: Progress | None = None  # called (done, total, label) after each batch
    progress_label: str = ""


class Pipeline:
    """One intake run. It caches channels, enterprises, reference codes and the dedup index, so use
    one instance per run. ``rules`` and ``dedup_index`` may be shared by consecutive runs."""

    def __init__(self, session: Session, options: IntakeOptions | None = None, *,
                 rules: RuleSet | None = None, dedup_index: Any = None):
        self.session = session
        self.options = options or IntakeOptions()
        self.workers = default_workers() if self.options.workers == "auto" else max(1, int(self.options.workers))
        self.rules = rules if rules is not None else load_rules(session)
        self.channels = Channels(session)
        self.duplicates = Duplicates(session, self.options.dedup_mode, dedup_index)
        self.stages = Stages(self.rules, self._context, self.workers)
        self.run: IngestRun | None = None
        self._contexts: dict[str | None, Any] = {}
        self._codes: tuple[set[str], set[str]] | None = None
        self._enterprises: Enterprises | None = None
        self._seen: dict[tuple[int, str], int | None] = {}   # (channel id, external id) -> record number

    # -- the flow ------------------------------------------------------------------------------------
    def ingest(self, drafts: Iterable[PostingDraft], channel_code: str | None = None,
               total: int | None = None) -> IngestSummary:
        """Process all drafts (any number, in batches). ``channel_code`` names the run's channel."""
        summary = IngestSummary(channel=channel_code, keep_results=self.options.keep_results)
        summary.run_id = self.start_run(channel_code)
        done = 0
        try:
            for batch, results in self._batches(drafts):
                for r in results:
                    summary.add(r)
                done += len(batch.records)
                if self.options.progress:
                    self.options.progress(done, total, self.options.progress_label)
            self.finish_run(summary, "done")
        except BaseException as exc:
            self.close()
            if self.options.commit:
                self.session.rollback()
            stopped = isinstance(exc, (KeyboardInterrupt, OSError))
            self.finish_run(summary, "interrupted" if stopped else "failed", error=repr(exc))
            raise
        self.close()
        return summary

    def _batches(self, drafts: Iterable[PostingDraft]) -> Iterator[tuple[Batch, list[RecordResult]]]:
        """Each batch with its results, in order. The adapters convert as drafts are drawn. With
        worker processes the batches overlap: while the workers normalise, screen and fingerprint
        batch k+1, this process persists batch k (in order, one transaction each)."""
        pending = None
        for chunk in _batched(drafts, self.options.batch_size):
            batch = self._prepare(chunk)
            staging = self.stages.submit(batch.todo)    # normalise, screen, fingerprint
            if self.workers <= 1:
                yield batch, self._complete(batch, staging)
                continue
            if pending is not None:
                yield pending[0], self._complete(*pending)
            pending = (batch, staging)
        if pending is not None:
            yield pending[0], self._complete(*pending)

    def process_batch(self, drafts: list[PostingDraft]) -> list[RecordResult]:
        """One batch in one transaction, staged in this process."""
        batch = self._prepare(drafts)
        self.stages.here(batch.todo)
        return self._complete(batch, lambda: None)

    def _complete(self, batch: Batch, staged: Callable[[], None]) -> list[RecordResult]:
        """Dedup and persist a batch once its stages are done. If the database refuses the batch
        (e.g. another process stored the same external id meanwhile), its records are retried one
        by one so only the conflicting one is set aside (kept as rejected), never the whole batch."""
        try:
            staged()
            return self._persist(batch)
        except IntegrityError:
            if not self.options.commit:
                raise
            return self._after_conflict([r.draft for r in batch.records])

    def _persist(self, batch: Batch) -> list[RecordResult]:
        now = utcnow()
        passed = self._screened(batch)
        self.enterprises.resolve(passed)
        states = posting_states(self.session, batch.posting_ids)   # as an earlier batch may have left them
        writes = Writes()
        new = self._dedup(batch, passed, states, writes, now)
        self._insert(batch, new, writes, now)
        self._close_postings(batch, states, writes, now)
        for record, issues in batch.rejected:
            batch.results[record.index] = record.result("rejected", reasons=[x.as_dict() for x in issues])
            writes.rejects.append((record.draft, issues))
        writes.write(self.session, now, self.run.id if self.run else None, self.options.format, self.channels,
                     self.options.keep_rejects)
        if self.run is not None:  # the run's counters move with the batch, in its transaction
            runs.count_batch(self.session, self.run.id, [r for r in batch.results if r is not None])
        self._end_transaction()
        self.duplicates.remember([*writes.fingerprints, *writes.fingerprint_updates])
        return [r for r in batch.results if r is not None]

    # -- the steps -----------------------------------------------------------------------------------
    def _prepare(self, drafts: list[PostingDraft]) -> Batch:
        return prepare(self.session, self.channels, self._seen, drafts)

    def _screened(self, batch: Batch) -> list[Record]:
        """The records the decision lets through; the others join the batch's refusals."""
        passed = []
        for record in batch.todo:
            if record.error is not None:  # a bug in a stage must not lose the batch
                batch.rejected.append((record, [Issue("processing_error", f"处理该记录时出错：{record.error}", None, "reject")]))
                continue
            record.issues = reported(record.decision)
            if record.decision.outcome == "reject":
                # (a rejected update leaves the posting as it was last accepted)
                batch.rejected.append((record, record.issues))
                continue
            passed.append(record)
        return passed

    def _dedup(self, batch: Batch, passed: list[Record], states: dict, writes: Writes,
               now: dt.datetime) -> list[Record]:
        """Replays update their posting; a record duplicating a posting already held becomes one more
        source of it. Returns the new records, in order: new postings, and records duplicating an
        earlier one of this batch (``same_as``)."""
        new: list[Record] = []
        in_batch = BatchDuplicates()
        for record in passed:
            reasons = [x.as_dict() for x in record.issues]
            record.row = posting_row(record.normalised, record.channel, record.enterprise_id,
                                     record.decision.outcome, reasons, self.codes, now, self.options.is_demo)
            if record.known is not None:
                batch.results[record.index] = self._replay(record, states, writes, now)
                continue
            match, probable = self.duplicates.find(record.fingerprint)
            if match is not None:
                writes.sources.append(source_row(match, record.channel, record.draft, now))
                batch.results[record.index] = record.result("merged", match)
                continue
            if probable is not None:
                # not sure enough to merge: its own posting, held until a reviewer merges or approves it
                record.issues = [*record.issues, ProbableDuplicate.of(*probable)]
                record.row.update(status=PostingStatus.PENDING_REVIEW, published_at=None,
                                  review_reasons=[x.as_dict() for x in record.issues])
            record.same_as = in_batch.find(record)
            if record.same_as is None:
                in_batch.add(record)
            new.append(record)
        return new

    def _replay(self, record: Record, states: dict, writes: Writes, now: dt.datetime) -> RecordResult:
        """A record the channel sent before: its source is refreshed and, when the posting is the
        channel's own, the posting too (a withdrawn or filled one keeps that status)."""
        pid, d = record.known["posting_id"], record.draft
        writes.source_updates.append({"id": record.known["id"], "raw": d.raw, "source_url": d.source_url,
                                      "received_at": now})
        state = states.get(pid, {})
        if state.get("channel_id") != record.channel.id:
            return record.result("updated", pid, str(state.get("status") or ""))
        upd = {k: v for k, v in record.row.items() if k not in ("created_at", "is_demo")}
        upd.update(id=pid, version=(state.get("version") or 1) + 1)
        old_status = state.get("status")
        if old_status in _STICKY_STATUSES:
            upd["status"] = old_status
        if old_status == PostingStatus.PUBLISHED and upd["status"] == PostingStatus.PUBLISHED:
            upd["published_at"] = state.get("published_at") or upd["published_at"]
        writes.postings.append(upd)
        writes.fingerprint_updates.append((pid, record.fingerprint))
        if upd["status"] == PostingStatus.PUBLISHED:
            writes.outbox.append((pid, "upsert"))
        elif old_status == PostingStatus.PUBLISHED:
            writes.outbox.append((pid, "delete"))
        return record.result("updated", pid, str(upd["status"]))

    def _insert(self, batch: Batch, new: list[Record], writes: Writes, now: dt.datetime) -> None:
        """Insert the batch's new postings; each gets its source, fingerprint and (if published) its
        outbox event; a record duplicating one of them becomes one more source of it."""
        rows = [r.row for r in new if r.same_as is None]
        ids = iter(insert_returning_ids(self.session, Posting.__table__, rows) if rows else [])
        for record in new:
            if record.same_as is not None:
                writes.sources.append(source_row(record.same_as.posting_id, record.channel, record.draft, now))
                batch.results[record.index] = record.result("merged", record.same_as.posting_id)
                continue
            record.posting_id = pid = next(ids)
            self.duplicates.created(pid)
            writes.sources.append(source_row(pid, record.channel, record.draft, now))
            writes.fingerprints.append((pid, record.fingerprint))
            if record.row["status"] == PostingStatus.PUBLISHED:
                writes.outbox.append((pid, "upsert"))
                batch.results[record.index] = record.result("accepted", pid, "published")
            else:
                batch.results[record.index] = record.result("held", pid, "pending_review")

    def _close_postings(self, batch: Batch, states: dict, writes: Writes, now: dt.datetime) -> None:
        """A channel closing its posting: withdrawn from search, kept as the record of what was listed."""
        for record in batch.closures:
            known, d = record.known, record.draft
            if known is None:
                batch.results[record.index] = record.result("unchanged", None, None, [])
                continue
            pid = known["posting_id"]
            state = states.get(pid, {})
            old_status = state.get("status")
            if known["raw"] != d.raw:
                writes.source_updates.append({"id": known["id"], "raw": d.raw, "source_url": d.source_url,
                                              "received_at": now})
            if state.get("channel_id") != record.channel.id or old_status in (
                    PostingStatus.WITHDRAWN, PostingStatus.FILLED, PostingStatus.REJECTED):
                batch.results[record.index] = record.result("unchanged", pid, str(old_status) if old_status else None, [])
                continue
            writes.postings.append({"id": pid, "status": PostingStatus.WITHDRAWN, "updated_at": now,
                                    "version": (state.get("version") or 1) + 1})
            if old_status == PostingStatus.PUBLISHED:
                writes.outbox.append((pid, "delete"))
            batch.results[record.index] = record.result("updated", pid, "withdrawn", [])

    def _after_conflict(self, drafts: list[PostingDraft]) -> list[RecordResult]:
        self.session.rollback()
        self._forget(drafts)
        results: list[RecordResult] = []
        for d in drafts:
            try:
                batch = self._prepare([d])
                self.stages.here(batch.todo)
                results.extend(self._persist(batch))
            except IntegrityError as exc:
                self.session.rollback()
                self._forget([d])
                results.append(self._set_aside(d, exc))
        return results

    def _set_aside(self, d: PostingDraft, exc: IntegrityError) -> RecordResult:
        issue = Issue("persist_conflict", "保存时与已有数据冲突（可能正被同时导入），已保留，可稍后重新处理",
                      None, "reject", evidence=str(exc.orig)[:200] if exc.orig else None)
        if self.options.keep_rejects:
            writes = Writes(rejects=[(d, [issue])])
            writes.write(self.session, utcnow(), self.run.id if self.run else None, self.options.format,
                         self.channels, True)
            self.session.commit()
        return Record(0, d, self.channels.get(d.channel_code)).result("rejected", reasons=[issue.as_dict()])

    def _forget(self, drafts: list[PostingDraft]) -> None:
        """After a rollback: the caches may name rows that no longer exist."""
        for d in drafts:
            ch = self.channels.cached(d.channel_code)
            if ch is not None and d.external_id:
                self._seen.pop((ch.id, str(d.external_id)[:128]), None)
        if self._enterprises is not None:
            self._enterprises.forget()

    def _end_transaction(self) -> None:
        if self.options.commit:
            self.session.commit()
        else:
            self.session.flush()

    # -- runs, state, set-up -------------------------------------------------------------------------
    def start_run(self, channel_code: str | None = None) -> int | None:
        """Record the run (once; not when ``record_run`` is off). Returns its id."""
        if self.run is None and self.options.record_run:
            channel = self.channels.get(channel_code) if channel_code else None
            self.run = runs.start_run(self.session, channel, self.options.run_kind, self.options.source_name)
            # committed on its own: a batch rolled back must not take the run's record with it
            self._end_transaction()
        return self.run.id if self.run else None

    def finish_run(self, summary: IngestSummary, status: str, error: str | None = None) -> None:
        if self.run is not None and self.run.id:
            runs.finish_run(self.session, self.run.id, summary, status, error)
            self._end_transaction()

    def forget_repeats(self) -> None:
        """Records seen so far may come again without being repeats (a feed's next page starts at
        the last page's boundary)."""
        self._seen.clear()

    @property
    def codes(self) -> tuple[set[str], set[str]]:
        """The region and occupation codes the reference tables hold."""
        if self._codes is None:
            self._codes = (set(self.session.scalars(select(Region.code))),
                           set(self.session.scalars(select(Occupation.code))))
        return self._codes

    @property
    def enterprises(self) -> Enterprises:
        if self._enterprises is None:
            self._enterprises = Enterprises(self.session, self.codes[0], self.options.is_demo)
        return self._enterprises

    def _context(self, region_code: str | None):
        if region_code not in self._contexts:
            self._contexts[region_code] = normalise.make_context(session=self.session, channel_region_code=region_code)
        return self._contexts[region_code]

    def close(self) -> None:
        self.stages.close()


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
