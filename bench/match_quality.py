"""Matcher quality on held-out real postings, for the trained model and baselines in the same run.

    nice -n 10 .venv/bin/python bench/match_quality.py [--data ../shared/data] [--model PATH | --train]

Three evaluations (docs/matching.md says how each gold label is decided):
1. title -> description retrieval over held-out postings (MRR@10, recall@10);
2. occupation-code prediction from titles (accuracy at the detailed code and at the minor group);
3. NDCG@10 of ranking postings for >= 50 generated jobseekers built from held-out postings.
Baselines: BM25 on jieba-segmented text, TF-IDF on character 1-2-grams, random (and, for 2, the
majority code and the name-in-title rule). Held-out = CorpusPosting.held_out (never trained on).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.corpus import iter_postings, load_occupations, occupations_file  # noqa: E402
from matching.evaluation import BM25, mrr_recall_at_k, ndcg_at_k, reciprocal_ranks, tfidf_scores  # noqa: E402
from matching.ltr import city_codes as _city_codes  # noqa: E402
from matching.text import DESCRIPTION_CHARS, core_title, segment  # noqa: E402

# 智联 site categories -> national occupation codes (职业分类大典 2022), labelled by hand for the
# frequent categories that have one clear detailed occupation; categories with none (普工/操作工,
# 销售团队经理, 主播, 管培生...) are left out. Added automatically: a category whose name, or name +
# 员/工/师, is exactly a detailed occupation's name.
CATEGORY_CODES = {
    "销售顾问": "4-01-02-01", "电话销售": "4-01-02-01", "大客户代表": "4-01-02-01", "网络销售": "4-01-02-01",
    "渠道销售": "4-01-02-01", "汽车销售": "4-01-02-01", "销售助理": "4-01-02-01", "商品销售": "4-01-02-01",
    "促销员": "4-01-02-01", "房产销售": "4-06-02-01", "快递员": "4-02-07-08", "送餐员": "4-10-08-01",
    "配送员": "4-10-08-01", "客服专员": "4-07-02-03", "电话客服": "4-04-05-03", "医药代表": "2-06-07-07",
    "人力资源专员/助理": "4-07-03-04", "店员/营业员": "4-01-02-03", "保险顾问": "4-05-03-01",
    "配/理/拣/发货": "4-02-06-02", "行政专员/助理": "3-01-01-01", "服务员": "4-03-02-05",
    "招聘专员/助理": "4-07-03-08", "Java": "2-02-10-03", "秘书/文员": "3-01-02-02", "仓库管理员": "4-02-06-01",
    "物业管理员": "4-06-01-01", "运维工程师": "2-02-10-08", "电工": "6-31-01-03", "保安": "4-07-05-01",
    "保洁": "4-09-08-01", "质检员": "6-31-03-05", "焊工": "6-18-02-04", "收银": "4-01-02-04",
    "咖啡师": "4-03-02-08", "美容师": "4-10-03-01", "理货员": "4-02-06-02", "汽车维修": "4-12-01-01",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def table(title: str, header: list[str], rows: list[list]) -> str:
    out = [f"\n### {title}\n", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(f"{c:.4f}" if isinstance(c, float) else str(c) for c in r) + " |")
    return "\n".join(out)


city_codes = _city_codes  # bench/match_speed.py and bench/recommendations.py read it from here


def retrieval_documents(held, n: int, rng) -> list:
    """The retrieval task: held-out postings with a description (one per description head), shuffled."""
    seen, docs = set(), []
    for p in held:
        if p.source == "zhilian" or len(p.description) <= 20:
            continue
        key = p.description[:DESCRIPTION_CHARS]
        if key not in seen:
            seen.add(key)
            docs.append(p)
    rng.shuffle(docs)
    return docs[:n]


def retrieval(encoder, held, n: int, rng) -> list[list]:
    docs = retrieval_documents(held, n, rng)
    titles = [p.title for p in docs]
    texts = [p.description[:DESCRIPTION_CHARS] for p in docs]
    t0 = time.perf_counter()
    q, d = encoder.encode(titles), encoder.encode(texts)
    rows = [["in-domain model (cosine)", *mrr_recall_at_k(q @ d.T), f"{time.perf_counter() - t0:.1f}"]]
    return rows + _lexical_rows(titles, texts), len(docs)


def retrieval_baselines(held, n: int, rng) -> list[list]:
    docs = retrieval_documents(held, n, rng)
    return _lexical_rows([p.title for p in docs], [p.description[:DESCRIPTION_CHARS] for p in docs])


def _lexical_rows(titles: list[str], texts: list[str]) -> list[list]:
    rows = []
    t0 = time.perf_counter()
    bm = BM25([segment(t) for t in texts])
    rows.append(["BM25 (jieba)", *mrr_recall_at_k(bm.scores([segment(t) for t in titles])),
                 f"{time.perf_counter() - t0:.1f}"])
    t0 = time.perf_counter()
    rows.append(["TF-IDF (char 1-2-gram)", *mrr_recall_at_k(tfidf_scores(titles, texts)), f"{time.perf_counter() - t0:.1f}"])
    r = np.random.default_rng(0).random((len(titles), len(titles)))
    rows.append(["random", *mrr_recall_at_k(r), "0"])
    return rows


def occupation_accuracy(encoder, held, occupations) -> tuple[list[list], int, dict]:
    from matching.occupations import OccupationCoder

    detailed = {o.name: o.code for o in occupations if o.level == 4}
    gold_map = dict(CATEGORY_CODES)
    for cat in {p.category for p in held if p.category}:
        if cat in gold_map:
            continue
        for suffix in ("", "员", "工", "师"):
            if cat + suffix in detailed:
                gold_map[cat] = detailed[cat + suffix]
                break
    items = [(p.title, gold_map[p.category]) for p in held if p.category in gold_map]
    titles = [t for t, _ in items]
    gold = [g for _, g in items]
    det = [o for o in occupations if o.level == 4]
    names = [o.name for o in det]

    def acc(pred):
        exact = np.mean([p == g for p, g in zip(pred, gold)])
        minor = np.mean([p is not None and p.rsplit("-", 1)[0] == g.rsplit("-", 1)[0] for p, g in zip(pred, gold)])
        return [float(exact), float(minor)]

    rows = []
    coder = OccupationCoder(occupations, encoder)
    model_only = [c.code for c in coder.code(titles, use_names=False)]
    rows.append(["in-domain model: nearest occupation name", *acc(model_only)])
    hybrid = [c.code for c in coder.code(titles)]
    rows.append(["name-in-title rule, else model (OccupationCoder)", *acc(hybrid)])
    rule = OccupationCoder(occupations, None).code(titles)
    rows.append(["name-in-title rule alone (no answer = wrong)", *acc([c.code if c else None for c in rule])])
    bm = BM25([segment(n) for n in names])
    rows.append(["BM25 (jieba) nearest name", *acc([det[i].code for i in
                                                  np.argmax(bm.scores([segment(t) for t in titles]), axis=1)])])
    rows.append(["TF-IDF (char 1-2-gram) nearest name", *acc([det[i].code for i in
                                                            np.argmax(tfidf_scores(titles, names), axis=1)])])
    majority = Counter(gold).most_common(1)[0][0]
    rows.append([f"majority code ({majority})", *acc([majority] * len(gold))])
    rr = random.Random(0)
    rows.append(["random detailed code", *acc([rr.choice(det).code for _ in gold])])
    return rows, len(items), gold_map


def build_labelled_set(held, cities: dict[str, str], n_seekers: int, rng):
    """Jobseekers generated from held-out 智联 postings, each with a labelled pool of held-out postings
    (matching.ltr.generated_cases says how each label is decided)."""
    from matching.ltr import generated_cases

    return generated_cases(held, cities, n_seekers, rng, _SUBTYPE)


_SUBTYPE: dict[str, str] = {}
BOOTSTRAP = 2000


def interval(values, rng_seed: int = 0) -> tuple[float, float]:
    """Bootstrap 95 % interval of the mean over jobseekers."""
    v = np.asarray(values, dtype=np.float64)
    idx = np.random.default_rng(rng_seed).integers(0, len(v), (BOOTSTRAP, len(v)))
    means = v[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def ratio_interval(a, b, rng_seed: int = 0) -> tuple[float, float, float]:
    """mean(a) / mean(b) and its paired bootstrap 95 % interval (the same jobseekers resampled)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    idx = np.random.default_rng(rng_seed).integers(0, len(a), (BOOTSTRAP, len(a)))
    r = a[idx].mean(axis=1) / b[idx].mean(axis=1)
    return float(a.mean() / b.mean()), float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


