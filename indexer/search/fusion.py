"""Semantic retrieval fused with word ranking (issue #12): one place, used by both backends.

A query that carries ``vector`` (the meaning of its words, from the documents' encoder), asks for
relevance order and has words is answered from two lists: the engine's own word ranking (BM25, with
the query's filters, exclusions and radius) and the documents nearest to the vector under the same
conditions. They are merged by reciprocal rank fusion (Cormack et al. 2009): a document's score is
the sum over the lists of ``1 / (RRF_K + rank)``. Documents found by meaning alone come back with
``Hit.related`` set, so a page never claims they hold the words. Counts and facets stay those of the
word search (the documents found by meaning alone are added to the count); an explicit sort (newest,
pay, distance) never fuses, nor a query whose words find ``FUSE_BELOW`` postings or more.
A near document that the words match beyond the fused head is left where the words rank it.

Pages: the first ``depth`` word results and the nearest ``depth`` documents make the fused head;
after it the word ranking continues from its rank ``depth + 1``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from core.search import MAX_RESULT_WINDOW, Hit, SearchQuery, SearchResult

RRF_K = 60
#: how many of each list are fused (the word ranking's first results, the nearest documents)
SEMANTIC_DEPTH = 100
#: the nearest documents' list counts this much against the word ranking's (1: plain RRF)
SEMANTIC_WEIGHT = 1.0
#: nearer than this (cosine) or not at all: the nearest documents of a query about nothing in the
#: index are not worth adding (bench/search.py measured the choice)
MIN_SIMILARITY = 0.5
#: the words alone when they find at least this many postings: fusing then gained little (NDCG@10
#: 0.706 against 0.713 always fusing) for five times the time (bench/search.py, docs/search.md)
FUSE_BELOW = 20


def applies(query: SearchQuery, words_total: int | None = None) -> bool:
    """Fusion answers this query: it has words, a vector, and asks for relevance order (and, when
    the caller already knows how many postings the words find, they find fewer than ``FUSE_BELOW``)."""
    if words_total is not None and words_total >= FUSE_BELOW:
        return False
    return bool(query.vector) and bool(query.text.strip()) and query.sort == "relevance"


def rrf(ranked: Sequence[Sequence[int]], k: int = RRF_K,
        weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked id lists, best first. Ties go to the document with the
    better single rank, then to the earlier list (the word ranking), then to the lower id."""
    scores: dict[int, float] = {}
    best: dict[int, tuple[int, int]] = {}
    for li, ids in enumerate(ranked):
        w = 1.0 if weights is None else float(weights[li])
        for rank, doc_id in enumerate(ids, 1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
            if doc_id not in best or (rank, li) < best[doc_id]:
                best[doc_id] = (rank, li)
    return sorted(scores.items(), key=lambda kv: (-kv[1], best[kv[0]], kv[0]))


def fused_search(query: SearchQuery, search: Callable[[SearchQuery], SearchResult],
                 nearest: Callable[[SearchQuery, int], list[Hit]],
                 highlight: Callable[[list[Hit], SearchQuery], None],
                 depth: int = SEMANTIC_DEPTH, weight: float = SEMANTIC_WEIGHT,
                 min_similarity: float = MIN_SIMILARITY, below: int | None = FUSE_BELOW) -> SearchResult:
    """Answer ``query`` by fusing the backend's word search (``search``, called without the vector)
    with its nearest documents under the same conditions (``nearest(query, k)``, each with ``related``
    set when the words do not match it); ``highlight`` fills the page's hits' highlights. Both
    backends call this, so both fuse the same way. The words alone when they find ``below`` or more."""
    plain = replace(query, vector=None)
    words = search(replace(plain, page=1, size=depth, highlight=False))
    near = [] if below is not None and words.total >= below else \
        [h for h in nearest(query, depth) if h.score >= min_similarity]
    if not near:  # many found by the words, or nothing near in meaning: the words alone
        return search(plain)
    by_word = {h.id: h for h in words.hits}
    # a near document the words match further down stays where the words put it (so every page
    # after the head is the word ranking's own, each document once)
    near = [h for h in near if h.related or h.id in by_word]
    fused = rrf([words.ids, [h.id for h in near]], weights=(1.0, weight))
    order = [doc_id for doc_id, _ in fused]
    score = dict(fused)
    start = (query.page - 1) * query.size
    page_ids = order[start:start + query.size]
    hits = [Hit(id=i, score=score[i], distance_km=by_word[i].distance_km if i in by_word else None,
                related=i not in by_word) for i in page_ids]
    missing = query.size - len(hits)
    if missing > 0 and words.total > len(words.hits):
        # past the fused head the word ranking goes on from its rank ``depth + 1``
        offset = max(start - len(order), 0) + len(words.hits)
        hits += _word_slice(search, plain, offset, missing)
    highlight(hits, query)
    added = sum(1 for i in order if i not in by_word)
    return SearchResult(total=words.total + added, hits=hits, facets=words.facets)


def _word_slice(search, query: SearchQuery, offset: int, count: int) -> list[Hit]:
    """``count`` hits of the word ranking from position ``offset`` (0-based), read as one or two of
    the engine's own pages of ``count`` (pages start at multiples of their size)."""
    out: list[Hit] = []
    page = offset // count + 1
    while len(out) < count and page * count <= MAX_RESULT_WINDOW:
        res = search(replace(query, page=page, size=count, highlight=False))
        first = (page - 1) * count
        out += [h for j, h in enumerate(res.hits) if first + j >= offset]
        if len(res.hits) < count:
            break
        page += 1
    return out[:count]
