"""The search contract: what every ``SearchBackend`` must do, checked on each engine alike."""
from __future__ import annotations

import pytest

from core.search import GeoRadius, InvalidQuery, Range, SearchQuery, Terms

SHENZHEN_BAOAN = ["440000", "440300", "440306"]
SHENZHEN_NANSHAN = ["440000", "440300", "440305"]
GUANGZHOU_TIANHE = ["440000", "440100", "440106"]
JINAN_LIXIA = ["370000", "370100", "370102"]


def posting(id, title, body="", region=SHENZHEN_BAOAN, occupation=("6", "6-18", "6-18-02", "6-18-02-04"),
            etype="full_time", pay=(5000, 8000), ts=1_700_000_000, loc=(22.55, 113.88), version=1, **extra):
    doc = {
        "id": id, "version": version, "title": title, "body": body, "region_path": list(region),
        "occupation_path": list(occupation), "employment_type": etype, "education": "none",
        "pay_unit": "day" if etype == "gig" else "month", "channel": "gig_platform" if etype == "gig" else "public_agency",
        "enterprise_id": "7", "target_groups": [],
        "pay_monthly_min": pay[0] if pay else None, "pay_monthly_max": pay[1] if pay else None,
        "pay_min": pay[0] if pay else None, "pay_max": pay[1] if pay else None,
        "experience_years": 0, "education_rank": 0, "published_ts": ts,
        "location": {"lat": loc[0], "lon": loc[1]} if loc else None,
        "title_text": title, "description_text": body,
    }
    doc.update(extra)
    return doc


@pytest.fixture
def corpus(backend):
    docs = [
        posting(1, "招聘电焊工", "宝安区工厂，日结，包吃住", ts=1_700_000_100, pay=(6000, 9000)),
        posting(2, "焊工（二保焊）", "南山区钢结构厂", region=SHENZHEN_NANSHAN, ts=1_700_000_200,
                pay=(7000, 10000), loc=(22.53, 113.93)),
        posting(3, "保安员", "天河区写字楼夜班保安", region=GUANGZHOU_TIANHE, occupation=("4", "4-07", "4-07-05"),
                pay=(4000, 5000), ts=1_700_000_300, loc=(23.13, 113.33), target_groups=["veteran"]),
        posting(4, "货车司机", "济南物流园，C1驾照", region=JINAN_LIXIA, occupation=("4", "4-02", "4-02-02"),
                pay=None, ts=1_700_000_400, loc=(36.67, 117.02)),
        posting(5, "普工 日结", "宝安区电子厂，操作简单", etype="gig", occupation=("6", "6-28"),
                pay=(4500, 5200), ts=1_700_000_500, loc=(22.56, 113.87)),
        posting(6, "安保员（退役军人优先）", "深圳宝安机场安保", ts=1_700_000_600, occupation=("4", "4-07", "4-07-05"),
                pay=(5000, 6500), target_groups=["veteran", "graduate"], loc=None),
    ]
    result = backend.upsert("postings", docs)
    assert sorted(result.ok) == [1, 2, 3, 4, 5, 6] and not result.failed
    return backend


def ids(backend, **kw):
    return backend.search("postings", SearchQuery(**kw)).ids


def test_synonyms_find_every_spelling(corpus):
    assert sorted(ids(corpus, text="焊工")) == [1, 2]
    assert sorted(ids(corpus, text="电焊工")) == [1, 2]
    assert sorted(ids(corpus, text="保安")) == [3, 6]
    assert sorted(ids(corpus, text="驾驶员")) == [4]
    assert sorted(ids(corpus, text="操作工")) == [5]


def test_every_query_word_must_match(corpus):
    assert ids(corpus, text="焊工 南山") == [2]
    assert ids(corpus, text="焊工 济南") == []


def test_title_matches_rank_above_body_matches(corpus):
    # 保安 is in the title of 3 and 6, only in the body of nothing else; add a body-only match.
    corpus.upsert("postings", [posting(7, "物业管理员", "负责小区保安排班", ts=1)])
    ranked = ids(corpus, text="保安")
    assert set(ranked[:2]) == {3, 6} and ranked[2] == 7


def test_highlights_mark_the_matched_words(corpus):
    hit = corpus.search("postings", SearchQuery(text="电焊工")).hits
    titles = {h.id: h.highlights.get("title", "") for h in hit}
    assert titles[1] == "招聘<mark>电焊工</mark>"
    assert "<mark>焊工</mark>" in titles[2]


