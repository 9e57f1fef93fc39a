"""Through the search API: a search asked again is answered from the embedded backend's result cache
(indexer/search/result_cache.py), "posted within N days" included, and a posting indexed since is in
the next answer."""
from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import webapp.search.query as search_query
from core.db import utcnow
from indexer.worker import rebuild

URL = "/api/v1/postings/search?q=电焊工&posted_within=3"


def ids(client) -> list[int]:
    return sorted(item["id"] for item in client.get(URL).get_json()["items"])


def test_a_search_asked_again_is_answered_from_memory_and_still_sees_what_is_indexed_since(
        client, db_session, index, make_posting, monkeypatch):
    old, recent = make_posting("电焊工"), make_posting("电焊工")
    old.published_at = utcnow() - dt.timedelta(days=5)
    db_session.commit()
    assert rebuild(db_session, index, "postings") == 2
    minute = int(time.time()) // 60 * 60  # the same search 5 and 45 seconds into this minute
    monkeypatch.setattr(search_query, "time", SimpleNamespace(time=lambda: minute + 5))
    assert ids(client) == [recent.id]
    kept, answered = dict(index.results._items), index.results.hits
    monkeypatch.setattr(search_query, "time", SimpleNamespace(time=lambda: minute + 45))
    assert ids(client) == [recent.id]
    # the same queries (the posts' and the fairs'): answered from memory, nothing new kept
    assert index.results._items.keys() == kept.keys() and index.results.hits > answered

    newer = make_posting("电焊工")
    assert rebuild(db_session, index, "postings") == 3
    assert ids(client) == sorted([recent.id, newer.id])
