"""Adapters for the two pulled feeds: the provincial public recruitment site (the first "1") and the
online gig platform (the second "1"). Both are JSON over HTTP, read page by page with an incremental
``updated_since`` cursor; the format is defined in docs/feeds.md and the field mapping lives HERE
(``PROVINCIAL_FIELDS`` / ``GIG_FIELDS``), nowhere else.

A pull resumes where an interrupted one stopped: after every page the cursor (``updated_since`` =
the last committed item's ``updated_at``, plus a page number for runs of equal timestamps) is saved in
the same transaction as that page's postings. Items at the boundary are read again and come back as
"unchanged", so nothing is lost and nothing doubled.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.orm import Session

from indexer.drafts import PostingDraft

from .base import edge_checked, number, parse_date, parse_datetime, rejected_draft, split_list, text

PROVINCIAL_FORMAT = "provincial_feed"
GIG_FORMAT = "gig_feed"
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 100_000

# draft field -> dotted path in a feed item. THE mapping: change the feed here and in docs/feeds.md.
PROVINCIAL_FIELDS: dict[str, str] = {
    "external_id": "id",
    "source_url": "url",
    "title": "title",
    "description": "description",
    "company_name": "employer.name",
    "credit_code": "employer.credit_code",
    "company_industry": "employer.industry",
    "company_size": "employer.size",
    "region_code": "location.region_code",
    "region_text": "location.text",
    "address": "location.address",
    "lat": "location.lat",
    "lon": "location.lon",
    "pay_text": "salary.text",
    "pay_min": "salary.min",
    "pay_max": "salary.max",
    "pay_unit": "salary.unit",
    "pay_months": "salary.months",
    "headcount_text": "headcount",
    "education_text": "education",
    "experience_text": "experience",
    "occupation_code": "occupation.code",
    "occupation_text": "occupation.name",
    "employment_type": "employment_type",
    "welfare": "welfare",
    "skills": "skills",
    "contact": "contact",
    "published_at": "published_at",
    "valid_until": "valid_until",
}

GIG_FIELDS: dict[str, str] = {
    "external_id": "task_id",
    "source_url": "url",
    "title": "title",
    "description": "description",
    "company_name": "employer.name",
    "credit_code": "employer.credit_code",
    "region_code": "place.region_code",
    "region_text": "place.text",
    "address": "place.address",
    "lat": "place.lat",
    "lon": "place.lon",
    "pay_text": "pay.text",
    "pay_min": "pay.amount",
    "pay_max": "pay.amount_max",
    "pay_unit": "pay.unit",
    "headcount_text": "headcount",
    "start_date": "start_date",
    "duration_text": "duration",
    "occupation_text": "category",
    "skills": "skills",
    "contact": "contact",
    "published_at": "published_at",
    "valid_until": "end_date",
}

# An item whose "status" is one of these closes the posting (withdrawn from search, record kept).
CLOSED_STATUSES = {"closed", "filled", "withdrawn", "expired", "deleted"}
_NUMBER_FIELDS = {"lat", "lon", "pay_min", "pay_max"}
_LIST_FIELDS = {"welfare", "skills"}
_DATE_FIELDS = {"valid_until", "start_date"}


def _get(item: dict, path: str) -> Any:
    cur: Any = item
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _item_to_draft(item: dict, mapping: dict[str, str], channel_code: str, record_number: int | None,
                   employment_type: str | None) -> PostingDraft:
    kwargs: dict[str, Any] = {}
    for fld, path in mapping.items():
        v = _get(item, path)
        if fld in _NUMBER_FIELDS:
            kwargs[fld] = number(v)
        elif fld in _LIST_FIELDS:
            kwargs[fld] = split_list(v)
        elif fld in _DATE_FIELDS:
            kwargs[fld] = parse_date(v)
        elif fld == "published_at":
            kwargs[fld] = parse_datetime(v)
        elif fld == "pay_months":
            n = number(v)
            kwargs[fld] = int(n) if n else None
        else:
            kwargs[fld] = text(v)
    if employment_type and not kwargs.get("employment_type"):
        kwargs["employment_type"] = employment_type
    draft = PostingDraft(channel_code=channel_code, raw=item, record_number=record_number,
                         closed=str(item.get("status") or "").lower() in CLOSED_STATUSES, **kwargs)
    if not draft.external_id:
        return rejected_draft(channel_code, record_number, "missing_external_id", "记录缺少编号（id）", raw=item,
                              field="id")
    return edge_checked(draft)  # (an id over 128 characters is refused there, never cut short)


def record_to_draft_provincial_feed(item: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    return _item_to_draft(item, PROVINCIAL_FIELDS, channel_code, record_number, None)


def record_to_draft_gig_feed(item: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    return _item_to_draft(item, GIG_FIELDS, channel_code, record_number, "gig")


def record_to_draft(item: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    if "task_id" in item:
        return record_to_draft_gig_feed(item, channel_code, record_number)
    return record_to_draft_provincial_feed(item, channel_code, record_number)


FEED_KINDS = {
    "provincial_site": (PROVINCIAL_FORMAT, record_to_draft_provincial_feed),
    "gig_platform": (GIG_FORMAT, record_to_draft_gig_feed),
}


# --- HTTP ---------------------------------------------------------------------------------------------

class FeedError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def fetch_page(url: str, updated_since: str | None, page: int, page_size: int, timeout: float = 30.0) -> dict:
    params = {"page": page, "page_size": page_size}
    if updated_since:
        params["updated_since"] = updated_since
    sep = "&" if "?" in url else "?"
    full = url + sep + urllib.parse.urlencode(params)
    req = urllib.request.Request(full, headers={"Accept": "application/json", "User-Agent": "JobLink-feed/1"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read(50 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError("feed_http_error", f"数据源返回 HTTP {exc.code}（第 {page} 页）") from None
    except (socket.timeout, TimeoutError):
        raise FeedError("feed_timeout", f"读取第 {page} 页超时") from None
    except (urllib.error.URLError, ConnectionError, OSError) as exc:
        raise FeedError("feed_unreachable", f"无法连接数据源（第 {page} 页）：{exc}") from None
    if len(body) > 50 * 1024 * 1024:
        raise FeedError("feed_page_too_large", f"第 {page} 页超过 50 MB，已停止")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FeedError("feed_malformed_json", f"第 {page} 页不是有效的 UTF-8 JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("feed_malformed_page", f"第 {page} 页缺少 items 列表")
    return data


@dataclass
class PullResult:
    channel: str
    pages: int = 0
    summary: Any = None
    complete: bool = False
    error: dict | None = None
    cursor: dict = field(default_factory=dict)

    def as_dict(self, with_results: bool = False) -> dict:
        d = self.summary.as_dict(with_results=with_results) if self.summary else {}
        d.update({"channel": self.channel, "pages": self.pages, "complete": self.complete, "cursor": self.cursor})
        if self.error:
            d["error"] = self.error
        return d


def pull_feed(session: Session, channel_code: str, url: str | None = None, *, page_size: int = DEFAULT_PAGE_SIZE,
              timeout: float = 30.0, max_pages: int | None = None,
              fetch: Callable[..., dict] = fetch_page) -> PullResult:
    """Pull a channel's feed from its cursor until the last page (or ``max_pages``, or an error).

    Each page is processed and committed together with the advanced cursor. On an error the pull
    stops and the cursor stays after the last committed page; the next pull resumes there.
    """
    from core.channels.services import get_channel
    from core.ingest.services import get_cursor
    from indexer.intake import IngestSummary, IntakeOptions, Pipeline

    channel = get_channel(session, channel_code)
    kind = str(channel.kind)
    if kind not in FEED_KINDS:
        raise FeedError("not_a_feed_channel", f"渠道 {channel.code} 的类型（{kind}）不是拉取式数据源")
    fmt, to_draft = FEED_KINDS[kind]
    cursor = get_cursor(session, channel)
    if url:
        cursor.feed_url = url
    if not cursor.feed_url:
        raise FeedError("no_feed_url", f"渠道 {channel.code} 未设置数据源地址（--url）")
    session.commit()

    pipe = Pipeline(session, IntakeOptions(run_kind="pull", source_name=cursor.feed_url, format=fmt))
    result = PullResult(channel.code)
    summary = IngestSummary(run_id=pipe.start_run(channel.code), channel=channel.code)
    result.summary = summary
    since = cursor.updated_since
    page = cursor.next_page or 1
    record_base = 0
    try:
        while result.pages < (max_pages or MAX_PAGES):
            data = fetch(cursor.feed_url, since, page, page_size, timeout=timeout)
            items = data["items"]
            result.pages += 1
            drafts, last_ts = _page_drafts(items, channel.code, to_draft, page, record_base, since)
            record_base += len(items)
            has_more = bool(data.get("has_more")) and bool(items)
            # Advance the cursor in the same transaction as this page's postings.
            if has_more:
                if last_ts != since:
                    since, page = last_ts, 1
                else:
                    page += 1  # a page full of one timestamp: step through it by page number
                cursor.updated_since, cursor.next_page = since, page
            else:
                cursor.updated_since, cursor.next_page = last_ts, None
                cursor.last_success_at = _now()
            cursor.last_run_id = pipe.run.id if pipe.run else None
            pipe.forget_repeats()  # boundary items come again on the next page: not in-batch repeats
            for r in pipe.process_batch(drafts) if drafts else []:
                summary.add(r)
            if not drafts:
                session.commit()
            if not has_more:
                result.complete = True
                break
    except FeedError as exc:
        session.rollback()
        result.error = {"code": exc.code, "message": exc.message}
    except BaseException as exc:
        session.rollback()
        pipe.finish_run(summary, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed", error=repr(exc))
        raise
    result.cursor = {"updated_since": cursor.updated_since, "next_page": cursor.next_page}
    pipe.finish_run(summary, "done" if result.complete else ("interrupted" if result.error else "done"),
                     error=result.error["message"] if result.error else None)
    return result


def _page_drafts(items: list, channel_code: str, to_draft: Callable, page: int, record_base: int,
                 since: str | None) -> tuple[list, str | None]:
    """A page's drafts (an item that is not a JSON object becomes a rejected one) and the latest
    ``updated_at`` among its items (``since`` when none is later)."""
    drafts = []
    last_ts = since
    for k, item in enumerate(items, start=1):
        n = record_base + k
        if not isinstance(item, dict):
            drafts.append(rejected_draft(channel_code, n, "malformed_record", f"第 {page} 页第 {k} 条不是 JSON 对象",
                                         raw_text=json.dumps(item, ensure_ascii=False)))
            continue
        drafts.append(to_draft(item, channel_code, n))
        ts = text(item.get("updated_at"))
        if ts and (last_ts is None or _ts_key(ts) > _ts_key(last_ts)):
            last_ts = ts
    return drafts, last_ts


def _ts_key(ts: str):
    d = parse_datetime(ts)
    return d.isoformat() if d else ts


def _now():
    from core.db import utcnow

    return utcnow()