def test_highlights_escape_html(backend):
    backend.upsert("postings", [posting(1, "<b>电工</b>", "<script>x</script>电工")])
    h = backend.search("postings", SearchQuery(text="电工")).hits[0]
    assert "<b>" not in h.highlights["title"] and "&lt;b&gt;" in h.highlights["title"]
    assert "<script>" not in h.highlights["description"]


@pytest.mark.parametrize("code, expected", [
    ("440000", [1, 2, 3, 5, 6]), ("440300", [1, 2, 5, 6]), ("440305", [2]), ("370102", [4]), ("110000", []),
])
def test_region_filter_at_any_level(corpus, code, expected):
    assert sorted(ids(corpus, filters=(Terms("region_path", (code,)),))) == expected


def test_occupation_filter_at_any_level_and_several_values(corpus):
    assert sorted(ids(corpus, filters=(Terms("occupation_path", ("4-07",)),))) == [3, 6]
    assert sorted(ids(corpus, filters=(Terms("occupation_path", ("4-02-02", "6-28")),))) == [4, 5]


def test_filters_combine(corpus):
    q = dict(filters=(Terms("region_path", ("440300",)), Terms("employment_type", ("gig",))))
    assert ids(corpus, **q) == [5]
    assert sorted(ids(corpus, filters=(Terms("target_groups", ("veteran",)),))) == [3, 6]


def test_pay_range_excludes_unknown_pay(corpus):
    assert sorted(ids(corpus, filters=(Range("pay_monthly_max", gte=8000),))) == [1, 2]
    assert sorted(ids(corpus, filters=(Range("pay_monthly_max", lte=5200),))) == [3, 5]
    assert 4 not in ids(corpus, filters=(Range("pay_monthly_max", gte=0),))


def test_facets_count_the_filtered_result(corpus):
    r = corpus.search("postings", SearchQuery(filters=(Terms("region_path", ("440000",)),),
                                              facets=("region_path", "employment_type", "target_groups")))
    assert r.total == 5
    assert r.facets["region_path"] == {"440000": 5, "440300": 4, "440306": 3, "440305": 1,
                                       "440100": 1, "440106": 1}
    assert r.facets["employment_type"] == {"full_time": 4, "gig": 1}
    assert r.facets["target_groups"] == {"veteran": 2, "graduate": 1}


def test_geo_radius_and_distance(corpus):
    r = corpus.search("postings", SearchQuery(geo=GeoRadius(22.555, 113.885, 5), sort="distance"))
    assert r.ids == [1, 5]  # 2 is about 5.3 km away; 6 has no coordinates
    assert r.hits[0].distance_km == pytest.approx(0.76, abs=0.05)
    assert r.hits[1].distance_km == pytest.approx(1.64, abs=0.05)
    wider = corpus.search("postings", SearchQuery(text="焊工", geo=GeoRadius(22.555, 113.885, 10), sort="distance"))
    assert wider.ids == [1, 2]


def test_sorts(corpus):
    assert ids(corpus, sort="newest") == [6, 5, 4, 3, 2, 1]
    assert ids(corpus, sort="pay")[:3] == [2, 1, 6]
    assert ids(corpus, sort="pay")[-1] == 4  # no pay: last
    assert ids(corpus, sort="distance", text="焊工", geo=GeoRadius(22.53, 113.93, 50)) == [2, 1]


def test_ties_break_by_id(backend):
    backend.upsert("postings", [posting(i, "仓管员", ts=1_700_000_000) for i in (9, 3, 5)])
    assert ids(backend, sort="newest") == [3, 5, 9]


def test_paging(corpus):
    first = corpus.search("postings", SearchQuery(sort="newest", size=4))
    second = corpus.search("postings", SearchQuery(sort="newest", size=4, page=2))
    assert first.total == second.total == 6
    assert first.ids == [6, 5, 4, 3] and second.ids == [2, 1]
    assert corpus.search("postings", SearchQuery(sort="newest", size=4, page=3)).ids == []


def test_stale_versions_never_win(corpus):
    r = corpus.upsert("postings", [posting(1, "招聘电焊工（旧）", version=1)])
    assert r.stale == [1] and r.ok == []
    r = corpus.upsert("postings", [posting(1, "招聘叉车司机", version=3)])
    assert r.ok == [1]
    assert ids(corpus, text="叉车") == [1] and 1 not in ids(corpus, text="电焊工")
    assert corpus.upsert("postings", [posting(1, "招聘电焊工", version=2)]).stale == [1]
    assert ids(corpus, text="叉车") == [1]
    assert corpus.versions("postings")[1] == 3


