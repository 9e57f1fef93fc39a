"""A posting's life after publishing, over HTTP as the enterprise: edit (back through the intake
pipeline: same posting, version + 1, decided and reviewed again, the index following through the
outbox), copy, withdraw / filled, the reviewer's note and the hold reasons in the employer's words,
and a merge into the enterprise's own posting told with a link and undone."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.outbox.models import OutboxEvent
from core.postings.models import Posting, PostingSource
from core.review.services import approve_posting, reject_posting

GOOD_POST = {
    "title": "数控车床操作工", "occupation": "", "employment_type": "full_time", "pay_min": "6000", "pay_max": "8000",
    "pay_unit": "month", "region_code": "兰山区", "address": "兰山区工业大道18号", "headcount": "5",
    "education": "高中/中专", "experience": "1年以上", "description": "操作数控车床加工零件，按图纸完成生产任务。",
    "welfare": "五险一金、包吃住", "target_groups": ["veteran"],
}
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible(html: str) -> str:
    """The page's text as a person sees it (no tags, attributes, scripts or styles)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _own_postings(db_session, enterprise_id):
    return list(db_session.scalars(select(Posting).where(Posting.enterprise_id == enterprise_id).order_by(Posting.id)))


def _publish(client, db_session, user, data=GOOD_POST):
    resp = client.post("/enterprise/postings/new", data=data, follow_redirects=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp.get_data(as_text=True), _own_postings(db_session, user.enterprise_id)[-1]


def _events(db_session, posting_id):
    return list(db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "posting", OutboxEvent.entity_id == posting_id)
                                   .order_by(OutboxEvent.id)))


def test_held_posting_says_what_happens_in_the_employers_words(client, login_as, db_session):
    user = login_as("enterprise")
    html, posting = _publish(client, db_session, user)
    assert posting.status == "pending_review"
    assert "新单位的岗位由人社部门审核后发布，一般 1 个工作日内" in html
    assert "该渠道未设为可信渠道" not in html
    page = visible(client.get("/enterprise/postings").get_data(as_text=True))
    assert "新单位的岗位由人社部门审核后发布" in page and not CODE.search(page), CODE.findall(page)


def test_edit_goes_back_through_the_pipeline_and_review(client, login_as, make_user, db_session):
    user = login_as("enterprise")
    reviewer = make_user("reviewer")
    _, posting = _publish(client, db_session, user)
    approve_posting(db_session, posting.id, reviewer)
    db_session.commit()
    db_session.refresh(posting)
    assert posting.status == "published"
    version = posting.version

    form = client.get(f"/enterprise/postings/{posting.id}/edit").get_data(as_text=True)
    assert "修改岗位" in form and 'value="数控车床操作工"' in form and "操作数控车床加工零件" in form
    resp = client.post(f"/enterprise/postings/{posting.id}/edit", data={**GOOD_POST, "pay_min": "7000"},
                       follow_redirects=True)
    assert resp.status_code == 200 and "修改已提交" in resp.get_data(as_text=True)
    assert len(_own_postings(db_session, user.enterprise_id)) == 1  # the same posting, not a new one
    db_session.refresh(posting)
    assert posting.pay_min == 7000 and posting.version > version
    assert posting.status == "pending_review"                       # decided again: back to review
    assert _events(db_session, posting.id)[-1].operation == "delete"        # and out of the search index meanwhile
    assert db_session.scalar(select(func.count()).select_from(PostingSource)
                             .where(PostingSource.posting_id == posting.id)) == 1

    approve_posting(db_session, posting.id, reviewer)
    db_session.commit()
    db_session.refresh(posting)
    assert posting.status == "published" and _events(db_session, posting.id)[-1].operation == "upsert"


def test_edit_refused_by_the_rules_keeps_the_posting(client, login_as, db_session):
    user = login_as("enterprise")
    _, posting = _publish(client, db_session, user)
    resp = client.post(f"/enterprise/postings/{posting.id}/edit", data={**GOOD_POST, "title": ""})
    assert resp.status_code == 400 and "请填写职位名称" in resp.get_data(as_text=True)
    db_session.refresh(posting)
    assert posting.title == "数控车床操作工"