def train_fold_rankers(encoder, corpus, cities, occupations, n_seekers: int, seed: int, log=print):
    """One learned ranker per city fold, each trained on generated jobseekers of the OTHER fold's
    cities only, from postings that are not held out: an evaluated jobseeker's list is ranked by a
    model that never saw its city nor any evaluation posting."""
    from matching.ltr import LearnedRanker, case_lists, train_categories, training_corpus
    from matching.occupations import OccupationCoder
    from matching.ranker import Ranker

    coder = OccupationCoder(occupations, encoder)
    ranker = Ranker(encoder, occupation_names={o.code: o.name for o in occupations})
    models, info = {}, {}
    for fold in (0, 1):
        pool = training_corpus(corpus, evaluated_fold=fold)
        cases = build_training(pool, cities, n_seekers, seed + fold)
        categories = train_categories(pool, _SUBTYPE)  # the kinds of job, learnt from this fold's postings too
        lists = case_lists(ranker, cases, coder, categories=categories)
        models[fold] = LearnedRanker.train([(x, y) for _s, _k, x, y, _a in lists], categories=categories)
        info[fold] = {"training_cities": sorted({c[3].city for c in cases}),
                      "lists": models[fold].meta["lists"], "rows": models[fold].meta["rows"],
                      "posting_ids": {p.id for c in cases for p in c[1]} | {c[3].id for c in cases}}
        log(f"  fold {fold}: trained on {info[fold]['lists']} lists, {info[fold]['rows']} rows")
    return models, info


