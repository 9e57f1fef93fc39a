"""Embedded engine behaviour beyond the contract: files that survive restarts, several processes on
one directory, compaction and rebuild without losing writes; and the shared analyser."""
from __future__ import annotations

import multiprocessing as mp

from core.search import SearchQuery, Terms
from indexer.search.analyzer import default_analyzer
from indexer.search.embedded import EmbeddedBackend


def posting(id, title, version=1, region=("440000", "440300"), ts=None):
    return {"id": id, "version": version, "title": title, "body": "", "region_path": list(region),
            "published_ts": ts if ts is not None else id, "title_text": title, "description_text": ""}


def ids(b, **kw):
    return b.search("postings", SearchQuery(**kw)).ids


def test_index_survives_a_restart(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电焊工"), posting(2, "保安")])
    b.compact("postings")
    b.upsert("postings", [posting(3, "焊工学徒")])  # after the snapshot: replayed from the store
    b.delete("postings", [(2, 2)])
    again = EmbeddedBackend(tmp_path)
    assert sorted(ids(again, text="电焊工")) == [1, 3]
    assert ids(again, text="保安") == []
    assert again.versions("postings") == {1: 1, 3: 1}


def _write_from_another_process(path):
    EmbeddedBackend(path).upsert("postings", [posting(9, "叉车司机")])


def test_writes_of_another_process_become_visible(tmp_path):
    reader = EmbeddedBackend(tmp_path, refresh_seconds=0)
    assert ids(reader, text="叉车") == []
    p = mp.get_context("spawn").Process(target=_write_from_another_process, args=(str(tmp_path),))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    assert ids(reader, text="叉车") == [9]


def test_many_small_writes_stay_correct_through_segment_merges_and_compaction(tmp_path):
    b = EmbeddedBackend(tmp_path, compact_threshold=25)
    for i in range(1, 61):
        b.upsert("postings", [posting(i, "普工" if i % 2 else "厨师")])
        if i % 7 == 0:
            b.upsert("postings", [posting(i - 3, "服务员", version=2)])
    expected_cooks = {i for i in range(1, 61) if i % 2 == 0} - {i - 3 for i in range(7, 61, 7)}
    assert set(ids(b, text="厨师", size=100)) == expected_cooks
    assert set(ids(b, text="服务员", size=100)) == {i - 3 for i in range(7, 61, 7)}
    assert b.search("postings", SearchQuery()).total == 60
    fresh = EmbeddedBackend(tmp_path)
    assert set(ids(fresh, text="厨师", size=100)) == expected_cooks


def test_rebuild_swaps_generations_and_a_reader_follows(tmp_path):
    writer = EmbeddedBackend(tmp_path)
    reader = EmbeddedBackend(tmp_path, refresh_seconds=0)
    writer.upsert("postings", [posting(1, "电工")])
    assert ids(reader, text="电工") == [1]
    writer.rebuild("postings", iter([posting(2, "电工"), posting(3, "木工")]))
    assert ids(reader, text="电工") == [2]
    gens = sorted(p.name for p in (tmp_path / "postings").glob("gen-*"))
    assert (tmp_path / "postings" / "CURRENT").read_text() == gens[-1]
    assert len(gens) <= 2  # the previous generation is kept for readers still on it, older ones go


def test_writes_during_a_rebuild_reach_the_new_generation(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电工")])

    def docs():
        yield posting(1, "电工")
        # the relay publishes a newer version while the rebuild is still reading the database
        b.upsert("postings", [posting(1, "高级电工", version=2), posting(5, "育婴师")])
        yield posting(2, "木工")

    b.rebuild("postings", docs())
    assert b.versions("postings") == {1: 2, 2: 1, 5: 1}
    assert ids(b, text="高级") == [1] and ids(b, text="月嫂") == [5]


def test_facets_count_each_region_level(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电工", region=("440000", "440300", "440306")),
                          posting(2, "电工", region=("440000", "440100"))])
    r = b.search("postings", SearchQuery(text="电工", facets=("region_path",),
                                         filters=(Terms("region_path", ("440000",)),)))
    assert r.facets["region_path"] == {"440000": 2, "440300": 1, "440306": 1, "440100": 1}


def test_analyser_reduces_synonyms_and_keeps_job_words_whole():
    a = default_analyzer()
    assert a.query_tokens("焊工") == a.query_tokens("电焊工") == ["电焊工"]
    assert a.query_tokens("保安") == a.query_tokens("安保员")
    assert a.query_tokens("驾驶员") == a.query_tokens("司机")
    assert a.query_tokens("操作工") == a.query_tokens("普工")
    assert "叉车司机" in a.index_tokens("招聘叉车司机若干名")
    assert "日结" in a.index_tokens("零工日结")
    assert a.query_tokens("，。！的") == []
    assert a.query_tokens("ＪＡＶＡ 开发") == a.query_tokens("java开发")


def test_highlight_windows_long_text_around_the_match():
    a = default_analyzer()
    text = "公司简介" * 50 + "招聘电焊工一名" + "福利" * 50
    out = a.highlight(text, a.query_tokens("焊工"), max_chars=40)
    assert out.startswith("…") and out.endswith("…") and "<mark>电焊工</mark>" in out


def test_browse_facets_and_keyword_lists_forget_deleted_documents(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(i, "电工", region=("440000", "440300")) for i in range(1, 6)])
    b.compact("postings")
    before = b.search("postings", SearchQuery(facets=("region_path",)))
    assert before.facets["region_path"]["440300"] == 5
    b.delete("postings", [(2, 2), (4, 2)])
    after = b.search("postings", SearchQuery(facets=("region_path",)))
    assert after.total == 3 and after.facets["region_path"] == {"440000": 3, "440300": 3}
    filtered = b.search("postings", SearchQuery(filters=(Terms("region_path", ("440300", "110000")),)))
    assert sorted(filtered.ids) == [1, 3, 5]


def test_rare_and_common_words_score_the_same_whichever_path_runs(tmp_path, monkeypatch):
    import indexer.search.columnar as columnar

    b = EmbeddedBackend(tmp_path, result_cache_size=0)  # each query computed on both paths, not remembered
    titles = ["电焊工", "普工", "电焊工 普工", "叉车司机", "普工 包吃住"]
    b.upsert("postings", [dict(posting(i, titles[i % 5] + f" {i}号"), body="深圳 宝安" if i % 3 else "东莞")
                          for i in range(1, 401)])
    queries = [SearchQuery(text=t, size=50) for t in ("焊工", "焊工 深圳", "叉车 东莞", "普工", "不存在")]
    monkeypatch.setattr(columnar, "SPARSE_RATIO", 10**9)  # every query on the posting lists
    sparse = [b.search("postings", q) for q in queries]
    monkeypatch.setattr(columnar, "SPARSE_RATIO", 0)  # every query over all documents
    dense = [b.search("postings", q) for q in queries]
    for s, d in zip(sparse, dense):
        assert s.total == d.total
        assert [(h.id, round(h.score, 5)) for h in s.hits] == [(h.id, round(h.score, 5)) for h in d.hits]
    assert dense[0].total == 160 and dense[4].total == 0
