"""Adapter for the JobHunting data-share JSON lines (postings viewed on BOSS, 51JOB, the Guangdong
public employment site, LIEPIN, LAGOU, ZHILIAN, JOBONLINE): one JSON object per line."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Iterator

from indexer.drafts import PostingDraft

from .base import edge_checked, number, parse_datetime, rejected_draft, split_list, text

FORMAT = "jobhunting"

# platform -> (channel code, channel name, channel kind): the demo channels are named after them.
PLATFORMS: dict[str, tuple[str, str, str]] = {
    "BOSS": ("boss", "BOSS直聘", "hr_firm"),
    "51JOB": ("51job", "前程无忧（51job）", "hr_firm"),
    "GGFW_HRSS_GD": ("ggfw-hrss-gd", "广东省公共招聘平台（ggfw.hrss.gd.gov.cn）", "provincial_site"),
    "LIEPIN": ("liepin", "猎聘", "hr_firm"),
    "LAGOU": ("lagou", "拉勾招聘", "hr_firm"),
    "ZHILIAN": ("zhilian", "智联招聘", "hr_firm"),
    "JOBONLINE": ("jobonline", "就业在线（jobonline.cn）", "public_agency"),
}


def record_to_draft(rec: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    ext = text(rec.get("id"))
    title = text(rec.get("title"))
    lo, hi = number(rec.get("salary_min")), number(rec.get("salary_max"))
    months = number(rec.get("salary_months"))
    pay_text = None
    if lo or hi:
        pay_text = f"{int(lo or hi)}-{int(hi or lo)}元/月" if lo != hi else f"{int(lo)}元/月"
        if months and months > 12:
            pay_text += f"·{int(months)}薪"
    exp = rec.get("experience_years")
    exp_n = number(exp)
    experience_text = None if exp is None or exp == "" else ("经验不限" if exp_n == 0 else f"{text(exp)}年")
    area = text(rec.get("area"))
    address = text(rec.get("address"))
    company = text(rec.get("company")) or text(rec.get("hiring_company"))
    if rec.get("hiring_company") and rec.get("company_full_name") in (0, False, "0"):
        # BOSS shows a brand ("汇智微美医疗"); the hiring company field may hold the registered name.
        company = text(rec.get("hiring_company")) or company
    return edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=ext,
        raw=rec,
        record_number=record_number,
        source_url=text(rec.get("url")),
        title=title,
        description=text(rec.get("description")),
        company_name=company,
        region_text=area,
        address=address if address and address != area else None,
        lat=number(rec.get("lat")),
        lon=number(rec.get("lon")),
        pay_text=pay_text,
        pay_min=lo,
        pay_max=hi,
        pay_unit="month" if (lo or hi) else None,
        pay_months=int(months) if months else None,
        education_text=text(rec.get("education")),
        experience_text=experience_text,
        skills=split_list(rec.get("skills")),
        welfare=split_list(rec.get("welfare")),
        published_at=parse_datetime(rec.get("published_at")) or parse_datetime(rec.get("first_seen")),
    ))


def open_lines(path: str | Path) -> Iterator[str]:
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8", errors="strict", newline="") as fh:  # type: ignore[operator]
        yield from fh


def read(lines, channel_for_platform=None, default_channel: str = "") -> Iterator[PostingDraft]:
    """Drafts from JSON lines. ``channel_for_platform(platform) -> channel code`` routes each record
    to its platform's channel; malformed lines become rejected drafts (line number kept)."""
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not an object")
        except ValueError:
            yield rejected_draft(default_channel, n, "malformed_json", f"第 {n} 行不是有效的 JSON 对象", raw_text=line)
            continue
        platform = str(rec.get("platform") or "")
        channel = channel_for_platform(platform) if channel_for_platform else default_channel
        yield record_to_draft(rec, channel or default_channel, n)