def build_training(corpus, cities, n_seekers: int, seed: int):
    from matching.ltr import generated_cases

    return generated_cases(corpus, cities, n_seekers, random.Random(seed), _SUBTYPE)


def learned_ndcg(models, encoder, cases, occupations, rr) -> list[float]:
    from matching.ltr import case_lists, city_fold
    from matching.occupations import OccupationCoder
    from matching.ranker import Ranker

    coder = OccupationCoder(occupations, encoder)
    ranker = Ranker(encoder, occupation_names={o.code: o.name for o in occupations})
    out = []
    for case in cases:
        model = models[city_fold(case[3].city)]  # trained without this city's fold
        (_seeker, kept, x, y, gains_all), = case_lists(ranker, [case], coder, categories=model.categories)
        order = np.argsort(-model.predict(x), kind="stable") if len(y) else []
        ids = {p.id for p in kept}
        rest = [case[2][p.id] for p in case[1] if p.id not in ids]
        rr.shuffle(rest)
        out.append(ndcg_at_k([y[i] for i in order] + rest, gains_all))
    return out


def ndcg(encoder, cases, occupations) -> dict[str, list[float]]:
    """NDCG@10 per jobseeker, per method."""
    from matching.occupations import OccupationCoder
    from matching.ranker import Ranker

    coder = OccupationCoder(occupations, encoder)
    names = {o.code: o.name for o in occupations}
    ranker = Ranker(encoder, occupation_names=names)
    semantic = Ranker(encoder, occupation_names=names,
                      weights=__import__("matching.profiles", fromlist=["MatchWeights"]).MatchWeights(
                          semantic=1, occupation=0, skills=0, education_experience=0, pay=0, distance=0))
    scores = defaultdict(list)
    rr = random.Random(1)
    for seeker, postings, labels, _seed in cases:
        gains_all = [labels[p.id] for p in postings]
        seeker.desired_occupations = [c.code for c in coder.code(seeker.desired_titles) if c]
        for p, c in zip(postings, coder.code([p.title for p in postings])):
            p.occupation_code = c.code if c else None
        for name, r in ((HAND, ranker), (SEMANTIC, semantic)):
            ranked = r.rank_postings_for_seeker(seeker, postings, k=len(postings), today=dt.date(2026, 1, 1))
            order = [i.id for i in ranked.items]
            rest = [p.id for p in postings if p.id not in set(order)]
            rr.shuffle(rest)
            scores[name].append(ndcg_at_k([labels[i] for i in order + rest], gains_all))
        query = " ".join(seeker.desired_titles + seeker.skills)
        texts = [f"{p.title} {' '.join(p.skills)} {p.description}" for p in postings]
        bm = BM25([segment(t) for t in texts]).scores([segment(query)])[0]
        tf = tfidf_scores([query], texts)[0]
        emb = encoder.encode([query]) @ encoder.encode(texts).T
        same_region = np.array([p.region_code[:4] == seeker.region_code[:4] for p in postings])
        for name, s in ((BM25_NAME, bm), (BM25_REGION, bm + 1000 * same_region),
                        ("TF-IDF (char 1-2-gram)", tf), ("model cosine, no filters", emb[0]),
                        ("random", np.array([rr.random() for _ in postings]))):
            order = np.argsort(-s, kind="stable")
            scores[name].append(ndcg_at_k([gains_all[i] for i in order], gains_all))
    return scores


