"""Search benchmark: the embedded engine against baselines, on real postings resampled to scale.

    nice -n 10 .venv/bin/python bench/search.py --sizes 100000,1000000 [--data ../shared/data]

For each size it builds, in a separate process per engine (so peak memory is the engine's own):

- ``columnar``: the embedded backend (``indexer.search.embedded``: SQLite store + numpy segments);
- ``fts5``: SQLite FTS5 over the same jieba tokens, filters/facets in SQL;
- ``bm25s``: bm25s scoring (title weighted by repetition) with numpy columns for filters/facets;
- ``tantivy``: tantivy with the same tokens (whitespace tokenizer), range/term filters, terms
  aggregations for facets, bounding box + exact distance for geo;

then runs a fixed mix of queries (text only, text+filters+facets, facet browsing, geo) and prints
build time, p50/p95/p99 latency, queries/s in one process, peak RSS and index size. Quality: NDCG@10
over labelled queries on the real 智联 postings (labels: the site's own job category; see
docs/search.md). Timing lives here, never in tests.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import os
import pickle
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.search import POSTINGS, GeoRadius, Range, SearchQuery, Terms, haversine_km  # noqa: E402
from indexer.search.analyzer import default_analyzer  # noqa: E402
from indexer.search.columnar import AnalysedDoc, Segment, _filter_mask, _geo  # noqa: E402
from indexer.search.documents import DESCRIPTION_CHARS, EDUCATION_ORDER, analyse  # noqa: E402

ENGINES = ("columnar", "fts5", "bm25s", "tantivy")
FACETS = ("region_path", "employment_type", "education", "occupation_path")

# ---------------------------------------------------------------------------------------------
# Real data -> documents
# ---------------------------------------------------------------------------------------------

SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "盟")


def short(name: str) -> str:
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


class Regions:
    def __init__(self, data: Path):
        rd = ROOT / "data" / "regions"
        if not rd.exists():
            rd = data / "regions"
        self.city_by_name: dict[str, str] = {}
        self.county_by_city: dict[str, dict[str, str]] = {}
        self.name: dict[str, str] = {}
        provinces = {}
        with open(rd / "provinces.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                provinces[row["code"]] = row["name"]
                self.name[row["code"] + "0000"] = row["name"]
        with open(rd / "cities.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["code"] + "00"
                name = row["name"]
                if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                    name = provinces[row["provinceCode"]]
                self.name[code] = name
                self.city_by_name.setdefault(short(name), code)
        with open(rd / "areas.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                city = row["cityCode"] + "00"
                self.county_by_city.setdefault(city, {})[row["name"]] = row["code"]
                self.name[row["code"]] = row["name"]
        self.cities_by_len = sorted(self.city_by_name, key=len, reverse=True)

    def resolve(self, text: str, district: str | None = None) -> str | None:
        text = text or ""
        city = None
        for n in self.cities_by_len:
            if n and n in text:
                city = self.city_by_name[n]
                break
        if city is None:
            return None
        counties = self.county_by_city.get(city, {})
        for cname, ccode in counties.items():
            if (district and (cname == district or short(cname) == short(district))) or cname in text:
                return ccode
        return city


def occupation_index(data: Path) -> dict[str, str]:
    p = ROOT / "data" / "occupations" / "occupations-2022-tree.json"
    if not p.exists():
        p = data / "occupations" / "occupations-2022-tree.json"
    tree = json.loads(p.read_text(encoding="utf-8"))
    out: dict[str, str] = {}

    def walk(n):
        if n["level"] == 4 and 2 <= len(n["name"]) <= 6:
            out.setdefault(n["name"], n["seq"])
        for c in n.get("children") or ():
            walk(c)

    for r in tree["data"]:
        walk(r)
    return out


EDU = {"初中": "junior", "中专": "senior", "高中": "senior", "中技": "senior", "大专": "associate",
       "本科": "bachelor", "硕士": "master", "博士": "doctor"}


def edu_of(text) -> str:
    for k, v in EDU.items():
        if text and k in str(text):
            return v
    return "none"


def emp_type(title: str, work_type: str | None = None) -> str:
    if work_type:
        if "实习" in work_type:
            return "internship"
        if "兼职" in work_type:
            return "part_time"
    if any(w in title for w in ("日结", "零工", "临时", "小时工")):
        return "gig"
    if "兼职" in title:
        return "part_time"
    if "实习" in title:
        return "internship"
    return "full_time"


def _ts(text) -> float | None:
    if not text:
        return None
    try:
        import datetime as dt

        return dt.datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def load_real(data: Path) -> list[dict]:
    """Both posting sets as search documents (the same shape ``posting_document`` produces)."""
    regions = Regions(data)
    occ = occupation_index(data)
    occ_names = sorted(occ, key=len, reverse=True)
    out: list[dict] = []

    def occupation_for(title: str):
        for n in occ_names:
            if n in title:
                code = occ[n]
                parts = code.split("-")
                return ["-".join(parts[: i + 1]) for i in range(len(parts))]
        return []

    def path_of(code):
        if not code:
            return []
        p = [code[:2] + "0000", code[:4] + "00"]
        if code[4:] != "00":
            p.append(code)
        return p

    with gzip.open(data / "postings" / "jobhunting-2024-2025.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            title = (r.get("title") or "").strip()
            if not title:
                continue
            code = regions.resolve(r.get("area") or r.get("address") or "")
            desc = (r.get("description") or "")[:DESCRIPTION_CHARS]
            lat, lon = r.get("lat"), r.get("lon")
            loc = None
            if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and 15 < lat < 55 and 70 < lon < 140:
                loc = {"lat": float(lat), "lon": float(lon)}
            out.append(_doc(len(out) + 1, title, desc, r.get("company") or "", code, path_of(code),
                            regions, occupation_for(title), emp_type(title), edu_of(r.get("education")),
                            r.get("salary_min"), r.get("salary_max"), r.get("experience_years"),
                            _ts(r.get("published_at")), r.get("platform"), loc,
                            str(r.get("skills") or "") + " " + str(r.get("welfare") or ""), None))
    with gzip.open(data / "postings" / "zhilian-30cities-2022.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            title = (r.get("name") or "").strip()
            if not title:
                continue
            code = regions.resolve(r.get("workCity") or "", r.get("cityDistrict"))
            sal = str(r.get("salaryReal") or "")
            lo = hi = None
            if "-" in sal:
                try:
                    lo, hi = (float(x) for x in sal.split("-")[:2])
                except ValueError:
                    pass
            skills = " ".join(x.split("'value': '")[1].split("'")[0]
                              for x in str(r.get("skillLabel") or "").split("}") if "'value': '" in x)
            body = " ".join(filter(None, [r.get("positionHighlight"), r.get("industryName"), skills]))
            out.append(_doc(len(out) + 1, title, body, r.get("companyName") or "", code, path_of(code),
                            regions, occupation_for(title), emp_type(title, r.get("workType")),
                            edu_of(r.get("education")), lo, hi, None, _ts(r.get("publishTime")),
                            "ZHILIAN2022", None, "", r.get("subJobTypeLevelName")))
    # Postings without coordinates get their city's median position, like a geocoder fallback.
    by_city: dict[str, list] = {}
    for d in out:
        if d["location"] and d["region_path"]:
            by_city.setdefault(d["region_path"][1], []).append((d["location"]["lat"], d["location"]["lon"]))
    centre = {c: (float(np.median([p[0] for p in v])), float(np.median([p[1] for p in v])))
              for c, v in by_city.items()}
    rng = random.Random(7)
    for d in out:
        if not d["location"] and d["region_path"] and d["region_path"][1] in centre:
            la, lo = centre[d["region_path"][1]]
            d["location"] = {"lat": la + rng.uniform(-0.08, 0.08), "lon": lo + rng.uniform(-0.08, 0.08)}
    return out


def _doc(i, title, desc, company, code, rpath, regions, opath, etype, edu, lo, hi, exp, ts, channel,
         loc, extra, category):
    def num(v):
        try:
            v = float(v)
            return v if math.isfinite(v) and v > 0 else None
        except (TypeError, ValueError):
            return None

    lo, hi = num(lo), num(hi)
    region_name = "".join(regions.name.get(c, "") for c in rpath)
    doc = {
        "id": i, "version": 1, "title": title,
        "body": "\n".join(filter(None, [desc, company, region_name, extra])),
        "region_path": rpath, "occupation_path": opath, "employment_type": etype, "education": edu,
        "pay_unit": "day" if etype == "gig" else "month", "channel": channel,
        "enterprise_id": hashlib.md5(company.encode()).hexdigest()[:10] if company else None,
        "target_groups": [], "pay_monthly_min": lo, "pay_monthly_max": hi,
        "pay_min": lo / 26 if (lo and etype == "gig") else lo, "pay_max": hi / 26 if (hi and etype == "gig") else hi,
        "experience_years": num(exp), "education_rank": EDUCATION_ORDER.index(edu),
        "published_ts": ts, "location": loc, "title_text": title, "description_text": desc,
    }
    doc["_category"] = category
    return doc


def base_corpus(data: Path, cache: Path) -> tuple[list[AnalysedDoc], list[dict], list]:
    """Real postings analysed once (jieba is the slow part), cached."""
    path = cache / "base-analysed.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    t = time.perf_counter()
    docs = load_real(data)
    an = default_analyzer()
    analysed = [analyse(POSTINGS, d, an) for d in docs]
    stored = [{"title_text": d["title_text"], "description_text": d["description_text"]} for d in docs]
    cats = [d["_category"] for d in docs]
    cache.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump((analysed, stored, cats), fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"# analysed {len(docs)} real postings in {time.perf_counter() - t:.0f}s (cached in {path})",
          file=sys.stderr)
    return analysed, stored, cats


def resample(base: list[AnalysedDoc], stored: list[dict], n: int, seed: int = 42):
    """``n`` postings drawn from the real ones with perturbations: another county of the same
    province for 30%, jittered coordinates, pay within ±15%, a new date in the last 180 days,
    the description cut at a random 70-100%, and 10% marked as targeting a priority group."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), n)
    move = rng.random(n) < 0.3
    other = rng.integers(0, len(base), n)
    pay = rng.uniform(0.85, 1.15, n)
    ts = 1_735_689_600 - rng.uniform(0, 180 * 86400, n)
    cut = rng.uniform(0.7, 1.0, n)
    jit = rng.normal(0, 0.03, (n, 2))
    tg = rng.random(n)
    groups = ["graduate", "veteran", "migrant_worker", "disabled", "hard_to_employ"]
    out, out_stored = [], []
    for j in range(n):
        b = base[picks[j]]
        src = base[other[j]] if move[j] else b
        nums = dict(b.numbers)
        for k in ("pay_monthly_min", "pay_monthly_max", "pay_min", "pay_max"):
            if nums.get(k) is not None:
                nums[k] = round(nums[k] * pay[j], 0)
        nums["published_ts"] = float(ts[j])
        body = b.tokens["body"]
        kw = dict(b.keywords)
        kw["region_path"] = src.keywords["region_path"]
        kw["target_groups"] = [groups[int(tg[j] * 50) % 5]] if tg[j] < 0.1 else []
        lat = src.lat + jit[j, 0] if src.lat is not None else None
        lon = src.lon + jit[j, 1] if src.lon is not None else None
        out.append(AnalysedDoc(j + 1, 1, {"title": b.tokens["title"], "body": body[: int(len(body) * cut[j])]},
                               kw, nums, lat, lon, b.vector))  # the vector (if any) is shared, not copied
        out_stored.append(stored[picks[j]])
    return out, out_stored


