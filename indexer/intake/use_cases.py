"""Intake's use cases: a run of drafts, the enterprise's own form, a major project's labour demand,
the dry run (``screen_drafts``) and the retry of kept rejected records."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.channels.models import Channel
from core.channels.services import ensure_enterprise_direct_channel, ensure_major_project_channel, get_channel
from core.db import utcnow
from core.enterprises.models import Enterprise
from core.ingest.models import RejectedRecord
from core.errors import DomainError
from core.postings.models import Posting, PostingSource
from core.projects.models import LabourDemand
from indexer import normalise
from indexer.drafts import Decision, Issue, PostingDraft
from indexer.screening import check, load_rules
from indexer.sources import enterprise_form, major_project, redraft

from .decide import decide, reported
from .duplicates import Duplicates
from .pipeline import DEFAULT_BATCH_SIZE, IntakeOptions, Pipeline
from .prepare import chunks
from .results import IngestSummary, RecordResult


def ingest_drafts(session: Session, drafts: Iterable[PostingDraft], channel_code: str | None = None,
                  options: IntakeOptions | None = None) -> IngestSummary:
    return Pipeline(session, options).ingest(drafts, channel_code)


def submit_enterprise_posting(session: Session, enterprise_id: int, form_data: dict, user_id: int | None,
                              *, apart_from: int | None = None):
    """The enterprise's own web form, through the same pipeline. Returns (posting or None, issues).

    Works inside the caller's transaction (flushes, does not commit). A rejected form creates no
    posting and no rejected-record row: the enterprise sees the issues on the form and corrects them.
    ``form_data["external_id"]`` names a posting sent before: the edit replaces it (version + 1,
    decided again, the index following through the outbox). A submission merged into a posting
    already held reports a ``merged_into`` issue (undone by ``separate_enterprise_posting``).
    """
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        return None, [Issue("unknown_enterprise", "未找到该用人单位", "enterprise_id", "reject")]
    channel = ensure_enterprise_direct_channel(session)
    draft = enterprise_form.form_to_draft(form_data, ent, channel.code, user_id)
    if any(i.severity == "reject" for i in draft.issues):
        return None, draft.issues
    result, issues = _one_record(session, draft, ent, _form_options(), apart_from=apart_from)
    if result.posting_id is None:
        return None, issues
    if result.outcome == "merged":  # the enterprise is told where it went, and may undo it
        issues.append(Issue("merged_into", f"与已有岗位 #{result.posting_id} 是同一岗位，已合并到该岗位",
                            "dedup", "info"))
    posting = session.get(Posting, result.posting_id)
    if posting is not None and posting.channel_id == channel.id and posting.enterprise_id != ent.id:
        posting.enterprise_id = ent.id  # the form's own posting belongs to the signed-in enterprise
    return posting, issues


def _form_options() -> IntakeOptions:
    return IntakeOptions(run_kind="form", format=enterprise_form.FORMAT, commit=False, dedup_mode="db",
                         keep_rejects=False, record_run=False)


def separate_enterprise_posting(session: Session, enterprise_id: int, source_id: int, user_id: int | None):
    """Undo a merge the enterprise says was wrong ("a different job"): its submission (kept as one
    more source of the posting it was merged into) leaves that posting and goes through the pipeline
    again as its own posting, bypassing only the dedup merge with that posting, so screening and the
    channel's trust still decide publish or review. Audited. Returns (posting or None, issues)."""
    from core.audit.services import record_access
    from core.errors import NotFound

    channel = ensure_enterprise_direct_channel(session)
    source = session.get(PostingSource, source_id)
    if (source is None or source.channel_id != channel.id
            or (source.raw or {}).get("enterprise_id") != enterprise_id):
        raise NotFound("该提交")
    merged_into = source.posting_id
    first = session.scalar(select(func.min(PostingSource.id)).where(PostingSource.posting_id == merged_into))
    if first == source.id:
        raise DomainError("not_merged", "该岗位是单独发布的，没有被合并", None)
    form = {**source.raw, "external_id": source.external_id}
    session.delete(source)
    session.flush()
    posting, issues = submit_enterprise_posting(session, enterprise_id, form, user_id, apart_from=merged_into)
    if posting is not None:
        record_access(session, actor_user_id=user_id, actor_role="enterprise", action="update",
                      subject_type="posting", subject_id=posting.id, fields=["status"],
                      purpose=f"撤销合并：与岗位 #{merged_into} 不是同一岗位，单独提交")
    return posting, issues


class _ApartFrom(Duplicates):
    """The dedup index without one posting: the one the enterprise said is a different job."""

    def __init__(self, session: Session, posting_id: int):
        super().__init__(session, "db")
        self._live[posting_id] = False


