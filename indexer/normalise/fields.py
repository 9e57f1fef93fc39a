"""Small field parsers: education, experience, headcount, employment type, dates, welfare tags.

Each takes the channel's text and returns the platform's value, or ``None`` when the text cannot be
read (the caller keeps the text and records an Issue). Vocabularies are the ones real channels use
(智联, 51job, BOSS, the Guangdong public employment service).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from core.enums import Education, EmploymentType

_EDU_PATTERNS: list[tuple[re.Pattern, Education]] = [
    (re.compile(r"博士"), Education.DOCTOR),
    (re.compile(r"硕士|研究生|mba|emba", re.I), Education.MASTER),
    (re.compile(r"本科|学士|统招本"), Education.BACHELOR),
    (re.compile(r"大专|(?<!中等)专科|高职(?!中)|大学专科"), Education.ASSOCIATE),
    (re.compile(r"高中|中专|中技|技校|技工学校|职高|职业高中|中等专科|高职中|职中"), Education.SENIOR),
    (re.compile(r"初中"), Education.JUNIOR),
    (re.compile(r"小学"), Education.PRIMARY),
    (re.compile(r"不限|无要求|不要求|无学历|学历不限|不限制|其他|无"), Education.NONE),
]
# "初中及以下" is a ceiling, i.e. no requirement above primary: treat as JUNIOR at most -> NONE.
_EDU_AT_MOST = re.compile(r"及以下|以下")
# The few dozen phrasings channels use for education/experience/headcount, remembered.
_CACHE_SIZE = 4096


def _memo(fn):
    """Bounded memo for a parser of a hashable value returning an immutable one; an unhashable
    value is parsed without it. ``typed`` keeps 1, 1.0 and True apart."""
    cached = lru_cache(maxsize=_CACHE_SIZE, typed=True)(fn)

    def parse(text):
        try:
            return cached(text)
        except TypeError:
            return fn(text)

    parse.__name__, parse.__doc__, parse.__wrapped__ = fn.__name__, fn.__doc__, fn
    parse.cache_clear, parse.cache_info = cached.cache_clear, cached.cache_info
    return parse


@_memo
def parse_education(text: str | None) -> Education | None:
    if text is None or not str(text).strip():
        return Education.NONE
    t = unicodedata.normalize("NFKC", str(text)).strip()
    for pat, value in _EDU_PATTERNS:
        if pat.search(t):
            if _EDU_AT_MOST.search(t) and value in (Education.JUNIOR, Education.PRIMARY):
                return Education.NONE
            return value
    return None


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s in _CN_DIGITS:
        return _CN_DIGITS[s]
    if len(s) == 2 and s[0] == "十" and s[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 2 and s[1] == "十" and s[0] in _CN_DIGITS:
        return _CN_DIGITS[s[0]] * 10
    return None


# Beyond these a number is not a requirement but a typo or a probe (the most in 90,031 real postings:
# 988 people, 10 years); the database columns are 32-bit, and one overflowing row failed its batch.
MAX_HEADCOUNT = 100_000
MAX_EXPERIENCE_YEARS = 50

_NO_EXPERIENCE = re.compile(r"不限|无经验|无需经验|经验不限|应届|在校|无要求|接受小白|零基础|1年以下|一年以下")
_YEARS = re.compile(r"([0-9]+|[一二两三四五六七八九十]{1,2})\s*(?:年|-|~|至)")


@_memo
def parse_experience(text: str | int | float | None) -> tuple[int | None, bool]:
    """Minimum years of experience. Returns ``(years, ok)``; ``(None, True)`` means no requirement."""
    if text is None:
        return None, True
    if isinstance(text, (int, float)):
        if not 0 <= text <= MAX_EXPERIENCE_YEARS:  # NaN and infinities included
            return None, text <= 0
        return (int(text) or None), True
    t = unicodedata.normalize("NFKC", str(text)).strip()
    if not t or _NO_EXPERIENCE.search(t):
        return None, True
    m = _YEARS.search(t)
    if m:
        years = _cn_number(m.group(1))
        if years is not None and years <= MAX_EXPERIENCE_YEARS:
            return (years if years > 0 else None), True
    return None, False


_UNSPECIFIED = re.compile(r"若干|不限|多名|数名|大量|长期")
_DIGITS = re.compile(r"(\d+)")
_CN_COUNT = re.compile(r"([一二两三四五六七八九十]{1,2})\s*(?:人|名|位)")


@_memo
def parse_headcount(text: str | int | None) -> tuple[int | None, bool]:
    """``(count, ok)``: "若干" / "不限" -> (None, True); "3人", "招3人", "10" -> (3, True)."""
    if text is None:
        return None, True
    if isinstance(text, int):
        if text > MAX_HEADCOUNT:
            return None, False
        return (text if text > 0 else None), True
    t = unicodedata.normalize("NFKC", str(text)).strip()
    if not t or _UNSPECIFIED.search(t):
        return None, True
    m = _DIGITS.search(t)
    if m:
        n = int(m.group(1))
        # 999 / 9999 are how some sites write "as many as come"
        if n <= 0 or n in (999, 9999):
            return None, True
        return (n, True) if n <= MAX_HEADCOUNT else (None, False)
    m = _CN_COUNT.search(t)
    if m and _cn_number(m.group(1)):
        return _cn_number(m.group(1)), True
    return None, False


_GIG = re.compile(r"零工|日结|临时工|小时工|钟点工|灵活用工|gig", re.I)
_INTERNSHIP = re.compile(r"实习|见习|校园|intern", re.I)
_PART_TIME = re.compile(r"兼职|part", re.I)
_FULL_TIME = re.compile(r"全职|正式|full", re.I)
# one pass that says whether any of the three checks above can match (usually none does)
_ANY_SPECIAL = re.compile("|".join(p.pattern for p in (_GIG, _INTERNSHIP, _PART_TIME)), re.I)


def parse_employment_type(text: str | None, pay_unit: str | None = None, title: str | None = None) -> EmploymentType:
    t = unicodedata.normalize("NFKC", f"{text or ''} {title or ''}")
    if _ANY_SPECIAL.search(t):
        if _GIG.search(t):
            return EmploymentType.GIG
        if _INTERNSHIP.search(t):
            return EmploymentType.INTERNSHIP
        if _PART_TIME.search(t):
            return EmploymentType.PART_TIME
    if text and _FULL_TIME.search(str(text)):
        return EmploymentType.FULL_TIME
    if pay_unit in ("day", "hour"):
        return EmploymentType.GIG
    return EmploymentType.FULL_TIME


_DATE_PATTERNS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d", "%Y%m%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
]


def parse_datetime(value, today: dt.date | None = None) -> dt.datetime | None:
    """ISO and the forms channels write ("2024-12-14 10:18:23", "2019/9/5", "2024年3月1日", "09-05",
    "今天", "3天前"). Returns naive UTC-less datetimes; ``None`` when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    t = unicodedata.normalize("NFKC", str(value)).strip()
    today = today or dt.date.today()
    if t in ("今天", "刚刚") or re.fullmatch(r"\d+\s*(分钟|小时)前", t):
        return dt.datetime(today.year, today.month, today.day)
    if t == "昨天":
        d = today - dt.timedelta(days=1)
        return dt.datetime(d.year, d.month, d.day)
    m = re.fullmatch(r"(\d+)\s*天前", t)
    if m:
        d = today - dt.timedelta(days=int(m.group(1)))
        return dt.datetime(d.year, d.month, d.day)
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?.*", t)
    if m:
        try:
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    t2 = t.replace("Z", "")
    try:
        d = dt.datetime.fromisoformat(t2)
        return d.replace(tzinfo=None) if d.tzinfo else d
    except ValueError:
        pass
    for fmt in _DATE_PATTERNS:
        try:
            return dt.datetime.strptime(t2, fmt)
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t2)
    if m:
        try:
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})[-/月](\d{1,2})日?(?:发布)?", t2)
    if m:  # month-day without a year: the latest such day not after today
        try:
            d = dt.date(today.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
        if d > today:
            d = d.replace(year=today.year - 1)
        return dt.datetime(d.year, d.month, d.day)
    return None


def parse_date(value, today: dt.date | None = None) -> dt.date | None:
    d = parse_datetime(value, today)
    return d.date() if d else None


_WELFARE_SPLIT = re.compile(r"[,，、;；|/\s]+")


def parse_tags(value) -> list[str]:
    """A list, a comma list, or a Python-repr list of dicts ([{'value': '五险一金'}]) to clean tags."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = []
        for v in value:
            if isinstance(v, dict):
                v = v.get("value") or v.get("name") or ""
            items.append(str(v))
    else:
        s = str(value)
        found = re.findall(r"'value':\s*'([^']*)'", s)
        items = found if found else _WELFARE_SPLIT.split(s.strip("[]"))
    out: list[str] = []
    seen: set[str] = set()
    for i in items:
        i = i.strip().strip("'\"").strip()
        if i and len(i) <= 30 and i not in seen:
            seen.add(i)
            out.append(i)
    return out


__all__ = [
    "parse_education", "parse_experience", "parse_headcount", "parse_employment_type", "parse_datetime",
    "parse_date", "parse_tags",
]