def test_rejected_posting_shows_the_reviewers_note_with_what_to_do(client, login_as, make_user, db_session):
    user = login_as("enterprise")
    _, posting = _publish(client, db_session, user)
    reject_posting(db_session, posting.id, make_user("reviewer"), "请写明每天工作几小时、是否倒班")
    db_session.commit()
    page = visible(client.get("/enterprise/postings").get_data(as_text=True))
    assert "审核意见" in page and "请写明每天工作几小时、是否倒班" in page and "修改" in page
    assert not CODE.search(page), CODE.findall(page)
    # corrected, it goes to review again
    client.post(f"/enterprise/postings/{posting.id}/edit", data={**GOOD_POST, "description": "每天8小时，不倒班。"})
    db_session.refresh(posting)
    assert posting.status == "pending_review" and posting.description == "每天8小时，不倒班。"


def test_withdraw_filled_and_copy(client, login_as, db_session):
    user = login_as("enterprise")
    _, first = _publish(client, db_session, user)
    _, second = _publish(client, db_session, user, {**GOOD_POST, "title": "仓库管理员", "description": "负责出入库。"})
    assert client.post(f"/enterprise/postings/{first.id}/close", data={"outcome": "withdrawn"}).status_code == 302
    assert client.post(f"/enterprise/postings/{second.id}/close", data={"outcome": "filled"}).status_code == 302
    db_session.refresh(first)
    db_session.refresh(second)
    assert (first.status, second.status) == ("withdrawn", "filled")
    resp = client.get(f"/enterprise/postings/{first.id}/edit", follow_redirects=True)
    assert "已下线，不能再修改" in resp.get_data(as_text=True)

    copy = client.get(f"/enterprise/postings/{second.id}/copy").get_data(as_text=True)
    assert "复制岗位" in copy and 'value="仓库管理员"' in copy and 'action="/enterprise/postings/new"' in copy
    _, third = _publish(client, db_session, user, {**GOOD_POST, "title": "仓库管理员", "description": "负责出入库。"})
    assert third.id not in (first.id, second.id) and third.status == "pending_review"


def test_a_posting_from_another_channel_is_copied_not_edited(client, login_as, make_posting, db_session):
    user = login_as("enterprise")
    posting = make_posting("电焊工", enterprise_id=user.enterprise_id, pay_min=6500, pay_max=9000,
                           welfare_tags=["包住"], headcount=4)
    resp = client.get(f"/enterprise/postings/{posting.id}/edit", follow_redirects=True)
    assert "来自其他招聘渠道，请在原渠道修改" in resp.get_data(as_text=True)
    assert client.post(f"/enterprise/postings/{posting.id}/edit", data=GOOD_POST).status_code == 302
    db_session.refresh(posting)
    assert posting.title == "电焊工" and posting.version == 1
    copy = client.get(f"/enterprise/postings/{posting.id}/copy").get_data(as_text=True)
    for value in ('value="电焊工"', 'value="6500"', 'value="9000"', 'value="包住"', 'value="4"', 'value="371302"'):
        assert value in copy, value


def test_refresh_extends_validity(client, login_as, db_session):
    user = login_as("enterprise")
    _, posting = _publish(client, db_session, user)
    until = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    resp = client.post(f"/enterprise/postings/{posting.id}/refresh", data={"valid_until": until},
                       follow_redirects=True)
    assert f"有效期已延长至 {until}" in resp.get_data(as_text=True)
    db_session.refresh(posting)
    assert posting.valid_until.isoformat() == until


def test_merge_into_own_posting_is_told_and_can_be_undone(client, login_as, db_session):
    user = login_as("enterprise")
    _, first = _publish(client, db_session, user)
    html, target = _publish(client, db_session, user)   # the same job again
    assert target.id == first.id and len(_own_postings(db_session, user.enterprise_id)) == 1
    assert "已合并到该岗位" in html and "已合并的提交" in html
    assert "数控车床操作工（待审核）" in visible(html) and f'href="#posting-{first.id}"' in html
    assert f'id="posting-{first.id}"' in html
    source = db_session.scalars(select(PostingSource).where(PostingSource.posting_id == first.id)
                                .order_by(PostingSource.id)).all()[-1]
    assert f'action="/enterprise/merged/{source.id}/separate"' in html

    resp = client.post(f"/enterprise/merged/{source.id}/separate", follow_redirects=True)
    page = resp.get_data(as_text=True)
    postings = _own_postings(db_session, user.enterprise_id)
    assert len(postings) == 2 and "已合并的提交" not in page
    own = postings[-1]
    assert own.status == "pending_review" and "新单位的岗位由人社部门审核后发布" in page
    assert db_session.scalar(select(PostingSource.external_id).where(PostingSource.posting_id == own.id)) \
        == source.external_id
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "posting",
                                                       AuditEvent.subject_id == own.id))
    assert event is not None and event.actor_user_id == user.id and f"#{first.id}" in event.purpose
    # undone once: the submission is its own posting now, there is nothing left to separate
    new_source = db_session.scalar(select(PostingSource.id).where(PostingSource.posting_id == own.id))
    again = client.post(f"/enterprise/merged/{new_source}/separate", follow_redirects=True)
    assert "没有被合并" in again.get_data(as_text=True) and len(_own_postings(db_session, user.enterprise_id)) == 2


