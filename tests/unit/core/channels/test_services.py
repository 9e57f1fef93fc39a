"""Channel use cases (core.channels.services): codes and kinds checked with a field named, the
built-in channels made once, partner API keys stored only as hashes and replaced on reissue."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.channels.models import Channel
from core.channels.services import (
    channel_for_api_key,
    create_channel,
    ensure_enterprise_direct_channel,
    ensure_major_project_channel,
    get_channel,
    issue_api_key,
    list_channels,
)
from core.errors import DomainError, NotFound


def test_create_checks_code_kind_trust_and_uniqueness(db_session):
    ch = create_channel(db_session, " HRM-Linyi ", "临沂人力资源市场", "hr_market", region_code="371302")
    assert (ch.code, ch.kind, ch.trust_level) == ("hrm-linyi", "hr_market", "standard")
    for kwargs, code, field in (
        (dict(code="坏代码", kind="hr_market"), "invalid_channel_code", "code"),
        (dict(code="ok-code", kind="market"), "invalid_channel_kind", "kind"),
        (dict(code="ok-code", kind="hr_market", trust_level="high"), "invalid_trust_level", "trust_level"),
        (dict(code="hrm-linyi", kind="hr_market"), "channel_exists", "code"),
    ):
        with pytest.raises(DomainError) as info:
            create_channel(db_session, name="渠道", **kwargs)
        assert (info.value.code, info.value.field) == (code, field)
    assert get_channel(db_session, "HRM-LINYI").id == ch.id
    with pytest.raises(NotFound):
        get_channel(db_session, "nobody")
    assert "hrm-linyi" in [c.code for c in list_channels(db_session)]


def test_built_in_channels_are_made_once(db_session):
    direct = ensure_enterprise_direct_channel(db_session)
    project = ensure_major_project_channel(db_session)
    assert ensure_enterprise_direct_channel(db_session).id == direct.id
    assert (project.kind, project.trust_level) == ("major_project", "trusted")
    assert db_session.scalars(select(Channel).where(Channel.code == direct.code)).all() == [direct]


def test_api_key_is_stored_as_a_hash_and_a_reissue_replaces_it(db_session):
    ch = create_channel(db_session, "agency-key", "职业介绍所", "public_agency")
    first = issue_api_key(db_session, ch)
    assert first.startswith("jl_") and first not in (ch.api_key_hash or "") and ch.api_key_prefix == first[:10]
    assert channel_for_api_key(db_session, first).id == ch.id
    assert channel_for_api_key(db_session, first[:-1] + ("A" if first[-1] != "A" else "B")) is None
    assert channel_for_api_key(db_session, None) is None and channel_for_api_key(db_session, "x" * 40) is None
    second = issue_api_key(db_session, ch)
    assert channel_for_api_key(db_session, first) is None and channel_for_api_key(db_session, second).id == ch.id
    ch.active = False
    db_session.flush()
    assert channel_for_api_key(db_session, second) is None
