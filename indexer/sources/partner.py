"""Adapter for records pushed by partners through ``POST /api/v1/partner/postings``.

A partner record has the provincial feed's item shape (docs/feeds.md) with its own id in
``external_id`` (``id`` is accepted too); gig partners may send gig items (``task_id``).
"""
from __future__ import annotations

from indexer.drafts import PostingDraft

from .base import rejected_draft
from .feeds import GIG_FIELDS, PROVINCIAL_FIELDS, _item_to_draft

FORMAT = "partner"
PARTNER_FIELDS = {**PROVINCIAL_FIELDS, "external_id": "external_id"}
MAX_BATCH = 1000


def record_to_draft(rec: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    if not isinstance(rec, dict):
        return rejected_draft(channel_code, record_number, "malformed_record", "记录不是 JSON 对象",
                              raw_text=str(rec)[:2000])
    if "task_id" in rec and "external_id" not in rec:
        return _item_to_draft(rec, GIG_FIELDS, channel_code, record_number, "gig")
    if "external_id" not in rec and "id" in rec:
        rec = {**rec, "external_id": rec["id"]}
    draft = _item_to_draft(rec, PARTNER_FIELDS, channel_code, record_number, None)
    if draft.issues and draft.issues[0].code == "missing_external_id":
        draft.issues[0].message = "记录缺少 external_id（合作方自己的岗位编号，用于幂等更新）"
        draft.issues[0].field = "external_id"
    return draft
