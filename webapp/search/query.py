"""Reading a jobseeker's search request (page or API) into a ``SearchQuery``, validating every field.

Bad input raises ``InvalidQuery`` naming the field, which the views turn into a 400; nothing a
client sends can reach the engine unchecked.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from core.enums import ChannelKind, Education, EmploymentType, PriorityGroup, label
from core.search import GeoRadius, InvalidQuery, Range, SearchQuery, Terms
from indexer.search.understand import Understanding, understand

MAX_QUERY_STRING = 4096
MAX_TEXT = 100
MAX_PAGE = 250
PAGE_SIZE = 20
SORTS = {"relevance": "相关度", "newest": "最新发布", "pay": "薪资最高", "distance": "距离最近"}
POSTED_WITHIN = {1: "24小时内", 3: "3天内", 7: "一周内", 30: "一个月内"}
FACETS = ("region_path", "occupation_path", "employment_type", "education", "channel", "target_groups")
_CODE6 = re.compile(r"^\d{6}$")
_OCC = re.compile(r"^\d(-\d{2}){0,3}$")


@dataclass
class ParsedSearch:
    query: SearchQuery
    text: str = ""
    applied: dict[str, dict] = field(default_factory=dict)  # param -> {"value", "label"} for the UI
    region: object | None = None
    occupation: object | None = None
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    understood: Understanding | None = None
    notices: list[str] = field(default_factory=list)   # what the page says about how it read the words
    did_you_mean: str | None = None
    relaxed: bool = False


def _one(args, name: str) -> str:
    return (args.get(name) or "").strip()


def _int(args, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    raw = _one(args, name)
    if not raw:
        return default
    try:
        v = int(raw)
    except ValueError:
        raise InvalidQuery(name, "应为整数") from None
    if not lo <= v <= hi:
        raise InvalidQuery(name, f"应在 {lo} 到 {hi} 之间")
    return v


def _float(args, name: str, lo: float, hi: float) -> float | None:
    raw = _one(args, name)
    if not raw:
        return None
    try:
        v = float(raw)
    except ValueError:
        raise InvalidQuery(name, "应为数字") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise InvalidQuery(name, f"应在 {lo:g} 到 {hi:g} 之间")
    return v


def _choices(args, name: str, allowed) -> list[str]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    allowed = {str(getattr(a, "value", a)) for a in allowed}
    if len(values) > len(allowed):  # more values than there are choices (openapi.yaml: maxItems)
        raise InvalidQuery(name, f"最多选择 {len(allowed)} 项")
    for v in values:
        if v not in allowed:
            raise InvalidQuery(name, f"不支持的取值：{v[:20]}")
    return list(dict.fromkeys(values))


def parse_search(args, regions, occupations, query_string: bytes = b"", home: tuple[float, float] | None = None,
                 page_size: int = PAGE_SIZE, api: bool = False) -> ParsedSearch:
    """``args``: a MultiDict (``request.args``); ``regions``/``occupations``: the reference
    directories; ``home``: the signed-in jobseeker's coordinates for ``near=home``."""
    if len(query_string) > MAX_QUERY_STRING:
        longest = max(args.keys(), key=lambda k: sum(len(v) for v in args.getlist(k)), default="q")
        raise InvalidQuery(longest, "查询内容过长")
    text = _one(args, "q")
    if len(args.get("q") or "") > MAX_TEXT:  # the limit is on what was sent, spaces included
        raise InvalidQuery("q", f"关键词不能超过 {MAX_TEXT} 个字")
    if api:
        _refuse_empty(args)
    parsed = ParsedSearch(query=SearchQuery(), text=text)
    chosen = _Filters()
    parsed.region = _reference(args, "region", _CODE6, regions.get, regions.by_name, "未知的地区代码或名称")
    if parsed.region:
        chosen.add("region", parsed.region.code, parsed.region.full_name, Terms("region_path", (parsed.region.code,)))
    parsed.occupation = _reference(args, "occupation", _OCC, occupations.get,
                                   lambda name: [m.occupation for m in [occupations.resolve(name)] if m]
                                   or occupations.search(name, 1),
                                   "未知的职业代码或名称")
    if parsed.occupation:
        chosen.add("occupation", parsed.occupation.code, parsed.occupation.name,
                   Terms("occupation_path", (parsed.occupation.code,)))
    _posting_filters(args, chosen)
    geo = _geo(args, home, parsed, chosen)
    text, must_not, geo = _understand(args, text, regions, home, parsed, chosen, geo)
    sort = _one(args, "sort") or ("relevance" if text else ("distance" if geo else "newest"))
    if sort not in SORTS:
        raise InvalidQuery("sort", "只能按相关程度、最新发布、薪资或距离排序")
    if sort == "distance" and geo is None:
        raise InvalidQuery("sort", "按距离排序需要先选一个位置（我的住址附近或地图上的点）")
    page = _int(args, "page", 1, MAX_PAGE, 1)
    size = _int(args, "size", 1, 50, page_size) if api else page_size
    parsed.query = SearchQuery(text=text, filters=tuple(chosen.filters), geo=geo, facets=FACETS, sort=sort,
                               page=page, size=size, must_not=must_not)
    parsed.applied = chosen.applied
    return parsed


