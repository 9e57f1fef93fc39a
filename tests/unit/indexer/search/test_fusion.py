"""Reciprocal rank fusion and the fused page, on a stand-in engine (the contract suite runs the
real backends)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.search import Hit, SearchQuery, SearchResult
from indexer.search.fusion import FUSE_BELOW, RRF_K, applies, fused_search, rrf


def test_rrf_sums_reciprocal_ranks():
    fused = dict(rrf([[10, 20, 30], [30, 40]]))
    assert fused[30] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused[10] == pytest.approx(1 / (RRF_K + 1))
    assert [i for i, _ in rrf([[10, 20, 30], [30, 40]])] == [30, 10, 20, 40]


def test_rrf_ties_go_to_the_better_rank_then_the_word_list():
    # 1 and 5 are both first in one list only: the word ranking (first list) wins the tie
    assert [i for i, _ in rrf([[1, 2], [5, 6]])] == [1, 5, 2, 6]
    assert [i for i, _ in rrf([[9], [3]])] == [9, 3]


def test_rrf_weights_favour_a_list():
    assert [i for i, _ in rrf([[1, 2], [5, 6]], weights=(1.0, 2.0))][:2] == [5, 6]


class Words:
    """A word engine over ranked ids ``order`` (every one matches), paging like a backend."""

    def __init__(self, order):
        self.order = order
        self.calls = []

    def __call__(self, q: SearchQuery) -> SearchResult:
        self.calls.append(q)
        start = (q.page - 1) * q.size
        return SearchResult(total=len(self.order), hits=[Hit(id=i, score=1.0) for i in self.order[start:start + q.size]],
                            facets={"region_path": {"440300": len(self.order)}})


def run(words, near, **kw):
    """``near``: (id, similarity, the words match it)."""
    q = SearchQuery(text="焊工", vector=(1.0, 0.0), **kw)
    marked = []
    res = fused_search(q, words, lambda q, k: [Hit(id=i, score=s, related=not m) for i, s, m in near][:k],
                       lambda hits, q: marked.extend(h.id for h in hits), depth=3)
    return res, marked


def test_fused_head_then_the_word_ranking_goes_on():
    words = Words([1, 2, 3, 4, 5, 6])
    near = [(9, 0.9, False), (2, 0.8, True), (8, 0.4, False)]  # 8 is below the similarity floor
    res, marked = run(words, near, size=10)
    assert res.ids == [2, 1, 9, 3, 4, 5, 6]
    assert [h.related for h in res.hits] == [False, False, True, False, False, False, False]
    assert res.total == 7 and res.facets == {"region_path": {"440300": 6}}  # counts of the word search
    assert marked == res.ids
    assert all(q.vector is None for q in words.calls)  # the engine's own search never fuses again


def test_fused_pages_cover_everything_once():
    words = Words(list(range(1, 12)))
    # 7: the words match it too, at rank 7: it stays there rather than coming twice
    near = [(50, 0.95, False), (7, 0.9, True), (51, 0.7, False), (2, 0.6, True)]
    seen = []
    for page in range(1, 6):
        seen += run(words, near, page=page, size=3)[0].ids
    assert sorted(seen) == sorted(set(seen)) == sorted(list(range(1, 12)) + [50, 51])


def test_words_finding_many_are_answered_alone():
    words = Words(list(range(1, FUSE_BELOW + 1)))
    asked = []
    res = fused_search(SearchQuery(text="焊工", vector=(1.0, 0.0), size=5), words,
                       lambda q, k: asked.append(k) or [Hit(id=99, score=0.9, related=True)], lambda h, q: None)
    assert res.ids == [1, 2, 3, 4, 5] and not asked and res.total == FUSE_BELOW
    assert not applies(SearchQuery(text="焊工", vector=(1.0,)), words_total=FUSE_BELOW)
    assert applies(SearchQuery(text="焊工", vector=(1.0,)), words_total=FUSE_BELOW - 1)


def test_applies_only_to_words_with_a_vector_in_relevance_order():
    q = SearchQuery(text="焊工", vector=(1.0,))
    assert applies(q)
    assert not applies(replace(q, vector=None))
    assert not applies(replace(q, text=" "))
    assert not applies(replace(q, sort="newest"))
