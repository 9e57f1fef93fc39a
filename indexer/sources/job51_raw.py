"""Adapter for the raw 51job CSV export (GB18030; cells are Python list reprs such as "['本科']";
工作经验/学历 shift left when experience is missing). It carries no id: the record's own content
is hashed into a stable external id, so an exact repeat row is a repeat, not a new posting."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

from core.tabular import UnreadableRow, csv_records, decode_text
from indexer.drafts import PostingDraft

from .base import edge_checked, parse_datetime, rejected_draft, stable_id, text

FORMAT = "job51_raw"
COLUMNS = ["职位", "薪资", "公司", "公司信息", "公司地址", "地区", "工作经验", "学历", "人数", "时间", "岗位信息"]
_EDU = {"初中及以下", "高中", "中技", "中专", "中技/中专", "大专", "本科", "硕士", "博士"}


def _cell(value: str | None) -> str | None:
    s = (value or "").strip()
    if s.startswith("["):
        try:
            items = ast.literal_eval(s)
            s = " ".join(str(i) for i in items) if isinstance(items, list) else str(items)
        except (ValueError, SyntaxError):
            s = s.strip("[]'\"")
    return text(re.sub(r"\s+", " ", s))


def record_to_draft(rec: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    c = {k: _cell(rec.get(k)) for k in COLUMNS}
    exp, edu = c["工作经验"], c["学历"]
    extra: list[str] = []
    if exp and exp in _EDU:
        # The columns shift left when experience is missing: 学历 holds the next field (e.g. 英语熟练).
        if edu and edu not in _EDU:
            extra.append(edu)
        exp, edu = None, exp
    info = (c["公司信息"] or "").split("|")
    address = c["公司地址"]
    if address:
        address = re.sub(r"^上班地址\s*[:：]\s*", "", address)
    headcount = c["人数"]
    if headcount:
        headcount = headcount.replace("招", "").replace("人", "").strip() or "若干"
    ext = text(rec.get("_external_id")) or stable_id(*(rec.get(k) for k in COLUMNS))
    region = c["地区"]
    return edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=ext,
        raw=rec,
        record_number=record_number,
        title=c["职位"],
        description=text(rec.get("岗位信息")) or "",
        company_name=c["公司"],
        company_size=text(info[1]) if len(info) > 1 else None,
        company_industry=text(info[2]) if len(info) > 2 else None,
        region_text=region.replace("-", "") if region else None,
        address=address,
        pay_text=c["薪资"],
        experience_text=exp,
        education_text=edu,
        headcount_text=headcount,
        published_at=parse_datetime(c["时间"]),
        skills=extra,
    ))


def read_bytes(data: bytes, channel_code: str) -> Iterator[PostingDraft]:
    decoded, _enc = decode_text(data)
    reader = csv_records(decoded)
    header = next(reader, None)
    if not header or [h.strip() for h in header[: len(COLUMNS)]] != COLUMNS:
        yield rejected_draft(channel_code, 1, "unexpected_header", "表头与 51job 导出格式不符：" + ",".join(header or []))
        return
    for n, values in enumerate(reader, start=2):
        if isinstance(values, UnreadableRow):
            yield rejected_draft(channel_code, n, "unreadable_row", values.reason)
            continue
        if not any(v.strip() for v in values):
            continue
        rec = {k: (values[i] if i < len(values) else "") for i, k in enumerate(COLUMNS)}
        yield record_to_draft(rec, channel_code, n)


def read(path: str | Path, channel_code: str) -> Iterator[PostingDraft]:
    yield from read_bytes(Path(path).read_bytes(), channel_code)
