"""Occupation classification against hand-labelled real titles (data/titles, the shared postings).

The labels (occupation_labels.csv) were written by hand from the 2022 classification; several codes
are accepted where the classification itself allows more than one reading. The thresholds below are
the calibration documented in docs/normalisation.md.
"""
import csv
from pathlib import Path

import pytest

from core.reference.services import occupation_directory
from indexer.normalise import REVIEW_THRESHOLD, classify_occupation
from indexer.normalise.occupation import SYNONYMS_PATH, OccupationClassifier

LABELS = Path(__file__).with_name("occupation_labels.csv")
# 60 titles drawn afterwards (other seed), labelled before the classifier was run on them
HELD_OUT = Path(__file__).with_name("occupation_labels_heldout.csv")


def _labels(path=LABELS):
    with path.open(encoding="utf-8") as fh:
        return [(r["title"], r["codes"].split("|")) for r in csv.DictReader(fh)]


def _ok(code, accepted):
    return code is not None and any(code == a or code.startswith(a + "-") for a in accepted)


def test_every_dictionary_code_exists_in_the_classification():
    import json

    occ = occupation_directory()
    data = json.loads(SYNONYMS_PATH.read_text("utf-8"))
    unknown = [c for c in data if not c.startswith("_") and occ.get(c) is None]
    assert unknown == []
    assert OccupationClassifier(occ).unknown_codes == []


def test_labelled_titles_precision_and_coverage():
    rows = _labels()
    assert len(rows) >= 100
    results = [(t, acc, classify_occupation(t)) for t, acc in rows]
    confident = [(t, acc, r) for t, acc, r in results if not r.needs_review]
    wrong = [(t, r.code, r.name) for t, acc, r in confident if not _ok(r.code, acc)]
    precision = 1 - len(wrong) / len(confident)
    coverage = len(confident) / len(results)
    top3 = sum(any(_ok(c, acc) for c, _ in r.suggestions[:3]) for _t, acc, r in results) / len(results)
    assert precision >= 0.9, wrong
    assert coverage >= 0.85
    assert top3 >= 0.9


def test_held_out_titles_precision_and_coverage():
    rows = _labels(HELD_OUT)
    results = [(acc, classify_occupation(t)) for t, acc in rows]
    confident = [(acc, r) for acc, r in results if not r.needs_review]
    precision = sum(_ok(r.code, acc) for acc, r in confident) / len(confident)
    assert precision >= 0.9
    assert len(confident) / len(results) >= 0.75


@pytest.mark.parametrize("title,code", [
    ("普工", "6-31-99"), ("保安员", "4-07-05-01"), ("外卖骑手", "4-10-08-01"), ("Java开发工程师-急招", "2-02-10-03"),
    ("仓库管理员", "4-02-06-01"), ("焊工", "6-18-02-04"), ("叉车司机", "6-30-05-01"), ("电梯安装维修工", "6-29-03-03"),
    ("鸿创物流招聘保安", "4-07-05-01"), ("外科医师", "2-05-01-02"), ("中式面点师", "4-03-02-02"), ("房屋管家无责底薪8000高提成/就近分配", "4-06-02-01"),
    ("4000无责底薪+免费住宿+地铁口+节日福利+客户代表", "4-01-02-01"),
])
def test_confident_titles(title, code):
    r = classify_occupation(title)
    assert r.code == code and not r.needs_review, r


@pytest.mark.parametrize("title", ["其他", "无", "储备干部", "Infra-推理负责人", "董事长高尔夫陪练", ""])
def test_titles_without_an_occupation_go_to_review(title):
    r = classify_occupation(title)
    assert r.needs_review
    assert r.confidence < REVIEW_THRESHOLD


def test_description_helps_only_with_low_confidence():
    r = classify_occupation("储备干部", "负责门店商品陈列、收银及顾客接待，协助店长管理门店")
    assert r.method == "description" and r.needs_review and r.code is not None
    assert r.suggestions and r.suggestions[0][0] == r.code
