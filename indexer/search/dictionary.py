"""Builds the analyser's job-domain dictionary (``job_dict.txt``) from real reference data.

Words: every node name of the national occupational classification (2022) and the real job titles
with their posting counts (``data/titles/job_info.csv``). Run ``python -m indexer.search.dictionary
[DATA_DIR]`` after the reference data changes; the file is committed so segmentation is reproducible.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from indexer.search.analyzer import DICT_PATH

# Words of the job market that neither source spells out but postings use everywhere.
EXTRA_WORDS = (
    "日结 周结 月结 包吃住 包吃 包住 五险一金 六险一金 双休 单休 长白班 两班倒 三班倒 零工 临时工 小时工 "
    "兼职 全职 实习生 见习 应届生 退役军人 农民工 残疾人 无经验 可兼职 学徒 夜班 白班 计件 保底"
).split()

_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9+#.]{2,12}$")


def occupation_names(tree_path: Path) -> list[str]:
    data = json.loads(tree_path.read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node):
        names.append(node["name"].strip())
        for child in node.get("children") or ():
            walk(child)

    for root in data["data"]:
        walk(root)
    return names


def title_counts(csv_path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with csv_path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            if len(row) < 4:
                continue
            name = row[3].strip()
            try:
                n = int(row[2])
            except ValueError:
                continue
            if name and name not in ("nan", "无"):
                counts[name] = counts.get(name, 0) + n
    return counts


def build(data_dir: Path) -> dict[str, int]:
    words: dict[str, int] = {}
    for name in occupation_names(data_dir / "occupations" / "occupations-2022-tree.json"):
        # The classification's names are long compounds ("计算机程序设计员"); keep them whole and
        # split at the enumerating "、" so each listed job is a word of its own.
        for part in re.split(r"[、，,（）()及和与]", name):
            if _WORD.match(part):
                words[part] = max(words.get(part, 0), 2000)
    for name, n in title_counts(data_dir / "titles" / "job_info.csv").items():
        if _WORD.match(name):
            words[name] = max(words.get(name, 0), min(50_000, 500 + n // 10))
    for w in EXTRA_WORDS:
        words[w] = max(words.get(w, 0), 5000)
    return words


def main(argv: list[str]) -> None:
    data_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "data"
    words = build(data_dir)
    lines = [f"{w} {f}" for w, f in sorted(words.items())]
    DICT_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} words to {DICT_PATH}")


if __name__ == "__main__":
    main(sys.argv)
