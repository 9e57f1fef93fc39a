"""Fixtures for the validity tests: channels with live postings in known regions."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

_seq = itertools.count(1)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def make_channel(db_session):
    from core.channels.models import Channel
    from core.enums import ChannelKind

    def _make(name="渠道", kind=ChannelKind.PUBLIC_AGENCY, region_code=None):
        ch = Channel(code=f"vd-ch-{next(_seq)}", name=name, kind=kind, region_code=region_code)
        db_session.add(ch)
        db_session.flush()
        return ch

    return _make


@pytest.fixture
def make_postings(db_session):
    """``n`` postings of a channel (published and valid until 2026-12-31 unless told otherwise)."""
    from sqlalchemy import insert, select

    from core.enums import PostingStatus
    from core.postings.models import Posting

    def _make(channel, n, region_code="440103", status=PostingStatus.PUBLISHED, valid_until=dt.date(2026, 12, 31),
              enterprise_id=None):
        tag = f"vd-{next(_seq)}"
        db_session.execute(insert(Posting), [
            {"title": f"{tag} 岗位{i}", "description": "", "channel_id": channel.id, "region_code": region_code,
             "status": status, "valid_until": valid_until, "version": 1, "enterprise_id": enterprise_id,
             "review_reasons": [], "welfare_tags": [], "skills": [], "target_groups": []}
            for i in range(n)
        ])
        db_session.flush()
        return list(db_session.scalars(select(Posting).where(Posting.title.like(f"{tag} %")).order_by(Posting.id)))

    return _make


@pytest.fixture
def isolate_live_postings(db_session):
    """Take any other test's live postings out of the population (the savepoint undoes it)."""
    from sqlalchemy import update

    from core.enums import PostingStatus
    from core.postings.models import Posting

    db_session.execute(update(Posting).where(Posting.status == PostingStatus.PUBLISHED)
                       .values(status=PostingStatus.DRAFT))
    db_session.flush()