NEAR_HOME_KM = 10.0


def _understand(args, text: str, regions, home, parsed: ParsedSearch, chosen: "_Filters", geo):
    """The words read as concepts (indexer.search.understand): filler dropped, a place becomes the
    region filter, 零工/兼职 the employment type, 不要夜班 an exclusion, 离家近 a radius round home.
    A parameter the person chose on the form wins over the same concept read from the words."""
    if not text:
        return text, (), geo
    u = understand(text, regions, find_place=not _one(args, "region"), find_type=not args.getlist("type"))
    parsed.understood = u
    if u.region is not None:
        parsed.region = u.region
    chosen.filters.extend(u.filters())
    if u.near and geo is None:
        if home is not None:
            geo = GeoRadius(home[0], home[1], NEAR_HOME_KM)
            parsed.near, parsed.radius_km = home, NEAR_HOME_KM
        else:
            parsed.notices.append("“离家近”需要知道您住在哪里：登录并在档案里填写住址后，就能按离家远近找岗位。")
            u.concepts = [c for c in u.concepts if c.kind != "near"]
    return u.text, tuple(u.excluded), geo


# Parameters whose every value must be something: the page's form sends an empty field for "not
# chosen", an API client that sends ``size=`` or ``pay_unit=`` has made a mistake (openapi.yaml).
_NOT_EMPTY_IN_API = ("type", "pay_min", "pay_unit", "education", "experience", "posted_within", "group", "channel",
                     "enterprise", "near", "lat", "lon", "radius", "sort", "page", "size")


def _refuse_empty(args) -> None:
    for name in _NOT_EMPTY_IN_API:
        if any(not v.strip() for v in args.getlist(name)):
            raise InvalidQuery(name, "不能为空（不需要时请不要传这个参数）")


class _Filters:
    """The engine's filters and, per request parameter, what the UI shows as applied."""

    def __init__(self) -> None:
        self.filters: list = []
        self.applied: dict[str, dict] = {}

    def add(self, param: str, value, text: str, *filters) -> None:
        self.filters.extend(filters)
        self.applied[param] = {"value": value, "label": text}


def _reference(args, name: str, code_pattern: re.Pattern, by_code, by_name, unknown: str):
    """A region or occupation given by its code or its name; None when the parameter is absent."""
    raw = _one(args, name)
    if not raw:
        return None
    is_code = bool(code_pattern.match(raw))
    ref = by_code(raw) if is_code else None
    if ref is None and not is_code:
        hits = by_name(raw)
        ref = hits[0] if hits else None
    if ref is None:
        raise InvalidQuery(name, unknown)
    return ref


