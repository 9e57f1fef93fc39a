"""What intake reports (``RecordResult`` per record, ``IngestSummary`` per run) and the ``Record`` one
draft becomes on its way through a batch."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.drafts import Decision, Issue, NormalisedPosting, PostingDraft

OUTCOMES = ("accepted", "held", "updated", "unchanged", "merged", "rejected")


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


@dataclass(frozen=True)
class ChannelInfo:
    """The channel fields intake needs, read once per run."""

    id: int
    code: str
    kind: str
    trust_level: str
    licence_number: str | None
    region_code: str | None
    is_demo: bool
    active: bool


@dataclass(eq=False)
class Record:
    """One draft on its way through a batch. ``index`` is its place in the batch (results keep the
    batch's order); the stages fill in the rest as the record goes."""

    index: int
    draft: PostingDraft
    channel: ChannelInfo | None = None
    known: dict | None = None                 # the source row the database already holds for it
    normalised: NormalisedPosting | None = None
    decision: Decision | None = None
    fingerprint: Any = None
    error: str | None = None                  # a stage failed on this record (its name)
    enterprise_id: int | None = None
    issues: list[Issue] = field(default_factory=list)   # the reasons, info ones included
    row: dict | None = None                   # its new posting row
    same_as: "Record | None" = None           # an earlier record of the batch it duplicates
    posting_id: int | None = None

    def result(self, outcome: str, posting_id: int | None = None, status: str | None = None,
               reasons: list[dict] | None = None) -> RecordResult:
        d = self.draft
        return RecordResult(d.record_number, d.external_id, outcome, posting_id, status,
                            reasons if reasons is not None else [i.as_dict() for i in self.issues],
                            self.channel.code if self.channel else d.channel_code)


@dataclass
class Batch:
    """A batch after its read-only checks: the results decided already (identical replays), the
    records refused so far with their reasons, channel closures, and the records still to stage."""

    records: list[Record]
    results: list[RecordResult | None]
    rejected: list[tuple[Record, list[Issue]]]
    closures: list[Record]
    todo: list[Record]
    posting_ids: set[int]      # postings the database holds for this batch's sources
