"""The reviewer queue over HTTP: highlighted reasons, approve/reject/bulk forms, audit page, access."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.enums import PostingStatus
from core.review.models import ReviewDecision


def _item_html(html: str, posting_id: int) -> str:
    start = html.index(f'id="posting-{posting_id}"')
    end = html.find('class="card review-item"', start + 1)
    return html[start:end if end > 0 else len(html)]


def test_held_posting_appears_with_its_reasons_highlighted_and_text_escaped(client, login_as, make_held):
    login_as("reviewer")
    p = make_held()
    resp = client.get("/review/")
    assert resp.status_code == 200
    item = _item_html(resp.get_data(as_text=True), p.id)
    marks = re.findall(r'<mark class="reason-mark reason-(\w+)" title="([^"]*)" data-reasons="([\d ]+)">([^<]*)</mark>', item)
    assert ("hold", "含性别歧视性要求", "1", "限男性") in marks
    assert ("hold", "向求职者收取押金", "2", "押金200元") in marks
    # The posting's own markup is shown as text, never run.
    assert "<script>alert" not in item
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in item
    assert "含性别歧视性要求" in item and "discrimination_gender" in item


def test_approve_through_the_form_publishes_and_is_in_the_audit_trail(client, login_as, make_held, db_session, outbox_for):
    user = login_as("reviewer")
    p = make_held()
    resp = client.post(f"/review/postings/{p.id}/decide", data={"decision": "approve", "note": "已电话核实"})
    assert resp.status_code == 303
    db_session.refresh(p)
    assert p.status == PostingStatus.PUBLISHED and p.published_at is not None
    assert len(outbox_for(p.id)) == 1
    assert db_session.scalar(select(AuditEvent.actor_user_id).where(
        AuditEvent.subject_type == "posting", AuditEvent.subject_id == p.id, AuditEvent.action == "review")) == user.id
    page = client.get("/review/", follow_redirects=False).get_data(as_text=True)
    assert f'id="posting-{p.id}"' not in page
    audit = client.get("/review/audit").get_data(as_text=True)
    assert f"#{p.id} 普工（长白班）" in audit and "已电话核实" in audit
    detail = client.get(f"/review/postings/{p.id}").get_data(as_text=True)
    assert "已电话核实" in detail and "已发布" in detail


def test_reject_without_a_note_is_refused_with_a_message(client, login_as, make_held, db_session):
    login_as("reviewer")
    p = make_held()
    resp = client.post(f"/review/postings/{p.id}/decide", data={"decision": "reject", "note": ""}, follow_redirects=True)
    assert "驳回时请填写理由" in resp.get_data(as_text=True)
    db_session.refresh(p)
    assert p.status == PostingStatus.PENDING_REVIEW
    client.post(f"/review/postings/{p.id}/decide", data={"decision": "reject", "note": "押金要求违规"})
    db_session.refresh(p)
    assert p.status == PostingStatus.REJECTED


def test_bulk_form_approves_the_checked_postings_only(client, login_as, make_held, db_session):
    login_as("admin")
    a, b, c = make_held(), make_held(), make_held()
    resp = client.post("/review/bulk", data={"posting_ids": [str(a.id), str(b.id)], "decision": "approve", "note": ""},
                       follow_redirects=True)
    assert "已批量通过并发布 2 条" in resp.get_data(as_text=True)
    for p, status in ((a, PostingStatus.PUBLISHED), (b, PostingStatus.PUBLISHED), (c, PostingStatus.PENDING_REVIEW)):
        db_session.refresh(p)
        assert p.status == status
    batch = {d.batch_id for d in db_session.scalars(select(ReviewDecision).where(ReviewDecision.posting_id.in_([a.id, b.id])))}
    assert len(batch) == 1 and None not in batch


def test_bulk_reject_reports_skipped_postings(client, login_as, make_held, make_channel, db_session):
    login_as("reviewer", region_code="440100")
    mine = make_held()
    other = make_held(make_channel(region_code="371302"), region_code="371302")
    html = client.post("/review/bulk", data={"posting_ids": [str(mine.id), str(other.id)], "decision": "reject",
                                              "note": "信息不实"}, follow_redirects=True).get_data(as_text=True)
    assert "已批量驳回 1 条" in html and f"岗位 #{other.id} 未处理：该岗位不在您的管辖范围内" in html
    db_session.refresh(other)
    assert other.status == PostingStatus.PENDING_REVIEW


@pytest.mark.parametrize("role", ["jobseeker", "enterprise", "commissioner"])
def test_other_roles_are_refused(client, login_as, make_held, db_session, role):
    login_as(role)
    p = make_held()
    assert client.get("/review/").status_code == 403
    assert client.get("/review/audit").status_code == 403
    assert client.get(f"/review/postings/{p.id}").status_code == 403
    assert client.post(f"/review/postings/{p.id}/decide", data={"decision": "approve"}).status_code == 403
    assert client.post("/review/bulk", data={"posting_ids": [str(p.id)], "decision": "approve"}).status_code == 403
    db_session.refresh(p)
    assert p.status == PostingStatus.PENDING_REVIEW


def test_anonymous_users_are_sent_to_log_in(client, make_held):
    p = make_held()
    resp = client.get("/review/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.post(f"/review/postings/{p.id}/decide", data={"decision": "approve"}).status_code == 302


def test_a_bound_reviewer_sees_only_their_jurisdiction(client, login_as, make_held, make_channel, db_session):
    login_as("reviewer", region_code="440100")
    here = make_held(title="广州荔湾普工")
    there = make_held(make_channel(region_code="371302"), title="临沂兰山普工", region_code="371302")
    html = client.get("/review/").get_data(as_text=True)
    assert f'id="posting-{here.id}"' in html and f'id="posting-{there.id}"' not in html
    assert client.get(f"/review/postings/{there.id}").status_code == 403
    client.post(f"/review/postings/{there.id}/decide", data={"decision": "approve"})
    db_session.refresh(there)
    assert there.status == PostingStatus.PENDING_REVIEW


def test_queue_filter_by_reason_through_the_page(client, login_as, make_held):
    login_as("reviewer")
    pay_only = [{"code": "pay_missing", "message": "未写明薪资", "severity": "hold", "field": "pay_text"}]
    a = make_held(reasons=pay_only, description="招聘保洁员，工作轻松")
    b = make_held()
    html = client.get("/review/?reason=pay_missing").get_data(as_text=True)
    assert f'id="posting-{a.id}"' in html and f'id="posting-{b.id}"' not in html
    # Junk in a filter is ignored, not an error.
    assert client.get("/review/?reason=%3Cscript%3E&channel=abc&age=-1&page=x").status_code == 200


def test_next_redirect_stays_on_the_review_pages(client, login_as, make_held):
    login_as("reviewer")
    p = make_held()
    resp = client.post(f"/review/postings/{p.id}/decide", data={"decision": "approve", "next": "https://evil.example/"})
    assert resp.headers["Location"].endswith("/review/")


def test_highlighting_maps_screening_field_names_and_ignores_stale_spans():
    from webapp.review.highlight import highlight

    pay = [{"code": "pay_below_minimum", "message": "低于最低工资", "field": "pay", "evidence": "1500元/月"}]
    assert str(highlight("1500元/月", pay, "pay_text")).count("<mark") == 1
    assert "<mark" not in str(highlight("1500元/月", pay, "description"))
    # The text changed since screening: a span that no longer holds the evidence is not trusted.
    stale = [{"code": "discrimination_gender", "message": "性别", "field": "description", "span": [0, 3],
              "evidence": "限男性"}]
    assert str(highlight("本岗位限男性", stale, "description")) == (
        '本岗位<mark class="reason-mark reason-hold" title="性别" data-reasons="1">限男性</mark>')
    assert "<mark" not in str(highlight("男女不限", stale, "description"))


def test_rules_page_lists_the_rules_and_tries_a_text(client, login_as):
    login_as("reviewer")
    html = client.get("/review/rules").get_data(as_text=True)
    assert 'id="rule-discrimination_gender"' in html
    tried = client.get("/review/rules", query_string={"sample": "招聘仓管，限男性，男女不限的岗位另见<script>"}).get_data(as_text=True)
    assert '>限男性</mark>' in tried
    assert "&lt;script&gt;" in tried and "<script>" not in tried.split("试一试")[1].split("</section>")[0]
    neutral = client.get("/review/rules", query_string={"sample": "男女不限，无需押金，免费培训"}).get_data(as_text=True)
    assert "没有命中任何文字规则" in neutral


def test_rules_page_refuses_other_roles(client, login_as):
    login_as("commissioner")
    assert client.get("/review/rules").status_code == 403


def test_queue_page_renders_a_posting_held_without_a_reasons_list(client, login_as, make_held, db_session):
    from sqlalchemy import text

    login_as("reviewer")
    odd = make_held(reasons=[])
    db_session.execute(text("UPDATE postings SET review_reasons = 'null' WHERE id = :id"), {"id": odd.id})
    db_session.commit()
    resp = client.get("/review/")
    assert resp.status_code == 200 and f'id="posting-{odd.id}"' in resp.get_data(as_text=True)
    assert client.get(f"/review/postings/{odd.id}").status_code == 200
