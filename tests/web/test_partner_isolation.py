"""Two partner channels over HTTP (issue 11, defect 5): channel B, whose record merged into channel
A's posting, can neither extend nor revive A's posting by refreshing its own id, and no answer to B
(push, refresh, batch refresh) names A's posting."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import utcnow
from core.enums import PostingStatus
from core.outbox.models import OutboxEvent
from core.postings.models import Posting, PostingSource

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
PUSH = "/api/v1/partner/postings"


def _record(external_id: str) -> dict:
    rec = json.loads((FIX / "partner_batch.json").read_text(encoding="utf-8"))["postings"][0]
    return {**rec, "external_id": external_id}


@pytest.fixture
def partners(db_session):
    """Keys of two trusted partner channels, A and B."""
    from core.channels.services import create_channel, issue_api_key

    keys = {}
    for code in ("partner-a", "partner-b"):
        ch = create_channel(db_session, code, f"渠道{code}", "hr_firm", trust_level="trusted",
                            licence_number=f"（粤）人服证字〔2020〕第{len(keys)}号")
        keys[code] = {"X-API-Key": issue_api_key(db_session, ch)}
    db_session.commit()
    return keys["partner-a"], keys["partner-b"]


def _push(client, headers, record) -> dict:
    resp = client.post(PUSH, json={"postings": [record]}, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    [result] = resp.get_json()["results"]
    return result


def _posting_ids(*answers) -> set:
    """Every posting id an answer names, however deep."""
    found, todo = set(), list(answers)
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            found |= {v for k, v in item.items() if k in ("posting_id", "duplicate_of")}
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def _events(db_session, pid: int) -> int:
    return db_session.scalar(select(func.count()).select_from(OutboxEvent).where(
        OutboxEvent.entity == "posting", OutboxEvent.entity_id == pid))


def test_a_merged_partner_can_neither_extend_nor_see_another_partners_posting(client, db_session, partners):
    a, b = partners
    today = utcnow().date()
    mine = _push(client, a, _record("A-1"))
    assert mine["outcome"] in {"accepted", "held"} and mine["posting_id"]
    pid = mine["posting_id"]
    posting = db_session.get(Posting, pid)
    posting.status, posting.valid_until = PostingStatus.PUBLISHED, today + dt.timedelta(days=5)
    db_session.commit()

    # B sends the same job under its own id: merged into A's posting, told "merged", not A's id
    theirs = _push(client, b, _record("B-77"))
    assert theirs == {"index": 0, "external_id": "B-77", "outcome": "merged", "status": "merged"}
    assert db_session.scalar(select(PostingSource.posting_id).where(PostingSource.external_id == "B-77")) == pid
    # sent again (changed): its record is updated, the answer still hides A's posting
    again = _push(client, b, {**_record("B-77"), "headcount": 9})
    assert again["outcome"] in {"updated", "unchanged"} and "posting_id" not in again and again["status"] == "merged"

    version, events = db_session.get(Posting, pid).version, _events(db_session, pid)
    far = (today + dt.timedelta(days=150)).isoformat()
    resp = client.post("/api/v1/partner/postings/B-77/refresh", json={"valid_until": far}, headers=b)
    assert resp.status_code == 200
    assert resp.get_json() == {"external_id": "B-77", "status": "merged", "valid_until": far}
    resp = client.post("/api/v1/partner/postings/refresh", json={"items": [
        {"external_id": "B-77", "valid_until": far}, {"external_id": "A-1", "valid_until": far}]}, headers=b)
    body = resp.get_json()
    assert resp.status_code == 200 and (body["refreshed"], body["rejected"]) == (1, 1)
    assert body["results"][0] == {"index": 0, "external_id": "B-77", "outcome": "refreshed", "status": "merged",
                                  "valid_until": far}
    assert body["results"][1]["error"]["code"] == "unknown_external_id"  # A's own id is not B's to name
    assert _posting_ids(theirs, again, body) == set()

    db_session.expire_all()
    posting = db_session.get(Posting, pid)
    assert posting.valid_until == today + dt.timedelta(days=5)  # A's posting: A's date
    assert posting.version == version and _events(db_session, pid) == events
    source = db_session.scalar(select(PostingSource).where(PostingSource.external_id == "B-77"))
    assert source.raw["valid_until"] == far  # B's date stays with B's record

    # once A's posting has expired, B's refresh does not bring it back
    posting.valid_until = today - dt.timedelta(days=1)
    posting.status = PostingStatus.EXPIRED
    db_session.commit()
    assert client.post("/api/v1/partner/postings/B-77/refresh", json={"valid_until": far}, headers=b).status_code == 200
    db_session.expire_all()
    assert db_session.get(Posting, pid).status == PostingStatus.EXPIRED

    # A, the publisher, extends (and revives) its own posting and is told its id
    resp = client.post("/api/v1/partner/postings/A-1/refresh", json={"valid_until": far}, headers=a)
    assert resp.status_code == 200 and resp.get_json()["posting_id"] == pid
    db_session.expire_all()
    assert db_session.get(Posting, pid).status == PostingStatus.PUBLISHED


def test_a_hold_reason_does_not_name_another_partners_posting(db_session, partners):
    """The probable-duplicate reason names the posting it resembles: to the channel only when it is its own."""
    from core.channels.models import Channel
    from core.ingest.services import answer_for_channel

    a = db_session.scalar(select(Channel).where(Channel.code == "partner-a"))
    b = db_session.scalar(select(Channel).where(Channel.code == "partner-b"))
    theirs = Posting(title="普工", channel_id=a.id, status=PostingStatus.PUBLISHED)
    mine = Posting(title="普工", channel_id=b.id, status=PostingStatus.PENDING_REVIEW)
    db_session.add_all([theirs, mine])
    db_session.flush()

    def held(dup: int) -> dict:
        return {"record": 1, "external_id": "B-1", "outcome": "held", "posting_id": mine.id, "status": "pending_review",
                "reasons": [{"code": "probable_duplicate", "message": f"可能与岗位 #{dup} 重复", "severity": "hold",
                             "duplicate_of": dup}]}

    [shown] = answer_for_channel(db_session, b.id, [held(theirs.id)])
    assert shown["posting_id"] == mine.id and shown["status"] == "pending_review"
    assert shown["reasons"][0]["code"] == "probable_duplicate" and "duplicate_of" not in shown["reasons"][0]
    assert str(theirs.id) not in shown["reasons"][0]["message"]
    assert answer_for_channel(db_session, b.id, [held(mine.id)]) == [held(mine.id)]  # its own: unchanged
