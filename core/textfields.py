"""Text that arrives from outside (channel files and feeds, the partner API, the enterprise form), made
clean and bounded once, at the edge: invisible and control characters removed, every field within
its limit (one table, ``FIELD_LIMITS``), links only http(s). Callers turn a ``TextProblem`` into their
own error type; the codes are stable (``<field>_too_long``, ``invalid_url``) and the messages plain
Chinese."""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.labels import field_label

# Characters no job posting needs and that hide or reorder what a reader sees: C0/C1 controls (NUL
# included: PostgreSQL cannot store it), zero-width characters and joiners, the bidirectional
# overrides, embeddings, isolates and marks (U+202E shows "焊工" as "工焊"), the soft hyphen and BOM,
# and lone surrogates (which no database or JSON answer can carry).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("[\r\n\t\u2028\u2029]+")
_SPACES = re.compile(r"[ \u3000\xa0]+")
# Whether a one-line text needs more than a strip (most do not: one search instead of two rewrites).
_SINGLE_LINE_WORK = re.compile(_INVISIBLE.pattern[:-1] + "\r\n\t\u2028\u2029\u3000\xa0]|  ")

# Characters per field. Database columns set the ceiling where there is one (title 200, external
# id 128, ...); a description gets 20,000 (three times the longest of 90,031 real postings).
FIELD_LIMITS: dict[str, int] = {
    "external_id": 128,
    "title": 200,
    "description": 20_000,
    "company_name": 200,
    "credit_code": 32,
    "company_industry": 100,
    "company_size": 50,
    "region_text": 200,
    "region_code": 12,
    "address": 300,
    "source_url": 500,
    "pay_text": 100,
    "pay_unit": 16,
    "employment_type": 50,
    "headcount_text": 50,
    "education_text": 50,
    "experience_text": 50,
    "occupation_text": 100,
    "occupation_code": 20,
    "contact": 200,
    "duration_text": 50,
    "licence_number": 100,
    "tag": 100,         # one welfare, skill or target-group tag (search keeps those of 30 or fewer)
}
MAX_TAGS = 50           # tags per list

MULTILINE = frozenset({"description"})
_HTTP_URL = re.compile(r"https?://[^\s/]+", re.I)


@dataclass(frozen=True)
class TextProblem:
    code: str       # stable machine code
    message: str    # Chinese, says what to do
    field: str


def clean_text(value: str, multiline: bool = False) -> str:
    """``value`` without invisible and control characters, trimmed; line breaks and tabs kept in a
    multi-line field, made single spaces elsewhere."""
    if multiline:
        return (_INVISIBLE.sub("", value) if _INVISIBLE.search(value) else value).strip()
    if _SINGLE_LINE_WORK.search(value):
        value = _SPACES.sub(" ", _LINE_BREAKS.sub(" ", _INVISIBLE.sub("", value)))
    return value.strip()


def too_long(field: str, value: str, limit: int | None = None) -> TextProblem | None:
    """The problem of a text over its field's limit, or None."""
    limit = limit or FIELD_LIMITS[field]
    if len(value) <= limit:  # (nearly always: the check costs one comparison)
        return None
    label = field_label(field)
    return TextProblem(f"{field}_too_long", f"{label}不能超过 {limit} 个字（收到 {len(value)} 个字），请精简后重新提交", field)


def checked_text(field: str, value: str | None) -> tuple[str | None, TextProblem | None]:
    """One field at the edge: cleaned (None when nothing visible is left) and its problem, if any."""
    if value is None:
        return None, None
    cleaned = clean_text(value if isinstance(value, str) else str(value), field in MULTILINE) or None
    if cleaned is None:
        return None, None
    if field == "source_url" and not _HTTP_URL.match(cleaned):
        return None, TextProblem("invalid_url", f"岗位链接须以 http:// 或 https:// 开头（收到 {cleaned[:60]}），已忽略",
                                 field)
    return cleaned, too_long(field, cleaned)


def checked_tags(field: str, values: list[str]) -> tuple[list[str], TextProblem | None]:
    """A list of tags at the edge: each cleaned; too many tags or one too long is a problem."""
    out = [t for t in (clean_text(str(v)) for v in values) if t]
    if len(out) > MAX_TAGS:
        label = field_label(field)
        return out, TextProblem(f"{field}_too_many", f"{label}最多 {MAX_TAGS} 项（收到 {len(out)} 项）", field)
    long_tag = next((t for t in out if len(t) > FIELD_LIMITS["tag"]), None)
    if long_tag is not None:
        label = field_label(field)
        return out, TextProblem(f"{field}_too_long", f"{label}每项不能超过 {FIELD_LIMITS['tag']} 个字"
                                                     f"（“{long_tag[:20]}…”）", field)
    return out, None


__all__ = ["FIELD_LIMITS", "MAX_TAGS", "TextProblem", "clean_text", "too_long", "checked_text",
           "checked_tags"]
