"""The January 2026 notice on online recruitment information (人社部等五部门《关于规范网络平台招聘类信息
发布的通知》), through the real paths: channel records in their real formats through the pipeline, the
enterprise's publish form and the reviewers' rule tester over HTTP, source links on the posting page
and in the API, the admin's requalification queue over HTTP, and the 已认证 badge lapsing."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.channels.models import Channel
from core.channels.services import create_channel
from core.db import utcnow
from core.enterprises.models import Enterprise
from core.enterprises.requalification import add_months, badge_current, requalification_queue
from core.enums import VerificationStatus
from core.postings.models import Posting
from indexer.intake import IntakeOptions, Pipeline
from indexer.search.embedded import EmbeddedBackend
from indexer.sources import feeds, jobhunting
from indexer.worker import rebuild

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
FORM = {"title": "数控车工", "occupation": "", "employment_type": "full_time", "pay_min": "6000", "pay_max": "8000",
        "pay_unit": "month", "region_code": "兰山区", "address": "兰山区工业大道18号", "headcount": "5",
        "education": "高中/中专", "experience": "1年以上", "welfare": "五险一金"}


def _codes(reasons) -> set[str]:
    return {r["code"] if isinstance(r, dict) else r.code for r in reasons}


# -- required elements and hooks through the pipeline, with records in the channels' real formats ---
def test_real_jobhunting_records_have_no_headcount_and_are_held_saying_so(db_session):
    create_channel(db_session, "jh-test", "招聘网站转载", "public_agency", trust_level="trusted")
    with open(FIXTURES / "jobhunting_lines.jsonl", encoding="utf-8") as fh:
        drafts = [d for d in jobhunting.read(fh, default_channel="jh-test") if d.title]
    results = Pipeline(db_session, IntakeOptions(format="jobhunting")).process_batch(drafts)
    kept = [r for r in results if r.posting_id is not None]
    assert kept and all(r.outcome == "held" for r in kept)
    for r in kept:
        posting = db_session.get(Posting, r.posting_id)
        [reason] = [x for x in posting.review_reasons if x["code"] == "headcount_missing"]
        assert reason["message"].startswith("未写明招聘人数") and reason["severity"] == "hold"


def test_a_gig_feed_item_without_job_content_is_held_and_a_full_one_publishes(db_session):
    create_channel(db_session, "gig-test", "零工平台", "gig_platform", trust_level="trusted")
    items = json.loads((FIXTURES / "gig_feed_items.json").read_text("utf-8"))
    items = items["items"] if isinstance(items, dict) else items
    bare = next(i for i in items if i["description"] == "能吃苦耐劳")          # the real record says only this
    full = next(i for i in items if i["task_id"] == "GIG-0001")               # duties, requirements, headcount
    drafts = [feeds.record_to_draft_gig_feed(i, "gig-test", n) for n, i in enumerate((bare, full), start=1)]
    held, published = Pipeline(db_session, IntakeOptions(format="gig_feed")).process_batch(drafts)
    assert held.outcome == "held" and "job_content_missing" in _codes(held.reasons)
    assert published.outcome == "accepted", [(x.code, x.message) for x in published.reasons]


# -- the enterprise's form and the rule tester over HTTP --------------------------------------------
def test_enterprise_form_holds_a_posting_without_job_content_saying_what_to_write(client, login_as, db_session):
    user = login_as("enterprise")
    resp = client.post("/enterprise/postings/new", data={**FORM, "description": ""}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "未写明工作内容" in page and "请写明这个岗位具体做什么" in page
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting.status == "pending_review" and "job_content_missing" in _codes(posting.review_reasons)


def test_enterprise_form_holds_a_高薪_hook(client, login_as, db_session):
    user = login_as("enterprise")
    text = "高薪诚聘数控车工，轻松月入过万，操作数控车床加工零件，按图纸完成生产任务。"
    resp = client.post("/enterprise/postings/new", data={**FORM, "description": text}, follow_redirects=True)
    assert "诱导性用语" in resp.get_data(as_text=True) or "高薪" in resp.get_data(as_text=True)
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting.status == "pending_review"
    hooks = [r for r in posting.review_reasons if r["code"] == "misleading_hook"]
    assert {h["evidence"] for h in hooks} >= {"高薪诚聘", "轻松月入过万"}


@pytest.mark.parametrize("sample", ["名校保录取，包过", "在家兼职，日赚500"])
def test_rule_tester_names_the_hook(client, login_as, sample):
    login_as("reviewer")
    html = client.get("/review/rules", query_string={"sample": sample}).get_data(as_text=True)
    tried = html.split("<h2>试一试</h2>", 1)[1]
    assert 'data-code="misleading_hook"' in tried and "保录" in tried


# -- source links ----------------------------------------------------------------------------------
def test_posting_page_and_api_name_every_source(client, db_session, make_posting, app, tmp_path, monkeypatch):
    from core.postings.models import PostingSource

    posting = make_posting("叉车司机", description="负责仓库叉车装卸作业，持叉车证。")
    other = create_channel(db_session, "gd-site", "广东省公共招聘网", "provincial_site")
    unsafe = create_channel(db_session, "odd-site", "某转载网站", "hr_market")
    posting.sources.append(PostingSource(channel_id=other.id, external_id="GD-1", source_url="https://ggfw.example.gov.cn/job/1"))
    posting.sources.append(PostingSource(channel_id=unsafe.id, external_id="X-1", source_url="javascript:alert(1)"))
    db_session.commit()

    page = client.get(f"/postings/{posting.id}").get_data(as_text=True)
    sources = page.split("<h2>信息来源</h2>", 1)[1].split("</ul>", 1)[0]
    assert "测试渠道" in sources and "广东省公共招聘网" in sources and "某转载网站" in sources
    assert 'href="https://ggfw.example.gov.cn/job/1"' in sources and "javascript:" not in sources

    index = EmbeddedBackend(tmp_path / "search")
    monkeypatch.setitem(app.extensions, "search", index)
    assert rebuild(db_session, index, "postings") == 1
    [item] = client.get("/api/v1/postings/search?q=叉车").get_json()["items"]
    assert item["sources"] == [
        {"channel": "测试渠道", "url": "https://example.org/job/1"},
        {"channel": "广东省公共招聘网", "url": "https://ggfw.example.gov.cn/job/1"},
        {"channel": "某转载网站", "url": None},
    ]


# -- six-monthly requalification ----------------------------------------------------------------------
def _enterprise(db_session, name, checked: dt.datetime | None, status=VerificationStatus.VERIFIED) -> Enterprise:
    ent = Enterprise(name=name, normalized_name=name, verification_status=status, qualified_at=checked)
    db_session.add(ent)
    db_session.commit()
    return ent


def test_badge_lapses_six_months_after_the_last_check():
    ent = Enterprise(name="甲", normalized_name="甲", verification_status=VerificationStatus.VERIFIED,
                     qualified_at=dt.datetime(2026, 1, 31, 9, 0))
    assert add_months(dt.date(2026, 1, 31), 6) == dt.date(2026, 7, 31)
    assert badge_current(ent, dt.date(2026, 7, 30))
    assert not badge_current(ent, dt.date(2026, 7, 31))
    ent.qualified_at = None            # never checked: no badge
    assert not badge_current(ent, dt.date(2026, 2, 1))
    ent.qualified_at, ent.verification_status = dt.datetime(2026, 1, 31), VerificationStatus.PENDING
    assert not badge_current(ent, dt.date(2026, 2, 1))


def test_queue_lists_overdue_and_soon_due_with_a_frozen_today(db_session):
    today = dt.date(2026, 12, 6)
    overdue = _enterprise(db_session, "超期单位有限公司", dt.datetime(2026, 5, 1))
    soon = _enterprise(db_session, "快到期单位有限公司", dt.datetime(2026, 6, 20))
    fresh = _enterprise(db_session, "刚核验单位有限公司", dt.datetime(2026, 11, 1))
    pending = _enterprise(db_session, "未认证单位有限公司", None, VerificationStatus.PENDING)
    old_channel = create_channel(db_session, "old-agency", "某职业中介", "public_agency")
    old_channel.qualified_at = dt.datetime(2026, 1, 2)
    db_session.commit()
    queue = {(i.kind, i.id): i for i in requalification_queue(db_session, today)}
    assert queue[("enterprise", overdue.id)].overdue and queue[("channel", old_channel.id)].overdue
    assert not queue[("enterprise", soon.id)].overdue and queue[("enterprise", soon.id)].due == dt.date(2026, 12, 20)
    assert ("enterprise", fresh.id) not in queue and ("enterprise", pending.id) not in queue


def test_admin_requalifies_over_http_and_the_badge_comes_back(client, login_as, db_session, make_posting):
    seven_months_ago = utcnow() - dt.timedelta(days=214)
    ent = _enterprise(db_session, "复核示例物流有限公司", seven_months_ago)
    posting = make_posting("仓管员", enterprise_id=ent.id)
    page = client.get(f"/postings/{posting.id}").get_data(as_text=True)
    assert "复核示例物流有限公司" in page and "已认证" not in page           # lapsed
    assert "已认证" not in client.get("/").get_data(as_text=True).split("复核示例物流有限公司", 1)[1][:200]

    admin = login_as("admin")
    queue = client.get("/admin/requalification").get_data(as_text=True)
    assert "复核示例物流有限公司" in queue and "已超期" in queue and "重新核验" in queue
    assert "个超期" in client.get("/admin/channels").get_data(as_text=True)   # the reminder on every admin page
    resp = client.post(f"/admin/requalification/enterprise/{ent.id}", follow_redirects=True)
    assert resp.status_code == 200 and "已重新核验" in resp.get_data(as_text=True)
    db_session.refresh(ent)
    assert ent.qualified_by_user_id == admin.id and utcnow() - ent.qualified_at < dt.timedelta(minutes=5)
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "enterprise",
                                                      AuditEvent.subject_id == ent.id,
                                                      AuditEvent.actor_user_id == admin.id)) is not None
    assert "复核示例物流有限公司" not in client.get("/admin/requalification").get_data(as_text=True)
    client.post("/logout")
    assert "已认证" in client.get(f"/postings/{posting.id}").get_data(as_text=True)


def test_requalify_refuses_an_unverified_enterprise_and_a_missing_channel(client, login_as, db_session):
    ent = _enterprise(db_session, "待审单位有限公司", None, VerificationStatus.PENDING)
    login_as("admin")
    page = client.post(f"/admin/requalification/enterprise/{ent.id}", follow_redirects=True).get_data(as_text=True)
    assert "尚未通过认证" in page
    db_session.refresh(ent)
    assert ent.qualified_at is None
    missing = (db_session.scalar(select(Channel.id).order_by(Channel.id.desc())) or 0) + 1000
    page = client.post(f"/admin/requalification/channel/{missing}", follow_redirects=True).get_data(as_text=True)
    assert "不存在" in page or "找不到" in page
    assert client.post(f"/admin/requalification/user/{ent.id}").status_code == 404   # only enterprises and channels


def test_verifying_an_enterprise_starts_its_six_months(client, login_as, db_session):
    ent = _enterprise(db_session, "新注册单位有限公司", None, VerificationStatus.PENDING)
    admin = login_as("admin")
    client.post(f"/admin/enterprises/{ent.id}/verify", data={"decision": "approve"})
    db_session.refresh(ent)
    assert ent.verification_status == VerificationStatus.VERIFIED and ent.qualified_by_user_id == admin.id
    assert badge_current(ent, dt.date.today()) and not badge_current(ent, add_months(dt.date.today(), 6))
