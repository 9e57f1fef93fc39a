"""Free region text ("山东省临沂市兰山区", "临沂兰山", "广州·天河区", "鼓楼区") to a 6-digit division code.

The text is scanned for the longest division names (full or short: 兰山区 / 兰山) it contains; the
names found must nest (province > city > county). A name that several divisions share (鼓楼区 is in
Nanjing, Xuzhou, Fuzhou and Kaifeng) is settled only by context — the channel's region, then the
enterprise's address — and otherwise reported as ``ambiguous`` with its candidates. Nothing is
guessed silently.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from core.reference.services import RegionDirectory, RegionRef, region_directory, short_region_name

# Names that are too generic to be read inside running text as a division name.
_STOP_SHORT = {"城区", "郊区", "矿区", "市区", "新区", "开发", "高新"}
_SPLIT = re.compile(r"[·・\-—–/\\|,，、\s()（）\[\]]+")
_ALIASES = {"内蒙": "内蒙古自治区", "伊犁": "伊犁哈萨克自治州", "湘西": "湘西土家族苗族自治州"}
# Region texts and addresses remembered per directory: feeds repeat them ("深圳·南山区", "长春").
_CACHE_SIZE = 20_000


@dataclass
class RegionResult:
    text: str | None
    status: str                               # resolved | ambiguous | unknown
    code: str | None = None
    name: str | None = None                   # full name of the resolved division
    lat: float | None = None
    lon: float | None = None
    candidates: list[str] = field(default_factory=list)   # codes, when ambiguous
    candidate_names: list[str] = field(default_factory=list)
    resolved_by: str | None = None            # text | context_region | address

    def as_dict(self) -> dict:
        return {
            "text": self.text, "status": self.status, "code": self.code, "name": self.name,
            "lat": self.lat, "lon": self.lon, "candidates": [
                {"code": c, "name": n} for c, n in zip(self.candidates, self.candidate_names)
            ], "resolved_by": self.resolved_by,
        }


class _NameIndex:
    """Every division's full and short name -> divisions, for longest-match scanning."""

    def __init__(self, regions: RegionDirectory):
        self.regions = regions
        self.names: dict[str, list[RegionRef]] = {}
        for r in regions.all():
            for n in {r.name, r.short_name}:
                if len(n) >= 2 and not (n in _STOP_SHORT and n != r.name):
                    self.names.setdefault(n, []).append(r)
        for alias, full in _ALIASES.items():
            if full in self.names:
                self.names.setdefault(alias, []).extend(self.names[full])
        # the name lengths worth trying at a position, by the two characters there (longest first);
        # every name has at least two
        first: dict[str, set[int]] = {}
        for n in self.names:
            first.setdefault(n[:2], set()).add(len(n))
        self.lengths_from = {c: tuple(sorted(lns, reverse=True)) for c, lns in first.items()}
        # code -> itself and every ancestor, for constant-time containment checks
        self.lineage = {r.code: frozenset(a.code for a in regions.ancestors(r.code)) for r in regions.all()}
        # Bounded memos over this directory only (a reloaded directory gets a new index). They hold
        # tuples; callers get fresh lists.
        self.candidates = lru_cache(maxsize=_CACHE_SIZE)(self._candidates_uncached)
        self.coords = lru_cache(maxsize=_CACHE_SIZE)(self._coords_uncached)

    def _candidates_uncached(self, text: str) -> tuple[tuple[RegionRef, ...], str | None]:
        cands, last = _candidates_uncached(text, self.regions)
        return tuple(cands), last

    def _coords_uncached(self, code: str) -> tuple[float | None, float | None]:
        for r in reversed(self.regions.ancestors(code)):
            if r.lat is not None and r.lon is not None:
                return r.lat, r.lon
        return None, None

    def scan(self, text: str) -> list[tuple[str, int, list[RegionRef]]]:
        out = []
        i = 0
        n = len(text)
        names = self.names
        lengths_from = self.lengths_from
        while i < n:
            for ln in lengths_from.get(text[i: i + 2], ()):
                if ln > n - i:
                    continue
                piece = text[i: i + ln]
                hits = names.get(piece)
                if hits:
                    out.append((piece, i, hits))
                    i += ln
                    break
            else:
                i += 1
        return out


_index_cache: dict[int, _NameIndex] = {}


def _name_index(regions: RegionDirectory) -> _NameIndex:
    idx = _index_cache.get(id(regions))
    if idx is None or idx.regions is not regions:
        idx = _NameIndex(regions)
        _index_cache.clear()
        _index_cache[id(regions)] = idx
    return idx


def _contains(regions: RegionDirectory, ancestor: str, code: str) -> bool:
    return ancestor in _name_index(regions).lineage.get(code, ())


def _related(regions: RegionDirectory, a: str, b: str) -> bool:
    return _contains(regions, a, b) or _contains(regions, b, a)


