"""The one intake path for every posting: adapter drafts -> normalise -> screen -> dedup -> persist
(posting, its source records and an outbox event in ONE transaction per batch).

Idempotent by (channel, external id): a replay updates the posting instead of doubling it, an
identical replay changes nothing. Every record the pipeline does not accept is kept as a
``RejectedRecord`` with its reasons, for ``joblink ingest retry``. Work is done in batches (one
SELECT per batch for known sources and enterprises, bulk INSERTs with RETURNING): one process ingests
about 1,200 postings/s into SQLite, two (a worker staging the next batch) about 1,350
(``bench/ingest.py``, docs/feeds.md).
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.db import utcnow
from core.enterprises.models import Enterprise
from core.enums import PostingStatus
from core.identity import is_valid_credit_code
from core.ingest.models import IngestRun, RejectedRecord
from core.outbox.models import OutboxEvent
from core.postings.models import Posting, PostingSource
from core.reference.models import Occupation, Region
from indexer.drafts import Issue, NormalisedPosting, PostingDraft

from .sources.base import stable_id

DEFAULT_BATCH_SIZE = 1000
DEFAULT_VALIDITY_DAYS = 90  # when a channel does not say how long a posting stays open
_SEVERITY_RANK = {"info": 0, "hold": 1, "reject": 2}
# A reviewer's or the channel's terminal decision a replay must not silently undo.
_STICKY_STATUSES = {PostingStatus.WITHDRAWN, PostingStatus.FILLED}

Progress = Callable[..., None]


# --- results --------------------------------------------------------------------------------------

@dataclass
class RecordResult:
    """What happened to one record. ``outcome`` is one of: accepted (new, published), held (new,
    pending review), updated (a replay that changed the posting), unchanged (an identical replay),
    merged (a duplicate of an existing posting: kept as one more source of it), rejected."""

    record_number: int | None
    external_id: str | None
    outcome: str
    posting_id: int | None = None
    status: str | None = None
    reasons: list[dict] = field(default_factory=list)
    channel_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"record": self.record_number, "external_id": self.external_id, "outcome": self.outcome}
        if self.posting_id is not None:
            d["posting_id"] = self.posting_id
        if self.status:
            d["status"] = self.status
        if self.reasons:
            d["reasons"] = self.reasons
        return d


OUTCOMES = ("accepted", "held", "updated", "unchanged", "merged", "rejected")


@dataclass
class IngestSummary:
    run_id: int | None = None
    channel: str | None = None
    received: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {o: 0 for o in OUTCOMES})
    duplicates_in_batch: int = 0
    results: list[RecordResult] = field(default_factory=list)
    keep_results: bool = True

    def add(self, r: RecordResult) -> None:
        self.received += 1
        self.counts[r.outcome] += 1
        if r.outcome == "rejected" and r.reasons and r.reasons[0].get("code") == "duplicate_external_id":
            self.duplicates_in_batch += 1
        if self.keep_results or r.outcome in ("rejected", "held"):
            self.results.append(r)

    def as_dict(self, with_results: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"run_id": self.run_id, "channel": self.channel, "received": self.received,
                             **self.counts, "duplicates_in_batch": self.duplicates_in_batch}
        held = [r.as_dict() for r in self.results if r.outcome == "held" or (r.status == "pending_review")]
        rejected = [r.as_dict() for r in self.results if r.outcome == "rejected"]
        d["held_records"] = held
        d["rejected_records"] = rejected
        if with_results:
            d["results"] = [r.as_dict() for r in self.results]
        return d

    def merge(self, other: IngestSummary) -> None:
        self.received += other.received
        for k, v in other.counts.items():
            self.counts[k] += v
        self.duplicates_in_batch += other.duplicates_in_batch
        self.results.extend(other.results)


# --- the stages the other packages provide ----------------------------------------------------------

def _stages():
    from indexer import normalise as normalise_mod
    from indexer import screening as screening_mod
    from indexer import dedup as dedup_mod

    return normalise_mod, screening_mod, dedup_mod


@dataclass
class _ChannelInfo:
    id: int
    code: str
    kind: str
    trust_level: str
    licence_number: str | None
    region_code: str | None
    is_demo: bool
    active: bool


@dataclass
class _Prepared:
    """A batch after its read-only checks: results decided already (identical replays), rejects,
    the sources the database holds, channel closures, and the records still to stage."""
    results: list
    rejects: list
    existing: dict
    closures: list
    todo: list


def _worst(issues: Iterable[Issue]) -> str:
    rank = 0
    for i in issues:
        rank = max(rank, _SEVERITY_RANK.get(i.severity, 1))
    return {0: "publish", 1: "hold", 2: "reject"}[rank]


def _dedupe_issues(issues: Iterable[Issue]) -> list[Issue]:
    seen, out = set(), []
    for i in issues:
        key = (i.code, i.field, i.span)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


class Pipeline:
    """Run drafts through the stages and persist them. One instance per run (it caches channels,
    enterprises, reference codes and the dedup index)."""

    def __init__(
        self,
        session: Session,
        *,
        run_kind: str = "file",
        source_name: str | None = None,
        format: str = "draft",
        batch_size: int = DEFAULT_BATCH_SIZE,
        keep_results: bool = True,
        keep_rejects: bool = True,
        commit: bool = True,
        is_demo: bool = False,
        progress: Progress | None = None,
        progress_label: str = "",
        dedup_index: Any = None,
        rules: Any = None,
        record_run: bool = True,
        stages: tuple | None = None,
        dedup_mode: str = "memory",
        workers: int | str = 1,
    ):
        self.session = session
        self.run_kind = run_kind
        self.source_name = source_name
        self.format = format
        self.batch_size = batch_size
        self.keep_results = keep_results
        self.keep_rejects = keep_rejects
        self.commit = commit
        self.is_demo = is_demo
        self.progress = progress
        self.progress_label = progress_label
        self.record_run = record_run
        self._normalise, self._screening, self._dedup_mod = stages or _stages()
        self._stage_override = stages
        # Worker processes for normalise/screen/fingerprint (CLI, demo and bench runs; never the web app).
        self.workers = default_workers() if workers == "auto" else max(1, int(workers))
        self._pool = None
        self._rules = rules if rules is not None else self._screening.load_rules(session)
        self._dedup = dedup_index
        self.dedup_mode = dedup_mode  # "memory": load the index once (files, feeds); "db": query per record
        self._live: dict[int, bool] = {}
        self._channels: dict[str, _ChannelInfo | None] = {}
        self._contexts: dict[str | None, Any] = {}
        self._ent_by_credit: dict[str, int] = {}
        self._ent_by_name: dict[str, int] = {}
        self._ent_name_has_credit: dict[str, bool] = {}
        self._region_codes: set[str] | None = None
        self._occupation_codes: set[str] | None = None
        self._seen_keys: dict[tuple[int, str], int | None] = {}
        self.run: IngestRun | None = None

    # -- set-up --------------------------------------------------------------------------------
    def _dedup_index(self):
        if self._dedup is None:
            idx = self._dedup_mod.DedupIndex()
            idx.load(self.session)
            self._dedup = idx
        return self._dedup

    def _codes(self) -> tuple[set[str], set[str]]:
        if self._region_codes is None:
            self._region_codes = set(self.session.scalars(select(Region.code)))
            self._occupation_codes = set(self.session.scalars(select(Occupation.code)))
        return self._region_codes, self._occupation_codes  # type: ignore[return-value]

    def channel(self, code: str | None) -> _ChannelInfo | None:
        code = code or ""
        if code not in self._channels:
            ch = self.session.scalar(select(Channel).where(Channel.code == code))
            self._channels[code] = (
                _ChannelInfo(ch.id, ch.code, str(ch.kind), str(ch.trust_level), ch.licence_number,
                             ch.region_code, ch.is_demo, ch.active)
                if ch else None
            )
        return self._channels[code]

    def _context(self, region_code: str | None):
        if region_code not in self._contexts:
            self._contexts[region_code] = self._normalise.make_context(
                session=self.session, channel_region_code=region_code
            )
        return self._contexts[region_code]

    def _start_run(self, channel_code: str | None) -> None:
        if self.run is not None or not self.record_run:
            return
        ch = self.channel(channel_code) if channel_code else None
        self.run = IngestRun(channel_id=ch.id if ch else None, kind=self.run_kind, source_name=self.source_name)
        self.session.add(self.run)
        self.session.flush()

    # -- public entry points --------------------------------------------------------------------
    def ingest(self, drafts: Iterable[PostingDraft], channel_code: str | None = None,
               total: int | None = None) -> IngestSummary:
        """Process all drafts (any number, in batches). ``channel_code`` names the run's channel."""
        summary = IngestSummary(channel=channel_code, keep_results=self.keep_results)
        self._start_run(channel_code)
        summary.run_id = self.run.id if self.run else None
        done = 0
        try:
            for batch, results in self._batch_results(drafts):
                for r in results:
                    summary.add(r)
                done += len(batch)
                if self.progress:
                    self.progress(done, total, self.progress_label)
            self._finish_run(summary, "done")
        except BaseException as exc:
            self.close()
            if self.commit:
                self.session.rollback()
            self._finish_run(summary, "interrupted" if isinstance(exc, (KeyboardInterrupt, OSError)) else "failed",
                             error=repr(exc))
            raise
        self.close()
        return summary

    def _finish_run(self, summary: IngestSummary, status: str, error: str | None = None) -> None:
        if self.run is None:
            return
        run = self.session.get(IngestRun, self.run.id) if self.run.id else None
        if run is None:
            return
        run.status = status
        run.finished_at = utcnow()
        run.error = error
        run.received = summary.received
        run.created = summary.counts["accepted"] + summary.counts["held"]
        run.updated = summary.counts["updated"]
        run.unchanged = summary.counts["unchanged"]
        run.held = summary.counts["held"]
        run.merged = summary.counts["merged"]
        run.rejected = summary.counts["rejected"]
        if self.commit:
            self.session.commit()
        else:
            self.session.flush()

    # -- one batch, one transaction -----------------------------------------------------------------
    def process_batch(self, drafts: list[PostingDraft]) -> list[RecordResult]:
        """One batch in one transaction. If the database refuses the batch (e.g. another process
        stored the same external id meanwhile), the records are retried one by one so only the
        conflicting one is set aside (kept as rejected), never the whole batch."""
        try:
            return self._process_batch(drafts)
        except IntegrityError:
            if not self.commit:
                raise
            return self._after_conflict(drafts)

    def _batch_results(self, drafts: Iterable[PostingDraft]) -> Iterator[tuple[list[PostingDraft], list[RecordResult]]]:
        """(batch, its results) in order. With worker processes the batches overlap: while the
        workers normalise, screen and fingerprint batch k+1, this process persists batch k (its
        dedup look-ups, enterprise resolution and writes stay in order, one transaction each)."""
        if self.workers <= 1:
            for batch in _batched(drafts, self.batch_size):
                yield batch, self.process_batch(batch)
            return
        pending = None
        for batch in _batched(drafts, self.batch_size):
            prepared = self._prepare(batch)
            staging = self._submit_stages(prepared.todo)
            if pending is not None:
                yield pending[0], self._complete(*pending)
            pending = (batch, prepared, staging)
        if pending is not None:
            yield pending[0], self._complete(*pending)

    def _complete(self, batch: list[PostingDraft], prepared: "_Prepared", staging) -> list[RecordResult]:
        try:
            return self._finish(prepared, staging())
        except IntegrityError:
            if not self.commit:
                raise
            return self._after_conflict(batch)

    def _after_conflict(self, drafts: list[PostingDraft]) -> list[RecordResult]:
        self.session.rollback()
        self._forget(drafts)
        results: list[RecordResult] = []
        for d in drafts:
            try:
                results.extend(self._process_batch([d]))
            except IntegrityError as exc:
                self.session.rollback()
                self._forget([d])
                issue = Issue("persist_conflict", "保存时与已有数据冲突（可能正被同时导入），已保留，可稍后重新处理",
                              None, "reject", evidence=str(exc.orig)[:200] if exc.orig else None)
                ch = self.channel(d.channel_code)
                if self.keep_rejects:
                    self._keep_rejects([(d, [issue])], utcnow())
                    self.session.commit()
                results.append(RecordResult(d.record_number, d.external_id, "rejected", None, None, [issue.as_dict()],
                                            ch.code if ch else d.channel_code))
        return results

    def _forget(self, drafts: list[PostingDraft]) -> None:
        """After a rollback: the caches may name rows that no longer exist."""
        for d in drafts:
            ch = self._channels.get(d.channel_code or "")
            if ch is not None and d.external_id:
                self._seen_keys.pop((ch.id, str(d.external_id)[:128]), None)
        self._ent_by_credit.clear()
        self._ent_by_name.clear()
        self._ent_name_has_credit.clear()

    def _keep_rejects(self, rejects: list[tuple[PostingDraft, list[Issue]]], now: dt.datetime) -> None:
        rows = []
        for d, issues in rejects:
            ch = self.channel(d.channel_code)
            raw = dict(d.raw or {})
            raw_text = raw.pop("_raw_text", None)
            rows.append({
                "run_id": self.run.id if self.run else None, "channel_id": ch.id if ch else None,
                "format": self.format, "record_number": d.record_number,
                "external_id": (d.external_id or None) and str(d.external_id)[:128],
                "code": issues[0].code, "message": issues[0].message[:500], "reasons": [x.as_dict() for x in issues],
                "raw": raw or None, "raw_text": raw_text, "state": "open", "attempts": 0, "created_at": now,
            })
        if rows:
            self.session.execute(RejectedRecord.__table__.insert(), rows)

    def _process_batch(self, drafts: list[PostingDraft]) -> list[RecordResult]:
        prepared = self._prepare(drafts)
        return self._finish(prepared, self._run_stages(prepared.todo))

    def _prepare(self, drafts: list[PostingDraft]) -> "_Prepared":
        """Steps 1-2: channel and external id checks, and which records the database already holds
        (an identical replay stops here). Reads only; nothing of the batch is written yet."""
        results: list[RecordResult | None] = [None] * len(drafts)
        rejects: list[tuple[int, PostingDraft, list[Issue]]] = []
        candidates: list[tuple[int, PostingDraft, _ChannelInfo]] = []

        # 1. adapter problems, channel, external id, repeats inside the run
        for i, d in enumerate(drafts):
            ch = self.channel(d.channel_code)
            if ch is None or not ch.active:
                rejects.append((i, d, [Issue("unknown_channel", f"渠道“{d.channel_code}”不存在或已停用", "channel", "reject")]))
                continue
            if any(x.severity == "reject" for x in d.issues):
                rejects.append((i, d, list(d.issues)))
                continue
            if not d.external_id:
                d.external_id = stable_id(ch.code, d.title, d.company_name, d.region_text, d.pay_text)
            d.external_id = str(d.external_id)[:128]
            key = (ch.id, d.external_id)
            if key in self._seen_keys:
                first = self._seen_keys[key]
                rejects.append((i, d, [Issue(
                    "duplicate_external_id",
                    f"外部编号 {d.external_id} 在本批次中重复" + (f"（与第 {first} 条相同）" if first else "") + "，已按第一条处理",
                    "external_id", "reject")]))
                continue
            self._seen_keys[key] = d.record_number
            candidates.append((i, d, ch))

        # 2. which (channel, external id) pairs are already known: an identical replay stops here
        existing = self._existing_sources([(ch.id, d.external_id) for _, d, ch in candidates])
        postings_state = self._posting_states({row["posting_id"] for row in existing.values()})
        closures: list[tuple[int, PostingDraft, _ChannelInfo, dict | None]] = []
        todo: list[tuple[int, PostingDraft, _ChannelInfo]] = []
        for i, d, ch in candidates:
            known = existing.get((ch.id, d.external_id))
            if d.closed:
                closures.append((i, d, ch, known))
                continue
            if known is not None and known["raw"] == d.raw:
                pid = known["posting_id"]
                st = postings_state.get(pid, {}).get("status")
                results[i] = RecordResult(d.record_number, d.external_id, "unchanged", pid,
                                          str(st) if st else None, [], ch.code)
                continue
            todo.append((i, d, ch))
        return _Prepared(results, rejects, existing, closures, todo)

    def _finish(self, prepared: "_Prepared", staged: list[tuple]) -> list[RecordResult]:
        """Steps 3-7 for a prepared batch whose stages have run: decide, resolve enterprises,
        deduplicate and persist, in ONE transaction."""
        s = self.session
        results, rejects, existing, closures, todo = (prepared.results, prepared.rejects, prepared.existing,
                                                      prepared.closures, prepared.todo)
        work: list[tuple[int, PostingDraft, _ChannelInfo, NormalisedPosting, list[Issue], str]] = []
        # the state of known postings now (an earlier batch of this run may have changed them)
        postings_state = self._posting_states({row["posting_id"] for row in existing.values()})
        # 3. the outcome of normalising, screening and fingerprinting each record
        fingerprints: dict[int, Any] = {}
        for (i, d, ch), (norm, result, fp, error) in zip(todo, staged):
            if error is not None:  # a bug in a stage must not lose the batch
                rejects.append((i, d, [Issue("processing_error", f"处理该记录时出错：{error}", None, "reject")]))
                continue
            if fp is not None:
                fingerprints[id(norm)] = fp
            issues = _dedupe_issues([*d.issues, *norm.issues, *result.reasons])
            outcome = result.outcome
            worst = _worst(i_ for i_ in issues)
            if worst == "reject" or outcome == "reject":
                outcome = "reject"
            elif worst == "hold" and outcome == "publish":
                outcome = "hold"
            if outcome == "reject":
                # (a rejected update leaves the posting as it was last accepted)
                rejects.append((i, d, [x for x in issues if x.severity != "info"] or issues))
                continue
            work.append((i, d, ch, norm, issues, outcome))

        # 5. enterprises
        ent_ids = self._resolve_enterprises([norm for _, _, _, norm, _, _ in work])

        region_codes, occupation_codes = self._codes()
        now = utcnow()
        today = now.date()
        dedup_cls = self._dedup_mod.DedupIndex
        local_index = dedup_cls()  # near-duplicates among this batch's own new postings
        fp_updates: list[tuple[int, Any]] = []

        new_rows: list[dict] = []
        new_meta: list[tuple[int, PostingDraft, _ChannelInfo, NormalisedPosting, list[Issue], str, Any]] = []
        merged_sources: list[dict] = []
        source_updates: list[dict] = []
        posting_updates: list[dict] = []
        outbox: list[tuple[int, str]] = []
        batch_local: dict[Any, int] = {}  # dedup key inside this batch -> index in new_rows

        for i, d, ch, norm, issues, outcome in work:
            reasons = [x.as_dict() for x in issues if x.severity != "info"]
            ent_id = ent_ids.get(id(norm))
            row = self._posting_row(norm, ch, ent_id, outcome, reasons, region_codes, occupation_codes, now, today)
            known = existing.get((ch.id, d.external_id))
            if known is not None:
                # A replay: the channel sent this record before.
                pid = known["posting_id"]
                source_updates.append({"id": known["id"], "raw": d.raw, "source_url": d.source_url, "received_at": now})
                state = postings_state.get(pid, {})
                if state.get("channel_id") == ch.id:
                    upd = dict(row)
                    upd["id"] = pid
                    upd["version"] = (state.get("version") or 1) + 1
                    old_status = state.get("status")
                    if old_status in _STICKY_STATUSES:
                        upd["status"] = old_status
                    if old_status == PostingStatus.PUBLISHED and upd["status"] == PostingStatus.PUBLISHED:
                        upd["published_at"] = state.get("published_at") or upd["published_at"]
                    upd.pop("created_at", None)
                    upd.pop("is_demo", None)
                    posting_updates.append(upd)
                    fp_updates.append((pid, fingerprints.get(id(norm)) or dedup_cls.fingerprint(norm)))
                    if upd["status"] == PostingStatus.PUBLISHED:
                        outbox.append((pid, "upsert"))
                    elif old_status == PostingStatus.PUBLISHED:
                        outbox.append((pid, "delete"))
                    results[i] = RecordResult(d.record_number, d.external_id, "updated", pid, str(upd["status"]), reasons, ch.code)
                else:
                    results[i] = RecordResult(d.record_number, d.external_id, "updated", pid,
                                              str(state.get("status") or ""), reasons, ch.code)
                continue

            # 6. dedup against postings already held, then against earlier records of this batch
            fp = fingerprints.get(id(norm)) or dedup_cls.fingerprint(norm)
            match, probable = self._find_duplicates(fp)
            if match is not None:
                merged_sources.append(self._source_row(match, ch, d, now))
                results[i] = RecordResult(d.record_number, d.external_id, "merged", match, None, reasons, ch.code)
                continue
            if probable is not None:
                # not sure enough to merge: its own posting, held until a reviewer merges or approves it
                issues = [*issues, _ProbableDuplicate.of(*probable)]
                reasons = [x.as_dict() for x in issues if x.severity != "info"]
                outcome = "hold"
                row.update(status=PostingStatus.PENDING_REVIEW, review_reasons=reasons, published_at=None)
            local_key = _local_key(norm)
            j = batch_local.get(local_key) if local_key is not None else None
            if j is None:
                j = local_index.find(fp)
            if j is not None:
                new_meta.append((i, d, ch, norm, issues, "merge_into", j))
                continue
            if local_key is not None:
                batch_local[local_key] = len(new_rows)
            local_index.add(len(new_rows), fp)
            new_rows.append(row)
            new_meta.append((i, d, ch, norm, issues, outcome, fp))

        # 7. persist: postings, sources, outbox, rejected records
        new_ids: list[int] = []
        if new_rows:
            new_ids = _insert_returning_ids(s, Posting.__table__, new_rows)
        sources: list[dict] = list(merged_sources)
        dedup_adds: list[tuple[int, Any]] = []
        row_index = 0
        row_ids: list[int] = []
        for i, d, ch, norm, issues, outcome, extra in new_meta:
            reasons = [x.as_dict() for x in issues if x.severity != "info"]
            if outcome == "merge_into":
                pid = row_ids[extra]
                sources.append(self._source_row(pid, ch, d, now))
                results[i] = RecordResult(d.record_number, d.external_id, "merged", pid, None, reasons, ch.code)
                continue
            pid = new_ids[row_index]
            self._live[pid] = True
            row_ids.append(pid)
            row_index += 1
            sources.append(self._source_row(pid, ch, d, now))
            dedup_adds.append((pid, extra))
            if outcome == "publish":
                outbox.append((pid, "upsert"))
                results[i] = RecordResult(d.record_number, d.external_id, "accepted", pid, "published", reasons, ch.code)
            else:
                results[i] = RecordResult(d.record_number, d.external_id, "held", pid, "pending_review", reasons, ch.code)
        # a channel closing its posting: withdrawn from search, kept as the record of what was listed
        for i, d, ch, known in closures:
            if known is None:
                results[i] = RecordResult(d.record_number, d.external_id, "unchanged", None, None, [], ch.code)
                continue
            pid = known["posting_id"]
            state = postings_state.get(pid, {})
            old_status = state.get("status")
            if known["raw"] != d.raw:
                source_updates.append({"id": known["id"], "raw": d.raw, "source_url": d.source_url, "received_at": now})
            if state.get("channel_id") != ch.id or old_status in (PostingStatus.WITHDRAWN, PostingStatus.FILLED,
                                                                   PostingStatus.REJECTED):
                results[i] = RecordResult(d.record_number, d.external_id, "unchanged", pid,
                                          str(old_status) if old_status else None, [], ch.code)
                continue
            posting_updates.append({"id": pid, "status": PostingStatus.WITHDRAWN, "updated_at": now,
                                    "version": (state.get("version") or 1) + 1})
            if old_status == PostingStatus.PUBLISHED:
                outbox.append((pid, "delete"))
            results[i] = RecordResult(d.record_number, d.external_id, "updated", pid, "withdrawn", [], ch.code)
        if posting_updates:
            s.execute(update(Posting), posting_updates)
        if source_updates:
            s.execute(update(PostingSource), source_updates)
        if sources:
            s.execute(PostingSource.__table__.insert(), sources)
        self._save_fingerprints(dedup_adds, fp_updates, now)
        if outbox:
            s.execute(OutboxEvent.__table__.insert(), [
                {"entity": "posting", "entity_id": pid, "operation": op, "created_at": now, "available_at": now,
                 "attempts": 0, "state": "pending"} for pid, op in outbox
            ])
        for i, d, issues in rejects:
            ch = self.channel(d.channel_code)
            results[i] = RecordResult(d.record_number, d.external_id, "rejected", None, None,
                                      [x.as_dict() for x in issues], ch.code if ch else d.channel_code)
        if self.keep_rejects:
            self._keep_rejects([(d, issues) for _i, d, issues in rejects], now)
        if self.commit:
            s.commit()
        else:
            s.flush()
        # Only now that the postings exist may later records be matched against them.
        if self._dedup is not None:
            for pid, fp in [*dedup_adds, *fp_updates]:
                self._dedup.add(pid, fp)
        return [r for r in results if r is not None]

    # -- the CPU-bound stages ---------------------------------------------------------------------
    def _run_stages(self, todo: list[tuple[int, PostingDraft, _ChannelInfo]]) -> list[tuple]:
        """(normalised, screening result, fingerprint or None, error name or None) per record, in order."""
        if self.workers > 1:
            return self._submit_stages(todo)()
        return self._stage_here(todo)

    def _submit_stages(self, todo: list[tuple[int, PostingDraft, _ChannelInfo]]) -> Callable[[], list[tuple]]:
        """Hand the CPU-bound stages of ``todo`` to the worker processes; returns a function that
        waits for and returns their output. A small remainder is staged here, synchronously."""
        if len(todo) < _MIN_CHUNK:
            staged = self._stage_here(todo)
            return lambda: staged
        pool = self._worker_pool()
        n_workers = self.workers - 1
        size = max(_MIN_CHUNK, -(-len(todo) // n_workers))
        parts = [todo[k:k + size] for k in range(0, len(todo), size)]
        futures = [pool.submit(_stage_chunk, [(_for_worker(d), ch.region_code, ch.kind, ch.trust_level, ch.licence_number)
                                              for _i, d, ch in part]) for part in parts]

        def wait() -> list[tuple]:
            out: list[tuple] = []
            for part, f in zip(parts, futures):
                for (_i, d, _ch), item in zip(part, f.result()):
                    if item[0] is not None:
                        item[0].draft = d
                    out.append(item)
            return out

        return wait

    def _stage_here(self, todo: list[tuple[int, PostingDraft, _ChannelInfo]]) -> list[tuple]:
        return _stage_records(self._normalise, self._screening, self._dedup_mod, self._rules,
                              [(d, ch.region_code, ch.kind, ch.trust_level, ch.licence_number) for _i, d, ch in todo],
                              self._context)

    def _worker_pool(self):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork: the workers start with the analyser dictionaries and reference data already loaded
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(self.workers - 1, mp_context=ctx, initializer=_stage_init,
                                             initargs=(self._rules, self._stage_override))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # -- helpers ---------------------------------------------------------------------------------
    def _find_duplicates(self, fp) -> tuple[int | None, tuple[int, float] | None]:
        """The live canonical posting this fingerprint duplicates, else the live posting it probably
        duplicates (identical title, partly overlapping text: see ``indexer.dedup.verdict``) with
        its score, for a reviewer to confirm. From the in-memory index (long runs) or from the
        fingerprint table (single web requests: no index to load), one pass either way."""
        index = self._dedup_mod.DedupIndex
        found = index.matches_in_db(self.session, fp) if self.dedup_mode == "db" else self._dedup_index().matches(fp)
        same, probable = found.get(self._dedup_mod.SAME), found.get(self._dedup_mod.PROBABLE)
        if same is not None and self._is_live(same[0]):
            return same[0], None
        if probable is not None and self._is_live(probable[0]):
            return None, probable
        return None, None

    def _is_live(self, posting_id: int) -> bool:
        if posting_id not in self._live:
            status = self.session.scalar(select(Posting.status).where(Posting.id == posting_id))
            # a withdrawn, filled, expired or rejected posting is not revived by a new listing
            self._live[posting_id] = status in (PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW, PostingStatus.DRAFT)
        return self._live[posting_id]

    def _save_fingerprints(self, adds: list[tuple[int, Any]], updates: list[tuple[int, Any]], now: dt.datetime) -> None:
        """Fingerprint rows in the postings' own transaction, so the index survives restarts."""
        from core.dedup.models import DedupFingerprint

        table = DedupFingerprint.__table__
        if updates:
            self.session.execute(table.delete().where(table.c.posting_id.in_([pid for pid, _ in updates])))
        rows = []
        for pid, fp in [*adds, *updates]:
            company_key = next((k[3:] for k in fp.enterprise_keys if k.startswith("nm:")), None)
            rows.append({
                "posting_id": pid, "credit_code": fp.credit_code, "company_key": company_key and company_key[:200],
                "region_code": fp.region_code, "occupation_code": fp.occupation_code,
                "title_key": (fp.title_key or "")[:200], "signature": fp.signature.tobytes(),
                "has_text": bool(fp.has_text), "pay_monthly_min": fp.pay_monthly_min,
                "pay_monthly_max": fp.pay_monthly_max, "created_at": now,
            })
        if rows:
            self.session.execute(table.insert(), rows)

    def _existing_sources(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
        out: dict[tuple[int, str], dict] = {}
        by_channel: dict[int, list[str]] = {}
        for cid, ext in keys:
            by_channel.setdefault(cid, []).append(ext)
        for cid, exts in by_channel.items():
            for chunk in _chunks(exts, 500):
                rows = self.session.execute(
                    select(PostingSource.id, PostingSource.external_id, PostingSource.posting_id, PostingSource.raw)
                    .where(PostingSource.channel_id == cid, PostingSource.external_id.in_(chunk))
                )
                for sid, ext, pid, raw in rows:
                    out[(cid, ext)] = {"id": sid, "posting_id": pid, "raw": raw}
        return out

    def _posting_states(self, ids: set[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        for chunk in _chunks(list(ids), 500):
            for pid, cid, status, version, published_at in self.session.execute(
                select(Posting.id, Posting.channel_id, Posting.status, Posting.version, Posting.published_at)
                .where(Posting.id.in_(chunk))
            ):
                out[pid] = {"channel_id": cid, "status": status, "version": version, "published_at": published_at}
        return out

    def _resolve_enterprises(self, norms: list[NormalisedPosting]) -> dict[int, int]:
        """Get or create each posting's enterprise: by credit code, else by normalised name."""
        s = self.session
        want_credit = {n.credit_code.upper() for n in norms if n.credit_code and is_valid_credit_code(n.credit_code)}
        want_names = {self._ent_name(n) for n in norms} - {None}
        missing_credit = [c for c in want_credit if c not in self._ent_by_credit]
        missing_names = [n for n in want_names if n not in self._ent_by_name]
        for chunk in _chunks(missing_credit, 500):
            for eid, code, nname in s.execute(
                select(Enterprise.id, Enterprise.credit_code, Enterprise.normalized_name).where(Enterprise.credit_code.in_(chunk))
            ):
                self._ent_by_credit[code] = eid
        for chunk in _chunks(missing_names, 500):
            for eid, code, nname in s.execute(
                select(Enterprise.id, Enterprise.credit_code, Enterprise.normalized_name)
                .where(Enterprise.normalized_name.in_(chunk)).order_by(Enterprise.id)
            ):
                self._ent_by_name.setdefault(nname, eid)
                if nname not in self._ent_name_has_credit:
                    self._ent_name_has_credit[nname] = code is not None
        region_codes, _ = self._codes()
        out: dict[int, int] = {}
        to_create: dict[tuple[str | None, str], dict] = {}
        pending: list[tuple[NormalisedPosting, tuple[str | None, str]]] = []
        for n in norms:
            credit = n.credit_code.upper() if n.credit_code and is_valid_credit_code(n.credit_code) else None
            nname = self._ent_name(n)
            if credit and credit in self._ent_by_credit:
                out[id(n)] = self._ent_by_credit[credit]
                continue
            if nname and nname in self._ent_by_name:
                if not credit:
                    out[id(n)] = self._ent_by_name[nname]
                    continue
                if not self._ent_name_has_credit.get(nname, True):
                    # The enterprise was known by name only; this record brings its credit code.
                    eid = self._ent_by_name[nname]
                    s.execute(update(Enterprise).where(Enterprise.id == eid, Enterprise.credit_code.is_(None))
                              .values(credit_code=credit))
                    self._ent_by_credit[credit] = eid
                    self._ent_name_has_credit[nname] = True
                    out[id(n)] = eid
                    continue
            if not nname and not credit:
                continue
            key = (credit, nname or credit or "")
            if key not in to_create:
                to_create[key] = {
                    "name": (n.company_name or nname or credit or "")[:200],
                    "normalized_name": (nname or "")[:200],
                    "credit_code": credit,
                    "region_code": n.region_code if n.region_code in region_codes else None,
                    "industry": (n.draft.company_industry or None) and n.draft.company_industry[:100],
                    "size": (n.draft.company_size or None) and n.draft.company_size[:50],
                    "verification_status": "unverified",
                    "is_demo": self.is_demo,
                    "created_at": utcnow(),
                }
            pending.append((n, key))
        if to_create:
            keys = list(to_create)
            ids = _insert_returning_ids(s, Enterprise.__table__, [to_create[k] for k in keys])
            for (credit, nname), eid in zip(keys, ids):
                if credit:
                    self._ent_by_credit[credit] = eid
                if nname:
                    self._ent_by_name.setdefault(nname, eid)
                    self._ent_name_has_credit.setdefault(nname, credit is not None)
            created = dict(zip(keys, ids))
            for n, key in pending:
                out[id(n)] = created[key]
        return out

    def _ent_name(self, n: NormalisedPosting) -> str | None:
        if n.company_normalized_name:
            return n.company_normalized_name[:200]
        if n.company_name:
            return self._dedup_mod.normalize_company_name(n.company_name)[:200] or None
        return None

    def _posting_row(self, n: NormalisedPosting, ch: _ChannelInfo, ent_id: int | None, outcome: str,
                     reasons: list[dict], region_codes: set[str], occupation_codes: set[str],
                     now: dt.datetime, today: dt.date) -> dict:
        status = PostingStatus.PUBLISHED if outcome == "publish" else PostingStatus.PENDING_REVIEW
        region = n.region_code if n.region_code in region_codes else None
        occupation = n.occupation_code if n.occupation_code in occupation_codes else None
        valid_until = n.valid_until or (today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS))
        return {
            "title": (n.title or "")[:200],
            "description": n.description or "",
            "enterprise_id": ent_id,
            "channel_id": ch.id,
            "occupation_code": occupation,
            "occupation_confidence": n.occupation_confidence if occupation else None,
            "region_code": region,
            "address": (n.address or None) and n.address[:300],
            "lat": n.lat,
            "lon": n.lon,
            "pay_text": (n.pay_text or None) and n.pay_text[:100],
            "pay_min": n.pay_min,
            "pay_max": n.pay_max,
            "pay_unit": n.pay_unit or None,
            "pay_monthly_min": n.pay_monthly_min,
            "pay_monthly_max": n.pay_monthly_max,
            "employment_type": n.employment_type or "full_time",
            "headcount": n.headcount,
            "education": n.education or "none",
            "experience_years": n.experience_years,
            "welfare_tags": list(n.welfare_tags or []),
            "skills": list(n.skills or []),
            "target_groups": list(n.target_groups or []),
            "status": status,
            "review_reasons": reasons if status != PostingStatus.PUBLISHED else [r for r in reasons if r.get("severity") != "hold"],
            "valid_until": valid_until,
            "published_at": (n.published_at or now) if status == PostingStatus.PUBLISHED else None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "is_demo": self.is_demo or ch.is_demo,
        }

    @staticmethod
    def _source_row(posting_id: int, ch: _ChannelInfo, d: PostingDraft, now: dt.datetime) -> dict:
        return {"posting_id": posting_id, "channel_id": ch.id, "external_id": d.external_id,
                "source_url": (d.source_url or None) and d.source_url[:500], "raw": d.raw or {}, "received_at": now}


@dataclass
class _ProbableDuplicate(Issue):
    """The hold reason of a posting that probably duplicates another (``duplicate_of``); the review
    queue offers to merge it there."""

    duplicate_of: int = 0

    @classmethod
    def of(cls, posting_id: int, score: float) -> "_ProbableDuplicate":
        # a probable pair has identical titles (similarity 1), so the score (title + text) / 2 gives the text's
        text = max(0.0, 2 * score - 1)
        return cls("probable_duplicate",
                   f"可能与岗位 #{posting_id} 重复（标题相同，描述相似度 {text:.2f}）：是同一岗位请合并，不是请通过",
                   "dedup", "hold", duplicate_of=posting_id)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "duplicate_of": self.duplicate_of}


def _insert_returning_ids(session: Session, table, rows: list[dict]) -> list[int]:
    """Bulk INSERT ... RETURNING id in ONE statement per chunk, ids in the order of ``rows``.

    SQLAlchemy can only promise RETURNING order on SQLite by inserting row by row (30x slower), so
    each row gets a unique ``created_at`` (a microsecond apart) and the returned ids are matched back
    by it: one statement, and no reliance on the order the database returns rows in.
    """
    base = rows[0].get("created_at") or utcnow()
    for k, row in enumerate(rows):
        row["created_at"] = base + dt.timedelta(microseconds=k)
    returned = session.execute(table.insert().returning(table.c.id, table.c.created_at), rows).all()
    by_stamp = {stamp: pid for pid, stamp in returned}
    if len(by_stamp) == len(rows) and all(r["created_at"] in by_stamp for r in rows):
        return [by_stamp[r["created_at"]] for r in rows]
    return [pid for pid, _ in returned]  # a backend that truncates timestamps: its insertion order


_MIN_CHUNK = 50
_WORKER: dict[str, Any] = {}


def default_workers() -> int:
    """Processes for a large run, one per CPU (at most 4): this one persisting, the others staging.
    1 means no worker processes at all."""
    import os

    n = os.cpu_count() or 1
    return 1 if n < 2 else min(n, 4)


def _for_worker(d: PostingDraft) -> PostingDraft:
    """What a worker needs of a draft: everything but the raw record (the stages never read it,
    and it is the largest part to send)."""
    light = copy.copy(d)
    light.raw = {}
    return light


def _stage_init(rules, stages) -> None:
    normalise_mod, screening_mod, dedup_mod = stages or _stages()
    _WORKER.update(normalise=normalise_mod, screening=screening_mod, dedup=dedup_mod, rules=rules, contexts={})


def _stage_chunk(tasks: list[tuple]) -> list[tuple]:
    """In a worker: normalise, screen and fingerprint each draft (no database)."""
    n_mod = _WORKER["normalise"]
    contexts = _WORKER["contexts"]

    def context(region_code):
        if region_code not in contexts:
            contexts[region_code] = n_mod.make_context(session=None, channel_region_code=region_code)
        return contexts[region_code]

    out = _stage_records(n_mod, _WORKER["screening"], _WORKER["dedup"], _WORKER["rules"], tasks, context)
    for item in out:
        if item[0] is not None:
            item[0].draft = None  # the parent has the draft: do not send it back
    return out


def _stage_records(n_mod, s_mod, d_mod, rules, tasks: list[tuple], context: Callable) -> list[tuple]:
    """(normalised, screening result, fingerprint or None, error name or None) per task
    (draft, channel region, kind, trust level, licence). Fingerprints are computed for the whole
    list at once (``fingerprint_many``: one vectorised pass instead of many small ones); a record
    the screening rejects needs none. A bug in a stage costs only its record."""
    out: list[tuple] = []
    for draft, region_code, kind, trust, licence in tasks:
        try:
            norm = n_mod.normalise(draft, context(region_code))
            result = s_mod.screen(norm, kind, trust, licence, rules=rules)
            out.append((norm, result, None, None))
        except Exception as exc:
            out.append((None, None, None, exc.__class__.__name__))
    need = [k for k, item in enumerate(out) if item[0] is not None and item[1].outcome != "reject"]
    index_cls = d_mod.DedupIndex
    many = getattr(index_cls, "fingerprint_many", None)
    try:
        fps = many([out[k][0] for k in need]) if many is not None else None
    except Exception:
        fps = None
    for j, k in enumerate(need):
        norm, result, _fp, _err = out[k]
        if fps is not None:
            out[k] = (norm, result, fps[j], None)
            continue
        try:
            out[k] = (norm, result, index_cls.fingerprint(norm), None)
        except Exception as exc:
            out[k] = (None, None, None, exc.__class__.__name__)
    return out


def _local_key(n: NormalisedPosting):
    """Exact identity of a job inside one batch (the index finds near-duplicates across batches)."""
    if not n.title:
        return None
    company = n.credit_code or n.company_normalized_name or n.company_name
    if not company:
        return None
    return (company, n.title.strip(), n.region_code, n.pay_monthly_min, n.pay_monthly_max,
            (n.description or "")[:200])


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(items: list, size: int) -> Iterator[list]:
    for k in range(0, len(items), size):
        yield items[k:k + size]


# --- convenience entry points ------------------------------------------------------------------------

def ingest_drafts(session: Session, drafts: Iterable[PostingDraft], channel_code: str | None = None, *,
                  format: str = "draft", run_kind: str = "file", source_name: str | None = None,
                  **kwargs) -> IngestSummary:
    return Pipeline(session, run_kind=run_kind, source_name=source_name, format=format, **kwargs).ingest(
        drafts, channel_code
    )


def submit_enterprise_posting(session: Session, enterprise_id: int, form_data: dict, user_id: int | None):
    """The enterprise's own web form, through the same pipeline. Returns (posting or None, issues).

    Works inside the caller's transaction (flushes, does not commit). A rejected form creates no
    posting and no rejected-record row: the enterprise sees the issues on the form and corrects them.
    """
    from core.postings.models import Posting as _Posting
    from core.channels.services import ensure_enterprise_direct_channel
    from .sources import enterprise_form

    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        return None, [Issue("unknown_enterprise", "未找到该用人单位", "enterprise_id", "reject")]
    channel = ensure_enterprise_direct_channel(session)
    draft = enterprise_form.form_to_draft(form_data, ent, channel.code, user_id)
    if any(i.severity == "reject" for i in draft.issues):
        return None, draft.issues
    pipe = Pipeline(session, run_kind="form", format=enterprise_form.FORMAT, commit=False, dedup_mode="db",
                    keep_rejects=False, record_run=False)
    result, issues = _process_one_for(pipe, draft, ent)
    if result.posting_id is None:
        return None, issues
    posting = session.get(_Posting, result.posting_id)
    if posting is not None and posting.channel_id == channel.id and posting.enterprise_id != ent.id:
        posting.enterprise_id = ent.id  # the form's own posting belongs to the signed-in enterprise
    return posting, issues


def screen_drafts(session: Session, drafts: Iterable[PostingDraft], channel: Channel | None = None) -> list[dict]:
    """What the pipeline would decide for each draft, in order, without persisting anything:
    row number, outcome (publish / hold / reject) and the reasons."""
    normalise_mod, screening_mod, _ = _stages()
    kind = str(channel.kind) if channel else "public_agency"
    trust = str(channel.trust_level) if channel else "standard"
    licence = channel.licence_number if channel else None
    ctx = normalise_mod.make_context(session=session, channel_region_code=channel.region_code if channel else None)
    rules = screening_mod.load_rules(session)
    seen: dict[str, int | None] = {}
    out = []
    for d in drafts:
        row: dict[str, Any] = {"row": d.record_number, "external_id": d.external_id, "title": d.title}
        issues: list[Issue] = list(d.issues)
        if any(i.severity == "reject" for i in issues):
            outcome = "reject"
        elif d.external_id and d.external_id in seen:
            issues.append(Issue("duplicate_external_id", f"外部编号 {d.external_id} 与第 {seen[d.external_id]} 条重复",
                                "external_id", "reject"))
            outcome = "reject"
        else:
            if d.external_id:
                seen[d.external_id] = d.record_number
            norm = normalise_mod.normalise(d, ctx)
            res = screening_mod.screen(norm, kind, trust, licence, rules=rules)
            issues = _dedupe_issues([*issues, *norm.issues, *res.reasons])
            worst = _worst(issues)
            outcome = res.outcome
            if worst == "reject":
                outcome = "reject"
            elif worst == "hold" and outcome == "publish":
                outcome = "hold"
        row["outcome"] = outcome
        row["reasons"] = [i.as_dict() for i in issues if i.severity != "info"]
        out.append(row)
    return out


def _process_one_for(pipe: "Pipeline", draft: PostingDraft, ent: Enterprise | None):
    """Run one draft whose enterprise is already known (bypassing name matching, so the posting is
    attached to it); return the record's result and its reasons as Issues."""
    if ent is not None:
        if ent.credit_code:
            pipe._ent_by_credit[ent.credit_code] = ent.id
        pipe._ent_by_name[ent.normalized_name] = ent.id
        pipe._ent_by_name[pipe._dedup_mod.normalize_company_name(ent.name)] = ent.id
    [result] = pipe.process_batch([draft])
    issues = [Issue(r.get("code", ""), r.get("message", ""), r.get("field"), r.get("severity", "hold"))
              for r in result.reasons]
    return result, issues


def publish_labour_demand(session: Session, demand_id: int):
    """Turn one major-project labour demand line into a posting (or update the one it became).
    Works in the caller's transaction. Returns (posting or None, issues)."""
    from core.channels.services import ensure_major_project_channel
    from core.projects.models import LabourDemand
    from core.postings.models import Posting as _Posting
    from .sources import major_project

    demand = session.get(LabourDemand, demand_id)
    if demand is None:
        return None, [Issue("not_found", "未找到该用工需求", "demand_id", "reject")]
    project = demand.project
    ent = session.get(Enterprise, project.enterprise_id) if project.enterprise_id else None
    channel = ensure_major_project_channel(session)
    draft = major_project.record_to_draft(major_project.demand_to_raw(demand, project, ent), channel.code, 1)
    pipe = Pipeline(session, run_kind="project", format=major_project.FORMAT, commit=False, record_run=False,
                    dedup_mode="db")
    result, issues = _process_one_for(pipe, draft, ent)
    if result.posting_id is None:
        return None, issues
    demand.posting_id = result.posting_id
    return session.get(_Posting, result.posting_id), issues


def retry_rejected(session: Session, *, channel_code: str | None = None, ids: list[int] | None = None,
                   limit: int | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """Run kept rejected records through the pipeline again (after a fix to reference data, rules,
    the channel or the enterprise). Accepted ones are marked resolved with their posting; the others
    stay open with their new reasons. Nothing is kept twice."""
    from core.ingest.models import RejectedRecord
    from core.channels.services import get_channel
    from .sources import redraft

    stmt = select(RejectedRecord).where(RejectedRecord.state == "open").order_by(RejectedRecord.id)
    if channel_code:
        stmt = stmt.where(RejectedRecord.channel_id == get_channel(session, channel_code).id)
    if ids:
        stmt = stmt.where(RejectedRecord.id.in_(ids))
    if limit:
        stmt = stmt.limit(limit)
    records = list(session.scalars(stmt))
    codes = {c.id: c.code for c in session.scalars(select(Channel))}
    groups: dict[tuple[str, int | None], list[RejectedRecord]] = {}
    for rec in records:
        groups.setdefault((rec.format, rec.channel_id), []).append(rec)
    summary = IngestSummary()
    resolved = still = 0
    for (fmt, channel_id), recs in groups.items():
        pipe = Pipeline(session, run_kind="retry", format=fmt, keep_rejects=False, batch_size=batch_size)
        pipe._start_run(codes.get(channel_id))
        group_summary = IngestSummary(keep_results=False)
        for batch in _chunks(recs, batch_size):
            drafts = [redraft(r.format, r.raw, r.raw_text, codes.get(r.channel_id, ""), r.record_number) for r in batch]
            results = pipe.process_batch(drafts)
            for rec, res in zip(batch, results):
                summary.add(res)
                group_summary.add(res)
                rec.attempts = (rec.attempts or 0) + 1
                if res.outcome == "rejected":
                    still += 1
                    if res.reasons:
                        rec.code = res.reasons[0].get("code", rec.code)
                        rec.message = (res.reasons[0].get("message") or rec.message)[:500]
                        rec.reasons = res.reasons
                else:
                    resolved += 1
                    rec.state = "resolved"
                    rec.resolved_at = utcnow()
                    rec.posting_id = res.posting_id
            session.commit()
        pipe._finish_run(group_summary, "done")
    d = summary.as_dict(with_results=False)
    d.update({"retried": len(records), "resolved": resolved, "still_rejected": still})
    return d


__all__ = ["Pipeline", "publish_labour_demand", "retry_rejected", "IngestSummary", "RecordResult", "ingest_drafts", "submit_enterprise_posting",
           "DEFAULT_BATCH_SIZE", "OUTCOMES"]
