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
    if len(text) > MAX_TEXT:
        raise InvalidQuery("q", f"关键词不能超过 {MAX_TEXT} 个字")
    filters: list = []
    applied: dict[str, dict] = {}
    parsed = ParsedSearch(query=SearchQuery(), text=text)

    region_raw = _one(args, "region")
    if region_raw:
        ref = regions.get(region_raw) if _CODE6.match(region_raw) else None
        if ref is None and not _CODE6.match(region_raw):
            hits = regions.by_name(region_raw)
            ref = hits[0] if hits else None
        if ref is None:
            raise InvalidQuery("region", "未知的地区代码或名称")
        filters.append(Terms("region_path", (ref.code,)))
        applied["region"] = {"value": ref.code, "label": ref.full_name}
        parsed.region = ref

    occ_raw = _one(args, "occupation")
    if occ_raw:
        ref = occupations.get(occ_raw) if _OCC.match(occ_raw) else None
        if ref is None and not _OCC.match(occ_raw):
            hits = occupations.by_name(occ_raw) or occupations.search(occ_raw, 1)
            ref = hits[0] if hits else None
        if ref is None:
            raise InvalidQuery("occupation", "未知的职业代码或名称")
        filters.append(Terms("occupation_path", (ref.code,)))
        applied["occupation"] = {"value": ref.code, "label": ref.name}
        parsed.occupation = ref

    types = _choices(args, "type", EmploymentType)
    if types:
        filters.append(Terms("employment_type", tuple(types)))
        applied["type"] = {"value": types, "label": "、".join(label(t) for t in types)}

    pay_unit = _one(args, "pay_unit") or "month"
    if pay_unit not in ("month", "day"):
        raise InvalidQuery("pay_unit", "应为 month 或 day")
    pay_min = _int(args, "pay_min", 0, 1_000_000)
    if pay_min:
        if pay_unit == "day":  # gig work: a day's pay
            filters += [Terms("pay_unit", ("day",)), Range("pay_max", gte=float(pay_min))]
            applied["pay_min"] = {"value": pay_min, "label": f"日薪 {pay_min} 元以上"}
        else:
            filters.append(Range("pay_monthly_max", gte=float(pay_min)))
            applied["pay_min"] = {"value": pay_min, "label": f"月薪 {pay_min} 元以上"}

    edu = _choices(args, "education", Education)
    if edu:
        rank = Education(edu[0]).rank
        filters.append(Range("education_rank", lte=float(rank)))
        applied["education"] = {"value": edu[0], "label": f"学历要求不高于{label(edu[0])}"}

    exp = _int(args, "experience", 0, 60)
    if exp is not None:
        filters.append(Range("experience_years", lte=float(exp)))
        applied["experience"] = {"value": exp, "label": f"经验要求 {exp} 年以内"}

    days = _int(args, "posted_within", 1, 365)
    if days:
        filters.append(Range("published_ts", gte=time.time() - days * 86400))
        applied["posted_within"] = {"value": days, "label": POSTED_WITHIN.get(days, f"{days}天内")}

    groups = _choices(args, "group", PriorityGroup)
    if groups:
        filters.append(Terms("target_groups", tuple(groups)))
        applied["group"] = {"value": groups, "label": "面向" + "、".join(label(g) for g in groups)}

    channels = _choices(args, "channel", ChannelKind)
    if channels:
        filters.append(Terms("channel", tuple(channels)))
        applied["channel"] = {"value": channels, "label": "、".join(label(c) for c in channels)}

    ent = _int(args, "enterprise", 1, 2**31 - 1)
    if ent:
        filters.append(Terms("enterprise_id", (str(ent),)))
        applied["enterprise"] = {"value": ent, "label": "指定企业"}

    geo = None
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
        raise InvalidQuery("near", "应为 home 或 point")
    if lat is not None:
        radius = radius or 10.0
        geo = GeoRadius(lat, lon, radius)
        parsed.near, parsed.radius_km = (lat, lon), radius
        applied["near"] = {"value": near or "point", "label": f"{'家' if near == 'home' else '所在位置'}附近 {radius:g} 公里"}

    sort = _one(args, "sort") or ("relevance" if text else ("distance" if geo else "newest"))
    if sort not in SORTS:
        raise InvalidQuery("sort", "应为 relevance、newest、pay 或 distance")
    if sort == "distance" and geo is None:
        raise InvalidQuery("sort", "按距离排序需要位置（near）")
    page = _int(args, "page", 1, MAX_PAGE, 1)
    size = _int(args, "size", 1, 50, page_size) if api else page_size
    parsed.query = SearchQuery(text=text, filters=tuple(filters), geo=geo, facets=FACETS, sort=sort,
                               page=page, size=size)
    parsed.applied = applied
    return parsed
