"""Deduplication quality and cost: the enterprise-scoped MinHash LSH against exact title+company matching.

    nice -n 10 .venv/bin/python bench/dedup_quality.py [--data ../shared/data] [--variants 3000]
        [--sizes 10000,50000,100000] [--compare-shingling]

Labelled pairs (each a "first" posting a, already in the index, and a later record b):

1. real repeats — the shared postings' title+company+area repeats (jobhunting-2024-2025, the same
   title at the same enterprise and place under different ids/platforms). Labelled from their
   descriptions, not by the method under test: identical text (whitespace and punctuation aside)
   -> same job; text sharing almost nothing (character 4-gram Jaccard < 0.1) -> different jobs of
   one enterprise under one title (large firms post many 前端开发工程师 for different teams); in
   between or one description missing -> not labelled (counted and reported).
2. raw 51job repeats — the raw GB18030 scrape's exact duplicate rows (same job) and its
   title+company repeats with a different place or pay (different jobs).
3. derived variants — real postings rewritten the ways channels rewrite them: re-typed titles
   (case, spaces, 急招, bracketed codes, full-width), reformatted text (line breaks, punctuation,
   list numbering), trimmed descriptions (60-90 % kept), company name long/short forms, reformatted
   pay; and hard negatives: another real posting of the same enterprise with a different title, and
   a real posting of another enterprise with the same title.

A pair is predicted "same job" when b's LSH candidates include a and the verification accepts it
(the index holds every real posting, so blocking works among realistic distractors). Baseline:
exact (title, company) string equality. Cost: fingerprint + find + add per posting at 10k/50k/100k
postings resampled and perturbed from the real ones; verifications per posting vs the n^2/2 pairs
of an all-pairs method.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.dedup import DedupIndex, fingerprint_fields, normalize_title, same_job  # noqa: E402
from indexer.normalise import resolve_region  # noqa: E402
from core.reference.services import region_directory  # noqa: E402

_NORM = re.compile(r"[\s\W_]+")


def norm_text(t: str | None) -> str:
    return _NORM.sub("", t or "")


def grams4(t: str) -> set[str]:
    return {t[i: i + 4] for i in range(len(t) - 3)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# -- data ------------------------------------------------------------------------------------------

def load_postings(data: Path) -> list[dict]:
    regions = region_directory()
    cache: dict[str, str | None] = {}
    out = []
    with gzip.open(data / "postings" / "jobhunting-2024-2025.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            area = r.get("area") or ""
            if area not in cache:
                res = resolve_region(area, regions=regions)
                cache[area] = res.code if res.status == "resolved" else None
            out.append({
                "id": r["id"], "title": r.get("title") or "", "description": r.get("description") or "",
                "company": r.get("company") or "", "area": area, "region": cache[area],
                "pay": f"{r.get('salary_min')}-{r.get('salary_max')}",
            })
    return out


def load_raw_51job(data: Path) -> list[dict]:
    raw = (data / "postings" / "raw-51job" / "51job-bigdata-2019.csv").read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(raw)))[1:]
    regions = region_directory()

    def cell(v: str) -> str:
        m = re.fullmatch(r"\[\s*'?(.*?)'?\s*\]", v.strip())
        return (m.group(1) if m else v).strip()

    out = []
    for i, r in enumerate(rows):
        title, pay, company, area, desc = cell(r[0]), cell(r[1]), cell(r[2]), cell(r[5]), r[10]
        res = resolve_region(area, regions=regions)
        out.append({"id": f"51raw-{i}", "title": title, "company": company, "area": area, "pay": pay,
                    "description": desc, "region": res.code if res.status == "resolved" else None,
                    "row": tuple(r)})
    return out


def fp_of(p: dict, shingling: str | None = None):
    return fingerprint_fields(p["title"], p["description"], p["company"], None, p.get("region"), None,
                              shingling=shingling)


# -- labelled pairs ----------------------------------------------------------------------------------

def real_repeat_pairs(postings: list[dict]) -> tuple[list, dict]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for p in postings:
        groups[(p["title"], p["company"], p["area"])].append(p)
    pairs, counts = [], defaultdict(int)
    for members in groups.values():
        if len(members) < 2:
            continue
        a = members[0]
        for b in members[1:]:
            counts["repeats"] += 1
            ta, tb = norm_text(a["description"]), norm_text(b["description"])
            if len(ta) < 20 or len(tb) < 20:
                counts["unlabelled_missing_text"] += 1
            elif ta == tb:
                pairs.append((a, b, True, "real: identical text"))
            elif jaccard(grams4(ta), grams4(tb)) < 0.1:
                pairs.append((a, b, False, "real: same title, unrelated text"))
            else:
                counts["unlabelled_partial_overlap"] += 1
                pairs.append((a, b, None, "real: partial overlap (unlabelled)"))
    return pairs, dict(counts)


def raw_51job_pairs(rows: list[dict]) -> tuple[list, dict]:
    pairs, counts = [], defaultdict(int)
    seen_row: dict[tuple, dict] = {}
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if not r["title"] or not r["company"]:
            counts["blank_rows_skipped"] += 1      # the file's 'duplicate rows' are mostly empty lines
            continue
        if r["row"] in seen_row:
            pairs.append((seen_row[r["row"]], r, True, "raw51: exact duplicate row"))
            counts["exact_duplicate_rows"] += 1
            continue
        seen_row[r["row"]] = r
        by_key[(r["title"], r["company"])].append(r)
    for members in by_key.values():
        a = members[0]
        for b in members[1:]:
            if a["area"] != b["area"] and not nested(a["region"], b["region"]):
                pairs.append((a, b, False, "raw51: same title+company, other place"))
                counts["other_place"] += 1
            elif norm_text(a["description"]) == norm_text(b["description"]) and a["pay"] == b["pay"]:
                pairs.append((a, b, True, "raw51: same title+company+place+text"))
                counts["same_text"] += 1
            else:
                counts["unlabelled"] += 1
    return pairs, dict(counts)


def nested(a: str | None, b: str | None) -> bool:
    """One place inside the other (长沙 and 长沙-岳麓区): the label cannot say they differ."""
    if not a or not b:
        return True
    pa, pb = a.rstrip("0") or a, b.rstrip("0") or b
    return pa.startswith(pb) or pb.startswith(pa)


_CN_TO_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"}


def retitle(t: str, rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return t.upper() if t.lower() == t else t.lower()
    if choice == 1:
        return f"急招！{t}"
    if choice == 2:
        return f"{t}（{rng.choice(['双休', '五险一金', '包吃住', '急聘'])}）"
    if choice == 3:
        return f"{t}(J{rng.randrange(10000, 99999)})"
    return t.translate(_CN_TO_FULLWIDTH)


def reformat(text: str, rng: random.Random) -> str:
    t = text.replace("\n", " " if rng.random() < 0.5 else "\n\n")
    t = t.replace("；", ";").replace("，", ",") if rng.random() < 0.5 else t.replace("、", ".")
    return re.sub(r"(\d)、", r"\1. ", t)


def trim(text: str, rng: random.Random) -> str:
    return text[: max(20, int(len(text) * rng.uniform(0.6, 0.9)))]


def company_variant(name: str, rng: random.Random) -> str:
    if name.endswith("有限公司"):
        return name[: -len("有限公司")]
    return rng.choice(["深圳市", "广州", "北京"]) + name + "有限公司"


def derived_pairs(postings: list[dict], n: int, rng: random.Random) -> list:
    pool = [p for p in postings if len(norm_text(p["description"])) >= 100 and p["company"]]
    by_company: dict[str, list[dict]] = defaultdict(list)
    by_title: dict[str, list[dict]] = defaultdict(list)
    for p in pool:
        by_company[p["company"]].append(p)
        by_title[p["title"]].append(p)
    pairs = []
    kinds = ["retitle", "reformat", "trim", "company", "pay", "combined"]
    for a in rng.sample(pool, min(n, len(pool))):
        kind = rng.choice(kinds)
        b = dict(a, id=a["id"] + "-v")
        if kind in ("retitle", "combined"):
            b["title"] = retitle(a["title"], rng)
        if kind in ("reformat", "combined"):
            b["description"] = reformat(b["description"], rng)
        if kind in ("trim", "combined"):
            b["description"] = trim(b["description"], rng)
        if kind == "company":
            b["company"] = company_variant(a["company"], rng)
        if kind == "pay":
            lo, _, hi = a["pay"].partition("-")
            b["pay"] = f"{lo}元-{hi}元/月"
        pairs.append((a, b, True, f"derived: {kind}"))
        # hard negatives
        # a different job of the same enterprise: another title (not just re-cased or re-decorated)
        # and another text (an identical text under a reworded title may be the same job re-listed)
        others = [o for o in by_company[a["company"]]
                  if normalize_title(o["title"]) != normalize_title(a["title"])
                  and norm_text(o["description"]) != norm_text(a["description"])]
        if others:
            pairs.append((a, rng.choice(others), False, "derived: same enterprise, other title"))
        namesakes = [o for o in by_title[a["title"]] if o["company"] != a["company"]]
        if namesakes:
            pairs.append((a, rng.choice(namesakes), False, "derived: same title, other enterprise"))
    return pairs


# -- evaluation --------------------------------------------------------------------------------------

def evaluate(pairs: list, corpus: list[dict], shingling: str | None = None) -> dict:
    idx = DedupIndex()
    ids: dict[str, int] = {}
    fps: dict[str, object] = {}
    for p in corpus + [a for a, _b, _l, _k in pairs]:
        if p["id"] in ids:
            continue
        ids[p["id"]] = len(ids)
        fps[p["id"]] = fp_of(p, shingling)
        idx.add(ids[p["id"]], fps[p["id"]])
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a, b, label, kind in pairs:
        fb = fp_of(b, shingling)
        ours = ids[a["id"]] in idx.candidates(fb) and same_job(fb, fps[a["id"]])[0]
        base = a["title"] == b["title"] and a["company"] == b["company"]
        if label is None:   # not labelled: only how often each method merges them
            by_kind[("unlabelled", "merged_by_ours")]["n"] += ours
            by_kind[("unlabelled", "merged_by_baseline")]["n"] += base
            by_kind[("unlabelled", "total")]["n"] += 1
            continue
        for name, pred in (("ours", ours), ("baseline", base)):
            for group in (kind.split(":")[0], "all"):
                c = by_kind[(name, group)]
                c["tp"] += pred and label
                c["fp"] += pred and not label
                c["fn"] += (not pred) and label
                c["tn"] += (not pred) and not label
    return by_kind


def hand_labelled_middle(postings: list[dict], corpus: list[dict]) -> str | None:
    """The 24 partially overlapping real repeats read side by side and labelled by hand
    (bench/dedup_middle_labels.csv): how ours and the baseline decide them."""
    path = Path(__file__).with_name("dedup_middle_labels.csv")
    if not path.exists():
        return None
    by_id = {p["id"]: p for p in postings}
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["id_a"] in by_id and r["id_b"] in by_id]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        a, b = by_id[r["id_a"]], by_id[r["id_b"]]
        idx = DedupIndex()
        idx.add(1, fp_of(a))
        ours = idx.find(fp_of(b)) == 1
        counts[(r["label"], "ours")] += ours
        counts[(r["label"], "baseline")] += a["title"] == b["title"] and a["company"] == b["company"]
        counts[(r["label"], "n")] += 1
    return (f"hand-labelled partially overlapping repeats ({len(rows)}): same job merged by ours "
            f"{counts[('same', 'ours')]}/{counts[('same', 'n')]}, by the baseline {counts[('same', 'baseline')]}/"
            f"{counts[('same', 'n')]}; different jobs merged by ours {counts[('different', 'ours')]}/"
            f"{counts[('different', 'n')]}, by the baseline {counts[('different', 'baseline')]}/"
            f"{counts[('different', 'n')]}; undecidable {counts[('undecidable', 'n')]}")


def prf(c: dict) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def print_quality(by_kind: dict, title: str) -> None:
    print(f"\n{title}")
    print(f"{'set':<10} {'method':<9} {'pairs':>6} {'pos':>5} {'precision':>9} {'recall':>7} {'F1':>6}")
    for group in ("real", "raw51", "derived", "all"):
        for name in ("ours", "baseline"):
            c = by_kind.get((name, group))
            if not c:
                continue
            p, r, f = prf(c)
            n = c["tp"] + c["fp"] + c["fn"] + c["tn"]
            print(f"{group:<10} {name:<9} {n:>6} {c['tp'] + c['fn']:>5} {p:>9.3f} {r:>7.3f} {f:>6.3f}")


def cost(postings: list[dict], sizes: list[int], rng: random.Random) -> None:
    print("\nCost (resampled + perturbed real postings; one process, this machine):")
    print(f"{'postings':>9} {'fingerprint s':>13} {'find+add s':>10} {'µs/posting':>10} {'verifications':>13} "
          f"{'per posting':>11} {'all-pairs':>14} {'merged':>7}")
    pool = [p for p in postings if p["company"]]
    base_time = None
    for n in sizes:
        sample = []
        for i in range(n):
            p = rng.choice(pool)
            q = dict(p, id=f"{p['id']}#{i}")
            r = rng.random()
            if r < 0.3:
                q["title"] = retitle(p["title"], rng)
            elif r < 0.5:
                q["description"] = trim(p["description"], rng)
            elif r < 0.8:   # a different enterprise's copy: keeps blocks realistic in size
                q["company"] = f"{p['company']}{i % 997}"
            sample.append(q)
        t0 = time.perf_counter()
        fps = [fp_of(p) for p in sample]
        t1 = time.perf_counter()
        idx = DedupIndex()
        merged = 0
        for i, f in enumerate(fps):
            if idx.find(f) is None:
                idx.add(i, f)
            else:
                merged += 1
        t2 = time.perf_counter()
        per = (t2 - t0) / n * 1e6
        base_time = base_time or (t2 - t0) / n
        print(f"{n:>9} {t1 - t0:>13.1f} {t2 - t1:>10.1f} {per:>10.0f} {idx.comparisons:>13} "
              f"{idx.comparisons / n:>11.2f} {n * (n - 1) // 2:>14} {merged:>7}")
    print("(µs/posting flat across sizes = linear total cost; verifications per posting stay bounded by "
          "the enterprise blocks)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--variants", type=int, default=3000)
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--seed", type=int, default=20241122)
    ap.add_argument("--compare-shingling", action="store_true", help="also evaluate jieba word shingles")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    data = Path(args.data)

    t = time.perf_counter()
    postings = load_postings(data)
    raw = load_raw_51job(data)
    print(f"loaded {len(postings)} postings and {len(raw)} raw 51job rows in {time.perf_counter() - t:.1f}s")

    real, real_counts = real_repeat_pairs(postings)
    raw_pairs, raw_counts = raw_51job_pairs(raw)
    derived = derived_pairs(postings, args.variants, rng)
    pairs = real + raw_pairs + derived
    print(f"real repeats: {real_counts}; labelled {sum(p[2] is not None for p in real)} "
          f"({sum(p[2] is True for p in real)} same job, {sum(p[2] is False for p in real)} different jobs)")
    print(f"raw 51job: {raw_counts}; labelled {len(raw_pairs)}")
    print(f"derived: {len(derived)} pairs ({sum(p[2] for p in derived)} variants, "
          f"{sum(not p[2] for p in derived)} hard negatives)")

    # the index holds every real posting that is not itself a "later" member of a pair
    later = {id(b) for _a, b, _l, _k in pairs}
    corpus = [p for p in postings if id(p) not in later] + [r for r in raw if id(r) not in later]
    t = time.perf_counter()
    by_kind = evaluate(pairs, corpus)
    print(f"evaluated in {time.perf_counter() - t:.1f}s (index of {len(corpus)} postings)")
    print_quality(by_kind, "Quality (char 4-gram MinHash, the default):")
    tot = by_kind.get(("unlabelled", "total"), {}).get("n", 0)
    if tot:
        print(f"unlabelled real repeats with partially overlapping text: {tot}; merged by ours "
              f"{by_kind[('unlabelled', 'merged_by_ours')]['n'] / tot:.1%}, by the baseline "
              f"{by_kind[('unlabelled', 'merged_by_baseline')]['n'] / tot:.1%}")

    middle = hand_labelled_middle(postings, corpus)
    if middle:
        print(middle)

    if args.compare_shingling:
        sub = rng.sample([p for p in pairs if p[2] is not None], min(3000, len(pairs)))
        small = rng.sample(corpus, min(8000, len(corpus)))
        for mode in ("char", "jieba"):
            t = time.perf_counter()
            res = evaluate(sub, small, shingling=mode)
            print_quality(res, f"Shingling '{mode}' on a 3,000-pair subsample, 8,000-posting index "
                               f"({time.perf_counter() - t:.1f}s):")

    cost(postings, [int(s) for s in args.sizes.split(",") if s], rng)
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
