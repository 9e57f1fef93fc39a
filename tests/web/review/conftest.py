"""Fixtures for the review and commissioner tests: channels and postings as the pipeline leaves them."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

_seq = itertools.count(1)

DISCRIMINATORY_TEXT = "招聘普工10名，限男性，年龄18-45岁。入职需交押金200元。<script>alert('x')</script>"


def gender_reason(text: str = DISCRIMINATORY_TEXT) -> dict:
    start = text.index("限男性")
    return {"code": "discrimination_gender", "message": "含性别歧视性要求", "severity": "hold",
            "field": "description", "span": [start, start + 3], "evidence": "限男性"}


def deposit_reason() -> dict:
    # No span: highlighting falls back to finding the evidence in the text.
    return {"code": "fee_deposit", "message": "向求职者收取押金", "severity": "hold",
            "field": "description", "evidence": "押金200元"}


@pytest.fixture
def make_channel(db_session):
    from core.channels.models import Channel
    from core.enums import ChannelKind

    def _make(name="天河区人力资源市场", kind=ChannelKind.HR_MARKET, region_code="440106"):
        ch = Channel(code=f"rv-ch-{next(_seq)}", name=name, kind=kind, region_code=region_code)
        db_session.add(ch)
        db_session.flush()
        return ch

    return _make


@pytest.fixture
def make_held(db_session, make_channel):
    """A posting the screening held for review (or any other status), with a source record."""
    from core.db import utcnow
    from core.enums import PostingStatus
    from core.postings.models import Posting, PostingSource

    def _make(channel=None, title="普工（长白班）", description=DISCRIMINATORY_TEXT, region_code="440103",
              reasons=None, status=PostingStatus.PENDING_REVIEW, age_days=0, valid_until="default", **kw):
        channel = channel or make_channel()
        now = utcnow() - dt.timedelta(days=age_days)
        p = Posting(
            title=title, description=description, channel_id=channel.id, region_code=region_code,
            pay_text=kw.pop("pay_text", "4500-6000元/月"), pay_min=4500, pay_max=6000, pay_unit="month",
            status=status,
            review_reasons=[gender_reason(description), deposit_reason()] if reasons is None else reasons,
            valid_until=(utcnow().date() + dt.timedelta(days=60)) if valid_until == "default" else valid_until,
            created_at=now, updated_at=now,
            published_at=utcnow() if status == PostingStatus.PUBLISHED else None,
            **kw,
        )
        p.sources.append(PostingSource(channel_id=channel.id, external_id=f"rv-{next(_seq)}",
                                       raw={"职位名称": title, "联系电话": "020-12345678"}))
        db_session.add(p)
        db_session.commit()
        return p

    return _make


@pytest.fixture
def outbox_for(db_session):
    """Outbox events recorded for one posting."""
    from sqlalchemy import select

    from core.outbox.models import OutboxEvent

    def _events(posting_id: int) -> list:
        return list(db_session.scalars(
            select(OutboxEvent).where(OutboxEvent.entity == "posting", OutboxEvent.entity_id == posting_id)))

    return _events