def test_delete_is_versioned_too(corpus):
    assert corpus.delete("postings", [(3, 2)]).ok == [3]
    assert 3 not in ids(corpus, text="保安")
    # the relay delivers an older upsert late: it must not bring the posting back
    assert corpus.upsert("postings", [posting(3, "保安员", version=2)]).stale == [3]
    assert 3 not in ids(corpus, text="保安")
    assert corpus.upsert("postings", [posting(3, "保安员", version=4)]).ok == [3]
    assert 3 in ids(corpus, text="保安")


def test_delete_without_version_and_of_unknown_ids(corpus):
    r = corpus.delete("postings", [(4, None), (999, None)])
    assert not r.failed
    assert 4 not in ids(corpus)
    assert set(corpus.versions("postings")) == {1, 2, 3, 5, 6}


def test_bad_documents_fail_alone(backend):
    bad = posting(2, "电工", loc=(95.0, 200.0))
    r = backend.upsert("postings", [posting(1, "电工"), bad])
    assert r.ok == [1] and list(r.failed) == [2]
    assert ids(backend, text="电工") == [1]


def test_rebuild_replaces_the_index(corpus):
    n = corpus.rebuild("postings", iter([posting(10, "育婴师"), posting(11, "家政服务员", version=5)]))
    assert n == 2
    assert sorted(ids(corpus)) == [10, 11]
    assert corpus.versions("postings") == {10: 1, 11: 5}
    assert ids(corpus, text="保姆") == [11]


def test_unknown_values_match_nothing(corpus):
    assert ids(corpus, filters=(Terms("region_path", ("999999",)),)) == []
    assert ids(corpus, text="不存在的职位名称") == []


@pytest.mark.parametrize("query, field", [
    (SearchQuery(page=0), "page"),
    (SearchQuery(page=10_000, size=20), "page"),
    (SearchQuery(size=1000), "page"),
    (SearchQuery(facets=("pay_monthly_max",)), "pay_monthly_max"),
    (SearchQuery(filters=(Terms("no_such_field", ("x",)),)), "no_such_field"),
    (SearchQuery(geo=GeoRadius(123.0, 113.0, 5)), "geo"),
    (SearchQuery(geo=GeoRadius(22.5, 113.0, 0)), "radius_km"),
    (SearchQuery(sort="distance"), "sort"),
])
def test_invalid_queries_name_the_field(corpus, query, field):
    with pytest.raises(InvalidQuery) as err:
        corpus.search("postings", query)
    assert err.value.field == field


def test_knn_by_vector_with_filters(backend):
    seekers = []
    for i, (vec, region) in enumerate([([1, 0, 0, 0], JINAN_LIXIA), ([0.9, 0.1, 0, 0], SHENZHEN_BAOAN),
                                       ([0, 1, 0, 0], SHENZHEN_BAOAN), ([0, 0, 1, 0], SHENZHEN_BAOAN)], start=1):
        seekers.append({"id": i, "version": 1, "title": "求职 电工", "body": "", "region_path": region,
                        "priority_groups": [], "vector": vec})
    assert sorted(backend.upsert("seekers", seekers).ok) == [1, 2, 3, 4]
    hits = backend.knn("seekers", [1, 0, 0, 0], k=2)
    assert [h.id for h in hits] == [1, 2]
    assert hits[0].score == pytest.approx(1.0, abs=1e-3)
    near = backend.knn("seekers", [1, 0, 0, 0], k=2, filters=(Terms("region_path", ("440300",)),))
    assert [h.id for h in near] == [2, 3]


def test_health_reports_ok(backend):
    h = backend.health()
    assert h.ok and h.backend == backend.name


def test_must_not_words_exclude_documents(corpus):
    assert sorted(ids(corpus, text="保安")) == [3, 6]
    assert ids(corpus, text="保安", must_not=("夜班",)) == [6]
    # without words: the exclusion alone still applies to browsing
    assert 3 not in ids(corpus, must_not=("夜班",), size=20)
    assert sorted(ids(corpus, must_not=("夜班",), size=20)) == [1, 2, 4, 5, 6]


