"""The plain records the matcher learns from and is evaluated on (``CorpusPosting``, ``Occupation``),
and readers of the raw public data sets for the offline evaluations (bench/) and this library's tests.

The product does not read files here: ``joblink matcher train`` trains on the published postings in
the database (``core.matching.corpus`` builds these records from them). The readers recognise two
posting formats by their fields: the JobHunting export (``title``, ``description``, ``area``,
``lon``/``lat``...) and 智联 search-list records (``name``, ``subJobTypeLevelName``, ``workCity``...).
Files may be JSON lines, gzipped or not.
"""
from __future__ import annotations

import ast
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_WS = re.compile(r"\s+")


@dataclass
class CorpusPosting:
    """One real posting reduced to what training and evaluation need."""

    id: str
    title: str
    description: str = ""
    category: str = ""  # the site's own job category (智联 subJobTypeLevelName), if any
    industry: str = ""  # the hiring company's industry (智联 industryName), if any
    skills: list[str] = field(default_factory=list)
    city: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    education: str = ""
    experience: str = ""
    source: str = ""

    @property
    def held_out(self) -> bool:
        """Deterministic 10 % hold-out by id: never trained on, used by the evaluations."""
        return zlib.crc32(self.id.encode("utf-8")) % 10 == 0


def clean(text: str | None) -> str:
    if not text:
        return ""
    return _WS.sub(" ", str(text)).strip()


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _python_list_values(cell) -> list[str]:
    """``"[{'state': 0, 'value': '系统运维'}]"`` -> ['系统运维'] (智联 stores Python reprs)."""
    if not cell:
        return []
    try:
        items = ast.literal_eval(cell) if isinstance(cell, str) else cell
    except (ValueError, SyntaxError):
        return []
    out = []
    for item in items or []:
        if isinstance(item, dict) and item.get("value"):
            out.append(str(item["value"]))
        elif isinstance(item, str):
            out.append(item)
    return out


_SALARY_ZL = re.compile(r"^(\d+)-(\d+)$")


def _num(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f else None


def _area_city(area: str) -> tuple[str, str]:
    area = clean(area)
    if "·" in area:
        parts = area.split("·")
        return parts[0], parts[1] if len(parts) > 1 else ""
    m = re.match(r"^(?:.+?省)?(.+?市)(.+?[区县市])?", area)
    if m:
        return m.group(1).removesuffix("市"), m.group(2) or ""
    return area, ""


def parse_record(rec: dict) -> CorpusPosting | None:
    if "subJobTypeLevelName" in rec or "jobId" in rec:
        title = clean(rec.get("name"))
        if not title:
            return None
        pay_min = pay_max = None
        m = _SALARY_ZL.match(str(rec.get("salaryReal") or ""))
        if m:
            pay_min, pay_max = float(m.group(1)), float(m.group(2))
        highlight = clean(rec.get("positionHighlight"))
        return CorpusPosting(
            id="ZL_" + str(rec.get("jobId")),
            title=title,
            description=highlight,
            category=clean(rec.get("subJobTypeLevelName")),
            industry=clean(rec.get("industryName")),
            skills=_python_list_values(rec.get("skillLabel")),
            city=clean(rec.get("workCity")),
            district=clean(rec.get("cityDistrict")),
            pay_min=pay_min,
            pay_max=pay_max,
            education=clean(rec.get("education")),
            experience=clean(rec.get("workingExp")),
            source="zhilian",
        )
    title = clean(rec.get("title"))
    if not title:
        return None
    city, district = _area_city(rec.get("area") or "")
    skills = [s for s in clean(rec.get("skills")).split(",") if s]
    return CorpusPosting(
        id=str(rec.get("id")),
        title=title,
        description=clean(rec.get("description")),
        skills=skills,
        city=city,
        district=district,
        lat=_num(rec.get("lat")),
        lon=_num(rec.get("lon")),
        pay_min=_num(rec.get("salary_min")),
        pay_max=_num(rec.get("salary_max")),
        education=clean(rec.get("education")),
        experience=clean(rec.get("experience_years")),
        source=str(rec.get("platform") or "jobhunting"),
    )


def posting_files(data: str | Path) -> list[Path]:
    """The posting files under ``data``: a file, a ``postings`` directory or a data root."""
    path = Path(data)
    if path.is_file():
        return [path]
    if (path / "postings").is_dir():
        path = path / "postings"
    files = sorted(
        p for p in path.iterdir() if p.is_file() and (p.name.endswith(".jsonl") or p.name.endswith(".jsonl.gz"))
    )
    return files


def iter_postings(data: str | Path, limit: int | None = None) -> Iterator[CorpusPosting]:
    """Postings from every file under ``data``; ``limit`` caps the number read *per file*."""
    for path in posting_files(data):
        n = 0
        with _open(path) as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                posting = parse_record(rec)
                if posting is None:
                    continue
                yield posting
                n += 1
                if limit is not None and n >= limit:
                    break


@dataclass(frozen=True)
class Occupation:
    code: str  # e.g. 4-01-02-01
    name: str
    level: int  # 1 major .. 4 detailed


def occupations_file(data: str | Path) -> Path | None:
    path = Path(data)
    if path.is_file():
        path = path.parent
    for candidate in (path / "occupations", path.parent / "occupations", path):
        if candidate.is_dir():
            found = sorted(candidate.glob("occupations-*.json"))
            if found:
                return found[-1]
    return None


def load_occupations(path: str | Path) -> list[Occupation]:
    """Flatten the classification tree (职业分类大典) into its nodes, all four levels."""
    with open(path, encoding="utf-8") as fh:
        tree = json.load(fh)
    out: list[Occupation] = []

    def walk(nodes):
        for node in nodes:
            name = clean(node.get("name"))
            if name and node.get("seq"):
                out.append(Occupation(str(node["seq"]), name, int(node.get("level") or 0)))
            walk(node.get("children") or [])

    walk(tree.get("data") if isinstance(tree, dict) else tree)
    return out
