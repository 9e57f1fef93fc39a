"""Persist one batch: posting rows, their source records, fingerprints, outbox events (through
``core.outbox``) and the records set aside, in the batch's one transaction, one statement per table."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.dedup.models import DedupFingerprint
from core.db import utcnow
from core.enums import PostingStatus
from core.ingest.models import RejectedRecord
from core.outbox.services import emit_changes
from core.postings.models import Posting, PostingSource
from indexer.drafts import Issue, NormalisedPosting, PostingDraft

from .results import ChannelInfo

DEFAULT_VALIDITY_DAYS = 90  # when a channel does not say how long a posting stays open


@dataclass
class Writes:
    """What a batch changes, gathered so that each table gets one statement."""

    postings: list[dict] = field(default_factory=list)         # posting updates (replays, closures)
    sources: list[dict] = field(default_factory=list)          # new source rows
    source_updates: list[dict] = field(default_factory=list)
    fingerprints: list[tuple[int, Any]] = field(default_factory=list)          # new canonical postings
    fingerprint_updates: list[tuple[int, Any]] = field(default_factory=list)   # replayed postings
    outbox: list[tuple[int, str]] = field(default_factory=list)                # (posting id, upsert | delete)
    rejects: list[tuple[PostingDraft, list[Issue]]] = field(default_factory=list)

    def write(self, session: Session, now: dt.datetime, run_id: int | None, fmt: str,
              channels, keep_rejects: bool) -> None:
        if self.postings:
            session.execute(update(Posting), self.postings)
        if self.source_updates:
            session.execute(update(PostingSource), self.source_updates)
        if self.sources:
            session.execute(PostingSource.__table__.insert(), self.sources)
        save_fingerprints(session, self.fingerprints, self.fingerprint_updates, now)
        emit_changes(session, "posting", self.outbox, now)
        if keep_rejects:
            keep_rejected(session, self.rejects, now, run_id, fmt, channels)


def posting_row(n: NormalisedPosting, ch: ChannelInfo, enterprise_id: int | None, outcome: str,
                reasons: list[dict], codes: tuple[set[str], set[str]], now: dt.datetime, is_demo: bool) -> dict:
    """The posting row for a normalised record the decision let through (``outcome`` publish or hold).
    Codes the reference tables do not hold are left empty."""
    region_codes, occupation_codes = codes
    status = PostingStatus.PUBLISHED if outcome == "publish" else PostingStatus.PENDING_REVIEW
    region = n.region_code if n.region_code in region_codes else None
    occupation = n.occupation_code if n.occupation_code in occupation_codes else None
    valid_until = n.valid_until or (now.date() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS))
    return {
        "title": (n.title or "")[:200],
        "description": n.description or "",
        "enterprise_id": enterprise_id,
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
        # a published posting keeps its hints (info), never a hold reason
        "review_reasons": reasons if status != PostingStatus.PUBLISHED else [r for r in reasons if r.get("severity") != "hold"],
        "valid_until": valid_until,
        "published_at": (n.published_at or now) if status == PostingStatus.PUBLISHED else None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "is_demo": is_demo or ch.is_demo,
    }


def source_row(posting_id: int, ch: ChannelInfo, d: PostingDraft, now: dt.datetime) -> dict:
    return {"posting_id": posting_id, "channel_id": ch.id, "external_id": d.external_id,
            "source_url": (d.source_url or None) and d.source_url[:500], "raw": d.raw or {}, "received_at": now}


def insert_returning_ids(session: Session, table, rows: list[dict]) -> list[int]:
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


def save_fingerprints(session: Session, adds: list[tuple[int, Any]], updates: list[tuple[int, Any]],
                      now: dt.datetime) -> None:
    """Fingerprint rows in the postings' own transaction, so the index survives restarts."""
    table = DedupFingerprint.__table__
    if updates:
        session.execute(table.delete().where(table.c.posting_id.in_([pid for pid, _ in updates])))
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
        session.execute(table.insert(), rows)


def keep_rejected(session: Session, rejects: list[tuple[PostingDraft, list[Issue]]], now: dt.datetime,
                  run_id: int | None, fmt: str, channels) -> None:
    """Records intake refused, with their reasons and raw record, for ``joblink ingest retry``."""
    rows = []
    for d, issues in rejects:
        ch = channels.get(d.channel_code)
        raw = dict(d.raw or {})
        raw_text = raw.pop("_raw_text", None)
        rows.append({
            "run_id": run_id, "channel_id": ch.id if ch else None,
            "format": fmt, "record_number": d.record_number,
            "external_id": (d.external_id or None) and str(d.external_id)[:128],
            "code": issues[0].code, "message": issues[0].message[:500], "reasons": [x.as_dict() for x in issues],
            "raw": raw or None, "raw_text": raw_text, "state": "open", "attempts": 0, "created_at": now,
        })
    if rows:
        session.execute(RejectedRecord.__table__.insert(), rows)
