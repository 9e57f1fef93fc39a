"""Merging a probable duplicate from the review queue: the held posting's sources move to the posting
it duplicates, it is rejected with a note saying where it went, its fingerprint is dropped, and the
decision is in the audit trail. Refused when the other posting is gone, and to non-reviewers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.dedup.models import DedupFingerprint
from core.enums import PostingStatus
from core.postings.models import PostingSource
from core.review.models import ReviewDecision

TEXT = "负责仓库货物收发、盘点和台账登记，熟悉WMS系统，能适应倒班，有叉车证优先。"


def probable_reason(other_id: int) -> dict:
    return {"code": "probable_duplicate", "severity": "hold", "field": "dedup", "duplicate_of": other_id,
            "message": f"可能与岗位 #{other_id} 重复（标题相同，描述相似度 0.36）：是同一岗位请合并，不是请通过"}


@pytest.fixture
def pair(db_session, make_held):
    """A published posting and a held probable duplicate of it (with its fingerprint row)."""
    canonical = make_held(title="仓管员", description=TEXT, reasons=[], status=PostingStatus.PUBLISHED)
    held = make_held(title="仓管员", description=TEXT + "本岗位为校园招聘。", reasons=[probable_reason(canonical.id)])
    db_session.add(DedupFingerprint(posting_id=held.id, title_key="仓管员", signature=b"\0" * 256, has_text=True))
    db_session.commit()
    return canonical, held


def _sources(db_session, posting_id: int) -> list[str]:
    return sorted(db_session.scalars(select(PostingSource.external_id).where(PostingSource.posting_id == posting_id)))


def test_queue_shows_the_reason_and_the_merge_button(client, login_as, pair):
    login_as("reviewer")
    canonical, held = pair
    html = client.get("/review/").get_data(as_text=True)
    item = html[html.index(f'id="posting-{held.id}"'):]
    assert f"可能与岗位 #{canonical.id} 重复" in item and "probable_duplicate" in item
    assert f'formaction="/review/postings/{held.id}/merge"' in item and f"合并到 #{canonical.id}" in item
    assert 'name="csrf_token"' in item
    facets = client.get("/review/?reason=probable_duplicate").get_data(as_text=True)
    assert "可能重复（1）" in facets
    detail = client.get(f"/review/postings/{held.id}").get_data(as_text=True)
    assert f"合并到 #{canonical.id}" in detail and f'href="/review/postings/{canonical.id}"' in detail


def test_merge_moves_sources_rejects_and_is_audited(client, login_as, pair, db_session, outbox_for):
    user = login_as("reviewer")
    canonical, held = pair
    moved = _sources(db_session, held.id) + _sources(db_session, canonical.id)
    version = canonical.version
    resp = client.post(f"/review/postings/{held.id}/merge", data={"note": "同一岗位，校招字样为渠道添加"},
                       follow_redirects=True)
    assert resp.status_code == 200 and f"已合并到 #{canonical.id}" in resp.get_data(as_text=True)
    db_session.expire_all()
    assert _sources(db_session, canonical.id) == sorted(moved) and _sources(db_session, held.id) == []
    assert db_session.get(type(held), held.id).status == PostingStatus.REJECTED
    assert db_session.get(type(canonical), canonical.id).status == PostingStatus.PUBLISHED
    assert db_session.get(type(canonical), canonical.id).version == version + 1
    assert db_session.get(DedupFingerprint, held.id) is None
    assert len(outbox_for(held.id)) == 1 and len(outbox_for(canonical.id)) == 1
    d = db_session.scalar(select(ReviewDecision).where(ReviewDecision.posting_id == held.id))
    assert d.decision == "merge" and d.reviewer_user_id == user.id and d.new_status == "rejected"
    assert d.note == f"与岗位 #{canonical.id} 为同一岗位，已合并到 #{canonical.id}：同一岗位，校招字样为渠道添加"
    assert d.reasons[0]["duplicate_of"] == canonical.id
    event = db_session.scalar(select(AuditEvent).where(
        AuditEvent.subject_type == "posting", AuditEvent.subject_id == held.id, AuditEvent.action == "review"))
    assert event.actor_user_id == user.id and f"合并到 #{canonical.id}" in event.purpose
    audit = client.get("/review/audit?decision=merge").get_data(as_text=True)
    assert f"已合并到 #{canonical.id}" in audit and "合并" in audit
    # decided: a second merge is refused
    again = client.post(f"/review/postings/{held.id}/merge", data={}, follow_redirects=True).get_data(as_text=True)
    assert "不在待审核队列中" in again


def test_merge_into_a_posting_no_longer_live_is_refused(client, login_as, pair, db_session):
    login_as("reviewer")
    canonical, held = pair
    canonical.status = PostingStatus.WITHDRAWN
    db_session.commit()
    before = _sources(db_session, held.id)
    html = client.post(f"/review/postings/{held.id}/merge", data={}, follow_redirects=True).get_data(as_text=True)
    assert f"岗位 #{canonical.id} 当前状态为「已撤回」，不能再合并到它" in html
    db_session.expire_all()
    assert db_session.get(type(held), held.id).status == PostingStatus.PENDING_REVIEW
    assert _sources(db_session, held.id) == before
    assert db_session.get(DedupFingerprint, held.id) is not None
    assert db_session.scalar(select(ReviewDecision).where(ReviewDecision.posting_id == held.id)) is None


def test_a_posting_without_a_probable_duplicate_reason_cannot_be_merged(client, login_as, make_held, db_session):
    login_as("admin")
    p = make_held()
    html = client.get("/review/").get_data(as_text=True)
    assert f'/review/postings/{p.id}/merge' not in html
    html = client.post(f"/review/postings/{p.id}/merge", data={}, follow_redirects=True).get_data(as_text=True)
    assert "无法合并" in html
    db_session.refresh(p)
    assert p.status == PostingStatus.PENDING_REVIEW


@pytest.mark.parametrize("role", ["jobseeker", "enterprise", "commissioner"])
def test_non_reviewers_are_refused(client, login_as, pair, db_session, role):
    login_as(role)
    canonical, held = pair
    resp = client.post(f"/review/postings/{held.id}/merge", data={})
    assert resp.status_code == 403
    db_session.expire_all()
    assert db_session.get(type(held), held.id).status == PostingStatus.PENDING_REVIEW
    assert len(_sources(db_session, canonical.id)) == 1