HAND = "matcher: filters + transparent score (hand-set weights)"
SEMANTIC = "matcher: filters + semantic only"
BM25_NAME = "BM25 (jieba)"
BM25_REGION = "BM25 + the same region filter"
LEARNED = "matcher: filters + learned ranker (LightGBM lambdarank)"


def ndcg_rows(scores: dict[str, list[float]]) -> list[list]:
    rows = []
    for name, v in scores.items():
        lo, hi = interval(v)
        rows.append([name, float(np.mean(v)), f"{lo:.3f}–{hi:.3f}"])
    return rows


def target_rows(scores: dict[str, list[float]]) -> list[list]:
    rows = []
    for base, target in ((BM25_REGION, 1.10), (BM25_NAME, 1.30), (HAND, 1.0)):
        r, lo, hi = ratio_interval(scores[LEARNED], scores[base])
        rows.append([f"learned / {base}", f"{r:.3f}", f"{lo:.3f}–{hi:.3f}", f"≥ {target:.2f}",
                     "met" if r >= target else "not met", "yes" if lo > 1.0 else "no"])
    return rows


def ranking_section(encoder, postings, held, occupations, data, args, rng, out, report) -> None:
    from matching.ltr import city_fold

    log("3. NDCG@10")
    cities = city_codes(data)
    cases = build_labelled_set(held, cities, args.seekers, rng)
    label_counts = Counter(v for _, _, labels, _ in cases for v in labels.values())
    scores = ndcg(encoder, cases, occupations)
    log("3b. learned ranker (two city folds)")
    t0 = time.perf_counter()
    models, info = train_fold_rankers(encoder, postings, cities, occupations, args.ltr_seekers, args.seed, log)
    eval_ids = {p.id for c in cases for p in c[1]} | {c[3].id for c in cases}
    leaked = sum(len(eval_ids & info[f]["posting_ids"]) for f in info)
    city_overlap = sum(1 for c in cases if c[3].city in info[city_fold(c[3].city)]["training_cities"])
    scores[LEARNED] = learned_ndcg(models, encoder, cases, occupations, random.Random(2))
    rows = ndcg_rows(scores)
    targets = target_rows(scores)
    out["ndcg"] = {"seekers": len(cases), "pool_size_mean": float(np.mean([len(c[1]) for c in cases])),
                   "labels": dict(label_counts), "rows": rows, "targets": targets,
                   "per_seeker": {k: [round(x, 4) for x in v] for k, v in scores.items()},
                   "learned": {"seconds": round(time.perf_counter() - t0, 1), "evaluation_postings_in_training": leaked,
                               "evaluated_seekers_whose_city_was_trained_on": city_overlap,
                               "folds": {f: {k: v for k, v in i.items() if k != "posting_ids"} for f, i in info.items()}}}
    report.append(table(f"3. Ranking postings for {len(cases)} generated jobseekers (pools of "
                        f"{out['ndcg']['pool_size_mean']:.0f} held-out postings; labels 3/2/1/0: "
                        f"{label_counts[3]}/{label_counts[2]}/{label_counts[1]}/{label_counts[0]}; "
                        f"95 % interval: bootstrap over jobseekers, {BOOTSTRAP} resamples)",
                        ["method", "NDCG@10", "95 % interval"], rows))
    fold_text = "; ".join(f"fold {f}: {i['lists']} lists / {i['rows']} postings from {len(i['training_cities'])} "
                          f"cities" for f, i in info.items())
    report.append(table("3b. Learned ranker against the targets (paired bootstrap of the ratio; trained per city "
                        f"fold on non-held-out postings of the other fold's cities: {fold_text}; evaluation "
                        f"postings in training: {leaked}; evaluated jobseekers whose city was trained on: "
                        f"{city_overlap})", ["ratio", "value", "95 % interval", "target", "target", "gain real"],
                        targets))


