"""Before the stages: each draft's channel and external id, repeats inside the run, and what the
database already holds of the batch (an identical replay stops here). Reads only."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.postings.models import Posting, PostingSource
from indexer.drafts import Issue, PostingDraft
from indexer.sources.base import stable_id

from .results import Batch, ChannelInfo, Record


class Channels:
    """Channels by code, read once per run (``None`` for an unknown code)."""

    def __init__(self, session: Session):
        self.session = session
        self._by_code: dict[str, ChannelInfo | None] = {}

    def get(self, code: str | None) -> ChannelInfo | None:
        code = code or ""
        if code not in self._by_code:
            ch = self.session.scalar(select(Channel).where(Channel.code == code))
            self._by_code[code] = (
                ChannelInfo(ch.id, ch.code, str(ch.kind), str(ch.trust_level), ch.licence_number,
                            ch.region_code, ch.is_demo, ch.active)
                if ch else None
            )
        return self._by_code[code]

    def cached(self, code: str | None) -> ChannelInfo | None:
        return self._by_code.get(code or "")


def prepare(session: Session, channels: Channels, seen: dict[tuple[int, str], int | None],
            drafts: list[PostingDraft]) -> Batch:
    """The batch with its refusals so far, identical replays answered, closures, and the records
    still to normalise, screen and fingerprint. ``seen``: (channel, external id) -> record number
    of every record of this run so far."""
    records = [Record(k, d, channels.get(d.channel_code)) for k, d in enumerate(drafts)]
    batch = Batch(records, [None] * len(drafts), [], [], [], set())
    candidates = []
    for record in records:
        refusal = _refusal(record, seen)
        if refusal:
            batch.rejected.append((record, refusal))
        else:
            candidates.append(record)
    existing = existing_sources(session, [(r.channel.id, r.draft.external_id) for r in candidates])
    batch.posting_ids = {row["posting_id"] for row in existing.values()}
    statuses = {pid: state["status"] for pid, state in posting_states(session, batch.posting_ids).items()}
    for record in candidates:
        record.known = existing.get((record.channel.id, record.draft.external_id))
        if record.draft.closed:
            batch.closures.append(record)
        elif record.known is not None and record.known["raw"] == record.draft.raw:
            pid = record.known["posting_id"]
            status = statuses.get(pid)
            batch.results[record.index] = record.result("unchanged", pid, str(status) if status else None, [])
        else:
            batch.todo.append(record)
    return batch


def _refusal(record: Record, seen: dict[tuple[int, str], int | None]) -> list[Issue]:
    """Why the record cannot go on (unknown channel, the adapter's reject, a repeated external id),
    or nothing. Gives a record without an external id a stable one."""
    d, ch = record.draft, record.channel
    if ch is None or not ch.active:
        return [Issue("unknown_channel", f"渠道“{d.channel_code}”不存在或已停用", "channel", "reject")]
    if any(x.severity == "reject" for x in d.issues):
        return list(d.issues)
    if not d.external_id:
        d.external_id = stable_id(ch.code, d.title, d.company_name, d.region_text, d.pay_text)
    d.external_id = str(d.external_id)[:128]
    key = (ch.id, d.external_id)
    if key in seen:
        first = seen[key]
        return [Issue("duplicate_external_id",
                      f"外部编号 {d.external_id} 在本批次中重复" + (f"（与第 {first} 条相同）" if first else "") + "，已按第一条处理",
                      "external_id", "reject")]
    seen[key] = d.record_number
    return []


def existing_sources(session: Session, keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """The source rows held for these (channel id, external id) pairs: id, posting id, raw record."""
    out: dict[tuple[int, str], dict] = {}
    by_channel: dict[int, list[str]] = {}
    for cid, ext in keys:
        by_channel.setdefault(cid, []).append(ext)
    for cid, exts in by_channel.items():
        for chunk in chunks(exts, 500):
            rows = session.execute(
                select(PostingSource.id, PostingSource.external_id, PostingSource.posting_id, PostingSource.raw)
                .where(PostingSource.channel_id == cid, PostingSource.external_id.in_(chunk))
            )
            for sid, ext, pid, raw in rows:
                out[(cid, ext)] = {"id": sid, "posting_id": pid, "raw": raw}
    return out


def posting_states(session: Session, ids: set[int]) -> dict[int, dict]:
    """Channel, status, version and publication time of these postings, as the database holds them now."""
    out: dict[int, dict] = {}
    for chunk in chunks(list(ids), 500):
        for pid, cid, status, version, published_at in session.execute(
            select(Posting.id, Posting.channel_id, Posting.status, Posting.version, Posting.published_at)
            .where(Posting.id.in_(chunk))
        ):
            out[pid] = {"channel_id": cid, "status": status, "version": version, "published_at": published_at}
    return out


def chunks(items: list, size: int) -> Iterator[list]:
    for k in range(0, len(items), size):
        yield items[k:k + size]