def test_merged_link_points_at_the_published_posting(client, login_as, make_user, db_session):
    user = login_as("enterprise")
    _, first = _publish(client, db_session, user)
    approve_posting(db_session, first.id, make_user("reviewer"))
    db_session.commit()
    html, _ = _publish(client, db_session, user)
    assert f'href="/postings/{first.id}"' in html.split("已合并的提交", 1)[1]


def test_another_enterprise_gets_404_on_every_new_route(client, login_as, make_user, sign_in, db_session):
    owner = login_as("enterprise")
    _, posting = _publish(client, db_session, owner)
    _publish(client, db_session, owner)
    merged = db_session.scalars(select(PostingSource).where(PostingSource.posting_id == posting.id)
                                .order_by(PostingSource.id)).all()[-1]
    client.post("/logout")
    sign_in(make_user("enterprise"))
    assert client.get(f"/enterprise/postings/{posting.id}/edit").status_code == 404
    assert client.post(f"/enterprise/postings/{posting.id}/edit", data=GOOD_POST).status_code == 404
    assert client.get(f"/enterprise/postings/{posting.id}/copy").status_code == 404
    assert client.post(f"/enterprise/merged/{merged.id}/separate").status_code == 404
    db_session.refresh(posting)
    assert posting.pay_min == 6000 and len(_own_postings(db_session, owner.enterprise_id)) == 1


def test_admin_edits_a_channels_trust_and_licence_on_a_page_audited(client, login_as, db_session):
    from core.channels.models import Channel
    from core.channels.services import create_channel, ensure_enterprise_direct_channel

    firm = create_channel(db_session, "lanshan-hr-firm", "兰山人力资源服务公司", "hr_firm", licence_number="LS-2025-001")
    direct = ensure_enterprise_direct_channel(db_session)
    db_session.commit()
    admin = login_as("admin")
    assert f'href="/admin/channels/{direct.id}/edit"' in client.get("/admin/channels").get_data(as_text=True)
    form = client.get(f"/admin/channels/{firm.id}/edit").get_data(as_text=True)
    assert "兰山人力资源服务公司" in form and 'value="LS-2025-001"' in form

    # an HR firm keeps its licence; a trust level must be one of the options
    for data, field in (({"trust_level": "standard", "licence_number": ""}, "licence_number"),
                        ({"trust_level": "alien", "licence_number": "LS-2025-001"}, "trust_level")):
        resp = client.post(f"/admin/channels/{firm.id}/edit", data=data)
        assert resp.status_code == 400 and f'data-field="{field}"' in resp.get_data(as_text=True), data
    resp = client.post(f"/admin/channels/{firm.id}/edit", data={"trust_level": "trusted", "licence_number": "LS-2026-009"},
                       follow_redirects=True)
    assert "可信度 一般 → 可信" in resp.get_data(as_text=True)
    db_session.expire_all()
    firm = db_session.get(Channel, firm.id)
    assert (firm.trust_level, firm.licence_number) == ("trusted", "LS-2026-009")
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "channel",
                                                       AuditEvent.subject_id == firm.id))
    assert event.actor_user_id == admin.id and set(event.fields) == {"trust_level", "licence_number"}
    assert "LS-2025-001 → LS-2026-009" in event.purpose
    # nothing changed: nothing audited
    client.post(f"/admin/channels/{firm.id}/edit", data={"trust_level": "trusted", "licence_number": "LS-2026-009"})
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "channel", AuditEvent.subject_id == firm.id)) == 1