VOCAB_VARIANTS = (
    ("BPE, today's pairs (no hard negatives, no requirement/industry pairs)",
     dict(vocabulary="bpe", hard_negatives=False, extra_pairs=False)),
    ("BPE + hard negatives + new pairs", dict(vocabulary="bpe", hard_negatives=True, extra_pairs=True)),
    ("jieba words + hard negatives + new pairs", dict(vocabulary="words", hard_negatives=True, extra_pairs=True)),
    ("BPE ∪ jieba words + hard negatives + new pairs",
     dict(vocabulary="union", hard_negatives=True, extra_pairs=True)),
)


def compare_vocabularies(data: Path, args, out: dict, report: list) -> None:
    """One table: each vocabulary (and today's training) trained on the same postings for the same
    epochs, with its title -> description MRR@10 / recall@10 on the held-out retrieval task and its
    training seconds."""
    import os
    import tempfile

    from matching.encoder import Encoder
    from matching.training import TrainResult, train_encoder

    held = [p for p in iter_postings(data) if p.held_out]
    keep = Path(args.keep_models) if args.keep_models else Path(tempfile.mkdtemp(prefix="joblink-vocab-"))
    wanted = set(args.compare_vocab.split(",")) if args.compare_vocab != "all" else None
    rows, n, first = [], 0, None
    for i, (name, settings) in enumerate(VOCAB_VARIANTS):
        key = f"{i}-{settings['vocabulary']}"
        if wanted is not None and key not in wanted and str(i) not in wanted:
            continue
        log(f"vocabulary variant {key}: {name}")
        meta_file = keep / key / "joblink_model.json"
        if meta_file.exists():  # trained by an earlier (or a parallel) run into --keep-models: evaluate it
            result = TrainResult(**{k: v for k, v in json.loads(meta_file.read_text(encoding="utf-8")).items()
                                    if k in TrainResult.__dataclass_fields__})
            seconds, cpu = result.seconds, None
        else:
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = train_encoder(data, keep / key, limit=args.train_limit, epochs=args.epochs, dim=args.dim,
                                   learning_rate=args.learning_rate, time_budget_s=None, log=log, **settings)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        docs = retrieval_documents(held, args.retrieval_size, random.Random(args.seed))
        n, encoder = len(docs), Encoder(keep / key)
        rr = reciprocal_ranks(encoder.encode([p.title for p in docs])
                              @ encoder.encode([p.description[:DESCRIPTION_CHARS] for p in docs]).T)
        first = first if rows else rr
        mrr, recall = float(rr.mean()), float((rr > 0).mean())
        ratio, lo, hi = ratio_interval(rr, first)
        rows.append([name, mrr, recall, f"{ratio:.3f} ({lo:.3f}–{hi:.3f})", result.vocab_size, result.pairs,
                     result.hard_negatives, f"{seconds:.0f}", "" if cpu is None else f"{cpu:.0f}",
                     f"{os.getloadavg()[0]:.1f}"])
        log(f"  -> MRR@10 {mrr:.4f}, recall@10 {recall:.4f}, {seconds:.0f} s ({keep / key})")
    baselines = retrieval_baselines(held, args.retrieval_size, random.Random(args.seed))
    rows += [[name, mrr, recall, "", "", "", "", "", "", ""] for name, mrr, recall, _s in baselines]
    out["vocabularies"] = {"candidates": n, "train_limit_per_file": args.train_limit, "epochs": args.epochs,
                           "dim": args.dim, "learning_rate": args.learning_rate, "models": str(keep), "rows": rows}
    report.append(table(f"Vocabularies compared: title -> description over {n} held-out postings (each model "
                        f"trained on the same {args.train_limit} postings per file, {args.epochs} epochs, "
                        f"{args.dim} dimensions, learning rate {args.learning_rate}; seconds: wall-clock training, "
                        "and CPU when trained in this run; load average when evaluated)",
                        ["training", "MRR@10", "recall@10", "MRR ÷ first row (paired bootstrap 95 %)", "tokens",
                         "pairs", "with hard negative",
                         "seconds", "CPU s", "load"], rows))


