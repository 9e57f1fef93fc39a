"""Pay text as channels write it ("8千-1.2万/月", "10-15K·13薪", "150元/天", "面议") to numbers.

Amounts are yuan. A monthly equivalent is computed for every unit with the statutory conversion
factors of the Ministry of Human Resources and Social Security (劳社部发〔2008〕3号): 21.75 working
days and 174 working hours a month. Annual pay ("年薪10万", "20-40万/年") is turned into a monthly
amount (÷12) and reported with unit ``month`` and ``annual=True``.

Piece rates ("0.5元/件", "计件工资", "多劳多得 每件2元") have unit ``piece`` and NO declared monthly
conversion (how many pieces a month is the job's own matter): their monthly figure is only what the
posting itself states beside the rate ("计件，月收入6000-8000"), else empty.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

DAYS_PER_MONTH = 21.75
HOURS_PER_MONTH = 174.0

_MULTIPLIERS = {"k": 1000.0, "千": 1000.0, "w": 10000.0, "万": 10000.0, "百": 100.0}
_NEGOTIABLE = re.compile(r"面议|面谈|议定|待遇从优|薪资?可谈|协商")
_MONTHS = re.compile(r"[·.,，x×*]?\s*(\d{2})\s*薪")
_NUM = r"(\d+(?:\.\d+)?)\s*(k|w|千|万|百)?"
_RANGE = re.compile(_NUM + r"\s*(?:元|块)?\s*(?:-|~|至|到|—|–)\s*" + _NUM)
_SINGLE = re.compile(_NUM)
_UNIT_PATTERNS = [
    ("year", re.compile(r"/\s*年|每年|年薪|元/年|万/年|/y(ea)?r|annual")),
    ("hour", re.compile(r"/\s*(小)?时|每小时|时薪|/h(ou)?r?\b|元/h|一小时|每时")),
    ("day", re.compile(r"/\s*(天|日)|每天|日薪|日结|元/天|/d(ay)?\b|一天")),
    ("month", re.compile(r"/\s*月|每月|月薪|月收入|元/月|/m(onth)?\b|底薪|综合工资")),
]
_LOWER_BOUND = re.compile(r"以上|起|\+|不低于|至少|>|≥")
_UPPER_BOUND = re.compile(r"以下|以内|不超过|最高|<|≤")
_SPACES = re.compile(r"\s+")
# Pay texts remembered (feeds repeat "4千-6千/月", "面议"); the text alone decides the result.
_CACHE_SIZE = 20_000


@dataclass
class PayResult:
    text: str | None
    min: float | None = None
    max: float | None = None
    unit: str | None = None               # PayUnit value: month | day | hour | piece
    monthly_min: float | None = None
    monthly_max: float | None = None
    months: int | None = None             # 13薪 -> 13
    negotiable: bool = False
    annual: bool = False                  # the text gave a yearly amount
    unit_inferred: bool = False           # no unit in the text: taken from context or magnitude
    unparsable: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unparsable

    def as_dict(self) -> dict:
        return {
            "text": self.text, "min": self.min, "max": self.max, "unit": self.unit,
            "monthly_min": self.monthly_min, "monthly_max": self.monthly_max, "months": self.months,
            "negotiable": self.negotiable, "annual": self.annual, "unit_inferred": self.unit_inferred,
            "unparsable": self.unparsable, "notes": list(self.notes),
        }


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("～", "~").replace("－", "-").replace("—", "-").replace("–", "-")
    t = _SPACES.sub("", t)
    return t


def _amount(num: str, mult: str | None) -> float:
    return float(num) * _MULTIPLIERS.get(mult or "", 1.0)


def to_monthly(value: float | None, unit: str | None) -> float | None:
    if value is None or unit is None:
        return None
    factor = {"month": 1.0, "day": DAYS_PER_MONTH, "hour": HOURS_PER_MONTH}.get(unit)
    return round(value * factor, 2) if factor else None


def _infer_unit(amount: float) -> str:
    """Magnitude when the text names no unit: hourly pay is two-digit, daily three-digit."""
    if amount >= 1000:
        return "month"
    if amount >= 100:
        return "day"
    return "hour"


def parse_pay(text: str | None, context_unit: str | None = None) -> PayResult:
    """Parse one pay text. Never raises: what cannot be read is returned with ``unparsable``."""
    if text is None or not str(text).strip():
        return PayResult(text=text, unparsable=False, notes=["empty"])
    r = _parse_pay_cached(str(text).strip(), context_unit)
    # a fresh result every call: callers set fields (``months``) on what they get
    return PayResult(text=r.text, min=r.min, max=r.max, unit=r.unit, monthly_min=r.monthly_min,
                     monthly_max=r.monthly_max, months=r.months, negotiable=r.negotiable, annual=r.annual,
                     unit_inferred=r.unit_inferred, unparsable=r.unparsable, notes=list(r.notes))


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_pay_cached(raw: str, context_unit: str | None) -> PayResult:
    """The memoised parse; its results are never handed out, only copied (see ``parse_pay``)."""
    t = _clean(raw)
    if _PIECE_WORD.search(t):
        return _parse_piece(raw, t)
    return _parse_plain(raw, t, context_unit)


def _parse_plain(raw: str, t: str, context_unit: str | None) -> PayResult:
    """A month, day, hour or year amount (``t`` is the cleaned text)."""
    res = PayResult(text=raw)

    m = _MONTHS.search(t)
    if m and 12 <= int(m.group(1)) <= 24:
        res.months = int(m.group(1))
        t = t[: m.start()] + t[m.end():]

    unit = None
    for name, pat in _UNIT_PATTERNS:
        if pat.search(t):
            unit = name
            break

    rng = _RANGE.search(t)
    lo = hi = None
    if rng:
        n1, m1, n2, m2 = rng.groups()
        hi = _amount(n2, m2)
        lo = _amount(n1, m1)
        # "1-1.5万", "10-15k": the multiplier written once applies to both ends, unless the first
        # number is already in yuan ("6000-1.2万").
        if m1 is None and m2 is not None and _amount(n1, m2) <= hi:
            lo = _amount(n1, m2)
    else:
        single = _SINGLE.search(t)
        if single:
            val = _amount(*single.groups())
            rest = t[single.end():]
            before = t[: single.start()]
            if _UPPER_BOUND.search(rest) or _UPPER_BOUND.search(before):
                hi = val
            elif _LOWER_BOUND.search(rest) or _LOWER_BOUND.search(before):
                lo = val
            else:
                lo = hi = val

    if lo is None and hi is None:
        if _NEGOTIABLE.search(t):
            res.negotiable = True
            return res
        res.unparsable = True
        return res
    if _NEGOTIABLE.search(t):
        res.negotiable = True

    # 年薪10万 without 万 multiplier context is still yuan; 年薪 with a bare small number is 万.
    if unit == "year":
        res.annual = True
        lo = lo / 12 if lo is not None else None
        hi = hi / 12 if hi is not None else None
        unit = "month"
    if unit is None:
        unit = context_unit or _infer_unit(max(v for v in (lo, hi) if v is not None))
        res.unit_inferred = True
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
        res.notes.append("swapped")
    if unit == "piece":   # a bare number from a channel that says it pays by the piece
        return _piece_amounts(raw, lo, hi)
    res.unit = unit
    res.min = round(lo, 2) if lo is not None else None
    res.max = round(hi, 2) if hi is not None else None
    res.monthly_min = to_monthly(res.min, unit)
    res.monthly_max = to_monthly(res.max, unit)
    # Values no posting can mean (a 3-yuan month, a 10-million month) are kept but flagged.
    top = res.monthly_max or res.monthly_min or 0
    if top > 1_000_000 or top < 100:
        res.unparsable = True
        res.notes.append("implausible_amount")
    return res


# Piece work (计件): the words that say it, and a rate per piece (件), order (单) or item (个, not 个月).
_PIECE_WORD = re.compile(r"计件|按件|按单计|计单|每件|每单|(?:[/每一]|(?<![\d.])1)(?:件|单)|元/个(?![月人小])")
_PER_PIECE = r"(?:/|每|一|1)(?:件|单|个(?![月人小]))"
_PIECE_AMOUNT = r"(\d+(?:\.\d+)?)(?:元|块)?"
_PIECE_RATE_AFTER = re.compile(_PIECE_AMOUNT + r"(?:(?:-|~|至|到)" + _PIECE_AMOUNT + r")?" + _PER_PIECE)  # 0.06元-0.15元/件
_PIECE_RATE_BEFORE = re.compile(r"(?:每件|每单|每个|计件)(?:单价|工价)?(\d+(?:\.\d+)?)"
                                r"(?:(?:元|块)?(?:-|~|至|到)(\d+(?:\.\d+)?))?(?:元|块)")        # 每件2元, 每件2-3元
_PIECE_BOUNDS = (0.01, 500.0)
_PIECE_FLOOR = re.compile(r"底薪|保底")
# "计件" in a title names the way of pay, unless the job is to reckon others' piece wages
_PIECE_TITLE = re.compile(r"计件|按件计")
_PIECE_NOT_PAY = re.compile(r"(?:计件|按件计)[^，,。；;]{0,4}(?:核算|统计|会计|结算员)")


def _piece_rate(t: str) -> tuple[float | None, float | None, tuple[int, int] | None]:
    """The rate per piece in a cleaned text: (min, max, span), or Nones when none is plausible."""
    m = _PIECE_RATE_AFTER.search(t) or _PIECE_RATE_BEFORE.search(t)
    if not m:
        return None, None, None
    values = [float(v) for v in m.groups() if v is not None]
    lo_ok, hi_ok = _PIECE_BOUNDS
    if not all(lo_ok <= v <= hi_ok for v in values):
        return None, None, m.span()
    return min(values), max(values), m.span()


def _parse_piece(raw: str, t: str) -> PayResult:
    """"0.5元/件", "计件0.06元—0.15元/件", "计件工资", "多劳多得 每件2元", "计件，月收入6000-8000".

    The monthly figure is the one the text states (a month amount beside the rate), never derived."""
    lo, hi, span = _piece_rate(t)
    res = PayResult(text=raw, min=lo, max=hi, unit="piece", notes=["piece_rate"])
    if span is not None and lo is None:   # a rate no piece can mean: kept as written, for a person to read
        res.unparsable = True
        res.notes.append("implausible_amount")
    rest = t if span is None else t[: span[0]] + "," + t[span[1]:]
    monthly = _parse_plain(raw, rest, None) if _SINGLE.search(rest) else None
    if monthly is not None and monthly.unit == "month" and not monthly.unparsable:
        res.monthly_min, res.monthly_max, res.months = monthly.monthly_min, monthly.monthly_max, monthly.months
        if _PIECE_FLOOR.search(rest) and res.monthly_min == res.monthly_max:   # "底薪2000元，超出计件": at least
            res.monthly_max = None
        res.notes.append("monthly_stated")
    res.negotiable = bool(_NEGOTIABLE.search(t))
    return res


def _piece_amounts(raw: str, lo: float | None, hi: float | None) -> PayResult:
    res = PayResult(text=raw, unit="piece", notes=["piece_rate"])
    low, high = _PIECE_BOUNDS
    if all(low <= v <= high for v in (lo, hi) if v is not None):
        res.min, res.max = lo, hi
    else:
        res.unparsable = True
        res.notes.append("implausible_amount")
    return res


def piece_rate(text: str | None) -> PayResult | None:
    """A rate per piece written in free text (a title: "招聘6-10元每单", "计件0.5元/件"), or None."""
    if not text:
        return None
    t = _clean(text)
    lo, hi, span = _piece_rate(t)
    if lo is None or span is None:
        return None
    return PayResult(text=t[span[0]:span[1]], min=lo, max=hi, unit="piece", notes=["stated_in_title"])


def piece_work(title: str | None) -> bool:
    """Whether a title says the job is paid by the piece: "普工，计件，食品厂", "高薪计件汽配厂", "7元/单"."""
    if not title or not any(c in title for c in "件单个"):   # most titles: no cleaning needed to say no
        return False
    t = _clean(title)
    if _PIECE_TITLE.search(t):
        return not _PIECE_NOT_PAY.search(t)
    return piece_rate(title) is not None


# Below this a "monthly" band is no month's pay: a channel that put the rate per order in its month fields
_LEAST_MONTHLY = 100.0


def paid_by_piece(channel: PayResult, rate: PayResult | None) -> PayResult:
    """A piece-paid job whose channel gave a monthly band (or nothing). The channel's band is kept as
    the monthly earnings the posting states, with the title's rate per piece when it gives one; a band
    too small for a month's pay ("8-10元/月" for "10块一单") is the rate per piece the channel meant."""
    amounts = [v for v in (channel.min, channel.max) if v is not None]
    is_rate = bool(amounts) and channel.unit == "month" and max(amounts) < _LEAST_MONTHLY and min(amounts) >= _PIECE_BOUNDS[0]
    res = PayResult(text=channel.text or (rate.text if rate else None), unit="piece", months=channel.months,
                    negotiable=channel.negotiable, notes=["piece_rate"])
    if is_rate:
        res.min, res.max = channel.min, channel.max
        return res
    if rate is not None:
        res.min, res.max = rate.min, rate.max
    if channel.unit == "month" and not channel.unparsable and (channel.monthly_min is not None or channel.monthly_max is not None):
        res.monthly_min, res.monthly_max, res.months = channel.monthly_min, channel.monthly_max, channel.months
        res.notes.append("monthly_stated")
    return res


