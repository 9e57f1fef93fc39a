"""Ingest benchmark: N postings (default 100,000) resampled and perturbed from the real postings,
end to end (adapter -> normalise -> screen -> dedup -> persist with sources and outbox) into a fresh
SQLite database, beside a naive row-by-row baseline (one posting per transaction, ORM objects, a
query per look-up). Prints postings/s and peak memory of each, and the dedup cost at 10k/50k/100k.
Search indexing is excluded (it is the relay's work, drained from the outbox afterwards).

    nice -n 10 .venv/bin/python bench/ingest.py [--n 100000] [--baseline-n 3000] [--data ../shared/data/postings]
        [--dump-decisions FILE]

Each measurement runs in its own subprocess so peak memory (ru_maxrss) is its own. ``--dump-decisions``
writes, after the pipeline run, every record's fate as the database holds it (one JSON line per record:
outcome, canonical posting, the posting's fields, hold/reject reasons), so two versions of the
pipeline can be compared on the same input (``bench/compare_decisions.py``).
"""
from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "postings"
SAMPLE_DATA = ROOT / "data" / "samples"

_TITLE_SUFFIXES = ["", "", "", "（急招）", "（长期）", "-包吃住", "（五险一金）", " 双休"]


def _load_records(data: Path) -> list[tuple[str, dict]]:
    out = []
    for name, fmt in (("jobhunting-2024-2025.jsonl.gz", "jobhunting"), ("zhilian-30cities-2022.jsonl.gz", "zhilian30")):
        p = data / name
        if not p.exists():
            p = SAMPLE_DATA / name
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            out.extend((fmt, json.loads(line)) for line in fh if line.strip())
    return out


