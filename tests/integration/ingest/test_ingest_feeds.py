"""Feeds pulled from a REAL local HTTP server: complete pulls, incremental pulls by cursor, and pulls
interrupted half-way that resume with no posting lost and none doubled."""
from __future__ import annotations

import copy

from sqlalchemy import func, select

from core.ingest.models import FeedCursor, IngestRun
from core.postings.models import Posting, PostingSource
from indexer.sources.feeds import pull_feed

from .conftest import load_items


def _source_ids(session, channel):
    return sorted(session.scalars(select(PostingSource.external_id).where(PostingSource.channel_id == channel.id)))


def _count_sources(session, channel):
    return session.scalar(select(func.count()).select_from(PostingSource).where(PostingSource.channel_id == channel.id))


def test_full_pull_of_the_provincial_feed(db_session, make_channel, feed_server):
    items = load_items("provincial_feed_items.json")
    server = feed_server(items)
    ch = make_channel("gd-site", "provincial_site", "trusted")
    res = pull_feed(db_session, "gd-site", server.url, page_size=10)
    assert res.complete and res.error is None
    d = res.as_dict()
    assert d["received"] >= len(items)
    # every item is known exactly once, under its own id (merges keep the id as another source)
    assert _source_ids(db_session, ch) == sorted(it["id"] for it in items)
    assert d["accepted"] + d["held"] + d["merged"] + d["rejected"] == len(items)
    assert d["rejected"] == 0
    cursor = db_session.scalar(select(FeedCursor).where(FeedCursor.channel_id == ch.id))
    assert cursor.updated_since == items[-1]["updated_at"] and cursor.next_page is None
    assert server.requests[0].get("updated_since") is None


def test_pull_interrupted_half_way_resumes_without_loss_or_doubles(db_session, make_channel, feed_server):
    items = load_items("provincial_feed_items.json")
    server = feed_server(items)
    server.fail_requests = {3: "http500"}
    ch = make_channel("gd-site", "provincial_site", "trusted")
    first = pull_feed(db_session, "gd-site", server.url, page_size=10)
    assert not first.complete and first.error["code"] == "feed_http_error"
    got_first = _count_sources(db_session, ch)
    assert 0 < got_first < len(items)  # two pages committed, the failing one not
    run = db_session.get(IngestRun, first.summary.run_id)
    assert run.status == "interrupted"
    cursor = db_session.scalar(select(FeedCursor).where(FeedCursor.channel_id == ch.id))
    saved_since = cursor.updated_since
    assert saved_since is not None  # resumable position saved with the committed pages

    second = pull_feed(db_session, "gd-site", page_size=10)  # the URL was remembered
    assert second.complete and second.error is None
    # resumed from the cursor, not from the start
    assert server.requests[3].get("updated_since") == saved_since
    assert _source_ids(db_session, ch) == sorted(it["id"] for it in items)
    assert second.as_dict()["unchanged"] >= 1  # the boundary item came again and was recognised


def test_malformed_page_and_timeout_stop_the_pull_and_keep_the_cursor(db_session, make_channel, feed_server):
    items = load_items("provincial_feed_items.json")
    server = feed_server(items)
    server.fail_requests = {2: "malformed", 4: "hang"}
    ch = make_channel("gd-site", "provincial_site", "trusted")
    a = pull_feed(db_session, "gd-site", server.url, page_size=10)
    assert a.error["code"] == "feed_malformed_json"
    n_after_a = _count_sources(db_session, ch)
    assert n_after_a == 10
    b = pull_feed(db_session, "gd-site", page_size=10, timeout=0.5)  # request 3 ok, request 4 hangs
    assert b.error["code"] in {"feed_timeout", "feed_unreachable"}
    server.release.set()
    c = pull_feed(db_session, "gd-site", page_size=10)
    assert c.complete
    assert _source_ids(db_session, ch) == sorted(it["id"] for it in items)


def test_incremental_pull_fetches_only_what_changed_and_updates_in_place(db_session, make_channel, feed_server):
    items = copy.deepcopy(load_items("provincial_feed_items.json"))
    server = feed_server(items)
    ch = make_channel("gd-site", "provincial_site", "trusted")
    assert pull_feed(db_session, "gd-site", server.url, page_size=50).complete
    n_postings = db_session.scalar(select(func.count()).select_from(Posting))
    changed = items[0]
    changed["updated_at"] = "2025-03-01T08:00:00+08:00"
    changed["title"] = changed["title"] + "（急招）"
    items.append({**copy.deepcopy(items[1]), "id": "GD-NEW-1", "updated_at": "2025-03-01T09:00:00+08:00",
                  "title": "叉车司机", "description": "持叉车证，两班倒，月休4天"})
    res = pull_feed(db_session, "gd-site", page_size=50)
    d = res.as_dict()
    assert d["updated"] == 1 and d["received"] <= 4  # only the changed, the new one and the boundary
    assert db_session.scalar(select(func.count()).select_from(Posting)) in {n_postings + 1, n_postings}
    src = db_session.scalar(select(PostingSource).where(PostingSource.channel_id == ch.id,
                                                        PostingSource.external_id == changed["id"]))
    posting = db_session.get(Posting, src.posting_id)
    assert posting.title.endswith("（急招）") and posting.version == 2


def test_gig_feed_pull_keeps_day_and_hour_pay(db_session, make_channel, feed_server):
    items = load_items("gig_feed_items.json")
    server = feed_server(items)
    ch = make_channel("gig", "gig_platform", "trusted")
    res = pull_feed(db_session, "gig", server.url, page_size=7)
    assert res.complete
    postings = list(db_session.scalars(
        select(Posting).join(PostingSource, PostingSource.posting_id == Posting.id).where(PostingSource.channel_id == ch.id)
    ).unique())
    assert postings and {str(p.employment_type) for p in postings} == {"gig"}
    assert {str(p.pay_unit) for p in postings} <= {"day", "hour"} and len({str(p.pay_unit) for p in postings}) == 2


def test_an_item_closed_by_the_feed_is_withdrawn_and_leaves_the_index(db_session, make_channel, feed_server):
    from core.outbox.models import OutboxEvent

    items = copy.deepcopy(load_items("provincial_feed_items.json"))
    server = feed_server(items)
    ch = make_channel("gd-site", "provincial_site", "trusted")
    assert pull_feed(db_session, "gd-site", server.url, page_size=50).complete
    closing = items[3]
    src = db_session.scalar(select(PostingSource).where(PostingSource.channel_id == ch.id,
                                                        PostingSource.external_id == closing["id"]))
    posting = db_session.get(Posting, src.posting_id)
    was_published = str(posting.status) == "published"
    closing["status"] = "closed"
    closing["updated_at"] = "2025-04-01T08:00:00+08:00"
    d = pull_feed(db_session, "gd-site", page_size=50).as_dict(with_results=True)
    row = next(r for r in d["results"] if r["external_id"] == closing["id"])
    assert row["outcome"] == "updated" and row["status"] == "withdrawn"
    db_session.refresh(posting)
    assert str(posting.status) == "withdrawn" and posting.version == 2
    if was_published:
        assert db_session.scalar(select(OutboxEvent).where(OutboxEvent.entity_id == posting.id,
                                                           OutboxEvent.operation == "delete"))
    # closing again changes nothing
    closing["updated_at"] = "2025-04-02T08:00:00+08:00"
    again = pull_feed(db_session, "gd-site", page_size=50).as_dict(with_results=True)
    assert next(r for r in again["results"] if r["external_id"] == closing["id"])["outcome"] == "unchanged"