# A rate written in a title: "仓库看守380一天", "急招270/天质检", "时薪25元", "25元/小时", "计件0.5元/件".
_STATED = re.compile(
    r"(?:(日薪|时薪|计件)\s*(\d{1,4}(?:\.\d+)?)\s*(?:元|块)?)"
    r"|(?:(\d{1,4}(?:\.\d+)?)\s*(?:元|块)?\s*(?:/|每|一|1)\s*(天|日|小时|时|h|件|个(?![月人小])|单)(?![a-z]))")
_STATED_UNIT = {"日薪": "day", "天": "day", "日": "day", "时薪": "hour", "小时": "hour", "时": "hour", "h": "hour",
                "计件": "piece", "件": "piece", "个": "piece", "单": "piece"}
#: plausible bounds per unit: outside them the number is something else (a phone digit, a count)
_STATED_BOUNDS = {"day": (50, 3000), "hour": (8, 500), "piece": (0.01, 500)}


def stated_rate(text: str | None) -> PayResult | None:
    """A day, hour or piece rate written out in free text (a title), or None.

    Piece rates have no declared monthly conversion (how many pieces a month is the job's own
    matter), so ``monthly_min``/``monthly_max`` stay empty for them."""
    if not text:
        return None
    m = _STATED.search(_clean(text))
    if not m:
        return None
    word, amount1, amount2, unit_word = m.groups()
    unit = _STATED_UNIT[word or unit_word]
    if unit == "piece":   # the piece reader takes ranges ("6-10元每单") and wants 元 after 计件 ("计件 6k" is no rate)
        return piece_rate(text)
    value = float(amount1 or amount2)
    lo, hi = _STATED_BOUNDS[unit]
    if not lo <= value <= hi:
        return None
    return PayResult(text=m.group(0), min=value, max=value, unit=unit, monthly_min=to_monthly(value, unit),
                     monthly_max=to_monthly(value, unit), notes=["stated_in_title"])


def pay_from_numbers(pay_min: float | None, pay_max: float | None, unit: str | None,
                     months: int | None = None) -> PayResult:
    """When a channel sends numbers rather than text."""
    u = unit or _infer_unit(max(v for v in (pay_min, pay_max) if v is not None))
    lo, hi = pay_min, pay_max
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return PayResult(
        text=None, min=lo, max=hi, unit=u, monthly_min=to_monthly(lo, u),
        monthly_max=to_monthly(hi, u), months=months, unit_inferred=unit is None,
    )


__all__ = ["PayResult", "parse_pay", "pay_from_numbers", "stated_rate", "piece_rate", "piece_work", "paid_by_piece", "to_monthly", "DAYS_PER_MONTH", "HOURS_PER_MONTH"]