# ---------------------------------------------------------------------------------------------
# The fixed query mix
# ---------------------------------------------------------------------------------------------

WORDS = ("普工 电焊工 焊工 保安 安保员 司机 驾驶员 销售 客服 仓管员 快递员 服务员 厨师 保洁 电工 会计 java 前端 "
         "python 产品经理 数据分析 护士 教师 文员 行政 人事 财务 设计师 运营 质检员 叉车 操作工 外卖 育婴师 家政 "
         "店长 主管 实习生 兼职 日结 软件工程师 机械工程师 测试工程师 算法 市场专员 销售顾问 房产销售 送餐员 "
         "储备干部 主播 收银员 采购 物流 招聘专员 电气工程师 装修 搬运工").split()
PAIRS = ("普工 包吃住", "java 开发", "销售 底薪", "司机 五险一金", "客服 双休", "保安 夜班", "厨师 包住",
         "前端 vue", "会计 出纳", "仓管员 叉车", "电工 证", "护士 医院")


def make_queries(base: list[AnalysedDoc], n_per_class: int = 55, seed: int = 3) -> list[tuple[str, SearchQuery]]:
    rng = random.Random(seed)
    cities: dict[str, int] = {}
    pts: dict[str, tuple[float, float]] = {}
    for d in base:
        rp = d.keywords.get("region_path") or []
        if len(rp) >= 2:
            cities[rp[1]] = cities.get(rp[1], 0) + 1
            if d.lat is not None:
                pts.setdefault(rp[1], (d.lat, d.lon))
    top = [c for c, _ in sorted(cities.items(), key=lambda kv: -kv[1])[:25] if c in pts]
    texts = list(WORDS) + list(PAIRS)
    qs: list[tuple[str, SearchQuery]] = []
    for i in range(n_per_class):
        qs.append(("text", SearchQuery(text=rng.choice(texts), highlight=False)))
    for i in range(n_per_class):
        filt = [Terms("region_path", (rng.choice(top),))]
        r = rng.random()
        if r < 0.3:
            filt.append(Terms("employment_type", ("full_time",)))
        elif r < 0.6:
            filt.append(Range("pay_monthly_max", gte=float(rng.choice([4000, 6000, 8000, 10000]))))
        else:
            filt.append(Terms("education", tuple(rng.sample(["none", "junior", "senior", "associate"], 2))))
        qs.append(("text+filters+facets", SearchQuery(text=rng.choice(WORDS), filters=tuple(filt),
                                                      facets=FACETS, highlight=False)))
    for i in range(n_per_class):
        filt = []
        if rng.random() < 0.7:
            c = rng.choice(top)
            filt.append(Terms("region_path", (c[:2] + "0000" if rng.random() < 0.5 else c,)))
        if rng.random() < 0.5:
            filt.append(Range("pay_monthly_max", gte=float(rng.choice([5000, 8000]))))
        qs.append(("facets (browse)", SearchQuery(filters=tuple(filt), facets=FACETS, sort="newest",
                                                  highlight=False)))
    for i in range(n_per_class):
        c = rng.choice(top)
        lat, lon = pts[c]
        text = rng.choice(WORDS) if rng.random() < 0.6 else ""
        qs.append(("geo", SearchQuery(text=text, geo=GeoRadius(lat, lon, float(rng.choice([3, 5, 10, 20]))),
                                      sort="distance", facets=("employment_type",), highlight=False)))
    return qs


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