def test_minimum_should_match_ranks_by_how_many_words_match(corpus):
    assert ids(corpus, text="焊工 南山 包吃住") == []  # strict: every word
    relaxed = ids(corpus, text="焊工 南山 包吃住", minimum_should_match=1)
    # 2 holds 焊工 and 南山, 1 holds 焊工 and 包吃住: both two words, then the rest with one
    assert sorted(relaxed[:2]) == [1, 2] and set(relaxed) == {1, 2}
    assert ids(corpus, text="焊工 南山 钢结构", minimum_should_match=1)[0] == 2
    assert sorted(ids(corpus, text="焊工 保安", minimum_should_match=1)) == [1, 2, 3, 6]
    assert ids(corpus, text="焊工 保安", minimum_should_match=2) == []
    total = corpus.search("postings", SearchQuery(text="焊工 保安", minimum_should_match=1)).total
    assert total == 4


def test_minimum_should_match_with_exclusion_and_filters(corpus):
    got = ids(corpus, text="焊工 保安", minimum_should_match=1, must_not=("夜班",),
              filters=(Terms("region_path", ("440300",)),))
    assert sorted(got) == [1, 2, 6]


def test_minimum_should_match_below_one_is_refused(corpus):
    with pytest.raises(InvalidQuery):
        corpus.search("postings", SearchQuery(text="焊工", minimum_should_match=0))


# -- words fused with meaning (indexer.search.fusion, issue #12) ---------------------------------

WELDING, GUARDING, DRIVING = (1.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0), (0.0, 0.0, 1.0, 0.0)


@pytest.fixture
def meaning(backend):
    """Postings with vectors (4 dimensions: welding, guarding, driving, other). 7 and 8 hold no word
    of "焊工" but mean welding; 8 is in 济南, 7 says 夜班."""
    docs = [
        posting(1, "招聘电焊工", "宝安区工厂", vector=[0.9, 0.1, 0, 0]),
        posting(2, "焊工（二保焊）", "南山区钢结构厂", region=SHENZHEN_NANSHAN, vector=[0.8, 0, 0, 0.2]),
        posting(3, "保安员", "天河区写字楼", region=GUANGZHOU_TIANHE, vector=list(GUARDING)),
        posting(4, "货车司机", "济南物流园", region=JINAN_LIXIA, vector=list(DRIVING)),
        posting(7, "钢结构师傅", "宝安区，氩弧，夜班", vector=[1.0, 0, 0, 0.05]),
        posting(8, "钢结构师傅", "济南，氩弧", region=JINAN_LIXIA, loc=(36.67, 117.02), vector=[0.95, 0, 0, 0.1]),
        posting(9, "仓库管理", "宝安区仓库"),  # no vector: found by words only
    ]
    assert sorted(backend.upsert("postings", docs).ok) == [1, 2, 3, 4, 7, 8, 9]
    return backend


def fused(backend, text="焊工", vector=WELDING, **kw):
    return backend.search("postings", SearchQuery(text=text, vector=vector, **kw))


def test_meaning_finds_postings_without_the_words(meaning):
    res = fused(meaning)
    assert set(res.ids) == {1, 2, 7, 8}
    related = {h.id for h in res.hits if h.related}
    assert related == {7, 8}  # found by meaning alone: flagged, so no card claims the words
    assert res.total == 4
    for h in res.hits:
        if h.related:
            assert "<mark>" not in h.highlights.get("title", "") + h.highlights.get("description", "")


def test_fusion_ranks_postings_found_both_ways_first(meaning):
    # 1 and 2 are found by words and by meaning; 7 is nearest but holds no word; 8 after it
    assert fused(meaning).ids == [1, 2, 7, 8]


def test_fusion_keeps_the_filters_radius_and_exclusions(meaning):
    assert fused(meaning, filters=(Terms("region_path", ("440300",)),)).ids == [1, 2, 7]
    assert 7 not in fused(meaning, must_not=("夜班",)).ids
    assert fused(meaning, geo=GeoRadius(36.67, 117.02, 5)).ids == [8]


def test_explicit_sort_and_no_vector_stay_word_search(meaning):
    assert fused(meaning, sort="newest").ids == ids(meaning, text="焊工", sort="newest")
    assert set(fused(meaning, sort="newest").ids) == {1, 2}
    assert sorted(ids(meaning, text="焊工")) == [1, 2]  # no vector: the words alone
    assert fused(meaning, text="", vector=WELDING).ids == ids(meaning)


def test_fused_pages_show_each_posting_once(meaning):
    pages = [fused(meaning, page=p, size=1).ids for p in (1, 2, 3, 4, 5)]
    assert pages[:4] == [[1], [2], [7], [8]] and pages[4] == []


# --- job fairs: their own collection ------------------------------------------------------------

