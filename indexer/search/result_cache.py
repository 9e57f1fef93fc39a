"""Answers a process gave lately, reused while its view of the index has not changed.

People search for the same few things over and over (普工, 司机, 保安, a city's newest posts), and
between two changes to the index the same query has the same answer. The embedded backend keeps the
last ``size`` answers with the state of the index they were computed on (generation, snapshot and
change sequence: every write, deletion, compaction and rebuild moves one of them), and answers a
repeated query from here only while that state is still the one it reads. So a cached answer is never
staler than a fresh one would be. This is what Solr's query result cache and Elasticsearch's request
cache do, invalidated on every refresh.

Callers get their own copy of the hits and facet counts: they may change them (highlights, merging)
without touching what the next request reads.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Hashable

from core.search import SearchResult

# Answers kept per process. An answer is its page of hits and its facet counts: at 58,000 postings
# 7 KB of memory for the median query of bench/http_load.py's mix, 200 KB for a browse of everything
# (every county and occupation counted). 256 took 5 MB there; never more than about 50 MB.
DEFAULT_SIZE = 256


def copy_result(result: SearchResult) -> SearchResult:
    return SearchResult(
        total=result.total,
        hits=[replace(h, highlights=dict(h.highlights)) for h in result.hits],
        facets={name: dict(counts) for name, counts in result.facets.items()},
    )


class ResultCache:
    """At most ``size`` answers (least recently used dropped first), each valid for one index state.
    Shared by a process's threads. ``size=0`` keeps nothing."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[Hashable, SearchResult]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, state: Hashable) -> SearchResult | None:
        """A copy of the answer to ``key`` computed on index state ``state``, or None."""
        with self._lock:
            try:
                item = self._items.get(key)
            except TypeError:  # a query built with a list somewhere (not the tuples it declares)
                return None
            if item is None or item[0] != state:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            result = item[1]
        return copy_result(result)

    def put(self, key: Hashable, state: Hashable, result: SearchResult) -> None:
        """Keep a copy of ``result`` (the caller's own stays theirs to change)."""
        if self.size <= 0:
            return
        kept = copy_result(result)
        with self._lock:
            try:
                self._items[key] = (state, kept)
            except TypeError:  # answered, not kept
                return
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

