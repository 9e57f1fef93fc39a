"""Reference data: read the shipped files, load them into the database, and look codes up.

``RegionDirectory`` and ``OccupationDirectory`` are in-memory indexes (a few thousand rows) that the
rest of the platform uses for look-up by code, by exact or partial Chinese name, and by prefix.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Occupation, Region

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
# Everyday names and title words -> occupation codes: one table for the title classifier and the typeahead.
OCCUPATION_SYNONYMS_FILE = Path("occupations") / "occupation-synonyms.json"
# What people add to a job's name (电焊工, 保安人员, 仓库管理员): stripped before a look-up, longest first.
_ROLE_SUFFIXES = ("师傅", "工人", "人员", "工", "员", "师")

# Longest first, so 自治县 is stripped before 县.
_REGION_SUFFIXES = sorted(
    [
        "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "自治州", "自治县",
        "自治旗", "地区", "林区", "特区", "省", "市", "区", "县", "旗", "盟",
    ],
    key=len,
    reverse=True,
)
# Placeholder city names used for municipalities and province-administered counties.
_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def short_region_name(name: str) -> str:
    """兰山区 -> 兰山, 临沂市 -> 临沂, 广西壮族自治区 -> 广西. Names of two characters stay whole
    (e.g. 城区, 郊区), since stripping them leaves nothing useful."""
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            # Ethnic autonomous prefectures/counties: 延边朝鲜族自治州 -> 延边
            stem = re.sub(r"(.{2,}?)(?:[\u4e00-\u9fff]{1,4}族)+$", r"\1", stem) if "族" in stem else stem
            return stem
    return name


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    full_name: str
    level: int
    parent_code: str | None
    lat: float | None = None
    lon: float | None = None

    @property
    def short_name(self) -> str:
        return short_region_name(self.name)


@dataclass(frozen=True)
class OccupationRef:
    code: str
    name: str
    level: int
    parent_code: str | None
    gbm: str | None = None


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_regions(data_dir: Path = DEFAULT_DATA_DIR) -> list[RegionRef]:
    """Provinces, cities and counties from the 2023 division files, with coordinates joined by name
    from the (older, coarser) county coordinate file where a match exists."""
    base = Path(data_dir) / "regions"
    provinces = _read_csv(base / "provinces.csv")
    cities = _read_csv(base / "cities.csv")
    areas = _read_csv(base / "areas.csv")

    coords_full: dict[tuple[str, str, str], tuple[float, float]] = {}
    coords_city_county: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _read_csv(base / "county-coordinates.csv"):
        try:
            ll = (float(row["latitude"]), float(row["longitude"]))
        except (TypeError, ValueError):
            continue
        key = (short_region_name(row["province"]), short_region_name(row["city"]), row["county"])
        coords_full.setdefault(key, ll)
        coords_city_county[(short_region_name(row["city"]), row["county"])].append(ll)

    prov_name = {p["code"]: p["name"] for p in provinces}
    refs: list[RegionRef] = []
    for p in provinces:
        code = p["code"].ljust(6, "0")
        ll = coords_full.get((short_region_name(p["name"]),) * 2 + (p["name"],))
        refs.append(RegionRef(code, p["name"], p["name"], 1, None, *(ll or (None, None))))

    city_name: dict[str, str] = {}
    for c in cities:
        code = c["code"].ljust(6, "0")
        pname = prov_name[c["provinceCode"]]
        name = c["name"]
        display = pname if name in _PLACEHOLDER_CITIES and name == "市辖区" else name
        city_name[c["code"]] = display
        full = pname if display == pname else pname + (display if name not in _PLACEHOLDER_CITIES else "")
        ll = coords_full.get((short_region_name(pname), short_region_name(display), display))
        refs.append(
            RegionRef(code, display, full, 2, c["provinceCode"].ljust(6, "0"), *(ll or (None, None)))
        )

    for a in areas:
        pname = prov_name[a["provinceCode"]]
        cname = city_name[a["cityCode"]]
        raw_city = next((c["name"] for c in cities if c["code"] == a["cityCode"]), "")
        city_part = "" if (cname == pname or raw_city in _PLACEHOLDER_CITIES) else cname
        full = pname + city_part + a["name"]
        ll = coords_full.get((short_region_name(pname), short_region_name(cname), a["name"]))
        if ll is None:
            cands = coords_city_county.get((short_region_name(cname), a["name"]), [])
            ll = cands[0] if len(cands) == 1 else None
        parent = a["cityCode"].ljust(6, "0")
        if parent == a["code"]:
            # 东莞、中山、儋州: prefecture-level cities without districts appear as their own county-level
            # row with the city's code. One code, one row: keep it county-level, under the province.
            refs = [r for r in refs if r.code != a["code"]]
            parent = a["provinceCode"].ljust(6, "0")
            full = pname + a["name"]
        refs.append(RegionRef(a["code"], a["name"], full, 3, parent, *(ll or (None, None))))
    return _fill_parent_coordinates(refs)


def _fill_parent_coordinates(refs: list[RegionRef]) -> list[RegionRef]:
    """A city or province without its own coordinates gets the mean of its children's."""
    by_parent: dict[str, list[RegionRef]] = defaultdict(list)
    for r in refs:
        if r.parent_code:
            by_parent[r.parent_code].append(r)
    filled = {r.code: r for r in refs}
    for level in (2, 1):
        for r in [x for x in filled.values() if x.level == level and x.lat is None]:
            kids = [filled[k.code] for k in by_parent.get(r.code, []) if filled[k.code].lat is not None]
            if kids:
                lat = round(sum(k.lat for k in kids) / len(kids), 4)
                lon = round(sum(k.lon for k in kids) / len(kids), 4)
                filled[r.code] = RegionRef(r.code, r.name, r.full_name, r.level, r.parent_code, lat, lon)
    return list(filled.values())


