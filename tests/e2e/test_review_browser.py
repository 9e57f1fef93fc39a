"""Browser test in Debian's Chromium: a reviewer works the queue (highlighted reasons, approve, bulk
reject), a commissioner records a call-back outcome. Screenshots go to the test's temporary folder
(and E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REVIEWER = ("e2e_shenheyuan", "Qiu-Shui-Gong-Chang-2026")
COMMISSIONER = ("e2e_zhuanyuan", "Chun-Feng-Hua-Yu-2026")
HELD_TEXT = "招聘包装工8名，限男性，35岁以下。入职需交押金300元，<b>工资日结</b>。"


def _shot(page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000
    return path


@pytest.fixture(scope="module")
def review_data(live_server):
    """Three held postings in 临沂 兰山区 (where no sample posting lives), a reviewer and a commissioner."""
    from core.accounts.services import create_user
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting, PostingSource
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        ch = Channel(code="e2e-lanshan-market", name="兰山区人力资源市场", kind=ChannelKind.HR_MARKET, region_code="371302")
        db.session.add(ch)
        db.session.flush()
        start = HELD_TEXT.index("限男性")
        reasons = [
            {"code": "discrimination_gender", "message": "含性别歧视性要求", "severity": "hold",
             "field": "description", "span": [start, start + 3], "evidence": "限男性"},
            {"code": "fee_deposit", "message": "向求职者收取押金", "severity": "hold", "field": "description",
             "evidence": "押金300元"},
        ]
        ids = []
        for i, title in enumerate(["包装工（长白班）", "分拣员", "装卸工"]):
            p = Posting(title=title, description=HELD_TEXT, channel_id=ch.id, region_code="371302",
                        pay_text="日结150元", status=PostingStatus.PENDING_REVIEW, review_reasons=reasons,
                        valid_until=utcnow().date().replace(year=utcnow().year + 1))
            p.sources.append(PostingSource(channel_id=ch.id, external_id=f"e2e-held-{i}",
                                           raw={"岗位名称": title, "联系电话": "0539-8123456"}))
            db.session.add(p)
            db.session.flush()
            ids.append(p.id)
        create_user(db.session, username=REVIEWER[0], password=REVIEWER[1], role="reviewer", display_name="李审核")
        create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                    display_name="王专员", region_code="371302")
        db.session.commit()
    return {"ids": ids}


def _login(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")


def test_reviewer_approves_and_bulk_rejects(live_server, review_data, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    base = live_server["url"]
    first, second, third = review_data["ids"]
    _login(page, base, *REVIEWER)
    page.goto(base + "/review/?region=371300")
    item = page.locator(f"#posting-{first}")
    marks = item.locator("mark.reason-mark")
    assert marks.count() == 2
    assert [marks.nth(i).inner_text() for i in range(2)] == ["限男性", "押金300元"]
    assert marks.first.get_attribute("title") == "含性别歧视性要求"
    # The posting's own markup is text on the page, not markup.
    assert "<b>工资日结</b>" in item.locator(".review-text").inner_text()
    assert item.locator(".review-text b").count() == 0
    _shot(page, tmp_path, "10-review-queue")

    item.locator("input[name=note]").fill("已电话核实，企业同意删除性别与押金要求")
    item.get_by_role("button", name="通过").click()
    page.wait_for_load_state("domcontentloaded")
    assert f"岗位 #{first} 已通过并发布" in page.locator(".flash").first.inner_text()
    assert page.locator(f"#posting-{first}").count() == 0

    page.locator(f"#posting-{second} input.pick").check()
    page.locator(f"#posting-{third} input.pick").check()
    page.fill("#bulk-note", "含歧视性条件和收费要求")
    page.locator("#bulk-form").get_by_role("button", name="批量驳回").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已批量驳回 2 条" in page.locator(".flash").first.inner_text()

    page.goto(base + "/review/audit")
    rows = page.locator("table.audit-table tbody tr")
    assert rows.count() >= 3
    assert "含歧视性条件和收费要求" in rows.first.inner_text()
    _shot(page, tmp_path, "11-review-audit")
    context.close()


def test_commissioner_records_a_call_back(live_server, review_data, browser, tmp_path):
    from core.enums import PostingStatus
    from core.postings.models import Posting
    from core.validity.services import draw_monthly_sample
    from webapp.extensions import db

    app = live_server["app"]
    first = review_data["ids"][0]
    with app.app_context():
        post = db.session.get(Posting, first)
        if post.status != PostingStatus.PUBLISHED:  # this test run alone: publish it here
            post.status = PostingStatus.PUBLISHED
        db.session.commit()
        draw_monthly_sample(db.session, "2030-06", per_channel=1000, seed=1)
        db.session.commit()

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    base = live_server["url"]
    _login(page, base, *COMMISSIONER)
    page.goto(base + "/commissioner/")
    tasks = page.locator("li.task")
    assert tasks.count() == 1
    task = tasks.first
    assert "包装工（长白班）" in task.inner_text() and "0539-8123456" in task.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, tmp_path, "12-commissioner-home")
    task.get_by_label("已招满").check()
    task.locator("input[name=note]").fill("人事张女士：上周已招满")
    task.get_by_role("button", name="登记结果").click()
    page.wait_for_load_state("domcontentloaded")
    assert "岗位已下线" in page.locator(".flash").first.inner_text()
    assert page.locator("li.task").count() == 0
    assert "0.0%" in page.locator("table.rates").inner_text()
    _shot(page, tmp_path, "13-commissioner-recorded")
    with app.app_context():
        assert db.session.get(Posting, first).status == PostingStatus.FILLED
    context.close()
