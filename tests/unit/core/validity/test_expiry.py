"""Expiry at valid_until and refresh by the enterprise or a channel that listed the posting."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.enums import PostingStatus
from core.errors import DomainError, PermissionDenied
from core.outbox.models import OutboxEvent
from core.postings.models import PostingSource
from core.validity import services as validity

TODAY = dt.date(2026, 11, 22)


def _events(db_session, posting_id):
    return list(db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "posting",
                                                            OutboxEvent.entity_id == posting_id)))


def test_postings_past_their_last_valid_day_expire(db_session, make_channel, make_postings):
    ch = make_channel()
    past = make_postings(ch, 3, valid_until=TODAY - dt.timedelta(days=1))
    last_day = make_postings(ch, 1, valid_until=TODAY)
    undated = make_postings(ch, 1, valid_until=None)
    held = make_postings(ch, 1, valid_until=TODAY - dt.timedelta(days=3), status=PostingStatus.PENDING_REVIEW)
    expired_ids = validity.expire_postings(db_session, TODAY, batch_size=2)
    db_session.commit()
    assert {p.id for p in past} <= set(expired_ids)
    assert not {p.id for p in last_day + undated + held} & set(expired_ids)
    for p in past:
        db_session.refresh(p)
        assert p.status == PostingStatus.EXPIRED and p.version == 2
        assert [e.operation for e in _events(db_session, p.id)] == ["upsert"]
    for p in last_day + undated:
        db_session.refresh(p)
        assert p.status == PostingStatus.PUBLISHED and _events(db_session, p.id) == []
    # Running again finds nothing more to do.
    assert not {p.id for p in past} & set(validity.expire_postings(db_session, TODAY))


def test_the_enterprise_refreshes_an_expired_posting_back_to_published(db_session, make_channel, make_postings, make_user):
    owner = make_user("enterprise")
    p = make_postings(make_channel(), 1, valid_until=TODAY - dt.timedelta(days=2), enterprise_id=owner.enterprise_id)[0]
    validity.expire_postings(db_session, TODAY)
    db_session.refresh(p)
    assert p.status == PostingStatus.EXPIRED
    validity.refresh_posting(db_session, p.id, TODAY + dt.timedelta(days=30), enterprise_id=owner.enterprise_id,
                             actor_user_id=owner.id, actor_role="enterprise", today=TODAY)
    db_session.commit()
    db_session.refresh(p)
    assert p.status == PostingStatus.PUBLISHED and p.valid_until == TODAY + dt.timedelta(days=30)
    assert p.version == 3 and len(_events(db_session, p.id)) == 2
    other = make_user("enterprise")
    with pytest.raises(PermissionDenied):
        validity.refresh_posting(db_session, p.id, TODAY + dt.timedelta(days=40), enterprise_id=other.enterprise_id, today=TODAY)


def test_a_merged_channel_refreshes_its_own_record_not_the_posting(db_session, make_channel, make_postings):
    """Issue 11, defect 5: the posting's validity is its publisher's; a channel whose record was merged
    into it keeps its date with its own record (the posting is untouched)."""
    first, second, stranger = make_channel(), make_channel(), make_channel()
    p = make_postings(first, 1)[0]
    before, version = p.valid_until, p.version
    source = PostingSource(posting_id=p.id, channel_id=second.id, external_id="dup-1", raw={"title": "x"})
    db_session.add(source)
    db_session.flush()
    done = validity.refresh_posting(db_session, p.id, TODAY + dt.timedelta(days=10), channel_id=second.id, today=TODAY)
    assert done == validity.SourceRefreshed("dup-1", TODAY + dt.timedelta(days=10))
    assert p.valid_until == before and p.version == version
    assert source.raw == {"title": "x", "valid_until": (TODAY + dt.timedelta(days=10)).isoformat()}
    validity.refresh_posting(db_session, p.id, TODAY + dt.timedelta(days=10), channel_id=first.id, today=TODAY)
    assert p.valid_until == TODAY + dt.timedelta(days=10) and p.version == version + 1
    with pytest.raises(PermissionDenied):
        validity.refresh_posting(db_session, p.id, TODAY + dt.timedelta(days=20), channel_id=stranger.id, today=TODAY)


def test_refresh_limits(db_session, make_channel, make_postings):
    ch = make_channel()
    p = make_postings(ch, 1)[0]
    for bad in (TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=validity.MAX_VALIDITY_DAYS + 1)):
        with pytest.raises(DomainError) as info:
            validity.refresh_posting(db_session, p.id, bad, channel_id=ch.id, today=TODAY)
        assert info.value.code == "invalid_valid_until"
    filled = make_postings(ch, 1, status=PostingStatus.FILLED)[0]
    with pytest.raises(DomainError) as info:
        validity.refresh_posting(db_session, filled.id, TODAY + dt.timedelta(days=5), channel_id=ch.id, today=TODAY)
    assert info.value.code == "cannot_refresh"
