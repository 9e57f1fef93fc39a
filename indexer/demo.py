"""Load the real posting sets as demo data through the normal pipeline: the JobHunting JSON lines
(one demo channel per platform it came through), the 智联 30-city list and the raw 51job CSV.

Idempotent: postings are keyed by (channel, external id), so loading twice updates nothing.
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from core.enums import TrustLevel
from core.channels.services import ensure_channel

from .intake import IntakeOptions, Pipeline
from .sources import job51_raw, jobhunting, zhilian

JOBHUNTING_FILE = "jobhunting-2024-2025.jsonl.gz"
ZHILIAN_FILE = "zhilian-30cities-2022.jsonl.gz"
JOB51_FILE = "raw-51job/51job-bigdata-2019.csv"
DEMO_PREFIX = "demo-"


def demo_channel_code(platform: str) -> str:
    code, _name, _kind = jobhunting.PLATFORMS.get(platform, (platform.lower().replace("_", "-"), platform, "hr_firm"))
    return DEMO_PREFIX + code


def ensure_demo_channels(session: Session) -> dict[str, str]:
    """One channel per platform, marked is_demo. Returns platform -> channel code."""
    out = {}
    for platform, (code, name, kind) in jobhunting.PLATFORMS.items():
        # Demo channels are trusted so clean postings publish; screening still holds what it flags.
        ensure_channel(session, DEMO_PREFIX + code, name + "（演示数据）", kind,
                       trust_level=TrustLevel.TRUSTED, is_demo=True,
                       region_code="440000" if platform == "GGFW_HRSS_GD" else None,  # resolves bare district names
                       licence_number="演示渠道-许可证未核验" if kind == "hr_firm" else None)
        out[platform] = DEMO_PREFIX + code
    session.commit()
    return out


def _count_lines(path: Path) -> int | None:
    try:
        return sum(1 for _ in jobhunting.open_lines(path))
    except OSError:
        return None


def load_demo_postings(session: Session, path, sample: bool = True, limit: int | None = None,
                       progress: Callable | None = None, workers: int | str = 1) -> dict:
    """Load every posting file found in ``path`` (the shipped samples, or the full shared sets).

    Returns a summary per file: received, accepted, held, updated, unchanged, merged, rejected.
    """
    base = Path(path)
    channels = ensure_demo_channels(session)
    summary: dict = {"path": str(base), "sample": sample, "files": {}}
    started = time.monotonic()
    dedup_index = None
    rules = None

    def run(label: str, drafts, fmt: str, total: int | None, channel_code: str | None):
        nonlocal dedup_index, rules
        pipe = Pipeline(session, IntakeOptions(run_kind="demo", source_name=label, format=fmt, keep_results=False,
                                               is_demo=True, progress=progress, progress_label=label, workers=workers),
                        dedup_index=dedup_index, rules=rules)
        dedup_index, rules = pipe.duplicates.index, pipe.rules
        if limit:
            drafts = itertools.islice(drafts, limit)
            total = min(total, limit) if total else limit
        s = pipe.ingest(drafts, channel_code, total=total)
        d = s.as_dict(with_results=False)
        d.pop("held_records", None)
        rejected = d.pop("rejected_records", [])
        d["rejected_examples"] = rejected[:5]
        summary["files"][label] = d

    jh = base / JOBHUNTING_FILE
    if jh.exists():
        run(JOBHUNTING_FILE, jobhunting.read(jobhunting.open_lines(jh), channels.get, channels["BOSS"]),
            jobhunting.FORMAT, None if limit else _count_lines(jh), None)
    zl = base / ZHILIAN_FILE
    if zl.exists():
        run(ZHILIAN_FILE, zhilian.read(jobhunting.open_lines(zl), channels["ZHILIAN"]), zhilian.FORMAT,
            None if limit else _count_lines(zl), channels["ZHILIAN"])
    j51 = base / JOB51_FILE
    if j51.exists():
        run(JOB51_FILE, job51_raw.read(j51, channels["51JOB"]), job51_raw.FORMAT, None, channels["51JOB"])
    if not summary["files"]:
        summary["error"] = f"在 {base} 下没有找到岗位数据文件（{JOBHUNTING_FILE}、{ZHILIAN_FILE}）"
    totals: dict[str, int] = {}
    for d in summary["files"].values():
        for k in ("received", "accepted", "held", "updated", "unchanged", "merged", "rejected"):
            totals[k] = totals.get(k, 0) + d.get(k, 0)
    summary["totals"] = totals
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary
