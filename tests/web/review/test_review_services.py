"""The review use cases: queue filters, jurisdiction, approve/reject/bulk with outbox and audit trail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.enums import PostingStatus
from core.errors import DomainError, PermissionDenied
from core.review import services as review
from core.review.models import ReviewDecision


def _ids(page):
    return [p.id for p in page.items]


def test_queue_lists_only_held_postings_oldest_first_with_facets(db_session, make_user, make_held, make_channel):
    reviewer = make_user("reviewer")
    ch = make_channel()
    newer = make_held(ch, age_days=1)
    older = make_held(ch, age_days=5)
    make_held(ch, status=PostingStatus.PUBLISHED)
    make_held(ch, status=PostingStatus.REJECTED)
    page = review.list_queue(db_session, reviewer)
    ours = [pid for pid in _ids(page) if pid in {older.id, newer.id}]
    assert ours == [older.id, newer.id]
    assert all(p.status == PostingStatus.PENDING_REVIEW for p in page.items)
    reasons = {code: n for code, _msg, n in page.reason_counts}
    assert reasons["discrimination_gender"] >= 2 and reasons["fee_deposit"] >= 2
    assert dict(page.region_counts)["440100"] >= 2


def test_queue_filters_by_channel_reason_region_and_age(db_session, make_user, make_held, make_channel):
    reviewer = make_user("reviewer")
    a, b = make_channel(name="甲渠道"), make_channel(name="乙渠道", region_code="371302")
    pay_only = [{"code": "pay_missing", "message": "未写明薪资", "severity": "hold", "field": "pay_text"}]
    p1 = make_held(a, age_days=10)
    p2 = make_held(b, region_code="371302", reasons=pay_only, age_days=0)
    p3 = make_held(a, region_code="440303", reasons=pay_only, age_days=2)

    def ids(**kw):
        return set(_ids(review.list_queue(db_session, reviewer, review.QueueFilters(**kw), limit=500)))

    assert ids(channel_id=a.id) == {p1.id, p3.id}
    assert ids(reason_code="pay_missing") >= {p2.id, p3.id} and p1.id not in ids(reason_code="pay_missing")
    # A reason code that is a prefix of another must not match it ("pay" vs "pay_missing").
    assert p2.id not in ids(reason_code="pay")
    assert ids(region_code="440100") >= {p1.id} and not ids(region_code="440100") & {p2.id, p3.id}
    assert p3.id in ids(region_code="440300")
    assert p2.id in ids(region_code="371300")
    older_than_3 = ids(min_age_days=3)
    assert p1.id in older_than_3 and p2.id not in older_than_3 and p3.id not in older_than_3


def test_a_bound_reviewer_only_sees_and_decides_their_jurisdiction(db_session, make_user, make_held, make_channel):
    guangzhou = make_user("reviewer", region_code="440100")
    anyone = make_user("reviewer")
    local = make_held(region_code="440103")
    far = make_held(make_channel(region_code="371302"), region_code="371302")
    # No region of its own (an ambiguous place name): the channel's region decides.
    by_channel = make_held(make_channel(region_code="440106"), region_code=None)

    seen = set(_ids(review.list_queue(db_session, guangzhou, limit=500)))
    assert {local.id, by_channel.id} <= seen and far.id not in seen
    assert {local.id, far.id, by_channel.id} <= set(_ids(review.list_queue(db_session, anyone, limit=500)))

    with pytest.raises(PermissionDenied):
        review.approve_posting(db_session, far.id, guangzhou)
    db_session.refresh(far)
    assert far.status == PostingStatus.PENDING_REVIEW


def test_approve_publishes_bumps_version_and_writes_outbox_and_audit(db_session, make_user, make_held, outbox_for):
    reviewer = make_user("reviewer")
    p = make_held()
    version = p.version
    decision = review.approve_posting(db_session, p.id, reviewer, "核实后可发布：已与企业确认男女不限")
    db_session.commit()
    db_session.refresh(p)
    assert p.status == PostingStatus.PUBLISHED
    assert p.published_at is not None
    assert p.version == version + 1
    assert [(e.operation, e.state) for e in outbox_for(p.id)] == [("upsert", "pending")]
    assert decision.decision == "approve" and decision.new_status == "published"
    assert decision.reviewer_user_id == reviewer.id
    assert {r["code"] for r in decision.reasons} == {"discrimination_gender", "fee_deposit"}
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "posting",
                                                        AuditEvent.subject_id == p.id)).all()
    assert [(a.action, a.actor_user_id) for a in audit] == [("review", reviewer.id)]


def test_reject_needs_a_note_and_sets_rejected(db_session, make_user, make_held, outbox_for):
    reviewer = make_user("reviewer")
    p = make_held()
    with pytest.raises(DomainError) as info:
        review.reject_posting(db_session, p.id, reviewer, "  ")
    assert info.value.code == "note_required"
    db_session.refresh(p)
    assert p.status == PostingStatus.PENDING_REVIEW and outbox_for(p.id) == []

    review.reject_posting(db_session, p.id, reviewer, "含性别限制和押金要求，请修改后重新提交")
    db_session.commit()
    db_session.refresh(p)
    assert p.status == PostingStatus.REJECTED and p.published_at is None
    assert len(outbox_for(p.id)) == 1
    row = db_session.scalar(select(ReviewDecision).where(ReviewDecision.posting_id == p.id))
    assert row.note == "含性别限制和押金要求，请修改后重新提交"


def test_a_posting_cannot_be_decided_twice(db_session, make_user, make_held):
    first, second = make_user("reviewer"), make_user("admin")
    p = make_held()
    review.approve_posting(db_session, p.id, first)
    db_session.commit()
    with pytest.raises(DomainError) as info:
        review.reject_posting(db_session, p.id, second, "晚了一步")
    assert info.value.code == "not_pending"
    assert db_session.scalar(select(func.count()).select_from(ReviewDecision).where(ReviewDecision.posting_id == p.id)) == 1


def test_approval_is_refused_once_the_validity_has_passed(db_session, make_user, make_held):
    reviewer = make_user("reviewer")
    p = make_held(valid_until=dt.date(2020, 1, 31))
    with pytest.raises(DomainError) as info:
        review.approve_posting(db_session, p.id, reviewer)
    assert info.value.code == "validity_passed"


def test_only_reviewers_and_admins_review(db_session, make_user, make_held):
    p = make_held()
    for role in ("commissioner", "enterprise", "jobseeker"):
        with pytest.raises(PermissionDenied):
            review.approve_posting(db_session, p.id, make_user(role))
        with pytest.raises(PermissionDenied):
            review.list_queue(db_session, make_user(role))
    review.approve_posting(db_session, p.id, make_user("admin"))
    assert p.status == PostingStatus.PUBLISHED


def test_bulk_decides_each_posting_and_reports_the_ones_it_skipped(db_session, make_user, make_held, make_channel, outbox_for):
    reviewer = make_user("reviewer", region_code="440100")
    a, b = make_held(), make_held()
    done_already = make_held(status=PostingStatus.PUBLISHED)
    outside = make_held(make_channel(region_code="371302"), region_code="371302")
    result = review.bulk_review(db_session, [a.id, b.id, done_already.id, outside.id, a.id], "approve", reviewer)
    db_session.commit()
    assert result.done == [a.id, b.id]
    assert [pid for pid, _ in result.skipped] == [done_already.id, outside.id]
    for p in (a, b):
        db_session.refresh(p)
        assert p.status == PostingStatus.PUBLISHED and len(outbox_for(p.id)) == 1
    db_session.refresh(outside)
    assert outside.status == PostingStatus.PENDING_REVIEW and outbox_for(outside.id) == []
    batch = db_session.scalars(select(ReviewDecision).where(ReviewDecision.batch_id == result.batch_id)).all()
    assert sorted(d.posting_id for d in batch) == sorted([a.id, b.id])

    with pytest.raises(DomainError) as info:
        review.bulk_review(db_session, [outside.id], "reject", make_user("reviewer"), "")
    assert info.value.code == "note_required"


def test_audit_trail_lists_decisions_newest_first_within_jurisdiction(db_session, make_user, make_held, make_channel):
    admin = make_user("admin")
    gz = make_user("reviewer", region_code="440100")
    p1 = make_held()
    p2 = make_held(make_channel(region_code="371302"), region_code="371302")
    review.approve_posting(db_session, p1.id, admin, "可以")
    review.reject_posting(db_session, p2.id, admin, "虚假信息")
    db_session.commit()
    rows, total = review.list_decisions(db_session, admin, limit=500)
    ours = [r.posting_id for r in rows if r.posting_id in (p1.id, p2.id)]
    assert ours == [p2.id, p1.id]
    gz_rows, _ = review.list_decisions(db_session, gz, limit=500)
    assert p1.id in {r.posting_id for r in gz_rows} and p2.id not in {r.posting_id for r in gz_rows}
    rejected, _ = review.list_decisions(db_session, admin, decision="reject", limit=500)
    assert {r.decision for r in rejected} == {"reject"}


def test_reason_facets_count_postings_not_reasons(db_session, make_user, make_held, make_channel):
    reviewer = make_user("reviewer", region_code="371300")
    ch = make_channel(region_code="371302")
    twice = [{"code": "contact_suspicious", "message": "正文含可疑联系方式", "severity": "hold", "evidence": "微信"},
             {"code": "contact_suspicious", "message": "正文含可疑联系方式", "severity": "hold", "evidence": "QQ"}]
    make_held(ch, region_code="371302", reasons=twice, description="加微信或QQ咨询")
    make_held(ch, region_code="371302", reasons=twice[:1], description="加微信咨询")
    make_held(ch, region_code="371302", reasons=[])
    counts = {code: (msg, n) for code, msg, n in review.list_queue(db_session, reviewer).reason_counts}
    assert counts == {"contact_suspicious": ("正文含可疑联系方式", 2)}


def test_latest_decision_per_posting_for_the_publisher(db_session, make_user, make_held):
    reviewer = make_user("reviewer")
    p, q, untouched = make_held(), make_held(), make_held()
    review.reject_posting(db_session, p.id, reviewer, "请删除押金要求")
    review.approve_posting(db_session, q.id, reviewer)
    db_session.commit()
    latest = review.latest_decisions(db_session, [p.id, q.id, untouched.id])
    assert set(latest) == {p.id, q.id}
    assert (latest[p.id].decision, latest[p.id].note) == ("reject", "请删除押金要求")
    assert latest[q.id].decision == "approve"


def test_facets_survive_postings_held_without_a_reasons_list(db_session, make_user, make_held, make_channel):
    from sqlalchemy import text

    reviewer = make_user("reviewer", region_code="371300")
    ch = make_channel(region_code="371302")
    odd = make_held(ch, region_code="371302", reasons=[])
    db_session.execute(text("UPDATE postings SET review_reasons = 'null' WHERE id = :id"), {"id": odd.id})
    make_held(ch, region_code="371302")
    page = review.list_queue(db_session, reviewer)
    assert odd.id in {p.id for p in page.items}
    assert {c for c, _m, _n in page.reason_counts} == {"discrimination_gender", "fee_deposit"}
