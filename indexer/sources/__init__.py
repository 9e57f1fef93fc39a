"""Channel adapters: each turns one channel format into ``PostingDraft``s (see indexer/drafts.py).

``FORMATS`` maps the format name stored with a rejected record to the function that rebuilds a
draft from the record as received, so ``joblink ingest retry`` can re-process it.
"""
from __future__ import annotations

import importlib
import json
from typing import Callable

_FORMAT_MODULES = {
    "jobhunting": "indexer.sources.jobhunting",
    "zhilian30": "indexer.sources.zhilian",
    "job51_raw": "indexer.sources.job51_raw",
    "spreadsheet": "indexer.sources.spreadsheet",
    "provincial_feed": "indexer.sources.feeds",
    "gig_feed": "indexer.sources.feeds",
    "partner": "indexer.sources.partner",
    "enterprise_form": "indexer.sources.enterprise_form",
    "major_project": "indexer.sources.major_project",
}


def record_to_draft_for(fmt: str) -> Callable:
    """The adapter function ``(raw: dict, channel_code, record_number) -> PostingDraft`` of a format."""
    module = importlib.import_module(_FORMAT_MODULES[fmt])
    fn = getattr(module, "record_to_draft_" + fmt, None) or module.record_to_draft
    return fn


def redraft(fmt: str, raw: dict | None, raw_text: str | None, channel_code: str, record_number: int | None):
    """Rebuild a draft from a kept record. A record kept as unreadable text is parsed again."""
    from .base import rejected_draft

    if raw is None and raw_text is not None:
        try:
            raw = json.loads(raw_text)
        except ValueError:
            return rejected_draft(channel_code, record_number, "malformed_json", "记录仍不是有效的 JSON 对象",
                                  raw_text=raw_text)
        if not isinstance(raw, dict):
            return rejected_draft(channel_code, record_number, "malformed_json", "记录不是 JSON 对象", raw_text=raw_text)
    if fmt not in _FORMAT_MODULES:
        return rejected_draft(channel_code, record_number, "unknown_format", f"未知的记录格式 {fmt}", raw=raw)
    return record_to_draft_for(fmt)(raw or {}, channel_code, record_number)


FORMATS = tuple(_FORMAT_MODULES)