class Columnar:
    name = "columnar"

    def build(self, docs, stored, path: Path):
        from indexer.search.embedded import EmbeddedBackend

        # the engine itself, each query computed: repeats of the timing loop are not answered from memory
        self.backend = EmbeddedBackend(path, refresh_seconds=3600, result_cache_size=0)

        def batches():
            for s in range(0, len(docs), 10_000):
                yield [(d.id, d.version, json.dumps(st, ensure_ascii=False), d)
                       for d, st in zip(docs[s:s + 10_000], stored[s:s + 10_000])]

        self.backend.rebuild_prepared("postings", batches())

    def search(self, q: SearchQuery):
        r = self.backend.search("postings", q)
        return r.total, r.ids


class Columns:
    """numpy columns for the baselines that have no filters/facets of their own."""

    def __init__(self, docs):
        stripped = [AnalysedDoc(d.id, d.version, {"title": [], "body": []}, d.keywords, d.numbers, d.lat, d.lon)
                    for d in docs]
        self.seg = Segment.build(POSTINGS, stripped)

    def apply(self, cand, q: SearchQuery):
        for f in q.filters:
            cand = cand[_filter_mask(self.seg, cand, f)]
        dist = None
        if q.geo is not None:
            cand, dist = _geo(self.seg, cand, q.geo)
        facets = {}
        for name in q.facets:
            kf = self.seg.keywords[name]
            vals = kf.matrix[cand].ravel()
            counts = np.bincount(vals[vals >= 0], minlength=len(kf.values))
            facets[name] = {kf.values[c]: int(counts[c]) for c in np.flatnonzero(counts)}
        return cand, dist, facets


def top_ids(keys, ids, size):
    if len(keys) > size:
        part = np.argpartition(-keys, size - 1)[:size]
        keys, ids = keys[part], ids[part]
    order = np.lexsort((ids, -keys))
    return [int(x) for x in ids[order]]


class BM25S:
    name = "bm25s"

    def build(self, docs, stored, path: Path):
        import bm25s

        self.r = bm25s.BM25(k1=1.2, b=0.75)
        self.r.index([d.tokens["title"] * 3 + d.tokens["body"] for d in docs], show_progress=False)
        self.r.save(str(path), show_progress=False)
        self.cols = Columns(docs)
        self.ids = np.array([d.id for d in docs])
        self.vocab = self.r.vocab_dict
        self.an = default_analyzer()

    def search(self, q: SearchQuery):
        terms = [t for t in self.an.query_tokens(q.text)] if q.text else []
        if terms:
            if any(t not in self.vocab for t in terms):
                return 0, []
            scores = self.r.get_scores(terms)
            cand = np.flatnonzero(scores > 0)
        else:
            scores = None
            cand = np.arange(len(self.ids))
        cand, dist, facets = self.cols.apply(cand, q)
        if q.sort == "distance" and dist is not None:
            keys = -dist
        elif scores is not None and q.sort == "relevance":
            keys = scores[cand].astype(np.float64)
        else:
            keys = np.nan_to_num(self.cols.seg.numbers["published_ts"][cand], nan=-np.inf)
        return len(cand), top_ids(keys, self.ids[cand], q.size)


