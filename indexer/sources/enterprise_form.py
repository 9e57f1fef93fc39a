"""Adapter for the enterprise's own web form (用人单位自主发布): form fields to a draft.

``form_data`` keys (all text unless said): title*, description, region_code or region_text, address,
pay_text or pay_min/pay_max (numbers) with pay_unit (month/day/hour), headcount ("3" or "若干"),
education, experience, employment_type, occupation_code, welfare (list or "a,b"), skills, contact,
valid_until (date or "YYYY-MM-DD"), start_date, duration, external_id (to edit a posting sent before).
"""
from __future__ import annotations

import uuid
from typing import Any

from indexer.drafts import Issue, PostingDraft

from .base import edge_checked, number, parse_date, split_list, text

FORMAT = "enterprise_form"


def _s(form: dict, key: str) -> str | None:
    return text(form.get(key))


def form_to_draft(form: dict[str, Any], enterprise, channel_code: str, user_id: int | None) -> PostingDraft:
    ext = _s(form, "external_id") or f"form-{enterprise.id}-{uuid.uuid4().hex[:16]}"
    raw = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.items()
           if isinstance(v, (str, int, float, list, type(None))) or hasattr(v, "isoformat")}
    raw.update({"enterprise_id": enterprise.id, "submitted_by": user_id})
    draft = edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=ext,
        raw=raw,
        record_number=1,
        title=_s(form, "title"),
        description=_s(form, "description") or "",
        company_name=enterprise.name,
        credit_code=enterprise.credit_code,
        region_code=_s(form, "region_code") or enterprise.region_code,
        region_text=_s(form, "region_text"),
        address=_s(form, "address"),
        pay_text=_s(form, "pay_text"),
        pay_min=number(form.get("pay_min")),
        pay_max=number(form.get("pay_max")),
        pay_unit=_s(form, "pay_unit"),
        headcount_text=_s(form, "headcount"),
        education_text=_s(form, "education"),
        experience_text=_s(form, "experience"),
        employment_type=_s(form, "employment_type"),
        occupation_code=_s(form, "occupation_code"),
        occupation_text=_s(form, "occupation_text"),
        welfare=split_list(form.get("welfare")),
        skills=split_list(form.get("skills")),
        target_groups=split_list(form.get("target_groups")),
        contact=_s(form, "contact"),
        valid_until=parse_date(form.get("valid_until")),
        start_date=parse_date(form.get("start_date")),
        duration_text=_s(form, "duration"),
    ))
    if not draft.title:  # (after the edge check: invisible characters are no title)
        draft.issues.insert(0, Issue("missing_title", "请填写职位名称", "title", "reject"))
    return draft


def record_to_draft(raw: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    """Retry path: rebuild from the kept form (the enterprise is looked up again)."""
    class _Ent:  # the minimal view of the enterprise the form adapter needs
        id = raw.get("enterprise_id")
        name = raw.get("company_name") or ""
        credit_code = raw.get("credit_code")
        region_code = raw.get("region_code")

    return form_to_draft(raw, _Ent, channel_code, raw.get("submitted_by"))