def _chain(regions: RegionDirectory, tokens) -> list[RegionRef]:
    """Candidates consistent with every name mentioned, most specific name last."""
    current: list[RegionRef] | None = None
    for _name, _pos, cands in tokens:
        if current is None:
            current = list(cands)
            continue
        deeper = [c for c in cands if any(_contains(regions, p.code, c.code) for p in current)]
        if deeper:
            current = deeper
            continue
        # A broader name after a narrower one ("兰山区, 临沂市"): keep what lies inside it.
        inside = [p for p in current if any(_contains(regions, c.code, p.code) for c in cands)]
        if inside:
            current = inside
        # Otherwise the name is noise (a street or business district that shares a division's
        # name) and is ignored.
    return current or []


def _collapse(regions: RegionDirectory, cands: list[RegionRef]) -> list[RegionRef]:
    """Namesakes nested in one another are one place: 朝阳 names 朝阳市 and its 朝阳县, 中山 names
    中山市 and its county-level entry -> keep the outer one; a province and its city namesake
    (北京, 吉林, 上海) -> keep the city."""
    uniq = sorted({c.code: c for c in cands}.values(), key=lambda r: (r.level, r.code))
    keep = []
    for c in uniq:
        outer = [k for k in uniq if k.code != c.code and _contains(regions, k.code, c.code)]
        inner = [k for k in uniq if k.code != c.code and _contains(regions, c.code, k.code)]
        if outer:
            if c.level == 2 and all(a.level == 1 for a in outer):
                keep.append(c)
        elif not (c.level == 1 and any(d.level == 2 for d in inner)):
            keep.append(c)
    return keep


def _coords(regions: RegionDirectory, ref: RegionRef) -> tuple[float | None, float | None]:
    return _name_index(regions).coords(ref.code)


def _result(regions: RegionDirectory, text, ref: RegionRef, by: str) -> RegionResult:
    lat, lon = _coords(regions, ref)
    return RegionResult(text=text, status="resolved", code=ref.code, name=ref.full_name, lat=lat, lon=lon,
                        resolved_by=by)


def _prefer_named(cands: list[RegionRef], token: str | None, regions: RegionDirectory | None = None) -> list[RegionRef]:
    """By convention a bare short name names the prefecture-level city ("西安" is 西安市, not
    辽源's 西安区; "中山" is 中山市): keep the one city among county-level namesakes. A full name
    ("中山区") keeps only the divisions so named. Namesakes at one level (鼓楼区) stay ambiguous."""
    if len(cands) < 2 or not token:
        return cands
    exact = [c for c in cands if c.name == token]
    if exact:
        return exact if len(exact) < len(cands) else cands
    def city_like(c: RegionRef) -> bool:
        # 东莞/中山/儋州 are prefecture-level cities without districts, filed under the province
        parent = regions.get(c.parent_code) if regions and c.parent_code else None
        return c.level <= 2 or (parent is not None and parent.level == 1)

    upper = [c for c in cands if city_like(c)]
    if len(upper) == 1 and all(not city_like(c) for c in cands if c is not upper[0]):
        return upper
    return cands


def _candidates(text: str | None, regions: RegionDirectory) -> tuple[list[RegionRef], str | None]:
    if not text:
        return [], None
    cands, last = _name_index(regions).candidates(str(text))
    return list(cands), last


def _candidates_uncached(text: str, regions: RegionDirectory) -> tuple[list[RegionRef], str | None]:
    t = unicodedata.normalize("NFKC", text).strip()
    idx = _name_index(regions)
    tokens = []
    for part in _SPLIT.split(t):
        if part:
            tokens.extend(idx.scan(part))
    cands = _collapse(regions, _chain(regions, tokens))
    # the name that produced the remaining candidates: the last one consistent with them
    codes = {c.code for c in cands}
    last = next((name for name, _pos, hits in reversed(tokens)
                 if any(_contains(regions, c, h.code) or _contains(regions, h.code, c) for h in hits for c in codes)), None)
    return cands, last


def candidates_for(text: str | None, regions: RegionDirectory) -> list[RegionRef]:
    """Every division the text may name (after nesting and the bare-city-name convention)."""
    cands, last = _candidates(text, regions)
    return _prefer_named(cands, last, regions)


def resolve_region(text: str | None, ctx_region_code: str | None = None, address: str | None = None,
                   regions: RegionDirectory | None = None) -> RegionResult:
    regions = regions or region_directory()
    cands, token = _candidates(text, regions)
    by = "text"
    if not cands and address:
        cands, token = _candidates(address, regions)
        by = "address"
    if not cands:
        return RegionResult(text=text, status="unknown")
    if len(cands) > 1 and ctx_region_code and regions.get(ctx_region_code):
        narrowed = [c for c in cands if _related(regions, ctx_region_code, c.code)]
        if narrowed:
            cands, by = narrowed, "context_region"
    if len(cands) > 1 and address and by != "address":
        addr = candidates_for(address, regions)
        narrowed = [c for c in cands if any(_related(regions, a.code, c.code) for a in addr)]
        if narrowed:
            cands, by = narrowed, "address"
    if len(cands) > 1:
        cands = _prefer_named(cands, token, regions)
    if len(cands) == 1:
        return _result(regions, text, cands[0], by)
    return RegionResult(
        text=text, status="ambiguous", candidates=[c.code for c in cands],
        candidate_names=[c.full_name for c in cands],
    )


__all__ = ["RegionResult", "resolve_region", "candidates_for", "short_region_name"]
