"""Region text in the forms the real channels use, to GB/T 2260 codes; namesakes never guessed."""
import pytest

from core.reference.services import region_directory
from indexer.normalise import resolve_region


@pytest.fixture(scope="module")
def regions():
    return region_directory()


RESOLVED = [
    ("山东省临沂市兰山区", "371302"),
    ("临沂兰山", "371302"),
    ("兰山区", "371302"),
    ("兰山", "371302"),
    ("临沂市", "371300"),
    ("临沂", "371300"),
    ("广州·天河区", "440106"),          # BOSS
    ("深圳", "440300"),
    ("昆明·盘龙区", "530103"),          # 51JOB
    ("北京-朝阳区", "110105"),          # LIEPIN
    ("上海-浦东新区", "310115"),        # raw 51job file
    ("长沙-岳麓区", "430104"),
    ("济南·历下区·齐鲁软件园", "370102"),  # business district after the county is ignored
    ("济南·市中区·大观园", "370103"),
    ("三门峡··", "411200"),
    ("广东省广州市花都区赤坭镇", "440114"),  # Guangdong public employment service
    ("广东省广州市番禺区洛浦街道", "440113"),
    ("张家港", "320582"),               # county-level city named alone
    ("北京", "110100"),                 # municipality: the city-level entry
    ("西安", "610100"),                 # bare city name: the city, not 辽源's 西安区
    ("中山·东区", "442000"),            # 中山市 (no districts), not 大连's 中山区
    ("中山区", "210202"),               # the full name names the district
    ("东莞·南城区", "441900"),
    ("肇庆·四会市·肇庆高新区", "441284"),
    ("武汉·江夏区·光谷东", "420115"),
    ("伊犁", "654000"),
]


@pytest.mark.parametrize("text,code", RESOLVED)
def test_resolves(regions, text, code):
    r = resolve_region(text, regions=regions)
    assert (r.status, r.code) == ("resolved", code), r
    assert r.lat is not None and r.lon is not None


@pytest.mark.parametrize("text,n", [("鼓楼区", 4), ("鼓楼", 4), ("朝阳区", 2)])
def test_namesakes_are_ambiguous_with_candidates(regions, text, n):
    r = resolve_region(text, regions=regions)
    assert r.status == "ambiguous" and r.code is None
    assert len(r.candidates) == n and len(r.candidate_names) == n


@pytest.mark.parametrize("text,ctx,address,code,by", [
    ("鼓楼区", "320100", None, "320106", "context_region"),    # channel of 南京
    ("鼓楼区", "350000", None, "350102", "context_region"),    # channel of 福建 province
    ("鼓楼区", None, "江苏省南京市鼓楼区中山路1号", "320106", "address"),
    ("鼓楼区", None, "徐州市鼓楼区环城街道", "320302", "address"),
    ("朝阳区", "110000", None, "110105", "context_region"),
    ("朝阳", "110000", None, "110105", "context_region"),       # context before convention
])
def test_context_resolves_namesakes(regions, text, ctx, address, code, by):
    r = resolve_region(text, ctx, address, regions=regions)
    assert (r.status, r.code, r.resolved_by) == ("resolved", code, by)


def test_context_that_does_not_settle_it_keeps_it_ambiguous(regions):
    r = resolve_region("鼓楼区", "320000", None, regions=regions)   # 江苏 has two 鼓楼区
    assert r.status == "ambiguous"
    assert set(r.candidates) == {"320106", "320302"}


@pytest.mark.parametrize("text", ["火星", "", None, "远程办公"])
def test_unknown(regions, text):
    r = resolve_region(text, regions=regions)
    assert r.status == "unknown" and r.code is None and r.candidates == []


def test_address_used_when_text_is_empty(regions):
    r = resolve_region("", None, "山东省临沂市兰山区金雀山路", regions=regions)
    assert (r.status, r.code, r.resolved_by) == ("resolved", "371302", "address")


def test_real_areas_mostly_resolve(regions, real_areas):
    results = [resolve_region(a, regions=regions) for a in real_areas]
    resolved = sum(r.status == "resolved" for r in results)
    # the shipped sample's free-text areas: nearly all resolve, none is silently guessed
    assert resolved / len(results) > 0.97
    for a, r in zip(real_areas, results):
        if r.status == "ambiguous":
            assert len(r.candidates) >= 2


@pytest.fixture(scope="module")
def real_areas():
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[4] / "data" / "samples" / "jobhunting-2024-2025.jsonl.gz"
    areas = set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            a = json.loads(line).get("area")
            if a:
                areas.add(a)
    assert len(areas) > 100
    return sorted(areas)
