"""Adapter for the 智联招聘 30-city search-list JSON lines (2022): no description, 智联's own
occupation category, salary as "6千-8千" text, lists as Python reprs."""
from __future__ import annotations

import json
from typing import Iterator

from indexer.drafts import PostingDraft

from .base import edge_checked, parse_datetime, rejected_draft, split_list, text

FORMAT = "zhilian30"


def record_to_draft(rec: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    city, district = text(rec.get("workCity")), text(rec.get("cityDistrict"))
    region = "".join(p for p in (city, district) if p) or None
    street = "".join(p for p in (text(rec.get("streetName")), text(rec.get("tradingArea"))) if p) or None
    highlight = text(rec.get("positionHighlight"))
    salary = text(rec.get("salary60"))
    if salary and "薪" not in salary and "/" not in salary and "面议" not in salary:
        salary += "/月"
    if salary and rec.get("salaryCount"):
        salary += f"·{text(rec.get('salaryCount'))}"
    work_type = text(rec.get("workType"))
    return edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=text(rec.get("jobId")),
        raw=rec,
        record_number=record_number,
        source_url=text(rec.get("positionURL")),
        title=text(rec.get("name")),
        description=highlight or "",
        company_name=text(rec.get("companyName")),
        company_industry=text(rec.get("industryName")),
        company_size=text(rec.get("companySize")),
        region_text=region,
        address=(region or "") + street if street else None,
        pay_text=salary,
        employment_type={"校园": "full_time", "实习": "internship", "兼职": "part_time"}.get(work_type or "", work_type),
        headcount_text=text(rec.get("recruitNumber")),
        education_text=text(rec.get("education")),
        experience_text=text(rec.get("workingExp")),
        occupation_text=text(rec.get("subJobTypeLevelName")),
        skills=split_list(rec.get("skillLabel")),
        welfare=split_list(rec.get("welfareLabel")),
        published_at=parse_datetime(rec.get("publishTime")),
    ))


def read(lines, channel_code: str) -> Iterator[PostingDraft]:
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError
        except ValueError:
            yield rejected_draft(channel_code, n, "malformed_json", f"第 {n} 行不是有效的 JSON 对象", raw_text=line)
            continue
        yield record_to_draft(rec, channel_code, n)
