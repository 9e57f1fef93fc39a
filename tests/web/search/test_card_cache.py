"""Search results reuse the cards a process read lately (core/postings/cards.py CardCache), and still show
every change at once: an edited posting, a renamed or newly certified enterprise, a channel that now
carries the posting too, a withdrawn posting."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import event

from core.db import utcnow
from core.enums import PostingStatus, VerificationStatus
from core.postings.cards import CardCache
from core.postings.models import PostingSource
from indexer.worker import rebuild


@pytest.fixture
def cards_read(app, db_session):
    """How many times the full card read (the statement that reads a card's channels) ran."""
    engine = db_session.get_bind().engine
    seen = {"n": 0}

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM posting_sources LEFT OUTER JOIN channels" in statement:
            seen["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def shown(db_session, index, make_posting, make_enterprise):
    ent = make_enterprise(name="兰山钢构有限公司")
    posting = make_posting("电焊工", description="兰山区钢结构厂招电焊工", enterprise_id=ent.id)
    assert rebuild(db_session, index, "postings") == 1
    return posting, ent


@pytest.fixture
def make_enterprise(db_session):
    from core.enterprises.models import Enterprise

    def _make(name: str):
        ent = Enterprise(name=name, normalized_name=name)
        db_session.add(ent)
        db_session.commit()
        return ent

    return _make


def first_item(client) -> dict | None:
    items = client.get("/api/v1/postings/search?q=电焊工").get_json()["items"]
    return items[0] if items else None


def test_a_card_shown_again_is_not_read_again(client, shown, cards_read):
    assert first_item(client)["title"] == "电焊工"
    before = cards_read["n"]
    assert first_item(client)["enterprise"] == "兰山钢构有限公司"
    assert client.get("/search?q=电焊工").status_code == 200
    assert cards_read["n"] == before  # both answers came from the cache


def test_an_edited_posting_shows_its_change_at_once(client, db_session, shown, cards_read):
    posting, _ent = shown
    first_item(client)
    posting.title = "电焊工（夜班）"
    db_session.commit()
    before = cards_read["n"]
    assert first_item(client)["title"] == "电焊工（夜班）"
    assert cards_read["n"] == before + 1


def test_an_enterprise_renamed_or_certified_shows_at_once(client, db_session, shown):
    _posting, ent = shown
    first_item(client)
    ent.name = "兰山钢结构有限公司"
    db_session.commit()
    assert first_item(client)["enterprise"] == "兰山钢结构有限公司"
    assert "已认证" not in client.get("/search?q=电焊工").get_data(as_text=True)
    ent.verification_status, ent.qualified_at = VerificationStatus.VERIFIED, utcnow()
    db_session.commit()
    assert "已认证" in client.get("/search?q=电焊工").get_data(as_text=True)


def test_a_channel_that_now_carries_the_posting_shows_at_once(client, db_session, shown):
    from core.channels.models import Channel
    from core.enums import ChannelKind

    posting, _ent = shown
    assert [s["channel"] for s in first_item(client)["sources"]] == ["测试渠道"]
    ch = Channel(code="cache-test-market", name="兰山人力资源市场", kind=ChannelKind.HR_MARKET)
    db_session.add(ch)
    db_session.flush()
    db_session.add(PostingSource(posting_id=posting.id, channel_id=ch.id, external_id="m-1"))
    db_session.commit()
    assert [s["channel"] for s in first_item(client)["sources"]] == ["测试渠道", "兰山人力资源市场"]


def test_a_withdrawn_posting_drops_out_at_once(client, db_session, shown):
    posting, _ent = shown
    assert first_item(client)["id"] == posting.id
    posting.status = PostingStatus.WITHDRAWN
    db_session.commit()
    assert first_item(client) is None  # the index still has it until the relay runs; the page does not


def test_the_cache_keeps_the_most_recently_shown_and_forgets_old_cards():
    from core.postings.cards import PostingCard

    def card(i: int) -> PostingCard:
        return PostingCard(i, f"岗位{i}", None, None, None, None, None, None, None, None, None, None, None, None,
                           None, [], [], None, None, None, None, None)

    cache = CardCache(size=2, max_age_s=60)
    cache.put({1: ("v1",), 2: ("v1",)}, {1: card(1), 2: card(2)})
    assert set(cache.take({1: ("v1",)})[0]) == {1}  # 1 is now the most recent
    cache.put({3: ("v1",)}, {3: card(3)})
    found, missing = cache.take({1: ("v1",), 2: ("v1",), 3: ("v1",)})
    assert set(found) == {1, 3} and missing == [2]
    assert cache.take({1: ("v2",)}) == ({}, [1])  # a changed stamp is read again
    old = CardCache(size=2, max_age_s=0.01)
    old.put({1: ("v1",)}, {1: card(1)})
    time.sleep(0.02)
    assert old.take({1: ("v1",)}) == ({}, [1])  # too old: read again
