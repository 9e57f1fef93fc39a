"""Claims check before going live (直播前口播核对): what a run-sheet's talking points say that the
posting does not — pay above the posting's range, benefits (五险一金、包吃住、双休) it does not
state — plus whatever the compliance screening finds in the talking points (discrimination, fees,
the January 2026 notice's "高薪/保录" hooks).

The screening rules are the intake pipeline's (``indexer.screening``), which core may not import:
the caller hands in ``screen(text)``, returning ``(code, message, severity, evidence)`` tuples, the
way ``create_app`` hands in the search backend."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from core.enums import PayUnit

Screen = Callable[[str], Iterable[tuple[str, str, str, str | None]]]


@dataclass(frozen=True)
class Flag:
    key: str          # stable while the talking points say the same thing: "<item id>:<kind>:<detail>"
    item_id: int
    kind: str         # pay, benefit, screening
    message: str      # Chinese, says what to change
    evidence: str = ""


# Numbers that are pay: with a money unit after them, or a pay word shortly before them.
_PAY_WORD = r"(?:月薪|工资|薪资|薪水|收入|月入|底薪|到手|综合|年薪|日薪|时薪|每月|一个月|每天|一天|每小时|拿)"
_PAY = re.compile(
    rf"(?P<word>{_PAY_WORD}[^\d，。；,;！!\n]{{0,4}})?(?P<lo>\d+(?:\.\d+)?)\s*(?P<lo_scale>万|w|W|千|k|K)?"
    r"(?:\s*(?:-|~|～|至|到|—|–)\s*(?P<hi>\d+(?:\.\d+)?)\s*(?P<hi_scale>万|w|W|千|k|K)?)?"
    r"\s*(?P<unit>元|块)?(?P<per>\s*/?\s*(?:每)?(?:个月|月|天|日|小时|时|年))?"
)
_NOT_PAY_AFTER = re.compile(r"^\s*(岁|人|名|个|年(?!薪)|周岁|号|点|分|%|％|天假|小时工作)")
_OVER_TEN_THOUSAND = re.compile(r"(?:月入|月薪|工资|收入|到手)\s*(?:过|破|上)万")
_SCALE = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}
_NEGATED = re.compile(r"(不|没有|无|非)(是|包|含|提供|保证)?\s*$")

# (key, what the talking points claim, what counts as the posting stating it, the name people read)
_BENEFITS = [
    ("housing_fund", re.compile(r"[五六]险一金"), re.compile(r"[五六]险一金|(?=.*(社保|[五六]险|社会保险)).*公积金"),
     "五险一金"),
    ("insurance", re.compile(r"[五六]险(?!一金)|社保|社会保险"), re.compile(r"[五六]险|社保|社会保险"), "社保"),
    ("board", re.compile(r"包吃住|包食宿|管吃管住|吃住全包|免费食宿|提供食宿|包吃包住"),
     re.compile(r"包吃住|包食宿|管吃管住|吃住全包|免费食宿|提供食宿|包吃包住|(?=.*包吃).*包住"), "包吃住"),
    ("weekends", re.compile(r"双休|做五休二|周末休息"), re.compile(r"双休|做五休二|周末休息|五天工作制"), "双休"),
]


def _amount(number: str, scale: str | None) -> float:
    return float(number) * _SCALE.get(scale or "", 1)


def pay_claims(text: str) -> list[tuple[float, str, str]]:
    """The amounts the text promises as pay: (yuan, unit month/day/hour, the words)."""
    out = []
    for m in _PAY.finditer(text or ""):
        word, unit, per = m.group("word") or "", m.group("unit"), (m.group("per") or "").strip(" /每")
        lo_scale, hi_scale = m.group("lo_scale"), m.group("hi_scale")
        if not (word or unit or lo_scale or hi_scale):
            continue
        if not unit and _NOT_PAY_AFTER.match(text[m.end():]):
            continue
        if _NEGATED.search(text[max(0, m.start() - 4):m.start()]):
            continue
        # the upper end when there is one ("1-1.2万": the scale written once serves both ends)
        value = _amount(m.group("hi"), hi_scale or lo_scale) if m.group("hi") else _amount(m.group("lo"), lo_scale)
        period = "day" if per in ("天", "日") or "日薪" in word or "天" in word else (
            "hour" if per in ("小时", "时") or "时薪" in word or "小时" in word else "month")
        if per == "年" or "年薪" in word:
            value, period = value / 12, "month"
        if value < 10:  # "3 个班次", "2 倍": not an amount of yuan
            continue
        out.append((value, period, m.group(0).strip()))
    out += [(10000.0, "month", m.group(0)) for m in _OVER_TEN_THOUSAND.finditer(text or "")]
    return out


def _posting_max(posting, period: str) -> float | None:
    """The posting's highest pay in ``period`` (a monthly posting's day rate is not guessed)."""
    unit = str(posting.pay_unit or PayUnit.MONTH)
    if period == "month":
        return posting.pay_monthly_max or (posting.pay_max or posting.pay_min if unit == "month" else None)
    if unit == period:
        return posting.pay_max or posting.pay_min
    return None


def _pay_flags(item_id: int, text: str, posting) -> list[Flag]:
    flags = []
    for value, period, words in pay_claims(text):
        ceiling = _posting_max(posting, period)
        per = {"month": "月", "day": "天", "hour": "小时"}[period]
        if ceiling is None:
            if posting.pay_min is None and posting.pay_max is None:
                flags.append(Flag(f"{item_id}:pay:{words}", item_id, "pay",
                                  f"讲解说“{words}”，但岗位没有写明薪资：请按岗位信息讲，或先请单位补充薪资", words))
            continue
        if value > ceiling * 1.0001:
            flags.append(Flag(f"{item_id}:pay:{words}", item_id, "pay",
                              f"讲解说“{words}”，高于岗位写明的最高 {ceiling:g} 元/{per}：请改成岗位的薪资范围", words))
    return flags


def _posting_text(posting) -> str:
    return " ".join([posting.title or "", posting.description or "", " ".join(posting.welfare_tags or [])])


def _benefit_flags(item_id: int, text: str, posting) -> list[Flag]:
    stated_in = _posting_text(posting)
    flags = []
    for key, claimed, stated, name in _BENEFITS:
        m = claimed.search(text or "")
        if m is None or _NEGATED.search(text[max(0, m.start() - 4):m.start()]):
            continue
        if not stated.search(stated_in):
            flags.append(Flag(f"{item_id}:benefit:{key}", item_id, "benefit",
                              f"讲解说“{m.group(0)}”，但岗位信息里没有写：请删去，或先请单位在岗位中写明", m.group(0)))
    return flags


def _screen_flags(item_id: int, text: str, screen: Screen | None) -> list[Flag]:
    if screen is None or not (text or "").strip():
        return []
    out: list[Flag] = []
    for code, message, severity, evidence in screen(text):
        if severity == "info" or any(f.key == f"{item_id}:screening:{code}" for f in out):
            continue
        out.append(Flag(f"{item_id}:screening:{code}", item_id, "screening",
                        f"{message}" + (f"（讲解中的“{evidence}”）" if evidence else ""), evidence or ""))
    return out


def check_item(item, screen: Screen | None = None) -> list[Flag]:
    """The flags on one run-sheet item's talking points against its posting."""
    text = item.talking_points or ""
    if not text.strip():
        return []
    return _pay_flags(item.id, text, item.posting) + _benefit_flags(item.id, text, item.posting) + _screen_flags(
        item.id, text, screen)


def check_session(live, screen: Screen | None = None) -> list[Flag]:
    """Every flag on the session's run-sheet, in run-sheet order."""
    return [flag for item in live.items for flag in check_item(item, screen)]


def unresolved(live, flags: list[Flag]) -> list[Flag]:
    """The flags no commissioner has let through (an override covers the flags it was given for)."""
    allowed = set(live.override_flags or [])
    return [f for f in flags if f.key not in allowed]
