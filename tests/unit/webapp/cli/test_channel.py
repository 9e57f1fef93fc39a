"""``joblink channel create|list|key``: channels and their partner API keys (a key is shown once;
only its hash is stored)."""
from __future__ import annotations

import json

from sqlalchemy import select

from core.channels.models import Channel
from webapp.cli.common import EXIT_BAD_INPUT


def test_channel_create_list_and_key(runner, db_session):
    r = runner.invoke(args=["channel", "create", "linyi-agency", "--name", "临沂市公共就业服务中心", "--kind",
                            "public_agency", "--region", "371300", "--json"])
    assert r.exit_code == 0, r.output
    listed = json.loads(runner.invoke(args=["channel", "list", "--json"]).output)
    assert any(c["code"] == "linyi-agency" and c["region_code"] == "371300" for c in listed)
    assert "linyi-agency" in runner.invoke(args=["channel", "list"]).output
    k = json.loads(runner.invoke(args=["channel", "key", "linyi-agency", "--json"]).output)
    assert k["api_key"].startswith("jl_")
    ch = db_session.scalar(select(Channel).where(Channel.code == "linyi-agency"))
    assert ch.api_key_hash and k["api_key"] not in ch.api_key_hash
    shown_once = runner.invoke(args=["channel", "key", "linyi-agency"]).output
    assert "只显示这一次" in shown_once and k["api_key"] not in shown_once  # a new key replaced it


def test_refused_channels_exit_2(runner, db_session):
    bad = runner.invoke(args=["channel", "create", "x y", "--name", "n", "--kind", "public_agency", "--json"])
    assert bad.exit_code == EXIT_BAD_INPUT and json.loads(bad.output)["error"]["code"] == "invalid_channel_code"
    unknown = runner.invoke(args=["channel", "key", "no-such-channel", "--json"])
    assert unknown.exit_code == EXIT_BAD_INPUT and json.loads(unknown.output)["error"]["code"] == "not_found"
    assert db_session.scalar(select(Channel).where(Channel.code == "x y")) is None