class FTS5:
    name = "fts5"
    COLS = ("prov", "city", "county", "o1", "o2", "o3", "o4", "emp", "edu", "pmax", "ts", "lat", "lon")

    def build(self, docs, stored, path: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path / "fts.sqlite"))
        c = self.db
        c.execute("PRAGMA journal_mode=OFF")
        c.execute("PRAGMA synchronous=OFF")
        c.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61')")
        c.execute("CREATE TABLE cols (rowid INTEGER PRIMARY KEY, prov, city, county, o1, o2, o3, o4, emp, edu, "
                  "pmax REAL, ts REAL, lat REAL, lon REAL, title_text, description_text)")

        def rows():
            for d, st in zip(docs, stored):
                rp = (d.keywords.get("region_path") or []) + [None, None, None]
                op = (d.keywords.get("occupation_path") or []) + [None] * 4
                yield (d.id, rp[0], rp[1], rp[2], op[0], op[1], op[2], op[3],
                       (d.keywords.get("employment_type") or [None])[0], (d.keywords.get("education") or [None])[0],
                       d.numbers.get("pay_monthly_max"), d.numbers.get("published_ts"), d.lat, d.lon,
                       st["title_text"], st["description_text"])

        c.executemany("INSERT INTO cols VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
        c.executemany("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)",
                      ((d.id, " ".join(d.tokens["title"]), " ".join(d.tokens["body"])) for d in docs))
        for col in ("prov", "city", "county", "o4", "emp", "edu", "pmax", "ts", "lat"):
            c.execute(f"CREATE INDEX ix_{col} ON cols({col})")
        c.commit()
        self.an = default_analyzer()

    def _where(self, q: SearchQuery):
        sql, args = [], []
        for f in q.filters:
            if isinstance(f, Terms):
                cols = {"region_path": ("prov", "city", "county"), "occupation_path": ("o1", "o2", "o3", "o4"),
                        "employment_type": ("emp",), "education": ("edu",)}[f.field]
                ph = ",".join("?" * len(f.values))
                sql.append("(" + " OR ".join(f"c.{col} IN ({ph})" for col in cols) + ")")
                args += list(f.values) * len(cols)
            else:
                col = {"pay_monthly_max": "pmax", "published_ts": "ts"}[f.field]
                if f.gte is not None:
                    sql.append(f"c.{col} >= ?")
                    args.append(f.gte)
                if f.lte is not None:
                    sql.append(f"c.{col} <= ?")
                    args.append(f.lte)
        if q.geo is not None:
            dlat = q.geo.radius_km / 111.0
            dlon = q.geo.radius_km / (111.0 * math.cos(math.radians(q.geo.lat)))
            sql.append("c.lat BETWEEN ? AND ? AND c.lon BETWEEN ? AND ?")
            args += [q.geo.lat - dlat, q.geo.lat + dlat, q.geo.lon - dlon, q.geo.lon + dlon]
        return sql, args

    def search(self, q: SearchQuery):
        terms = self.an.query_tokens(q.text) if q.text else []
        where, args = self._where(q)
        if terms:
            match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
            base = ("FROM fts JOIN cols c ON c.rowid = fts.rowid WHERE fts MATCH ?" +
                    "".join(" AND " + w for w in where))
            args = [match] + args
            score = "bm25(fts, 3.0, 1.0)"
        else:
            base = "FROM cols c" + (" WHERE " + " AND ".join(where) if where else "")
            score = "0"
        c = self.db
        if q.geo is not None:
            rows = c.execute(f"SELECT c.rowid, {score}, c.lat, c.lon, c.emp {base}", args).fetchall()
            if not rows:
                return 0, []
            arr = np.array([(r[0], r[1], r[2], r[3]) for r in rows], dtype=np.float64)
            d = haversine_km(q.geo.lat, q.geo.lon, arr[:, 2], arr[:, 3])
            keep = d <= q.geo.radius_km
            for name in q.facets:  # counted in Python over the rows inside the radius
                vals = [rows[i][4] for i in np.flatnonzero(keep)]
                _ = {v: vals.count(v) for v in set(vals)}
            return int(keep.sum()), top_ids(-d[keep], arr[keep, 0].astype(np.int64), q.size)
        c.execute("DROP TABLE IF EXISTS temp.m")
        c.execute(f"CREATE TEMP TABLE m AS SELECT c.rowid AS rid, {score} AS s, c.ts AS ts {base}", args)
        total = c.execute("SELECT COUNT(*) FROM temp.m").fetchone()[0]
        for name in q.facets:
            cols = {"region_path": ("prov", "city", "county"), "occupation_path": ("o1", "o2", "o3", "o4"),
                    "employment_type": ("emp",), "education": ("edu",)}[name]
            for col in cols:
                # CROSS JOIN keeps SQLite from scanning cols and probing the unindexed temp table
                c.execute(f"SELECT c.{col}, COUNT(*) FROM temp.m CROSS JOIN cols c ON c.rowid = m.rid "
                          f"WHERE c.{col} IS NOT NULL GROUP BY c.{col}").fetchall()
        order = "s ASC, rid ASC" if (terms and q.sort == "relevance") else "ts DESC, rid ASC"
        ids = [r[0] for r in c.execute(f"SELECT rid FROM temp.m ORDER BY {order} LIMIT ?", (q.size,))]
        return total, ids


class Tantivy:
    name = "tantivy"

    def build(self, docs, stored, path: Path):
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_integer_field("id", stored=True, indexed=True, fast=True)
        sb.add_text_field("title", tokenizer_name="whitespace")
        sb.add_text_field("body", tokenizer_name="whitespace")
        for k in ("region", "occupation", "emp", "edu"):
            sb.add_text_field(k, tokenizer_name="raw", fast=True)
        for k in ("pmax", "ts", "lat", "lon"):
            sb.add_float_field(k, stored=k in ("lat", "lon"), indexed=True, fast=True)
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        w = self.index.writer(heap_size=300_000_000, num_threads=1)
        for d in docs:
            doc = tantivy.Document()
            doc.add_integer("id", d.id)
            doc.add_text("title", " ".join(d.tokens["title"]))
            doc.add_text("body", " ".join(d.tokens["body"]))
            for v in d.keywords.get("region_path") or []:
                doc.add_text("region", v)
            for v in d.keywords.get("occupation_path") or []:
                doc.add_text("occupation", v)
            for k, f in (("emp", "employment_type"), ("edu", "education")):
                for v in d.keywords.get(f) or []:
                    doc.add_text(k, v)
            for k, f in (("pmax", "pay_monthly_max"), ("ts", "published_ts")):
                doc.add_float(k, d.numbers.get(f) if d.numbers.get(f) is not None else -1.0)
            doc.add_float("lat", d.lat if d.lat is not None else -999.0)
            doc.add_float("lon", d.lon if d.lon is not None else -999.0)
            w.add_document(doc)
        w.commit()
        w.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.an = default_analyzer()
        self.t = tantivy

    def search(self, q: SearchQuery):
        t = self.t
        Occur = t.Occur
        clauses = []
        for term in (self.an.query_tokens(q.text) if q.text else []):
            clauses.append((Occur.Must, t.Query.boolean_query([
                (Occur.Should, t.Query.boost_query(t.Query.term_query(self.schema, "title", term), 3.0)),
                (Occur.Should, t.Query.term_query(self.schema, "body", term))])))
        for f in q.filters:
            if isinstance(f, Terms):
                field = {"region_path": "region", "occupation_path": "occupation",
                         "employment_type": "emp", "education": "edu"}[f.field]
                clauses.append((Occur.Must, t.Query.term_set_query(self.schema, field, list(f.values))))
            else:
                field = {"pay_monthly_max": "pmax", "published_ts": "ts"}[f.field]
                clauses.append((Occur.Must, t.Query.range_query(
                    self.schema, field, t.FieldType.Float, f.gte if f.gte is not None else -1e18,
                    f.lte if f.lte is not None else 1e18)))
        if q.geo is not None:
            dlat = q.geo.radius_km / 111.0
            dlon = q.geo.radius_km / (111.0 * math.cos(math.radians(q.geo.lat)))
            clauses.append((Occur.Must, t.Query.range_query(self.schema, "lat", t.FieldType.Float,
                                                            q.geo.lat - dlat, q.geo.lat + dlat)))
            clauses.append((Occur.Must, t.Query.range_query(self.schema, "lon", t.FieldType.Float,
                                                            q.geo.lon - dlon, q.geo.lon + dlon)))
        query = t.Query.boolean_query(clauses) if clauses else t.Query.all_query()
        s = self.searcher
        if q.facets and q.geo is None:
            aggs = {}
            for name in q.facets:
                field = {"region_path": "region", "occupation_path": "occupation",
                         "employment_type": "emp", "education": "edu"}[name]
                aggs[name] = {"terms": {"field": field, "size": 5000}}
            s.aggregate(query, aggs)
        if q.geo is not None:  # exact radius and distance order over the bounding box's documents
            res = s.search(query, limit=20_000)
            rows = []
            for _score, addr in res.hits:
                doc = s.doc(addr)
                rows.append((doc["id"][0], doc["lat"][0], doc["lon"][0]))
            if not rows:
                return 0, []
            arr = np.array(rows, dtype=np.float64)
            d = haversine_km(q.geo.lat, q.geo.lon, arr[:, 1], arr[:, 2])
            keep = d <= q.geo.radius_km
            return int(keep.sum()), top_ids(-d[keep], arr[keep, 0].astype(np.int64), q.size)
        if q.text and q.sort == "relevance":
            res = s.search(query, limit=q.size, count=True)
        else:
            res = s.search(query, limit=q.size, count=True, order_by_field="ts")
        return res.count, [s.doc(a)["id"][0] for _, a in res.hits]


ENGINE_CLASSES = {"columnar": Columnar, "fts5": FTS5, "bm25s": BM25S, "tantivy": Tantivy}


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------------------------------------
# Quality: NDCG@10 on labelled queries
# ---------------------------------------------------------------------------------------------


def labelled_queries(cats: list, min_count: int = 20, n: int = 60) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for c in cats:
        if c:
            counts[c] = counts.get(c, 0) + 1
    out = []
    for cat, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        text = cat.split("/")[0].strip()
        if k >= min_count and len(text) >= 2:
            out.append((text, cat))
        if len(out) >= n:
            break
    return out


def ndcg10(ranked: list[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / idcg if idcg else 0.0


# ---------------------------------------------------------------------------------------------
# Natural-language quality (issue #12): the understanding step against today's strict query
# ---------------------------------------------------------------------------------------------

NL_CATEGORIES = 55
#: (template, names a city): how a person types it. Labels: a posting is relevant when its 智联 job
#: category (subJobTypeLevelName) is the query's category and, when the query names a city, it is in
#: that city (region path). The category word is the category's first name ("普工/操作工" -> 普工).
NL_TEMPLATES = (("想找{job}工作", False), ("{city} {job}", True), ("我想在{city}找个{job}的活", True))


def natural_queries(docs: list[AnalysedDoc], cats: list) -> list[tuple[str, set[int]]]:
    """At least 150 queries written from the real postings' categories, with their relevant ids."""
    from core.reference.services import region_directory

    regions = region_directory(None)
    by_cat: dict[str, list[AnalysedDoc]] = {}
    for d, c in zip(docs, cats):
        if c:
            by_cat.setdefault(c, []).append(d)
    ranked = sorted(((c, ds) for c, ds in by_cat.items() if len(c.split("/")[0].strip()) >= 2 and len(ds) >= 20),
                    key=lambda cd: (-len(cd[1]), cd[0]))[:NL_CATEGORIES]
    out = []
    for cat, ds in ranked:
        job = cat.split("/")[0].strip()
        cities: dict[str, int] = {}
        for d in ds:
            path = d.keywords.get("region_path") or []
            if len(path) > 1:
                cities[path[1]] = cities.get(path[1], 0) + 1
        city_code = max(cities, key=lambda k: (cities[k], k)) if cities else None
        city = regions.get(city_code)
        for template, names_city in NL_TEMPLATES:
            if names_city and city is None:
                continue
            text = template.format(job=job, city=city.short_name if city else "")
            rel = {d.id for d in ds if not names_city or city_code in (d.keywords.get("region_path") or [])}
            out.append((text, rel))
    return out


# -- the meaning side (issue #12): a model that never saw the labels ---------------------------


def bench_model(data: Path, cache: Path, path: str | None = None) -> Path:
    """The encoder for the semantic rows: ``--model``, else one trained here (cached) on both real
    sets with the site's job categories removed, so that the labels (the same categories) were never
    a training signal; otherwise like ``joblink matcher train`` (128 dimensions, 2 epochs)."""
    if path:
        return Path(path)
    out = cache / "model-nocat"
    if (out / "modules.json").exists():
        return out
    import dataclasses

    from matching.corpus import iter_postings, load_occupations, occupations_file
    from matching.training import train_on_postings

    posts = [dataclasses.replace(p, category="") for p in iter_postings(data)]
    occ = occupations_file(data)
    train_on_postings(posts, load_occupations(occ) if occ else [], out, time_budget_s=420, dim=128, epochs=2,
                      source="bench/search.py: both real sets, site categories removed",
                      log=lambda m: print(f"# model: {m}", file=sys.stderr))
    return out


def attach_vectors(base: list[AnalysedDoc], stored: list[dict], model: Path, cache: Path) -> str:
    """Each real posting's vector, as the relay would index it (title + description), cached per model."""
    from indexer.search.semantic import StaticModel
    from matching.text import posting_text

    enc = StaticModel(model)
    path = cache / f"vectors-{enc.version or model.name}-{len(base)}.npy"
    if path.exists():
        vecs = np.load(path)
    else:
        texts = [posting_text(st["title_text"], st["description_text"] or "") for st in stored]
        vecs = np.concatenate([enc.encode(texts[i:i + 5000]) for i in range(0, len(texts), 5000)])
        np.save(path, vecs)
    for d, v in zip(base, vecs):
        d.vector = v.tolist() if v.any() else None
    return enc.version


def understood_query(text: str, regions, size: int = 10):
    from indexer.search.understand import understand

    u = understand(text, regions)
    return u, SearchQuery(text=u.text, filters=u.filters(), must_not=tuple(u.excluded), size=size, highlight=False)


#: fusion settings compared on quality; the first is indexer.search.fusion's defaults, as the page runs
DEFAULT_FUSION = "RRF k=60, 100+100, cosine >= 0.5, when the words find < 20"
ALWAYS = "the same, always fused"
FUSION_VARIANTS = {
    DEFAULT_FUSION: {},
    "the same, when the words find < 100": {"below": 100},
    ALWAYS: {"below": None},
    "always, cosine >= 0.3": {"below": None, "min_similarity": 0.3},
    "always, cosine >= 0.7": {"below": None, "min_similarity": 0.7},
    "always, meaning weighted 0.5": {"below": None, "weight": 0.5},
    "always, meaning weighted 2": {"below": None, "weight": 2.0},
}


def fused(backend, q: SearchQuery, vector, words_total: int, **kw):
    """The understood query fused with the meaning as the page does it (``webapp/search/views.py``:
    only when ``fusion.applies``), or with a variant's settings; None: the words alone."""
    from dataclasses import replace

    from indexer.search import fusion

    if vector is None or not fusion.applies(replace(q, vector=vector), None if kw else words_total):
        return None
    if not kw:
        return backend.search("postings", replace(q, vector=vector))
    col = backend._col("postings")
    return fusion.fused_search(replace(q, vector=vector), lambda x: backend._search_words(col, x),
                               lambda x, k: backend._nearest(col, x, k), lambda h, x: None, **kw)


def natural_run(backend, queries: list[tuple[str, set[int]]], regions, encode=None) -> dict:
    """NDCG@10 and zero-result rate: today's strict query (the words as typed), the understood one,
    and with ``encode`` (text -> vector) the understood one fused with the meaning (each variant of
    ``FUSION_VARIANTS``) and the meaning alone (kNN under the understood filters)."""
    from indexer.search.understand import search_understood

    nd: dict[str, list[float]] = {}
    zero: dict[str, int] = {}

    def add(key, ids, total):
        nd.setdefault(key, []).append(ndcg10(ids, rel))
        zero[key] = zero.get(key, 0) + (total == 0)

    for text, rel in queries:
        r = backend.search("postings", SearchQuery(text=text, size=10, highlight=False))
        add("strict", r.ids, r.total)
        u, q = understood_query(text, regions)
        out = search_understood(lambda q: backend.search("postings", q), q, u)
        add("nl", out.result.ids, out.result.total)
        if encode is None:
            continue
        vec = encode(out.query.text) if out.query.text else None
        for name, kw in FUSION_VARIANTS.items():
            res = fused(backend, out.query, vec, out.result.total, **kw) or out.result
            add(name, res.ids, res.total)
        near = backend.knn("postings", vec, 10, filters=u.filters()) if vec is not None else []
        add("sem", [h.id for h in near], len(near))
    n = len(queries)
    res = {"queries": n}
    for key in nd:
        res[key + "_ndcg10"] = float(np.mean(nd[key]))
        res[key + "_zero"] = zero[key] / n
    return res


def natural_latency(backend, queries: list[tuple[str, set[int]]], regions, rounds: int = 5, encode=None) -> dict:
    """p50/p95 of today's strict query, of understanding + the understood search, and with
    ``encode`` of the understood search fused with the meaning and of the meaning alone (both
    including the encoding of the query; no cache), same queries."""
    from indexer.search.fusion import FUSE_BELOW
    from indexer.search.understand import search_understood

    times: dict[str, list[float]] = {}
    for text, _ in queries[: max(1, len(queries) // 10)]:  # warm-up
        backend.search("postings", SearchQuery(text=text, highlight=False))
    for _ in range(rounds):
        for text, _ in queries:
            t = time.perf_counter()
            backend.search("postings", SearchQuery(text=text, highlight=False))
            times.setdefault("strict", []).append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            u, q = understood_query(text, regions, size=20)
            out = search_understood(lambda q: backend.search("postings", q), q, u)
            times.setdefault("nl", []).append((time.perf_counter() - t) * 1000)
            if encode is None:
                continue
            for name in (DEFAULT_FUSION, ALWAYS):
                t = time.perf_counter()
                u, q = understood_query(text, regions, size=20)
                out = search_understood(lambda q: backend.search("postings", q), q, u)
                if out.query.text and (name == ALWAYS or out.result.total < FUSE_BELOW):  # encode only then
                    fused(backend, out.query, encode(out.query.text), out.result.total, **FUSION_VARIANTS[name])
                times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            u, q = understood_query(text, regions, size=20)
            if u.text:
                backend.knn("postings", encode(u.text), 20, filters=u.filters())
            times.setdefault("sem", []).append((time.perf_counter() - t) * 1000)
    out: dict = {}
    for key, ts in times.items():
        out[key + "_p50"] = float(np.percentile(ts, 50))
        out[key + "_p95"] = float(np.percentile(ts, 95))
    return out


def natural_worker(args) -> dict:
    """The embedded engine: quality on the real 智联 postings, then latency at ``--size`` (0: none)."""
    from core.reference.services import region_directory

    cache = Path(args.cache)
    base, stored, cats = base_corpus(Path(args.data), cache)
    regions = region_directory(None)
    encode = None
    out: dict = {"engine": "columnar", "size": args.size}
    if not args.no_semantic:
        from indexer.search.semantic import StaticModel

        model = bench_model(Path(args.data), cache, args.model)
        out["model"] = attach_vectors(base, stored, model, cache)
        static = StaticModel(model)
        encode = lambda text: tuple(float(x) for x in static.encode([text])[0])  # noqa: E731
    idx = [i for i, c in enumerate(cats) if c]
    real = [base[i] for i in idx]
    queries = natural_queries(real, [cats[i] for i in idx])
    eng = Columnar()
    path = Path(tempfile.mkdtemp(dir=cache, prefix="nl-"))
    eng.build(real, [stored[i] for i in idx], path)
    out.update(natural_run(eng.backend, queries, regions, encode))
    shutil.rmtree(path, ignore_errors=True)
    if args.size:
        docs, st = resample(base, stored, args.size)
        del base, stored
        path = Path(tempfile.mkdtemp(dir=cache, prefix="nl-"))
        eng = Columnar()
        eng.build(docs, st, path)
        del docs, st
        out.update(natural_latency(eng.backend, queries, regions, encode=encode))
        shutil.rmtree(path, ignore_errors=True)
    return out


def print_natural(res: dict) -> None:
    print(f"\nNatural-language queries ({res['queries']}, from the 智联 categories; labels: same category, and "
          f"same city when the query names one; docs/search.md)"
          + (f"; meaning: model {res['model']} (trained without the categories)" if "model" in res else "") + ":")
    timed = "nl_p95" in res
    print("| query | NDCG@10 | zero-result rate |" + (f" p50 ms @ {res['size']:,} | p95 ms @ {res['size']:,} |"
                                                        if timed else ""))
    print("|---|---|---|" + ("---|---|" if timed else ""))
    rows = [("today's strict query (words as typed)", "strict"), ("understood + relaxed", "nl")]
    rows += [(f"understood + semantic ({name})", name) for name in FUSION_VARIANTS]
    rows += [("semantic only (kNN under the understood filters)", "sem")]
    for who, key in rows:
        if key + "_ndcg10" not in res:
            continue
        row = f"| {who} | {res[key + '_ndcg10']:.3f} | {res[key + '_zero']:.1%} |"
        if timed:
            row += (f" {res[key + '_p50']:.2f} | {res[key + '_p95']:.2f} |" if key + "_p95" in res else " | |")
        print(row)
    for who, key in rows[1:]:
        if key + "_ndcg10" in res:
            print(f"NDCG@10 ratio {who} / strict: {res[key + '_ndcg10'] / max(res['strict_ndcg10'], 1e-9):.2f}x")


# ---------------------------------------------------------------------------------------------
# Worker (one engine, one size) and driver
# ---------------------------------------------------------------------------------------------


def worker(args) -> dict:
    cache = Path(args.cache)
    base, stored, cats = base_corpus(Path(args.data), cache)
    cls = ENGINE_CLASSES[args.engine]
    out: dict = {"engine": args.engine, "size": args.size}
    if args.size == 0:  # quality run on the real 智联 postings only
        idx = [i for i, c in enumerate(cats) if c]
        docs = [base[i] for i in idx]
        st = [stored[i] for i in idx]
        path = Path(tempfile.mkdtemp(dir=cache, prefix=f"q-{args.engine}-"))
        eng = cls()
        eng.build(docs, st, path)
        cat_of = {base[i].id: cats[i] for i in idx}
        scores = []
        for text, cat in labelled_queries(cats):
            rel = {d for d, c in cat_of.items() if c == cat}
            _, ids = eng.search(SearchQuery(text=text, size=10, highlight=False))
            scores.append(ndcg10(ids, rel))
        shutil.rmtree(path, ignore_errors=True)
        out["ndcg10"] = float(np.mean(scores))
        out["queries"] = len(scores)
        return out
    docs, st = resample(base, stored, args.size)
    del base, stored
    out["rss_corpus_mb"] = rss_mb()
    path = Path(tempfile.mkdtemp(dir=cache, prefix=f"idx-{args.engine}-"))
    eng = cls()
    t = time.perf_counter()
    eng.build(docs, st, path)
    out["build_s"] = time.perf_counter() - t
    out["size_mb"] = du(path) / 2**20
    qs = make_queries(docs)
    del docs, st
    t = time.perf_counter()
    warm = qs[::11]
    for _, q in warm:  # warm-up
        eng.search(q)
    per_query = (time.perf_counter() - t) / len(warm)
    # A slow engine runs an evenly spaced subset (every class keeps its share) within the budget.
    stride = max(1, math.ceil(per_query * len(qs) / args.budget))
    qs = qs[::stride]
    out["stride"] = stride
    lat: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    for cls_name, q in qs:
        t = time.perf_counter()
        eng.search(q)
        lat.setdefault(cls_name, []).append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - t0
    every = np.concatenate([np.array(v) for v in lat.values()])
    out.update(p50=float(np.percentile(every, 50)), p95=float(np.percentile(every, 95)),
               p99=float(np.percentile(every, 99)), qps=len(qs) / wall, queries=len(qs),
               by_class={k: float(np.percentile(v, 95)) for k, v in lat.items()},
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    shutil.rmtree(path, ignore_errors=True)
    return out


RELAY_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from sqlalchemy.orm import sessionmaker
from core.db import make_engine
from indexer.search.embedded import EmbeddedBackend
from indexer.worker import Relay
engine = make_engine({url!r})
Relay(EmbeddedBackend({index!r}), batch_size=200).run_forever(sessionmaker(bind=engine), poll_interval=0.2)
"""


def freshness(args, samples: int) -> dict:
    """Publish postings one by one (posting + outbox event in one transaction) with the relay
    running in its own process; time until a separate reader finds each one."""
    from sqlalchemy.orm import sessionmaker

    from core.all_models import metadata
    from core.db import make_engine, utcnow
    from core.enums import PostingStatus
    from core.outbox.services import emit
    from core.postings.models import Posting
    from indexer.search.embedded import EmbeddedBackend

    cache = Path(args.cache)
    base, stored, _ = base_corpus(Path(args.data), cache)
    work = Path(tempfile.mkdtemp(dir=cache, prefix="fresh-"))
    url = f"sqlite:///{work / 'db.sqlite'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    reader = EmbeddedBackend(work / "index", refresh_seconds=0.5)
    docs, st = resample(base, stored, 20_000, seed=5)
    for d in docs:
        d.id += 10_000_000  # keep clear of the database's ids
    reader.rebuild_prepared("postings", [[(d.id, d.version, json.dumps(x, ensure_ascii=False), d)
                                          for d, x in zip(docs, st)]])
    # The reader must not carry the benchmark's corpus (millions of objects make garbage-collector
    # pauses that would be charged to the index).
    del base, stored, docs, st
    import gc

    gc.collect()
    relay = subprocess.Popen([sys.executable, "-c", RELAY_SCRIPT.format(root=str(ROOT), url=url,
                                                                        index=str(work / "index"))])
    factory = sessionmaker(bind=engine)
    lat = []
    try:
        time.sleep(2)
        for i in range(samples):
            token = f"fresh{i:04d}x{random.randint(0, 10**6)}"
            with factory() as s:
                p = Posting(title=f"{token} 叉车司机", description="新发布", status=PostingStatus.PUBLISHED,
                            published_at=utcnow())
                s.add(p)
                s.flush()
                emit(s, "posting", p.id)
                s.commit()
            t0 = time.perf_counter()
            while not reader.search("postings", SearchQuery(text=token, highlight=False)).total:
                if time.perf_counter() - t0 > 30:
                    break
                time.sleep(0.01)
            lat.append(time.perf_counter() - t0)
    finally:
        relay.terminate()
        relay.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return {"samples": len(lat), "p50_s": float(np.percentile(lat, 50)), "p99_s": float(np.percentile(lat, 99)),
            "max_s": float(max(lat))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="100000", help="comma-separated index sizes, e.g. 100000,1000000")
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    p.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "joblink-bench-search"))
    p.add_argument("--no-quality", action="store_true")
    p.add_argument("--freshness", type=int, default=50, help="publish-to-searchable samples (0: skip)")
    p.add_argument("--budget", type=float, default=300.0,
                   help="seconds of queries per engine and size; slower engines run an evenly spaced subset")
    p.add_argument("--natural-size", type=int, default=100_000,
                   help="index size for the natural-language latency (0: quality only)")
    p.add_argument("--only-natural", action="store_true", help="only the natural-language table")
    p.add_argument("--model", default=None,
                   help="encoder for the semantic rows (default: one trained here without the labels, cached)")
    p.add_argument("--no-semantic", action="store_true", help="natural-language table without the semantic rows")
    p.add_argument("--worker", dest="engine", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.engine == "natural":
        print(json.dumps(natural_worker(args)))
        return
    if args.engine:
        print(json.dumps(worker(args)))
        return
    if args.only_natural:
        Path(args.cache).mkdir(parents=True, exist_ok=True)
        base_corpus(Path(args.data), Path(args.cache))
        _natural(args)
        return
    Path(args.cache).mkdir(parents=True, exist_ok=True)
    base_corpus(Path(args.data), Path(args.cache))  # analyse once before the workers start
    engines = args.engines.split(",")
    results = []
    runs = [(e, int(s)) for s in args.sizes.split(",") for e in engines]
    if not args.no_quality:
        runs = [(e, 0) for e in engines] + runs
    for engine, size in runs:
        cmd = [sys.executable, __file__, "--worker", engine, "--size", str(size), "--data", args.data,
               "--cache", args.cache, "--budget", str(args.budget)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"# {engine} @ {size}: FAILED\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(res)
        print(f"# done {engine} @ {size}: {json.dumps(res, ensure_ascii=False)}", file=sys.stderr, flush=True)
    quality = {r["engine"]: r for r in results if r["size"] == 0}
    print("\n| size | engine | build s | p50 ms | p95 ms | p99 ms | q/s | peak RSS MB (corpus) | index MB | "
          "p95 by class (text / +filters+facets / browse / geo) | NDCG@10 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if r["size"] == 0:
            continue
        q = quality.get(r["engine"])
        bc = r["by_class"]
        print(f"| {r['size']:,} | {r['engine']}{'' if r.get('stride', 1) == 1 else ' (' + str(r['queries']) + ' q)'} | {r['build_s']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['p99']:.1f} | {r['qps']:.0f} | {r['peak_rss_mb']:.0f} ({r['rss_corpus_mb']:.0f}) | "
              f"{r['size_mb']:.0f} | " + " / ".join(f"{bc.get(k, float('nan')):.1f}" for k in
                                                      ("text", "text+filters+facets", "facets (browse)", "geo")) +
              f" | {q['ndcg10']:.3f} |" if q else " | - |")
    if quality:
        n = next(iter(quality.values()))["queries"]
        print(f"\nNDCG@10 over {n} labelled queries on the real 智联 postings (label = the site's job category).")
    if not args.no_quality:
        _natural(args)
    if args.freshness:
        f = freshness(args, args.freshness)
        print(f"\nFreshness (embedded, relay running, 20,000-posting index): publish -> searchable "
              f"p50 {f['p50_s']:.2f} s, p99 {f['p99_s']:.2f} s, max {f['max_s']:.2f} s over {f['samples']} postings")


def _natural(args) -> None:
    cmd = [sys.executable, __file__, "--worker", "natural", "--size", str(args.natural_size), "--data", args.data,
           "--cache", args.cache] + (["--model", args.model] if args.model else []) \
        + (["--no-semantic"] if args.no_semantic else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"# natural-language run FAILED\n{proc.stderr[-2000:]}", file=sys.stderr)
        return
    print_natural(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
