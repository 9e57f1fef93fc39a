"""The embedded backend answers a repeated query from its result cache only while the index it reads
has not changed: a write, a deletion, a compaction, a rebuild or another process's write gives a
fresh answer; what a caller does to its answer never reaches the next one."""
from __future__ import annotations

import pytest

from core.search import SearchQuery, SearchResult, Hit, Terms
from indexer.search.embedded import EmbeddedBackend
from indexer.search.factory import make_backend
from indexer.search.result_cache import ResultCache

from .test_embedded import posting


def ask(b, **kw) -> SearchResult:
    return b.search("postings", SearchQuery(facets=("region_path",), **kw))


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_answer(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电焊工"), posting(2, "电焊工学徒"), posting(3, "保安")])
    first = ask(b, text="电焊工")
    hits_before = b.results.hits
    again = ask(b, text="电焊工")
    assert b.results.hits == hits_before + 1
    assert again == first and again.hits is not first.hits
    assert ask(b, text="电焊工", page=2, size=1).ids == [first.ids[1]]  # another page: another answer


def test_writes_deletions_and_compaction_in_this_process_give_a_fresh_answer(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电工")])
    assert ask(b, text="电工").ids == [1]
    b.upsert("postings", [posting(2, "电工")])
    assert sorted(ask(b, text="电工").ids) == [1, 2]
    b.delete("postings", [(1, 2)])
    after_delete = ask(b, text="电工")
    assert after_delete.ids == [2] and after_delete.facets["region_path"] == {"440000": 1, "440300": 1}
    b.upsert("postings", [posting(2, "木工", version=2)])
    assert ask(b, text="电工").ids == []
    b.compact("postings")
    assert ask(b, text="木工").ids == [2]


def test_another_writer_and_a_rebuild_give_a_fresh_answer(tmp_path):
    reader = EmbeddedBackend(tmp_path, refresh_seconds=0)
    writer = EmbeddedBackend(tmp_path)  # another process's backend on the same folder
    writer.upsert("postings", [posting(1, "叉车司机")])
    assert ask(reader, text="叉车").ids == [1]
    writer.upsert("postings", [posting(2, "叉车司机")])
    assert sorted(ask(reader, text="叉车").ids) == [1, 2]
    writer.rebuild("postings", iter([posting(5, "叉车司机")]))
    assert ask(reader, text="叉车").ids == [5]


def test_what_a_caller_changes_in_its_answer_does_not_reach_the_next_one(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电焊工"), posting(2, "电焊工")])
    first = ask(b, text="电焊工")
    expected_ids, expected_marks = first.ids, [dict(h.highlights) for h in first.hits]
    first.hits[0].highlights["title"] = "改过的"
    first.hits[0].score = -1
    first.hits.append(Hit(id=99))
    first.facets["region_path"]["440300"] = 1000
    again = ask(b, text="电焊工")
    assert again.ids == expected_ids and [h.highlights for h in again.hits] == expected_marks
    assert again.facets["region_path"]["440300"] == 2 and again.hits[0].score > 0


def test_the_cache_keeps_at_most_its_size_and_nothing_when_off(tmp_path):
    b = EmbeddedBackend(tmp_path, result_cache_size=2)
    b.upsert("postings", [posting(1, "电工"), posting(2, "木工"), posting(3, "瓦工")])
    for word in ("电工", "木工", "瓦工"):
        ask(b, text=word)
    assert len(b.results) == 2
    off = EmbeddedBackend(tmp_path, result_cache_size=0)
    ask(off, text="电工")
    ask(off, text="电工")
    assert len(off.results) == 0 and off.results.hits == 0


def test_a_query_that_cannot_be_a_key_is_answered_all_the_same(tmp_path):
    b = EmbeddedBackend(tmp_path)
    b.upsert("postings", [posting(1, "电工")])
    loose = SearchQuery(text="电工", filters=(Terms("region_path", ["440300"]),))  # a list, not a tuple
    assert b.search("postings", loose).ids == [1] and b.search("postings", loose).ids == [1]
    assert len(b.results) == 0


def test_a_stale_state_is_never_answered():
    cache = ResultCache(4)
    cache.put("q", ("gen-1", "base-1", 7), SearchResult(total=1, hits=[Hit(id=1)]))
    assert cache.get("q", ("gen-1", "base-1", 8)) is None
    assert cache.get("q", ("gen-1", "base-1", 7)).ids == [1]


def test_the_setting_sizes_the_cache_and_a_bad_value_is_refused(tmp_path):
    assert make_backend({"SEARCH_INDEX_DIR": str(tmp_path)}).results.size == 256
    assert make_backend({"SEARCH_INDEX_DIR": str(tmp_path), "SEARCH_RESULT_CACHE": "0"}).results.size == 0
    for bad in ("many", "-1"):
        with pytest.raises(ValueError, match="SEARCH_RESULT_CACHE"):
            make_backend({"SEARCH_INDEX_DIR": str(tmp_path), "SEARCH_RESULT_CACHE": bad})
