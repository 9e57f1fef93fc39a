"""Small helpers shared by the channel adapters: text cleaning, numbers, dates, stable ids, and the
rejected draft an adapter emits for a record it cannot even read."""
from __future__ import annotations

import ast
import datetime as dt
import hashlib
import re
from typing import Any

from core.textfields import FIELD_LIMITS, TextProblem, checked_tags, checked_text
from core.validity.services import MAX_VALIDITY_DAYS
from indexer.drafts import Issue, PostingDraft


def text(value: Any) -> str | None:
    """Trimmed text, or None for empty/None/NaN-like values."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    s = str(value).replace("\u3000", " ").strip()
    if not s or s.lower() in {"none", "null", "nan"}:
        return None
    return s


def number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value else None
    s = str(value).strip().replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


_VALUE_RE = re.compile(r"'value':\s*'([^']*)'")


def split_list(value: Any) -> list[str]:
    """'五险一金,周末双休' or a list, or a Python-repr list of {'value': ...} dicts -> list of texts."""
    if value is None:
        return []
    if isinstance(value, list):
        items = value
    else:
        s = str(value).strip()
        if not s:
            return []
        if s.startswith("[{") and "'value'" in s:
            items = _VALUE_RE.findall(s)  # [{'state': 0, 'value': '五险一金'}, ...]: much faster than literal_eval
        elif s.startswith("["):
            try:
                items = ast.literal_eval(s)
            except (ValueError, SyntaxError):
                items = re.split(r"[,，、;；|]", s.strip("[]"))
        else:
            items = re.split(r"[,，、;；|]", s)
    out = []
    for it in items:
        if isinstance(it, dict):
            it = it.get("value") or it.get("name")
        t = text(it)
        if t and t not in out:
            out.append(t.strip("'\""))
    return out


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S",
                 "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def parse_datetime(value: Any) -> dt.datetime | None:
    """Dates as channels write them; timezone-aware values are converted to naive UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    else:
        s = str(value).strip()
        if not s:
            return None
        d = None
        try:
            d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    d = dt.datetime.strptime(s, fmt)
                    break
                except ValueError:
                    continue
        if d is None:
            return None
    if d.tzinfo is not None:
        d = d.astimezone(dt.UTC).replace(tzinfo=None)
    return d


def parse_date(value: Any) -> dt.date | None:
    d = parse_datetime(value)
    return d.date() if d else None


def stable_id(*parts: Any) -> str:
    """An external id for channels that give none: a hash of the identifying fields, stable on replay."""
    h = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
    return "h" + h[:31]


def rejected_draft(channel_code: str, record_number: int | None, code: str, message: str, *,
                   raw: dict | None = None, raw_text: str | None = None, external_id: str | None = None,
                   field: str | None = None) -> PostingDraft:
    """A record the adapter could not read: it still travels the pipeline so it is reported and kept."""
    payload = dict(raw or {})
    if raw_text is not None:
        payload["_raw_text"] = raw_text[:20000].replace("\x00", "\ufffd")  # PostgreSQL text holds no NUL
    return PostingDraft(
        channel_code=channel_code, external_id=external_id, raw=payload, record_number=record_number,
        issues=[Issue(code, message, field, "reject")],
    )


# The draft's text fields, checked by ``edge_checked`` against ``core.textfields.FIELD_LIMITS``.
_TEXT_FIELDS = tuple(f for f in FIELD_LIMITS if f != "tag")
_TAG_FIELDS = ("welfare", "skills", "target_groups")


def edge_checked(draft: PostingDraft, today: dt.date | None = None) -> PostingDraft:
    """The one check every adapter ends with: each text field cleaned of invisible and control
    characters and within its limit, links http(s) only, tags bounded, ``valid_until`` within what a
    refresh may set. What is too long or out of range refuses the record (kept with its reason, as
    every refused record is); a link that is not http(s), or a publication date after today, is
    dropped with a note."""
    problems: list[TextProblem] = []
    for name in _TEXT_FIELDS:
        value = getattr(draft, name)
        if value is None:
            continue
        value, problem = checked_text(name, value)
        setattr(draft, name, value)
        if problem:
            problems.append(problem)
    for name in _TAG_FIELDS:
        tags = getattr(draft, name)
        if tags:
            tags, problem = checked_tags(name, tags)
            setattr(draft, name, tags)
            if problem:
                problems.append(problem)
    if problems:
        draft.issues.extend(Issue(p.code, p.message, p.field, "info" if p.code == "invalid_url" else "reject")
                            for p in problems)
    if draft.published_at is not None and draft.published_at.date() > (today or dt.date.today()) + dt.timedelta(days=1):
        draft.issues.append(Issue("published_at_in_future", f"发布时间 {draft.published_at:%Y-%m-%d} 晚于今天，已按收到的时间计",
                                  "published_at", "info"))
        draft.published_at = None
    if draft.valid_until is not None:
        latest = (today or dt.date.today()) + dt.timedelta(days=MAX_VALIDITY_DAYS)
        if draft.valid_until > latest:
            draft.issues.append(Issue(
                "invalid_valid_until",
                f"有效期 {draft.valid_until:%Y-%m-%d} 太远：最长到 {latest:%Y-%m-%d}（{MAX_VALIDITY_DAYS} 天内），请改正后重新提交",
                "valid_until", "reject"))
    return draft