def make_records(n: int, data: Path, seed: int = 11) -> list[tuple[str, dict, str, int]]:
    """N raw records in the channels' own formats: real records resampled with replacement, given
    new ids and perturbed (title suffixes, pay shifted, descriptions trimmed) so most are new
    postings and some are near-duplicates. (format, record, channel code, record number)."""
    rng = random.Random(seed)
    records = _load_records(data)
    out = []
    for i in range(n):
        fmt, rec = records[rng.randrange(len(records))]
        rec = copy.copy(rec)
        variant = rng.random()
        if fmt == "jobhunting":
            rec["id"] = f"bench-{i}"
            if variant < 0.7:
                rec["title"] = (rec.get("title") or "") + rng.choice(_TITLE_SUFFIXES)
                if rec.get("salary_min"):
                    shift = rng.choice([0, 500, 1000, -500])
                    rec["salary_min"] = max(1000, float(rec["salary_min"]) + shift)
                    rec["salary_max"] = max(rec["salary_min"], float(rec.get("salary_max") or rec["salary_min"]) + shift)
                if rec.get("description") and variant < 0.3:
                    rec["description"] = rec["description"][: max(20, len(rec["description"]) * 3 // 4)]
            out.append((fmt, rec, "bench-" + str(rec.get("platform", "x")).lower().replace("_", "-"), i))
        else:
            rec["jobId"] = f"bench-{i}"
            if variant < 0.7:
                rec["name"] = (rec.get("name") or "") + rng.choice(_TITLE_SUFFIXES)
            out.append((fmt, rec, "bench-zhilian", i))
    return out


def to_drafts(records):
    """The channels' adapters: raw records to drafts, lazily (timed as part of the ingest)."""
    from indexer.sources import jobhunting, zhilian

    for fmt, rec, channel, i in records:
        yield (jobhunting.record_to_draft(rec, channel, i) if fmt == "jobhunting"
               else zhilian.record_to_draft(rec, channel, i))


def make_drafts(n: int, data: Path, seed: int = 11):
    return list(to_drafts(make_records(n, data, seed)))


def _fresh_db(path: Path):
    import core.all_models  # noqa: F401
    from core.db import Base, make_engine, make_sessionmaker
    from core.reference.services import load_reference_data

    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    session = make_sessionmaker(engine)()
    load_reference_data(session)
    from core.channels.services import ensure_channel

    for code, kind in (("bench-boss", "hr_firm"), ("bench-51job", "hr_firm"), ("bench-ggfw-hrss-gd", "provincial_site"),
                       ("bench-liepin", "hr_firm"), ("bench-lagou", "hr_firm"), ("bench-zhilian", "hr_firm"),
                       ("bench-jobonline", "public_agency")):
        ensure_channel(session, code, code, kind, trust_level="trusted", licence_number="bench")
    session.commit()
    return engine, session


def _warm_up() -> None:
    """Load the analyser dictionaries and reference directories before the clock starts."""
    from indexer import dedup, normalise

    ctx = normalise.make_context()
    d = make_drafts(1, SAMPLE_DATA)[0]
    dedup.DedupIndex.fingerprint(normalise.normalise(d, ctx))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(n: int, data: Path, workers: int | str = "auto", dump: str | None = None) -> dict:
    from indexer.intake import IntakeOptions, Pipeline

    records = make_records(n, data)
    with tempfile.TemporaryDirectory() as tmp:
        _engine, session = _fresh_db(Path(tmp) / "bench.db")
        _warm_up()
        rss_before = _rss_mb()
        t0 = time.perf_counter()  # from the channels' raw records: adapters included
        pipe = Pipeline(session, IntakeOptions(run_kind="bench", format="jobhunting", keep_results=False,
                                               keep_rejects=True, workers=workers))
        summary = pipe.ingest(to_drafts(records))
        seconds = time.perf_counter() - t0
        if dump:
            dump_decisions(session, dump)
        return {"n": n, "seconds": seconds, "per_s": n / seconds, "counts": summary.counts,
                "rss_before_mb": rss_before, "workers": pipe.workers}


def dump_decisions(session, path: str) -> None:
    """Every bench record's fate, read back from the database (so it does not depend on the
    pipeline's own result types): accepted/held (it created its posting: the posting's first
    source), merged (a later source of a posting), rejected (kept as a rejected record)."""
    from sqlalchemy import select

    from core.ingest.models import RejectedRecord
    from core.postings.models import Posting, PostingSource

    first_source = {}
    fate = {}
    for sid, ext, pid in session.execute(select(PostingSource.id, PostingSource.external_id, PostingSource.posting_id)
                                         .order_by(PostingSource.id)):
        first_source.setdefault(pid, sid)
        fate[ext] = (sid, pid)
    postings = {p.id: p for p in session.scalars(select(Posting))}
    with open(path, "w", encoding="utf-8") as out:
        for ext, (sid, pid) in sorted(fate.items()):
            p = postings[pid]
            created = first_source[pid] == sid
            row = {"record": ext, "posting": pid, "outcome": ("merged" if not created else
                                                               "accepted" if str(p.status) == "published" else "held")}
            if created:
                row.update(status=str(p.status), title=p.title, enterprise=p.enterprise_id, region=p.region_code,
                           occupation=p.occupation_code, pay=[p.pay_monthly_min, p.pay_monthly_max],
                           reasons=[r for r in p.review_reasons or [] if r.get("severity") != "info"],
                           notes=[r["code"] for r in p.review_reasons or [] if r.get("severity") == "info"])
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        for rec in session.scalars(select(RejectedRecord).order_by(RejectedRecord.id)):
            out.write(json.dumps({"record": rec.external_id, "outcome": "rejected", "code": rec.code,
                                  "reasons": [r for r in rec.reasons or [] if r.get("severity") != "info"]},
                                 ensure_ascii=False) + "\n")


def run_naive(n: int, data: Path) -> dict:
    """The baseline: the same stages, but row by row: look-ups one query at a time, ORM objects,
    a commit per posting."""
    from sqlalchemy import select

    from core.channels.models import Channel
    from core.enterprises.models import Enterprise
    from core.outbox.models import OutboxEvent
    from core.postings.models import Posting, PostingSource
    from indexer import dedup, normalise, screening
    from indexer.intake import screen

    records = make_records(n, data)
    with tempfile.TemporaryDirectory() as tmp:
        _engine, session = _fresh_db(Path(tmp) / "naive.db")
        _warm_up()
        rss_before = _rss_mb()
        t0 = time.perf_counter()
        drafts = to_drafts(records)
        rules = screening.load_rules(session)
        index = dedup.DedupIndex()
        index.load(session)
        ctx = normalise.make_context(session=session)
        created = 0
        for d in drafts:
            ch = session.scalar(select(Channel).where(Channel.code == d.channel_code))
            if session.scalar(select(PostingSource.id).where(PostingSource.channel_id == ch.id,
                                                             PostingSource.external_id == d.external_id)):
                continue
            norm = normalise.normalise(d, ctx)
            res = screen(norm, str(ch.kind), str(ch.trust_level), ch.licence_number, rules=rules)
            if res.outcome == "reject":
                continue
            ent = None
            if norm.company_normalized_name:
                ent = session.scalar(select(Enterprise).where(Enterprise.normalized_name == norm.company_normalized_name))
                if ent is None:
                    ent = Enterprise(name=norm.company_name or "", normalized_name=norm.company_normalized_name)
                    session.add(ent)
                    session.flush()
            fp = index.fingerprint(norm)
            match = index.find(fp)
            if match is None:
                p = Posting(title=norm.title[:200], description=norm.description, enterprise_id=ent.id if ent else None,
                            channel_id=ch.id, status="published" if res.outcome == "publish" else "pending_review",
                            pay_min=norm.pay_min, pay_max=norm.pay_max)
                session.add(p)
                session.flush()
                index.add(p.id, fp)
                match = p.id
                created += 1
            session.add(PostingSource(posting_id=match, channel_id=ch.id, external_id=d.external_id, raw=d.raw))
            session.add(OutboxEvent(entity="posting", entity_id=match, operation="upsert"))
            session.commit()
        seconds = time.perf_counter() - t0
        return {"n": n, "seconds": seconds, "per_s": n / seconds, "created": created, "rss_before_mb": rss_before}


def run_dedup(sizes: list[int], data: Path) -> dict:
    """Dedup cost: fingerprinting (per posting, independent of N) and the index (find + add), which
    must grow near-linearly with N (LSH buckets scoped by enterprise, never all pairs)."""
    from indexer import dedup, normalise

    _warm_up()
    drafts = make_drafts(max(sizes), data, seed=5)
    ctx = normalise.make_context(session=None)
    norms = [normalise.normalise(d, ctx) for d in drafts]
    # as the pipeline does it: a batch of 1,000 at a time (one vectorised pass), and one by one for comparison
    t0 = time.perf_counter()
    fps = [fp for k in range(0, len(norms), 1000) for fp in dedup.fingerprint_many(norms[k:k + 1000])]
    fp_seconds = time.perf_counter() - t0
    one = norms[:10000]
    t0 = time.perf_counter()
    for n in one:
        dedup.DedupIndex.fingerprint(n)
    one_us = (time.perf_counter() - t0) / max(1, len(one)) * 1e6
    out = {"fingerprint": {"n": len(fps), "seconds": fp_seconds, "us_per_posting": fp_seconds / len(fps) * 1e6,
                           "one_by_one_us_per_posting": one_us}}
    for size in sizes:
        index = dedup.DedupIndex()
        t0 = time.perf_counter()
        merged = 0
        for i, fp in enumerate(fps[:size]):
            if index.find(fp) is not None:
                merged += 1
            else:
                index.add(i + 1, fp)
        seconds = time.perf_counter() - t0
        out[str(size)] = {"seconds": seconds, "us_per_posting": seconds / size * 1e6, "merged": merged,
                          "comparisons": index.comparisons,
                          "total_with_fingerprint_s": seconds + size * fp_seconds / len(fps)}
    return out


def _child(mode: str, args) -> dict:
    data = Path(args.data)
    if mode == "pipeline":
        res = run_pipeline(args.n, data, "auto", args.dump_decisions)
    elif mode == "pipeline1":
        res = run_pipeline(args.n, data, 1, args.dump_decisions)
    elif mode == "naive":
        res = run_naive(args.baseline_n, data)
    else:
        res = run_dedup([int(s) for s in args.dedup_sizes.split(",")], data)
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--baseline-n", type=int, default=3000, help="postings for the row-by-row baseline (slow)")
    ap.add_argument("--dedup-sizes", default="10000,50000,100000")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--only", choices=["pipeline", "pipeline1", "naive", "dedup"], default=None)
    ap.add_argument("--dump-decisions", default=None, metavar="FILE",
                    help="write every record's outcome, posting and reasons (JSON lines) after the pipeline run")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args)))
        return

    results = {}
    for mode in ([args.only] if args.only else ["pipeline", "pipeline1", "naive", "dedup"]):
        cmd = [sys.executable, __file__, "--child", mode, "--n", str(args.n), "--baseline-n", str(args.baseline_n),
               "--dedup-sizes", args.dedup_sizes, "--data", args.data]
        if args.dump_decisions:
            cmd += ["--dump-decisions", f"{args.dump_decisions}.{mode}"]
        print(f"running {mode} ...", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{mode} failed")
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])

    print(f"\nIngest benchmark (SQLite, search indexing excluded), {os.cpu_count()} CPUs")
    for mode, label in (("pipeline", "pipeline, {w} processes"), ("pipeline1", "pipeline, 1 process")):
        if mode not in results:
            continue
        p = results[mode]
        print(f"  {label.format(w=p['workers']):20} {p['n']:>7} postings  {p['seconds']:7.1f} s  {p['per_s']:8.0f} postings/s  "
              f"peak RSS {p['peak_rss_mb']:.0f} MB (+{p['peak_rss_mb'] - p['rss_before_mb']:.0f} MB while ingesting,"
              f" main process)")
        print(f"                       outcomes {p['counts']}")
    if "naive" in results:
        b = results["naive"]
        print(f"  naive row-by-row     {b['n']:>7} postings  {b['seconds']:7.1f} s  {b['per_s']:8.0f} postings/s  "
              f"peak RSS {b['peak_rss_mb']:.0f} MB (+{b['peak_rss_mb'] - b['rss_before_mb']:.0f} MB while ingesting)")
    if "pipeline" in results and "naive" in results:
        if "pipeline1" in results:
            print(f"  speed-up, 1 process: {results['pipeline1']['per_s'] / results['naive']['per_s']:.1f}x")
        print(f"  speed-up: {results['pipeline']['per_s'] / results['naive']['per_s']:.1f}x (baseline on {results['naive']['n']})   "
              f"target >= 1000 postings/s: {'met' if results['pipeline']['per_s'] >= 1000 else 'NOT met'}")
    if "dedup" in results:
        dd = results["dedup"]
        f = dd["fingerprint"]
        print(f"  dedup: fingerprint (MinHash of character shingles) {f['us_per_posting']:.0f} us/posting in batches "
              f"of 1,000 over {f['n']} ({f['one_by_one_us_per_posting']:.0f} us one by one)")
        print("  dedup index (find + add) by size — near-linear means us/posting stays flat:")
        for size, r in dd.items():
            if size in ("peak_rss_mb", "fingerprint"):
                continue
            print(f"    {int(size):>7}: {r['seconds']:6.2f} s  {r['us_per_posting']:7.1f} us/posting  "
                  f"verifications {r['comparisons']}  merged {r['merged']}  "
                  f"(with fingerprinting {r['total_with_fingerprint_s']:.1f} s)")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "ingest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
