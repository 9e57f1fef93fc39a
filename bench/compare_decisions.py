"""Compare two ``bench/ingest.py --dump-decisions`` files record by record (outcome, canonical
posting, the posting's fields, hold/reject reasons) and print equal/unequal counts.

    .venv/bin/python bench/compare_decisions.py OLD NEW [--show 5]
"""
from __future__ import annotations

import argparse
import json
from collections import Counter


def load(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as fh:
        return {row["record"]: row for row in map(json.loads, fh)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--show", type=int, default=5, help="differences to print")
    args = ap.parse_args()
    old, new = load(args.old), load(args.new)
    equal, unequal, shown = 0, 0, 0
    outcomes: Counter = Counter()
    notes = 0
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        # hints (info reasons) are compared apart: the new version keeps them on the posting
        if b and b.get("notes"):
            notes += 1
        same = a is not None and b is not None and {k: v for k, v in a.items() if k != "notes"} == \
            {k: v for k, v in b.items() if k != "notes"}
        if same:
            equal += 1
            outcomes[a["outcome"]] += 1
            continue
        unequal += 1
        if shown < args.show:
            shown += 1
            print(f"differs: {key}\n  old {a}\n  new {b}")
    print(f"records {len(old.keys() | new.keys())}: equal {equal}, unequal {unequal}; equal by outcome {dict(outcomes)}")
    print(f"postings carrying info hints: old {sum(1 for r in old.values() if r.get('notes'))}, new {notes}")


if __name__ == "__main__":
    main()
