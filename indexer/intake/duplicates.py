"""The dedup step: is a new record a job JobLink already holds (merge it there as one more source),
probably one (its own posting, held for a reviewer to merge or approve), or the same job as an
earlier record of this batch?"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import PostingStatus
from core.postings.models import Posting
from indexer import dedup
from indexer.drafts import Issue, NormalisedPosting

from .results import Record


@dataclass
class ProbableDuplicate(Issue):
    """The hold reason of a posting that probably duplicates another (``duplicate_of``); the review
    queue offers to merge it there."""

    duplicate_of: int = 0

    @classmethod
    def of(cls, posting_id: int, score: float) -> "ProbableDuplicate":
        # a probable pair has identical titles (similarity 1), so the score (title + text) / 2 gives the text's
        text = max(0.0, 2 * score - 1)
        return cls("probable_duplicate",
                   f"可能与岗位 #{posting_id} 重复（标题相同，描述相似度 {text:.2f}）：是同一岗位请合并，不是请通过",
                   "dedup", "hold", duplicate_of=posting_id)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "duplicate_of": self.duplicate_of}


class Duplicates:
    """The postings already held, as the dedup index sees them. ``mode`` "memory" loads the index
    once (files, feeds, long runs); "db" asks the fingerprint table per record (single web
    requests: no index to load)."""

    def __init__(self, session: Session, mode: str = "memory", index: dedup.DedupIndex | None = None):
        self.session = session
        self.mode = mode
        self._index = index
        self._live: dict[int, bool] = {}

    @property
    def index(self) -> dedup.DedupIndex:
        if self._index is None:
            self._index = dedup.DedupIndex()
            self._index.load(self.session)
        return self._index

    def find(self, fp) -> tuple[int | None, tuple[int, float] | None]:
        """The live canonical posting this fingerprint duplicates, else the live posting it probably
        duplicates (identical title, partly overlapping text: see ``indexer.dedup.verdict``) with
        its score, for a reviewer to confirm. One pass answers both."""
        found = (dedup.DedupIndex.matches_in_db(self.session, fp) if self.mode == "db" else self.index.matches(fp))
        same, probable = found.get(dedup.SAME), found.get(dedup.PROBABLE)
        if same is not None and self._is_live(same[0]):
            return same[0], None
        if probable is not None and self._is_live(probable[0]):
            return None, probable
        return None, None

    def created(self, posting_id: int) -> None:
        self._live[posting_id] = True

    def remember(self, fingerprints: list[tuple[int, Any]]) -> None:
        """After the commit: only now may later records be matched against these postings."""
        if self._index is not None:
            for pid, fp in fingerprints:
                self._index.add(pid, fp)

    def _is_live(self, posting_id: int) -> bool:
        if posting_id not in self._live:
            status = self.session.scalar(select(Posting.status).where(Posting.id == posting_id))
            # a withdrawn, filled, expired or rejected posting is not revived by a new listing
            self._live[posting_id] = status in (PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW, PostingStatus.DRAFT)
        return self._live[posting_id]


class BatchDuplicates:
    """Near and exact duplicates among one batch's own new postings."""

    def __init__(self):
        self._index = dedup.DedupIndex()
        self._by_key: dict[tuple, Record] = {}
        self._new: list[Record] = []

    def find(self, record: Record) -> Record | None:
        key = _local_key(record.normalised)
        if key is not None and key in self._by_key:
            return self._by_key[key]
        k = self._index.find(record.fingerprint)
        return self._new[k] if k is not None else None

    def add(self, record: Record) -> None:
        key = _local_key(record.normalised)
        if key is not None:
            self._by_key[key] = record
        self._index.add(len(self._new), record.fingerprint)
        self._new.append(record)


def _local_key(n: NormalisedPosting):
    """Exact identity of a job inside one batch (the index finds near-duplicates across batches)."""
    if not n.title:
        return None
    company = n.credit_code or n.company_normalized_name or n.company_name
    if not company:
        return None
    return (company, n.title.strip(), n.region_code, n.pay_monthly_min, n.pay_monthly_max,
            (n.description or "")[:200])
