"""The CPU-bound stages of each record — normalise, screen (and decide), fingerprint — here or in
worker processes. They read no database: a worker gets the rule set once and the drafts without
their raw records."""
from __future__ import annotations

import copy
import os
from typing import Any, Callable

from indexer import dedup, normalise
from indexer.drafts import Decision, NormalisedPosting, PostingDraft
from indexer.screening import RuleSet, check

from .decide import decide
from .results import Record

MIN_CHUNK = 50   # fewer records than this are staged here: a round trip to a worker costs more
# Per stage: (normalised, decision, fingerprint or None, error name or None)
Staged = tuple[NormalisedPosting | None, Decision | None, Any, str | None]
# What a worker needs of a record: the light draft and its channel's region, kind, trust level, licence
Task = tuple[PostingDraft, str | None, str, str, str | None]


def default_workers() -> int:
    """Processes for a large run, one per CPU (at most 4): this one persisting, the others staging.
    1 means no worker processes at all."""
    n = os.cpu_count() or 1
    return 1 if n < 2 else min(n, 4)


def stage(tasks: list[Task], rules: RuleSet, context: Callable) -> list[Staged]:
    """Normalise, screen and fingerprint each draft. Fingerprints are computed for the whole list at
    once (``fingerprint_many``: one vectorised pass instead of many small ones); a record the
    decision rejects needs none. A bug in a stage costs only its record."""
    out: list[Staged] = []
    for draft, region_code, kind, trust, licence in tasks:
        try:
            norm = normalise.normalise(draft, context(region_code))
            out.append((norm, decide(norm.issues, check(norm, kind, licence, rules), trust, rules), None, None))
        except Exception as exc:
            out.append((None, None, None, exc.__class__.__name__))
    need = [k for k, item in enumerate(out) if item[0] is not None and item[1].outcome != "reject"]
    try:
        fps = dedup.DedupIndex.fingerprint_many([out[k][0] for k in need])
    except Exception:
        fps = None
    for j, k in enumerate(need):
        norm, decision, _fp, _err = out[k]
        if fps is not None:
            out[k] = (norm, decision, fps[j], None)
            continue
        try:
            out[k] = (norm, decision, dedup.DedupIndex.fingerprint(norm), None)
        except Exception as exc:
            out[k] = (None, None, None, exc.__class__.__name__)
    return out


def task(record: Record) -> Task:
    ch = record.channel
    return (record.draft, ch.region_code, ch.kind, ch.trust_level, ch.licence_number)


def apply(records: list[Record], staged: list[Staged]) -> None:
    for record, (norm, decision, fp, error) in zip(records, staged):
        record.normalised, record.decision, record.fingerprint, record.error = norm, decision, fp, error
        if norm is not None:
            norm.draft = record.draft


class Stages:
    """Runs the stages of a batch's records: in this process, or handed to ``workers - 1`` worker
    processes (forked, so they start with the dictionaries and reference data loaded) while this
    one persists the batch before."""

    def __init__(self, rules: RuleSet, context: Callable, workers: int):
        self.rules, self.context, self.workers = rules, context, workers
        self._pool = None

    def here(self, records: list[Record]) -> None:
        apply(records, stage([task(r) for r in records], self.rules, self.context))

    def submit(self, records: list[Record]) -> Callable[[], None]:
        """Start the stages of ``records``; returns the call that waits for them and fills the records in."""
        if self.workers <= 1 or len(records) < MIN_CHUNK:
            self.here(records)
            return lambda: None
        n_workers = self.workers - 1
        size = max(MIN_CHUNK, -(-len(records) // n_workers))
        parts = [records[k:k + size] for k in range(0, len(records), size)]
        futures = [self._worker_pool().submit(_stage_in_worker, [task(r) for r in map(_light, part)])
                   for part in parts]

        def wait() -> None:
            for part, f in zip(parts, futures):
                apply(part, f.result())

        return wait

    def _worker_pool(self):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(self.workers - 1, mp_context=ctx, initializer=_worker_init,
                                             initargs=(self.rules,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _light(record: Record) -> Record:
    """What a worker needs of a record: everything but the raw record (the stages never read it,
    and it is the largest part to send)."""
    draft = copy.copy(record.draft)
    draft.raw = {}
    return Record(record.index, draft, record.channel)


_WORKER: dict[str, Any] = {}


def _worker_init(rules: RuleSet) -> None:
    _WORKER.update(rules=rules, contexts={})


def _stage_in_worker(tasks: list[Task]) -> list[Staged]:
    contexts = _WORKER["contexts"]

    def context(region_code):
        if region_code not in contexts:
            contexts[region_code] = normalise.make_context(session=None, channel_region_code=region_code)
        return contexts[region_code]

    out = stage(tasks, _WORKER["rules"], context)
    for norm, *_ in out:
        if norm is not None:
            norm.draft = None  # the parent has the draft: do not send it back
    return out
