"""Adapter for major project labour demand lines (重大项目岗位需求): each line becomes a posting of
the project's enterprise, through the same pipeline."""
from __future__ import annotations

from indexer.drafts import Issue, PostingDraft

from .base import edge_checked, parse_date, text

FORMAT = "major_project"


def demand_to_raw(demand, project, enterprise) -> dict:
    return {
        "demand_id": demand.id, "project_id": project.id, "project_name": project.name,
        "title": demand.title, "occupation_text": demand.occupation_text, "headcount": demand.headcount,
        "pay_text": demand.pay_text, "requirements": demand.requirements,
        "region_code": demand.region_code or project.region_code,
        "start_date": demand.start_date.isoformat() if demand.start_date else None,
        "end_date": demand.end_date.isoformat() if demand.end_date else None,
        "company_name": enterprise.name if enterprise else None,
        "credit_code": enterprise.credit_code if enterprise else None,
    }


def record_to_draft(raw: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    issues = []
    if not text(raw.get("company_name")):
        issues.append(Issue("missing_company", "重大项目未关联用人单位", "enterprise_id", "reject"))
    project = text(raw.get("project_name")) or ""
    desc = text(raw.get("requirements")) or ""
    if project:
        desc = f"【重大项目：{project}】\n{desc}".strip()
    headcount = raw.get("headcount")
    return edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=f"demand-{raw.get('demand_id')}",
        raw=raw,
        record_number=record_number,
        title=text(raw.get("title")),
        description=desc,
        company_name=text(raw.get("company_name")),
        credit_code=text(raw.get("credit_code")),
        region_code=text(raw.get("region_code")),
        pay_text=text(raw.get("pay_text")),
        # a demand line without a headcount is 若干 (the project form: "人数不定请留空")
        headcount_text=str(headcount) if headcount else "若干",
        occupation_text=text(raw.get("occupation_text")),
        start_date=parse_date(raw.get("start_date")),
        valid_until=parse_date(raw.get("end_date")),
        issues=issues,
    ))