DAY = 86_400
LINYI_LANSHAN = ["370000", "371300", "371302"]


def fair(id, title, body="", region=LINYI_LANSHAN, theme="general", kind="onsite", groups=(),
         starts=1_800_000_000, loc=(35.05, 118.34), version=1):
    return {"id": id, "version": version, "title": title, "body": body, "theme": theme, "kind": kind,
            "target_groups": list(groups), "region_path": list(region), "starts_ts": starts,
            "location": {"lat": loc[0], "lon": loc[1]} if loc else None,
            "title_text": title, "description_text": body}


@pytest.fixture
def fairs(backend):
    docs = [
        fair(1, "兰山区春风行动招聘会", "综合招聘 现场招聘 兰山区人力资源市场", starts=1_800_000_000 + 3 * DAY),
        fair(2, "退役军人专场招聘会", "退役军人专场 现场招聘 退役军人", theme="veterans", groups=["veteran"],
             starts=1_800_000_000 + DAY, loc=(35.10, 118.36)),
        fair(3, "高校毕业生网络招聘会", "高校毕业生专场 网络招聘 高校毕业生", theme="graduates", kind="online",
             groups=["graduate"], region=SHENZHEN_BAOAN, starts=1_800_000_000 + 2 * DAY, loc=None),
        fair(4, "上月的招聘会", "综合招聘", starts=1_800_000_000 - 30 * DAY),
    ]
    assert sorted(backend.upsert("fairs", docs).ok) == [1, 2, 3, 4]
    return backend


def fair_ids(backend, **kw):
    return backend.search("fairs", SearchQuery(**kw)).ids


def test_fairs_are_their_own_collection(fairs):
    assert fair_ids(fairs, text="招聘会", sort="soonest") == [4, 2, 3, 1]
    assert ids(fairs, text="招聘会") == []  # the postings collection holds none of them
    assert fairs.versions("fairs") == {1: 1, 2: 1, 3: 1, 4: 1}


def test_fairs_by_theme_words_region_and_upcoming_soonest_first(fairs):
    upcoming = (Range("starts_ts", gte=1_800_000_000),)
    assert fair_ids(fairs, filters=upcoming, sort="soonest") == [2, 3, 1]
    assert fair_ids(fairs, text="退役军人", filters=upcoming, sort="soonest") == [2]
    assert fair_ids(fairs, text="毕业生", filters=upcoming, sort="soonest") == [3]
    in_linyi = upcoming + (Terms("region_path", ("371300",)),)
    assert fair_ids(fairs, filters=in_linyi, sort="soonest") == [2, 1]
    assert fair_ids(fairs, filters=(Terms("target_groups", ("veteran",)),), sort="soonest") == [2]
    assert fair_ids(fairs, filters=(Terms("kind", ("online",)),), sort="soonest") == [3]


def test_fairs_near_a_place_with_distances(fairs):
    r = fairs.search("fairs", SearchQuery(geo=GeoRadius(35.05, 118.34, 10), sort="distance",
                                          filters=(Range("starts_ts", gte=1_800_000_000),)))
    assert r.ids == [1, 2]  # 3 is online with no place; 4 is past
    assert r.hits[0].distance_km == pytest.approx(0.0, abs=0.05)
    assert r.hits[1].distance_km == pytest.approx(5.8, abs=0.3)


def test_fair_versions_are_large_numbers_and_stale_ones_lose(fairs):
    # a fair's version is its last change in microseconds since the epoch
    v1, v2 = 1_796_000_000_000_000, 1_796_000_000_000_001
    assert fairs.upsert("fairs", [fair(1, "兰山区春风行动招聘会（改期）", version=v2)]).ok == [1]
    assert fairs.upsert("fairs", [fair(1, "兰山区春风行动招聘会", version=v1)]).stale == [1]
    assert fairs.versions("fairs")[1] == v2
    assert fairs.delete("fairs", [(2, v1)]).ok == [2]
    assert fairs.upsert("fairs", [fair(2, "退役军人专场招聘会", version=v1)]).stale == [2]
    assert 2 not in fair_ids(fairs, text="退役军人", sort="soonest")


def test_sorts_a_collection_lacks_are_refused(fairs):
    for sort in ("newest", "pay"):
        with pytest.raises(InvalidQuery) as err:
            fairs.search("fairs", SearchQuery(sort=sort))
        assert err.value.field == "sort"
    with pytest.raises(InvalidQuery):
        ids(fairs, sort="soonest")  # postings have no start time
