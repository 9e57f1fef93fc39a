"""Matcher speed at 100,000 and 1,000,000 generated jobseekers.

    nice -n 10 .venv/bin/python bench/match_speed.py --model PATH [--sizes 100000 1000000]

Prints p50/p95 latency of the whole ranking call (hard constraints, vector search, re-scoring,
group policy, explanations) for the top 50 jobseekers of a posting and the top 20 postings for a
jobseeker, the encoder's throughput, ANN recall@50 against exact search on the same scope, and
memory. Jobseekers are generated (labelled as such): desired titles and skills drawn from real
postings, cities drawn with the uneven sizes real cities have, a small random jitter on each vector
so that no two people are identical. Postings are the real ones (about 85,000).

Then the service path (issue 13: "measures the service, not only the ranker"): 为我推荐 as the page
calls it (``recommend_postings``: the database, the pool, the hand-set score and the learned order)
at --service-sizes published postings, which is bench/recommendations.py run in the same process with
its own database and model (built once into --service-cache; 1,000,000 postings take about 15
minutes the first time). --service-sizes 0 leaves it out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.corpus import iter_postings  # noqa: E402
from matching.profiles import GroupPolicy, PostingProfile, SeekerProfile  # noqa: E402
from matching import vectors  # noqa: E402

GROUPS = ["graduate", "veteran", "migrant_worker", "land_lost_farmer", "laid_off", "disabled"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values, q):
    return float(np.percentile(np.asarray(values) * 1000, q))


def city_codes(data: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from match_quality import city_codes as cc

    return cc(data)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--service-sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="published postings for the service path (bench/recommendations.py); 0: skip it")
    ap.add_argument("--service-cache", default=None, help="bench/recommendations.py's --cache")
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args(argv)
    rng = random.Random(11)
    nrng = np.random.default_rng(11)
    data = Path(args.data)

    from matching.encoder import Encoder
    from matching.ranker import Ranker

    encoder = Encoder(args.model)
    ranker = Ranker(encoder)
    cities = city_codes(data)
    log("loading postings")
    raw = [p for p in iter_postings(data) if cities.get(p.city)]
    city_list = sorted({p.city for p in raw})
    centres = {c: (nrng.uniform(22, 40), nrng.uniform(105, 121)) for c in city_list}
    results = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "model_version": encoder.version}

    # encoder throughput on real posting texts
    texts = [p.title + " " + " ".join(p.skills) + " " + p.description[:300] for p in raw[:20000]]
    encoder.encode(texts[:1000])
    t0, c0 = time.perf_counter(), time.process_time()
    p_vecs_part = encoder.encode(texts)
    tps = len(texts) / (time.perf_counter() - t0)
    results["encoder_texts_per_second"] = round(tps)
    # per CPU-second of this process (all its threads): independent of what else the machine runs
    results["encoder_texts_per_cpu_second"] = round(len(texts) / (time.process_time() - c0))
    short = [f"{p.title} {' '.join(p.skills[:3])}" for p in raw[20000:40000]]
    t0 = time.perf_counter()
    encoder.encode(short)
    results["encoder_short_texts_per_second"] = round(len(short) / (time.perf_counter() - t0))
    results["load_average"] = [round(x, 1) for x in __import__("os").getloadavg()]
    log(f"encoder: {tps:,.0f} texts/s (posting texts), {results['encoder_short_texts_per_second']:,} texts/s "
        f"(title + skills), load average {results['load_average']}")

    # the posting pool: every real posting with a known city
    postings = []
    for i, p in enumerate(raw):
        lat, lon = p.lat, p.lon
        if lat is None:
            c = centres[p.city]
            lat, lon = c[0] + nrng.normal(0, 0.08), c[1] + nrng.normal(0, 0.08)
        postings.append(PostingProfile(id=i, title=p.title, description=p.description[:300], skills=p.skills,
                                       region_code=cities[p.city] + "01", lat=lat, lon=lon, pay_min=p.pay_min,
                                       pay_max=p.pay_max, employment_type="internship" if i % 50 == 0 else "full_time"))
    log(f"embedding {len(postings)} postings")
    t0 = time.perf_counter()
    p_emb = np.vstack([p_vecs_part, encoder.encode([ranker.posting_text(p) for p in postings[len(texts):]])])
    for p, v in zip(postings, p_emb):
        p.embedding = v
    log(f"  {time.perf_counter() - t0:.0f}s")
    posting_pool = ranker.pool(postings, today=dt.date(2026, 1, 1))

    # the seekers' vocabulary: real titles and skills; city weights uneven (Zipf-like)
    titles = list({p.title for p in raw})
    weights = np.array([1 / (r + 1) ** 0.8 for r in range(len(city_list))])
    weights /= weights.sum()
    archetypes = 40_000
    arche_titles = [rng.choice(titles) for _ in range(archetypes)]
    arche_skills = [rng.choice(raw).skills[:3] for _ in range(archetypes)]
    log(f"embedding {archetypes} seeker archetypes")
    arche_vecs = encoder.encode([f"{t} {' '.join(s)}" for t, s in zip(arche_titles, arche_skills)])

    rows = []
    for n in sorted(args.sizes):
        gc.collect()
        log(f"--- {n:,} jobseekers: generating")
        t0 = time.perf_counter()
        which = nrng.integers(0, archetypes, n)
        city_idx = nrng.choice(len(city_list), n, p=weights)
        emb = arche_vecs[which] + nrng.normal(0, 0.03, (n, arche_vecs.shape[1])).astype(np.float32)
        seekers = []
        for i in range(n):
            c = city_list[city_idx[i]]
            centre = centres[c]
            seekers.append(SeekerProfile(
                id=i, desired_titles=[arche_titles[which[i]]], skills=arche_skills[which[i]],
                region_code=cities[c] + "01", lat=centre[0] + nrng.normal(0, 0.08) if i % 3 else None,
                lon=centre[1] + nrng.normal(0, 0.08) if i % 3 else None,
                expected_pay_min=float(rng.choice([3000, 4000, 5000, 6000, 8000, 10000])),
                education=rng.choice(["junior", "senior", "associate", "bachelor"]), experience_years=rng.randint(0, 15),
                groups=[rng.choice(GROUPS)] if rng.random() < 0.15 else [], consent_recommendation=rng.random() < 0.9,
                availability="unavailable" if rng.random() < 0.05 else "immediate",
                graduation_year=2025 if rng.random() < 0.1 else None,
            ))
        gen_s = time.perf_counter() - t0
        log(f"  generated in {gen_s:.0f}s; building the pool (IVF lists in every city; searches use them only "
            f"when the scope holds more than {vectors.EXACT_MAX:,} vectors)")
        t0 = time.perf_counter()
        pool = ranker_pool = __import__("matching.ranker", fromlist=["ProfilePool"]).ProfilePool(
            seekers, emb, today=dt.date(2026, 1, 1), build_ivf=True)
        del emb
        build_s = time.perf_counter() - t0
        log(f"  pool built in {build_s:.0f}s (nlist {pool.index.nlist})")
        city_sizes = sorted((e - s for s, e in pool.index.part_ranges.values()), reverse=True)

        queries = rng.sample(postings, args.queries)
        policy = GroupPolicy({"graduate": 0.2, "veteran": 0.1})
        lat_seekers, modes = [], []
        for q in queries:
            t0 = time.perf_counter()
            res = ranker.rank_seekers_for_posting(q, pool, k=50, policy=policy, today=dt.date(2026, 1, 1))
            lat_seekers.append(time.perf_counter() - t0)
            modes.append(res.search)
        seeker_queries = rng.sample(seekers, args.queries)
        for s in seeker_queries:
            s.consent_recommendation = True
            s.embedding = pool.index.vectors_of(np.array([s.id]))[0]
        lat_posts = []
        for s in seeker_queries:
            t0 = time.perf_counter()
            ranker.rank_postings_for_seeker(s, posting_pool, k=20, today=dt.date(2026, 1, 1))
            lat_posts.append(time.perf_counter() - t0)

        # ANN recall@50 against exact search on the same scope: the posting's city, and the whole pool
        recalls_city, recalls_global, ann_ms, exact_ms = [], [], [], []
        for q in queries[:100]:
            part = [int(q.region_code[:4])]
            t0 = time.perf_counter()
            exact = pool.index.search(q.embedding, 50, part, None, mode="exact")
            exact_ms.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            approx = pool.index.search(q.embedding, 50, part, None, mode="ann")
            ann_ms.append(time.perf_counter() - t0)
            recalls_city.append(len(set(exact.ids) & set(approx.ids)) / max(1, len(exact.ids)))
            ge = pool.index.search(q.embedding, 50, None, None, mode="exact")
            ga = pool.index.search(q.embedding, 50, None, None, mode="ann")
            recalls_global.append(len(set(ge.ids) & set(ga.ids)) / max(1, len(ge.ids)))
        row = {
            "jobseekers": n, "postings": len(postings), "largest_city": int(city_sizes[0]), "nlist": pool.index.nlist,
            "seekers_for_post_p50_ms": pct(lat_seekers, 50), "seekers_for_post_p95_ms": pct(lat_seekers, 95),
            "search_modes": {m: modes.count(m) for m in set(modes)},
            "posts_for_seeker_p50_ms": pct(lat_posts, 50), "posts_for_seeker_p95_ms": pct(lat_posts, 95),
            "ann_recall@50_city": float(np.mean(recalls_city)), "ann_recall@50_global": float(np.mean(recalls_global)),
            "city_exact_p50_ms": pct(exact_ms, 50), "city_ann_p50_ms": pct(ann_ms, 50),
            "vectors_mb": pool.index.vectors.nbytes / 2**20, "max_rss_mb": rss_mb(),
            "generate_s": round(gen_s, 1), "pool_build_s": round(build_s, 1),
        }
        rows.append(row)
        log(json.dumps(row, ensure_ascii=False, default=float))
        del pool, ranker_pool, seekers
        gc.collect()

    results["rows"] = rows
    print(f"Model {encoder.version}; encoder {results['encoder_texts_per_second']:,} texts/s on posting texts "
          f"(title + skills + 300-character description; {results['encoder_texts_per_cpu_second']:,} per CPU-second), "
          f"{results['encoder_short_texts_per_second']:,} texts/s on "
          f"title + skills (target >= 2,000); machine load average then {results['load_average']}; "
          f"{len(postings):,} real postings as the posting pool\n")
    print("| jobseekers | top-50 seekers for a post p50 / p95 ms | top-20 posts for a seeker p50 / p95 ms | "
          "ANN recall@50 (city / global) | exact vs ANN search p50 ms (city) | vectors MB | max RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['jobseekers']:,} | {r['seekers_for_post_p50_ms']:.1f} / {r['seekers_for_post_p95_ms']:.1f} | "
              f"{r['posts_for_seeker_p50_ms']:.1f} / {r['posts_for_seeker_p95_ms']:.1f} | "
              f"{r['ann_recall@50_city']:.3f} / {r['ann_recall@50_global']:.3f} | "
              f"{r['city_exact_p50_ms']:.1f} vs {r['city_ann_p50_ms']:.1f} | {r['vectors_mb']:.0f} | {r['max_rss_mb']:.0f} |")
    print("\nTargets: p95 <= 50 ms at 100k and <= 150 ms at 1M; recall@50 >= 0.95.\n")
    sizes = [n for n in args.service_sizes if n > 0]
    if sizes:
        results["service"] = service_path(args, sizes)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    return 0


def service_path(args, sizes: list[int]) -> dict:
    """为我推荐 through the service (bench/recommendations.py, loaded by path: bench/ is not a package),
    both orders, its table printed here."""
    import importlib.util
    import tempfile

    spec = importlib.util.spec_from_file_location("bench_recommendations", ROOT / "bench" / "recommendations.py")
    rec = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rec)
    out = Path(tempfile.mkdtemp(prefix="joblink-match-speed-")) / "service.json"
    argv = ["--data", args.data, "--sizes", *map(str, sizes), "--old-queries", "0",
            "--orders", "score", "learned", "--json", str(out)]
    if args.service_cache:
        argv += ["--cache", args.service_cache]
    # one thread, as in a server's worker (webapp/gunicorn_conf.py); the libraries are loaded already,
    # so their pools are limited here rather than through the environment
    import torch
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            rec.main(argv)
    finally:
        torch.set_num_threads(threads)
    return json.loads(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    raise SystemExit(main())