def encoder_sections(encoder, postings, held, occupations, args, rng, out, report) -> None:
    """Encoder throughput, 1. retrieval and 2. occupation codes."""
    # throughput of the encoder on real posting texts
    texts = [p.title + " " + p.description[:DESCRIPTION_CHARS] for p in postings[:20000]]
    encoder.encode(texts[:1000])
    t0 = time.perf_counter()
    encoder.encode(texts)
    tps = len(texts) / (time.perf_counter() - t0)
    out["encoder_texts_per_second"] = round(tps)
    load = [round(x, 1) for x in __import__("os").getloadavg()]
    out["load_average"] = load
    report.append(f"Encoder throughput: {tps:,.0f} texts/s (title + 300-char description, batch 1024, CPU; "
                  f"machine load average {load} on 2 cores)")

    log("1. retrieval")
    rows, n = retrieval(encoder, held, args.retrieval_size, rng)
    out["retrieval"] = {"candidates": n, "rows": rows}
    report.append(table(f"1. Title -> description retrieval ({n} held-out postings, each title against all {n} "
                        "descriptions)", ["method", "MRR@10", "recall@10", "seconds"], rows))
    log("2. occupation codes")
    rows, n, gold_map = occupation_accuracy(encoder, held, occupations)
    out["occupation"] = {"titles": n, "categories_with_gold": len(gold_map), "rows": rows}
    report.append(table(f"2. Occupation code from the title ({n} held-out 智联 postings of {len(gold_map)} "
                        "categories with a gold code; 1,639 detailed codes to choose from)",
                        ["method", "accuracy (detailed code)", "accuracy (minor group)"], rows))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--model", default=None, help="a trained model folder (default: train one now)")
    ap.add_argument("--train-limit", type=int, default=25000, help="postings per file when training (2 files)")
    ap.add_argument("--retrieval-size", type=int, default=5000)
    ap.add_argument("--seekers", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ltr-seekers", type=int, default=800,
                    help="generated jobseekers per city fold to train on (800: what joblink ranker train uses)")
    ap.add_argument("--compare-vocab", default=None, metavar="all|0-bpe,2-words,...",
                    help="only train and compare the vocabularies (BPE, jieba words, both) on the retrieval task")
    ap.add_argument("--ranking-only", action="store_true",
                    help="skip the throughput, retrieval and occupation sections (the same labelled set)")
    ap.add_argument("--keep-models", default=None, help="with --compare-vocab: where to keep the trained models")
    ap.add_argument("--epochs", type=int, default=2, help="with --compare-vocab: epochs per variant")
    ap.add_argument("--dim", type=int, default=256, help="with --compare-vocab: dimensions per variant")
    ap.add_argument("--learning-rate", type=float, default=0.1, help="with --compare-vocab: learning rate")
    ap.add_argument("--json", dest="json_out", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    data = Path(args.data)
    rng = random.Random(args.seed)
    out = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    report = []
    if args.compare_vocab:
        compare_vocabularies(data, args, out, report)
        print("\n".join(report))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0

    from matching.encoder import Encoder

    if args.model:
        model_dir = Path(args.model)
    else:
        import tempfile

        from matching.training import train_encoder

        model_dir = Path(tempfile.mkdtemp(prefix="joblink-model-"))
        log(f"training on {data} (limit {args.train_limit} per file) -> {model_dir}")
        t0 = time.perf_counter()
        result = train_encoder(data, model_dir, limit=args.train_limit, log=log)
        out["training"] = {"seconds": round(time.perf_counter() - t0, 1), "postings": result.postings_used,
                           "epochs_run": result.epochs_run,
                           "load_average": [round(x, 1) for x in __import__("os").getloadavg()],
                           "pairs": result.pairs, "model_version": result.model_version}
        report.append(f"Training: {out['training']['seconds']} s for {result.postings_used} training postings "
                      f"({result.pairs} pairs, {result.epochs_run} epoch(s) within the 540 s budget; load average "
                      f"{out['training']['load_average']}), model {result.model_version}")
    encoder = Encoder(model_dir)
    out["model_version"] = encoder.version
    report.append(f"Model: {encoder.version} ({model_dir})")

    log("loading postings")
    postings = list(iter_postings(data))
    held = [p for p in postings if p.held_out]
    occupations = load_occupations(occupations_file(data))
    import gzip

    zl_file = data / "postings" / "zhilian-30cities-2022.jsonl.gz"
    if zl_file.exists():
        with gzip.open(zl_file, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                _SUBTYPE["ZL_" + str(rec.get("jobId"))] = str(rec.get("subJobTypeLevel") or "")
    report.append(f"Held-out postings: {len(held)} of {len(postings)}")

    if args.ranking_only:
        retrieval_documents(held, args.retrieval_size, rng)  # the same random draws: the same labelled set
    else:
        encoder_sections(encoder, postings, held, occupations, args, rng, out, report)
    ranking_section(encoder, postings, held, occupations, data, args, rng, out, report)
    print("\n".join(report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
