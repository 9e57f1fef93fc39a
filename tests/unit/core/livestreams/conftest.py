"""Fixtures of the livestream tests: published postings, a commissioner in 临沂 and the screening
judge the web app hands to the claims check."""
from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)


@pytest.fixture
def live_posting(db_session):
    """A published posting (pay 8000-12000 元/月 unless told) in 兰山区."""
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting

    def _make(title="焊工", **kw):
        n = next(_seq)
        ch = Channel(code=f"live-ch-{n}", name="直播测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
        db_session.add(ch)
        db_session.flush()
        values = dict(title=title, description=kw.pop("description", f"{title}岗位，五险一金，负责日常工作。"),
                      channel_id=ch.id, region_code="371302", pay_min=8000, pay_max=12000, pay_unit="month",
                      pay_monthly_min=8000, pay_monthly_max=12000, status=PostingStatus.PUBLISHED,
                      published_at=utcnow(), welfare_tags=[])
        values.update(kw)
        p = Posting(**values)
        db_session.add(p)
        db_session.flush()
        return p

    return _make


@pytest.fixture
def screen(db_session):
    from indexer.screening import load_rules, text_findings

    rules = load_rules()
    return lambda text: [(i.code, i.message, i.severity, i.evidence) for i in text_findings(None, text, rules)]


@pytest.fixture
def host(make_user):
    return make_user("commissioner", region_code="371300")
