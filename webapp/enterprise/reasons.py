"""What an employer reads about its posting's review: each reason under its short label (the review
queue's), with what happens or what to change in the employer's own words — never a code."""
from __future__ import annotations

from typing import Iterable

from core.labels import reason_label

REVIEW_TIME = "一般 1 个工作日内"

# Reasons that say nothing about the posting itself: the employer is told what happens next and why.
WHAT_HAPPENS = {
    "channel_not_trusted": f"新单位的岗位由人社部门审核后发布，{REVIEW_TIME}",
    "channel_requires_review": f"这类岗位由人社部门逐条审核后发布，{REVIEW_TIME}",
    "probable_duplicate": f"与已有的一个岗位很相似，人社部门会确认是不是同一个岗位，{REVIEW_TIME}",
}


def plain_reasons(reasons: Iterable[dict]) -> list[str]:
    """The hold or refusal reasons (hints left out) as sentences an employer can act on, each once."""
    out: list[str] = []
    for r in reasons or []:
        if r.get("severity") == "info":
            continue
        code, message = r.get("code") or "", r.get("message") or ""
        text = WHAT_HAPPENS.get(code) or _with_label(reason_label(code, message), message)
        if text not in out:
            out.append(text)
    return out


def _with_label(short: str, message: str) -> str:
    if not message or message.startswith(short):
        return message or short
    return f"{short}：{message}"
