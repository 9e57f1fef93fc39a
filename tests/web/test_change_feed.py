"""The open change feed (/api/v1/stream) and one posting (/api/v1/postings/<id>): a consumer replays
the feed into an empty copy, page by page, and ends with exactly the published postings of the database
and of the search index; it resumes from its cursor; bad cursors are refused; the per-key rate limit."""
from __future__ import annotations

import datetime as dt

import pytest

from core.db import utcnow
from core.enums import PostingStatus
from core.outbox.services import emit
from core.postings.models import Posting
from core.search import SearchQuery
from core.statistics import feed
from indexer.search.embedded import EmbeddedBackend
from indexer.worker import rebuild


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    monkeypatch.setattr(feed, "SETTLE", dt.timedelta(0))


def _posting(session, title, status=PostingStatus.PUBLISHED, **kw):
    p = Posting(title=title, description=f"{title}，长期招聘", region_code="630102", status=status,
                published_at=utcnow() if status == PostingStatus.PUBLISHED else None, headcount=3, **kw)
    session.add(p)
    session.flush()
    emit(session, "posting", p.id)
    session.commit()
    return p


def replay(client, since: str = "0", into: dict | None = None, limit: int = 2) -> tuple[dict, str, list]:
    """What a partner system does: read pages until none is left, applying each event in order."""
    copy = {} if into is None else into
    seen = []
    while True:
        body = client.get(f"/api/v1/stream?since={since}&limit={limit}").get_json()
        for ev in body["events"]:
            seen.append((ev["type"], ev["posting_id"]))
            if ev["type"] == "withdrawn":
                copy.pop(ev["posting_id"], None)
            else:
                copy[ev["posting_id"]] = ev["posting"]
        assert int(body["next"]) >= int(since)
        since = body["next"]
        if not body["has_more"]:
            return copy, since, seen


def test_replay_equals_the_database_and_the_index(app, client, db_session, tmp_path, monkeypatch):
    welder = _posting(db_session, "焊工")
    cook = _posting(db_session, "厨师")
    held = _posting(db_session, "待审核的岗位", status=PostingStatus.PENDING_REVIEW)
    gone = _posting(db_session, "将被删除的岗位")
    welder.title, welder.version = "高级焊工", welder.version + 1
    emit(db_session, "posting", welder.id)
    cook.status = PostingStatus.WITHDRAWN
    emit(db_session, "posting", cook.id, "delete")
    db_session.delete(gone)
    emit(db_session, "posting", gone.id, "delete")
    db_session.commit()

    copy, cursor, seen = replay(client)
    assert ("published", welder.id) in seen and ("changed", welder.id) in seen
    assert ("withdrawn", cook.id) in seen and ("withdrawn", gone.id) in seen
    assert held.id not in {pid for _, pid in seen}  # never public: never told
    assert copy[welder.id]["title"] == "高级焊工" and copy[welder.id]["version"] == welder.version

    published = {p.id: p for p in db_session.query(Posting).filter(Posting.status == PostingStatus.PUBLISHED)}
    assert set(copy) <= set(published)
    assert {welder.id} <= set(copy) and cook.id not in copy and gone.id not in copy
    for pid, doc in copy.items():
        assert doc["title"] == published[pid].title and doc["version"] == published[pid].version

    backend = EmbeddedBackend(tmp_path / "search")
    rebuild(db_session, backend, "postings")
    indexed = set(backend.search("postings", SearchQuery(size=50)).ids)
    mine = {welder.id, cook.id, held.id, gone.id}
    assert set(copy) <= indexed and indexed & mine == set(copy) & mine == {welder.id}

    # resumable: from the cursor only what happened since
    later = _posting(db_session, "电工")
    _, cursor2, seen2 = replay(client, since=cursor, into=copy)
    assert seen2 == [("published", later.id)] and later.id in copy and int(cursor2) > int(cursor)
    assert replay(client, since=cursor2)[2] == []


def test_recent_events_wait_until_settled(client, db_session, monkeypatch):
    monkeypatch.setattr(feed, "SETTLE", dt.timedelta(hours=1))
    _posting(db_session, "刚发布的岗位")
    body = client.get("/api/v1/stream?since=0&limit=500").get_json()
    assert all(ev["posting"]["title"] != "刚发布的岗位" for ev in body["events"] if ev.get("posting"))


@pytest.mark.parametrize("query, field", [("since=-1", "since"), ("since=abc", "since"), ("since=1.5", "since"),
                                          ("limit=0", "limit"), ("limit=501", "limit"), ("since=٣", "since")])
def test_bad_cursor_or_limit_is_refused(client, query, field):
    resp = client.get(f"/api/v1/stream?{query}")
    assert resp.status_code == 400 and resp.get_json()["error"]["field"] == field


def test_one_posting_as_json_only_while_published(client, db_session):
    p = _posting(db_session, "叉车司机")
    body = client.get(f"/api/v1/postings/{p.id}").get_json()
    assert body["id"] == p.id and body["title"] == "叉车司机" and body["url"] == f"/postings/{p.id}"
    assert body["region"] == "青海省西宁市城东区" and body["headcount"] == 3
    p.status = PostingStatus.WITHDRAWN
    db_session.commit()
    resp = client.get(f"/api/v1/postings/{p.id}")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_feed_is_rate_limited_per_key(tmp_path, limiter_guard):
    from tests.web.test_security import _dedicated_app

    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                         STREAM_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.get("/api/v1/stream", environ_base={"REMOTE_ADDR": "192.0.2.5"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/stream", environ_base={"REMOTE_ADDR": "192.0.2.6"}).status_code == 200


def test_a_cursor_past_every_event_reads_nothing(client):
    body = client.get("/api/v1/stream?since=1000000000000000000").get_json()
    assert body == {"events": [], "next": "1000000000000000000", "has_more": False}