def _posting_filters(args, chosen: _Filters) -> None:
    """Employment type, pay, education, experience, freshness, priority groups, channel, enterprise."""
    types = _choices(args, "type", EmploymentType)
    if types:
        chosen.add("type", types, "、".join(label(t) for t in types), Terms("employment_type", tuple(types)))
    pay_unit = _one(args, "pay_unit") or "month"
    if pay_unit not in ("month", "day", "hour", "piece"):
        raise InvalidQuery("pay_unit", "只能按月薪、日薪、时薪或计件筛选")
    pay_min = _int(args, "pay_min", 0, 1_000_000)
    if pay_unit == "piece":  # paid by the piece: the way of pay is the filter; a rate compares per piece
        chosen.add("pay_min" if pay_min else "pay_unit", pay_min or pay_unit,
                   f"计件，每件 {pay_min} 元以上" if pay_min else "计件工资",
                   Terms("pay_unit", ("piece",)), *([Range("pay_max", gte=float(pay_min))] if pay_min else []))
    elif pay_min and pay_unit in ("day", "hour"):  # gig work: a day's or an hour's pay, in its own unit
        word = "日薪" if pay_unit == "day" else "时薪"
        chosen.add("pay_min", pay_min, f"{word} {pay_min} 元以上", Terms("pay_unit", (pay_unit,)),
                   Range("pay_max", gte=float(pay_min)))
    elif pay_min:  # piece-paid posts count by the monthly earnings they state; without one they are left out
        chosen.add("pay_min", pay_min, f"月薪 {pay_min} 元以上（含写明月收入的计件岗位）",
                   Range("pay_monthly_max", gte=float(pay_min)))
    edu = _choices(args, "education", Education)
    if edu:
        chosen.add("education", edu[0], f"学历要求不高于{label(edu[0])}",
                   Range("education_rank", lte=float(Education(edu[0]).rank)))
    exp = _int(args, "experience", 0, 60)
    if exp is not None:
        chosen.add("experience", exp, f"经验要求 {exp} 年以内", Range("experience_years", lte=float(exp)))
    days = _int(args, "posted_within", 1, 365)
    if days:
        # from the start of the current minute: the same search a few seconds later is the same query,
        # which the search backend may answer from its result cache
        chosen.add("posted_within", days, POSTED_WITHIN.get(days, f"{days}天内"),
                   Range("published_ts", gte=time.time() // 60 * 60 - days * 86400))
    groups = _choices(args, "group", PriorityGroup)
    if groups:
        chosen.add("group", groups, "面向" + "、".join(label(g) for g in groups), Terms("target_groups", tuple(groups)))
    channels = _choices(args, "channel", ChannelKind)
    if channels:
        chosen.add("channel", channels, "、".join(label(c) for c in channels), Terms("channel", tuple(channels)))
    ent = _int(args, "enterprise", 1, 2**31 - 1)
    if ent:
        chosen.add("enterprise", ent, "指定企业", Terms("enterprise_id", (str(ent),)))


def _geo(args, home: tuple[float, float] | None, parsed: ParsedSearch, chosen: _Filters) -> GeoRadius | None:
    """``near=home`` (the jobseeker's own place), or ``lat``/``lon`` (``near=point``), within ``radius`` km."""
    near = _one(args, "near")
    lat = _float(args, "lat", -90, 90)
    lon = _float(args, "lon", -180, 180)
    if (lat is None) != (lon is None):
        raise InvalidQuery("lat" if lat is None else "lon", "经纬度需同时提供")
    radius = _float(args, "radius", 0.5, 200)
    if near == "home":
        if home is None:
            raise InvalidQuery("near", "请先登录并在档案中填写住址或所在地区")
        lat, lon = home
    elif near and near != "point":
        raise InvalidQuery("near", "只能选我的住址附近或地图上的点")
    if lat is None:
        return None
    radius = radius or 10.0
    parsed.near, parsed.radius_km = (lat, lon), radius
    chosen.add("near", near or "point", f"{'家' if near == 'home' else '所在位置'}附近 {radius:g} 公里")
    return GeoRadius(lat, lon, radius)
