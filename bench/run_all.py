"""Run every benchmark in turn (`make bench`), each in its own process, printing its figures.

    .venv/bin/python bench/run_all.py [--data ../shared/data] [--quick] [--only ingest,dedup_quality,...]

The full runs take a long time on a 2-core machine (the 1M-posting search and matcher runs most of
all); ``--quick`` uses smaller sizes for a first look. The matcher speed benchmark needs a trained
model: it uses the instance's model (``joblink setup`` trains the demo model) and is skipped with a
note when there is none.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plan(data: Path, quick: bool, model: Path | None) -> list[tuple[str, list[str]]]:
    postings = str(data / "postings")
    runs = [
        ("ingest", ["ingest.py", "--data", postings] + (["--n", "20000", "--dedup-sizes", "5000,10000,20000"] if quick else [])),
        ("dedup_quality", ["dedup_quality.py", "--data", str(data)]),
        ("search", ["search.py", "--data", str(data)] + (["--sizes", "20000"] if quick else ["--sizes", "100000,1000000"])),
        ("match_quality", ["match_quality.py", "--data", str(data)] + (["--train-limit", "5000"] if quick else [])),
        ("http", ["http_load.py", "--data", str(data)] + (["--quick"] if quick else [])),
    ]
    if model is not None:
        runs.append(("match_speed", ["match_speed.py", "--data", str(data), "--model", str(model)]
                     + (["--sizes", "20000"] if quick else [])))
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("JOBLINK_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a first look")
    ap.add_argument("--only", default=None, help="comma-separated names: ingest,dedup_quality,search,match_quality,http,match_speed")
    ap.add_argument("--model", default=str(ROOT / "instance" / "models" / "joblink-zh"))
    args = ap.parse_args()

    data = Path(args.data)
    if not (data / "postings").is_dir():
        print(f"找不到真实数据目录 {data}/postings：请用 --data 指定 shared/data 的位置")
        return 2
    model = Path(args.model) if Path(args.model).is_dir() else None
    runs = plan(data, args.quick, model)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _ in plan(data, args.quick, Path("."))}
        if unknown:
            print(f"未知的基准名称：{', '.join(sorted(unknown))}")
            return 2
        runs = [r for r in runs if r[0] in wanted]
    if model is None and (not args.only or "match_speed" in args.only):
        print(f"(跳过 match_speed：没有训练好的模型 {args.model}；先运行 joblink setup 或 --model 指定)")
    failed = []
    for name, cmd in runs:
        print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(ROOT / "bench" / cmd[0]), *cmd[1:]], cwd=ROOT)
        print(f"=== {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"\n失败的基准：{', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