def read_occupations(data_dir: Path = DEFAULT_DATA_DIR) -> list[OccupationRef]:
    tree = json.loads((Path(data_dir) / "occupations" / "occupations-2022-tree.json").read_text("utf-8"))
    out: list[OccupationRef] = []
    seen: set[str] = set()

    def walk(node: dict, parent: str | None) -> None:
        code = node["seq"]
        if code not in seen:  # the OCR'd tree is not guaranteed unique
            seen.add(code)
            out.append(OccupationRef(code, node["name"].strip(), int(node["level"]), parent, node.get("gbm")))
        for child in node.get("children", []) or []:
            walk(child, code)

    for root in tree["data"]:
        walk(root, None)
    return out


def read_occupation_synonyms(data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, list[str]]:
    """Code -> everyday names and title words (焊工: 电焊工, 电焊, 氩弧焊 …), from the shipped table."""
    raw = json.loads((Path(data_dir) / OCCUPATION_SYNONYMS_FILE).read_text("utf-8"))
    return {code: list(words) for code, words in raw.items() if not code.startswith("_")}


def fold_occupation_text(text: str) -> str:
    """How occupation names and synonyms are compared: full-width folded, lower-case, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").lower())


def _sync_rows(session: Session, model, rows: list[dict], level_key: str = "level") -> None:
    """Insert missing rows level by level (parents first) and update changed ones, in bulk."""
    from sqlalchemy import insert, update

    columns = list(rows[0].keys()) if rows else []
    existing = {
        r[0]: tuple(r[1:])
        for r in session.execute(select(*(getattr(model, c) for c in columns)))
    }
    new = [r for r in rows if r["code"] not in existing]
    changed = [r for r in rows if r["code"] in existing and existing[r["code"]] != tuple(r[c] for c in columns[1:])]
    for level in sorted({r[level_key] for r in new}):
        batch = [r for r in new if r[level_key] == level]
        if batch:
            session.execute(insert(model), batch)
    if changed:
        session.execute(update(model), changed)


def load_reference_data(session: Session, data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, int]:
    """Insert or update every region and occupation. Idempotent; returns counts per level."""
    regions = read_regions(data_dir)
    occupations = read_occupations(data_dir)
    _sync_rows(
        session,
        Region,
        [
            dict(code=r.code, name=r.name, full_name=r.full_name, level=r.level,
                 parent_code=r.parent_code, lat=r.lat, lon=r.lon)
            for r in regions
        ],
    )
    _sync_rows(
        session,
        Occupation,
        [dict(code=o.code, name=o.name, level=o.level, parent_code=o.parent_code, gbm=o.gbm) for o in occupations],
    )
    session.flush()
    _directory_cache.clear()
    counts = {
        "provinces": sum(r.level == 1 for r in regions),
        # 342 prefecture-level units, of which 3 (东莞、中山、儋州) have no districts and are stored
        # once, as county-level rows.
        "cities": sum(r.level == 2 for r in regions),
        "counties": sum(r.level == 3 for r in regions),
        "counties_with_coordinates": sum(r.level == 3 and r.lat is not None for r in regions),
    }
    for level, key in [(1, "occupation_major"), (2, "occupation_middle"), (3, "occupation_minor"), (4, "occupation_detail")]:
        counts[key] = sum(o.level == level for o in occupations)
    return counts


def reference_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Region))) and bool(
        session.scalar(select(func.count()).select_from(Occupation))
    )


class RegionDirectory:
    """In-memory look-ups over all administrative divisions."""

    def __init__(self, refs: list[RegionRef]):
        self._by_code = {r.code: r for r in refs}
        self._by_name: dict[str, list[RegionRef]] = defaultdict(list)
        self._by_short: dict[str, list[RegionRef]] = defaultdict(list)
        for r in refs:
            self._by_name[r.name].append(r)
            self._by_short[r.short_name].append(r)
        self._children: dict[str, list[RegionRef]] = defaultdict(list)
        self._levels: dict[int | None, list[RegionRef]] = {}
        for r in refs:
            if r.parent_code:
                self._children[r.parent_code].append(r)

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str | None) -> RegionRef | None:
        return self._by_code.get(code or "")

    def all(self, level: int | None = None) -> list[RegionRef]:
        """Every region, or those of one level (1 province, 2 city, 3 county); a new list each call."""
        if level not in self._levels:  # the directory never changes once built: list each level once
            self._levels[level] = [r for r in self._by_code.values() if level is None or r.level == level]
        return list(self._levels[level])

    def by_name(self, name: str) -> list[RegionRef]:
        """Exact full name (兰山区) or short name (兰山); several results mean the name is ambiguous."""
        name = (name or "").strip()
        hits = list(self._by_name.get(name, []))
        if not hits:
            hits = list(self._by_short.get(short_region_name(name), []))
        return sorted(hits, key=lambda r: (r.level, r.code))

    def search(self, text: str, limit: int = 20) -> list[RegionRef]:
        """Partial-name search (typeahead): names containing the text, shorter/higher levels first."""
        text = (text or "").strip()
        if not text:
            return []
        hits = [r for r in self._by_code.values() if text in r.name or text in r.full_name]
        hits.sort(key=lambda r: (not r.name.startswith(text), r.level, len(r.name), r.code))
        return hits[:limit]

    def suggest(self, text: str, limit: int = 10) -> list[RegionRef]:
        """Typeahead for region inputs. Digits match code prefixes (in code order); other text matches
        names: exact name/short name/full name first, then name prefix, then name substring, then full
        name substring (山东 -> the province's cities and counties). Within the name tiers counties come
        before cities and provinces (吉林 -> 吉林市 before 吉林省); same-named districts (鼓楼区) stay
        distinguishable by their full names."""
        text = re.sub(r"\s+", "", text or "")
        if not text or limit <= 0:
            return []
        if text.isdigit():
            return self.by_prefix(text)[:limit]
        rows = getattr(self, "_suggest_rows", None)
        if rows is None:  # short names once, not per keystroke (3,000+ regex calls)
            rows = self._suggest_rows = [(r, r.short_name) for r in self._by_code.values()]
        ranked = []
        for r, short in rows:
            if r.name == text or r.full_name == text or short == text:
                key = (0, -r.level)
            elif r.name.startswith(text):
                key = (1, -r.level)
            elif text in r.name:
                key = (2, -r.level)
            elif text in r.full_name:
                key = (3, r.level)  # 山东: its cities before their counties
            else:
                continue
            ranked.append((key, len(r.name), r.code, r))
        ranked.sort(key=lambda t: t[:3])
        return [t[3] for t in ranked[:limit]]

    def by_prefix(self, prefix: str) -> list[RegionRef]:
        return sorted((r for c, r in self._by_code.items() if c.startswith(prefix)), key=lambda r: r.code)

    def children(self, code: str) -> list[RegionRef]:
        return sorted(self._children.get(code, []), key=lambda r: r.code)

    def ancestors(self, code: str) -> list[RegionRef]:
        """From the province down to the region itself."""
        chain = []
        r = self.get(code)
        while r:
            chain.append(r)
            r = self.get(r.parent_code)
        return list(reversed(chain))

    def contains(self, ancestor_code: str, code: str | None) -> bool:
        """Whether ``code`` lies inside (or is) ``ancestor_code``: jurisdiction checks."""
        return any(r.code == ancestor_code for r in self.ancestors(code or ""))

    @staticmethod
    def code_prefix(code: str) -> str:
        """The code prefix shared by every division inside ``code`` (370000 -> 37, 371300 -> 3713)."""
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
        return code


@dataclass(frozen=True)
class OccupationMatch:
    """A typeahead answer: the occupation, and the everyday name that found it (None: its own name)."""

    occupation: OccupationRef
    matched: str | None = None


class OccupationDirectory:
    def __init__(self, refs: list[OccupationRef], synonyms: dict[str, list[str]] | None = None):
        self._by_code = {o.code: o for o in refs}
        self._by_name: dict[str, list[OccupationRef]] = defaultdict(list)
        for o in refs:
            self._by_name[o.name].append(o)
        # folded everyday name -> (code, the name as written); codes outside the classification skipped
        self._synonyms: dict[str, tuple[str, str]] = {}
        for code, words in (synonyms or {}).items():
            if code in self._by_code:
                for w in words:
                    self._synonyms.setdefault(fold_occupation_text(w), (code, w))
        self._folded_names = [(fold_occupation_text(o.name), o) for o in refs]

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str | None) -> OccupationRef | None:
        return self._by_code.get(code or "")

    def all(self, level: int | None = None) -> list[OccupationRef]:
        return [o for o in self._by_code.values() if level is None or o.level == level]

    def by_name(self, name: str) -> list[OccupationRef]:
        return sorted(self._by_name.get((name or "").strip(), []), key=lambda o: (-o.level, o.code))

    def search(self, text: str, limit: int = 20) -> list[OccupationRef]:
        text = (text or "").strip()
        if not text:
            return []
        hits = [o for o in self._by_code.values() if text in o.name]
        hits.sort(key=lambda o: (not o.name.startswith(text), -o.level, len(o.name), o.code))
        return hits[:limit]

    def by_prefix(self, prefix: str) -> list[OccupationRef]:
        return sorted((o for c, o in self._by_code.items() if c.startswith(prefix)), key=lambda o: o.code)

    def resolve(self, text: str) -> OccupationMatch | None:
        """The one occupation an everyday name means, or None: the classification's name (焊工), an
        everyday name from the synonym table (电焊工, 电焊), or either with a role word added
        (保安人员 -> 保安, 汽车修理工 -> 汽车修理). Never a guess from a word inside a longer name
        (机电工程师 is not 电工): those are offered by ``suggest`` for the person to choose."""
        folded = fold_occupation_text(text)
        for stem in self._stems(folded):
            hits = self.by_name(stem)
            if hits:
                return OccupationMatch(hits[0], None if stem == folded else text.strip())
            if stem in self._synonyms:
                code, _ = self._synonyms[stem]
                return OccupationMatch(self._by_code[code], text.strip())
        return None

    @staticmethod
    def _stems(folded: str) -> list[str]:
        stems = [folded] if folded else []
        for suffix in _ROLE_SUFFIXES:
            if folded.endswith(suffix) and len(folded) - len(suffix) >= 2:
                stems.append(folded[: -len(suffix)])
        return stems

    def suggest(self, text: str, limit: int = 10) -> list[OccupationMatch]:
        """Typeahead for occupation inputs. A code (6-18, 6-18-02-04) matches code prefixes; other text
        ranks, one answer per occupation: what ``resolve`` finds, then names starting with the text,
        everyday names starting with it, names containing it, everyday names containing it, and
        everyday names inside the text (招电焊师傅 -> 焊工), longer first. Within a rank detailed
        occupations (细类) come before the groups above them, then shorter names."""
        folded = fold_occupation_text(text)
        if not folded or limit <= 0:
            return []
        if re.fullmatch(r"\d(-\d{0,2}){0,3}", folded):
            return [OccupationMatch(o) for o in self.by_prefix(folded)[:limit]]
        best: dict[str, tuple[tuple, OccupationMatch]] = {}

        def offer(rank: tuple, match: OccupationMatch) -> None:
            o = match.occupation
            key = rank + (-o.level, len(o.name), o.code)
            if o.code not in best or key < best[o.code][0]:
                best[o.code] = (key, match)

        exact = self.resolve(text)
        if exact:
            offer((0, 0), exact)
        for name, o in self._folded_names:
            if folded in name:
                offer((1 if name.startswith(folded) else 3, 0), OccupationMatch(o))
        for word, (code, written) in self._synonyms.items():
            if folded in word:
                offer((2 if word.startswith(folded) else 4, 0), OccupationMatch(self._by_code[code], written))
            elif len(word) >= 2 and word in folded:
                offer((5, -len(word)), OccupationMatch(self._by_code[code], written))
        return [m for _, m in sorted(best.values(), key=lambda t: t[0])[:limit]]

    def ancestors(self, code: str) -> list[OccupationRef]:
        chain = []
        o = self.get(code)
        while o:
            chain.append(o)
            o = self.get(o.parent_code)
        return list(reversed(chain))


_directory_cache: dict[str, object] = {}


def region_directory(session: Session | None = None, data_dir: Path | None = None) -> RegionDirectory:
    """The process-wide region directory, from the database when a session is given, else from files."""
    key = "regions"
    if key not in _directory_cache:
        if session is not None and reference_loaded(session):
            refs = [
                RegionRef(r.code, r.name, r.full_name, r.level, r.parent_code, r.lat, r.lon)
                for r in session.scalars(select(Region))
            ]
        else:
            refs = read_regions(data_dir or DEFAULT_DATA_DIR)
        _directory_cache[key] = RegionDirectory(refs)
    return _directory_cache[key]  # type: ignore[return-value]


def occupation_directory(session: Session | None = None, data_dir: Path | None = None) -> OccupationDirectory:
    """The process-wide occupation directory (with the everyday-name table), like ``region_directory``."""
    key = "occupations"
    if key not in _directory_cache:
        if session is not None and reference_loaded(session):
            refs = [
                OccupationRef(o.code, o.name, o.level, o.parent_code, o.gbm)
                for o in session.scalars(select(Occupation))
            ]
        else:
            refs = read_occupations(data_dir or DEFAULT_DATA_DIR)
        _directory_cache[key] = OccupationDirectory(refs, read_occupation_synonyms(data_dir or DEFAULT_DATA_DIR))
    return _directory_cache[key]  # type: ignore[return-value]


def clear_reference_cache() -> None:
    _directory_cache.clear()


__all__ = [
    "RegionRef", "OccupationRef", "OccupationMatch", "RegionDirectory", "OccupationDirectory", "read_regions",
    "read_occupations", "read_occupation_synonyms", "fold_occupation_text", "OCCUPATION_SYNONYMS_FILE",
    "load_reference_data", "reference_loaded", "region_directory",
    "occupation_directory", "short_region_name", "clear_reference_cache",
]