def publish_labour_demand(session: Session, demand_id: int):
    """Turn one major-project labour demand line into a posting (or update the one it became).
    Works in the caller's transaction. Returns (posting or None, issues)."""
    demand = session.get(LabourDemand, demand_id)
    if demand is None:
        return None, [Issue("not_found", "未找到该用工需求", "demand_id", "reject")]
    project = demand.project
    ent = session.get(Enterprise, project.enterprise_id) if project.enterprise_id else None
    channel = ensure_major_project_channel(session)
    draft = major_project.record_to_draft(major_project.demand_to_raw(demand, project, ent), channel.code, 1)
    result, issues = _one_record(session, draft, ent, IntakeOptions(
        run_kind="project", format=major_project.FORMAT, commit=False, record_run=False, dedup_mode="db"))
    if result.posting_id is None:
        return None, issues
    demand.posting_id = result.posting_id
    return session.get(Posting, result.posting_id), issues


def _one_record(session: Session, draft: PostingDraft, ent: Enterprise | None, options: IntakeOptions,
                apart_from: int | None = None) -> tuple[RecordResult, list[Issue]]:
    """Run one draft whose enterprise is already known (so the posting is attached to it, whatever
    name matching would say); its result and its reasons as Issues. ``apart_from``: a posting the
    draft must not be merged into."""
    pipe = Pipeline(session, options)
    if apart_from is not None:
        pipe.duplicates = _ApartFrom(session, apart_from)
    if ent is not None:
        pipe.enterprises.know(ent)
    [result] = pipe.process_batch([draft])
    issues = [Issue(r.get("code", ""), r.get("message", ""), r.get("field"), r.get("severity", "hold"))
              for r in result.reasons]
    return result, issues


def screen_drafts(session: Session, drafts: Iterable[PostingDraft], channel: Channel | None = None) -> list[dict]:
    """What the pipeline would decide for each draft, in order, without persisting anything:
    row number, outcome (publish / hold / reject) and the reasons."""
    kind = str(channel.kind) if channel else "public_agency"
    trust = str(channel.trust_level) if channel else "standard"
    licence = channel.licence_number if channel else None
    ctx = normalise.make_context(session=session, channel_region_code=channel.region_code if channel else None)
    rules = load_rules(session)
    seen: dict[str, int | None] = {}
    out = []
    for d in drafts:
        if any(i.severity == "reject" for i in d.issues):
            decision = Decision("reject", list(d.issues))
        elif d.external_id and d.external_id in seen:
            decision = Decision("reject", [*d.issues, Issue(
                "duplicate_external_id", f"外部编号 {d.external_id} 与第 {seen[d.external_id]} 条重复", "external_id", "reject")])
        else:
            if d.external_id:
                seen[d.external_id] = d.record_number
            norm = normalise.normalise(d, ctx)
            decision = decide(norm.issues, check(norm, kind, licence, rules), trust, rules)
        out.append({"row": d.record_number, "external_id": d.external_id, "title": d.title,
                    "outcome": decision.outcome, "reasons": [i.as_dict() for i in reported(decision)]})
    return out


def retry_rejected(session: Session, *, channel_code: str | None = None, ids: list[int] | None = None,
                   limit: int | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """Run kept rejected records through the pipeline again (after a fix to reference data, rules,
    the channel or the enterprise). Accepted ones are marked resolved with their posting; the others
    stay open with their new reasons. Nothing is kept twice."""
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
    for (fmt, channel_id), recs in groups.items():
        pipe = Pipeline(session, IntakeOptions(run_kind="retry", format=fmt, keep_rejects=False, batch_size=batch_size))
        pipe.start_run(codes.get(channel_id))
        group_summary = IngestSummary(keep_results=False)
        for batch in chunks(recs, batch_size):
            drafts = [redraft(r.format, r.raw, r.raw_text, codes.get(r.channel_id, ""), r.record_number) for r in batch]
            for rec, res in zip(batch, pipe.process_batch(drafts)):
                summary.add(res)
                group_summary.add(res)
                _note_retry(rec, res)
            session.commit()
        pipe.finish_run(group_summary, "done")
    still = summary.counts["rejected"]
    d = summary.as_dict(with_results=False)
    d.update({"retried": len(records), "resolved": len(records) - still, "still_rejected": still})
    return d


def _note_retry(rec: RejectedRecord, res: RecordResult) -> None:
    """A retried record: resolved with its posting, or still open with its new reasons."""
    rec.attempts = (rec.attempts or 0) + 1
    if res.outcome == "rejected":
        if res.reasons:
            rec.code = res.reasons[0].get("code", rec.code)
            rec.message = (res.reasons[0].get("message") or rec.message)[:500]
            rec.reasons = res.reasons
    else:
        rec.state = "resolved"
        rec.resolved_at = utcnow()
        rec.posting_id = res.posting_id
