"""normalise() remembers look-ups (region texts, titles, pay texts, company names, field phrasings) per
directory; the memos must never change an answer. The real sample postings are normalised with empty
memos, again from the filled memos, and once more with new directories: every field, issues
included, must be identical, and no list may be shared between answers."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from core.reference.services import OccupationDirectory, RegionDirectory, read_occupations, read_regions
from indexer.drafts import NormalisedPosting
from indexer.normalise import (
    NormaliseContext,
    OccupationClassifier,
    candidates_for,
    fields,
    normalise,
    normalize_company_name,
    parse_pay,
    pay,
    resolve_region,
)
from indexer.sources import jobhunting, zhilian

SAMPLES = Path(__file__).resolve().parents[4] / "data" / "samples"
TODAY = dt.date(2025, 3, 10)


def _clear_global_memos() -> None:
    pay._parse_pay_cached.cache_clear()
    for parser in (fields.parse_education, fields.parse_experience, fields.parse_headcount):
        parser.cache_clear()


def _fresh_context(channel_region_code: str | None = None) -> NormaliseContext:
    """New directory objects (so new per-directory memos) and empty global memos."""
    _clear_global_memos()
    regions = RegionDirectory(read_regions())
    occupations = OccupationDirectory(read_occupations())
    return NormaliseContext(regions=regions, occupations=occupations, classifier=OccupationClassifier(occupations),
                            channel_region_code=channel_region_code, today=TODAY)


@pytest.fixture(scope="module")
def drafts():
    out = list(jobhunting.read(jobhunting.open_lines(SAMPLES / "jobhunting-2024-2025.jsonl.gz"),
                               default_channel="jobhunting"))
    out += list(zhilian.read(jobhunting.open_lines(SAMPLES / "zhilian-30cities-2022.jsonl.gz"), "zhilian"))
    assert len(out) > 4000
    # real records moved to namesake districts, so the ambiguous and address paths are exercised too
    places = [("鼓楼区", None), ("鼓楼区", "福建省福州市鼓楼区五四路"), ("朝阳区", None), ("鼓楼", "徐州市鼓楼区"),
              ("", "江苏省南京市鼓楼区中山路"), ("新区", None), (None, None)]
    out += [dataclasses.replace(d, region_text=text, address=address, issues=list(d.issues))
            for d in out[:140] for text, address in [places[d.record_number % len(places)]]]
    return out


def _fields(n: NormalisedPosting) -> dict:
    d = {f.name: getattr(n, f.name) for f in dataclasses.fields(n) if f.name != "draft"}
    d["issues"] = [dataclasses.asdict(i) for i in n.issues]
    return d


def _lists(n: NormalisedPosting) -> list:
    return [getattr(n, f.name) for f in dataclasses.fields(n) if isinstance(getattr(n, f.name), list)]


@pytest.mark.parametrize("channel_region_code", [None, "320100"])   # 320100: 南京 settles 鼓楼区
def test_memoised_answers_equal_fresh_ones_for_every_field(drafts, channel_region_code):
    ctx = _fresh_context(channel_region_code)
    first = [normalise(d, ctx) for d in drafts]        # fills the memos (real feeds repeat texts)
    second = [normalise(d, ctx) for d in drafts]       # served from them
    other = _fresh_context(channel_region_code)
    fresh = [normalise(d, other) for d in drafts]      # new directories, empty memos
    for a, b, c in zip(first, second, fresh):
        assert _fields(a) == _fields(b) == _fields(c), a.draft.external_id
        ids_a = {id(x) for x in _lists(a)}
        assert not ids_a & {id(x) for x in _lists(b)}, "a list is shared between two answers"
    # the samples exercise every path the memos sit on
    assert {n.region_code is None for n in first} == {True, False}
    assert any(n.region_candidates for n in first) or channel_region_code
    assert {i.code for n in first for i in n.issues} >= {"occupation_uncertain"}
    assert sum(n.pay_min is not None for n in first) > len(first) // 2


def test_changing_a_returned_result_does_not_change_the_next_answer():
    regions = RegionDirectory(read_regions())
    first = parse_pay("10-15K·13薪")
    first.months, first.min = 99, -1
    first.notes.append("edited")
    again = parse_pay("10-15K·13薪")
    assert (again.months, again.min, again.notes) == (13, 10000, [])

    r = resolve_region("鼓楼区", regions=regions)
    assert r.status == "ambiguous"
    r.candidates.clear()
    r.candidate_names.append("x")
    r2 = resolve_region("鼓楼区", regions=regions)
    assert len(r2.candidates) > 1 and len(r2.candidate_names) == len(r2.candidates)

    cands = candidates_for("鼓楼区", regions)
    cands.clear()
    assert len(candidates_for("鼓楼区", regions)) > 1

    occupations = OccupationDirectory(read_occupations())
    clf = OccupationClassifier(occupations)
    o = clf.classify("仓库普工")
    o.suggestions.clear()
    o.evidence.append("edited")
    o2 = clf.classify("仓库普工")
    assert o2.suggestions and "edited" not in o2.evidence


def test_a_new_directory_is_not_served_the_old_directorys_answers():
    full = RegionDirectory(read_regions())
    assert resolve_region("临沂兰山区", regions=full).code == "371302"
    assert normalize_company_name("临沂市某某商贸有限公司", full) == "某某商贸"
    # the same texts against a directory without 临沂 and its districts
    without = RegionDirectory([r for r in read_regions() if not r.code.startswith("3713")])
    assert resolve_region("临沂兰山区", regions=without).status == "unknown"
    assert normalize_company_name("临沂市某某商贸有限公司", without) == "临沂市某某商贸"
    # and back: the full directory still answers as before
    assert resolve_region("临沂兰山区", regions=full).code == "371302"


def test_the_memos_are_bounded():
    regions = RegionDirectory(read_regions())
    resolve_region("深圳南山区", regions=regions)
    from indexer.normalise.region import _name_index

    idx = _name_index(regions)
    occupations = OccupationDirectory(read_occupations())
    clf = OccupationClassifier(occupations)
    for memo in (idx.candidates, idx.coords, clf._title_evidence, clf._description_evidence,
                 pay._parse_pay_cached, fields.parse_education):
        assert memo.cache_info().maxsize, memo
