"""Browser test in Debian's Chromium on a phone (390x844): a jobseeker saves a search with one button,
asks to hear of new postings at once and by text message; a matching posting is published and the
scheduler's alert run finds it through the embedded index; the menu shows the unread message and the
inbox shows the posting; the text message's link unsubscribes in one tap, signed out. Works in 莒南县
(371327), where no other browser test puts data. Screenshots go to the test's temporary folder (and
E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .walk import PHONE, phone_sign_in

pytestmark = pytest.mark.e2e

REGION = "371327"  # 临沂 莒南县
WORD = "花生分拣"  # a job no sample posting has
SEEKER = ("e2e_dingyue_juxian", "Li-Chun-Yu-Shui-2026")


@pytest.fixture(scope="module")
def seeker(live_server):
    from core.accounts.services import create_user
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        user = create_user(db.session, username=SEEKER[0], password=SEEKER[1], role="jobseeker", display_name="孙订阅")
        with app.test_request_context():
            create_jobseeker(db.session, cipher(), user_id=user.id, name="孙订阅", phone="13970001234",
                             region_code=REGION)
        db.session.commit()
        return user.id


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _publish_matching_posting(app) -> int:
    """A posting published and indexed the way the pipeline and the relay leave one."""
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting, PostingSource
    from indexer.worker import load_documents
    from webapp.extensions import db

    with app.app_context():
        ch = Channel(code="e2e-alerts-juxian", name="莒南县公共就业服务中心", kind=ChannelKind.PUBLIC_AGENCY)
        db.session.add(ch)
        db.session.flush()
        p = Posting(title=f"{WORD}工", description=f"{WORD}，按大小分拣装袋，计件工资，包午饭。", channel_id=ch.id,
                    region_code=REGION, pay_min=4000, pay_max=6000, pay_unit="month", headcount=10,
                    status=PostingStatus.PUBLISHED, published_at=utcnow())
        p.sources.append(PostingSource(channel_id=ch.id, external_id="e2e-alert-1", source_url="https://example.org/j/1"))
        db.session.add(p)
        db.session.commit()
        docs, _ = load_documents(db.session, "posting", [p.id])
        app.extensions["search"].upsert("postings", docs)
        return p.id


def _run_scheduled_jobs(app):
    from webapp.alerts.runner import run_due_alerts
    from webapp.extensions import db

    with app.app_context():
        run = run_due_alerts(db.session, app)
        db.session.remove()
        return run


def test_save_a_search_hear_of_a_new_posting_and_unsubscribe_in_one_tap(browser, live_server, seeker, tmp_path):
    base, app = live_server["url"], live_server["app"]
    context, page = phone_sign_in(browser, base, SEEKER)

    page.goto(f"{base}/search?q={WORD}&region={REGION}")
    _fits(page)
    page.get_by_role("button", name="保存搜索，有新岗位提醒我").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/me/alerts")
    assert "已保存订阅" in page.locator(".flash").first.inner_text()
    item = page.locator("li.posting-item").filter(has_text=WORD).first
    assert "莒南县" in item.inner_text()
    item.locator("summary").click()
    item.locator("select[name=frequency]").select_option("immediately")
    item.locator("input[name=by_sms]").check()
    item.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert "有新岗位就提醒" in page.locator("li.posting-item").filter(has_text=WORD).first.inner_text()
    _fits(page)
    _shot(page, tmp_path, "alerts-saved")

    posting_id = _publish_matching_posting(app)
    run = _run_scheduled_jobs(app)
    assert run.notified >= 1 and run.texts >= 1

    page.goto(base + "/search")
    inbox_link = page.locator("a.nav-inbox")
    assert "1" in inbox_link.inner_text()
    inbox_link.click()
    page.wait_for_load_state("domcontentloaded")
    message = page.locator("li.posting-item").filter(has_text=WORD).first
    assert "莒南县" in message.inner_text() or WORD in message.inner_text()
    _fits(page)
    _shot(page, tmp_path, "inbox")
    message.get_by_role("button").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/postings/{posting_id}")
    assert page.locator("a.nav-inbox .tag").count() == 0  # read now

    from sqlalchemy import select

    from core.notifications.models import NotificationDelivery
    from webapp.extensions import db

    with app.app_context():
        text = db.session.scalar(select(NotificationDelivery.body).where(NotificationDelivery.user_id == seeker)
                                 .order_by(NotificationDelivery.id.desc()))
        db.session.remove()
    link = text[text.index("/alerts/unsubscribe/"):].split()[0]
    signed_out = browser.new_context(**PHONE).new_page()
    signed_out.goto(base + link)  # the one tap
    assert "已退订" in signed_out.locator("h1").inner_text()
    _fits(signed_out)
    _shot(signed_out, tmp_path, "unsubscribed")
    signed_out.context.close()

    page.goto(base + "/me/alerts")
    assert "已暂停" in page.locator("li.posting-item").filter(has_text=WORD).first.inner_text()
    context.close()


def test_inbox_alerts_and_privacy_pages_in_plain_words_and_phone_wide(browser, live_server, seeker):
    """The checks of the whole-site walks (plain words, phone width, axe-core), on these pages with content in them."""
    from .test_plain_words_browser import _check
    from .walk import axe_violations, severe

    base = live_server["url"]
    context, page = phone_sign_in(browser, base, SEEKER)
    page.goto(f"{base}/search?q=仓库&region={REGION}&type=full_time")
    page.get_by_role("button", name="保存搜索，有新岗位提醒我").click()
    page.wait_for_load_state("domcontentloaded")
    words: list[str] = []
    overflow: list[str] = []
    serious: list[str] = []  # axe-core (WCAG 2.1 A/AA), as the site's accessibility walk counts them
    for url in ("/me/inbox", "/me/alerts", "/me/privacy", "/me/privacy?enterprise=有限公司", "/me/privacy?enterprise=x",
                "/me/privacy/export", "/alerts/unsubscribe/no-such-link", f"/search?q=仓库&region={REGION}"):
        page.goto(base + url, wait_until="domcontentloaded")
        _check(page, "jobseeker", url, words, overflow)
        serious += [f"{url}: {v['id']} ({v['impact']})" for v in severe(axe_violations(page, base))]
    page.goto(base + "/me/privacy")
    page.get_by_label("对所有单位隐藏").check()
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "已保存：对所有单位隐藏" in page.locator(".flash").first.inner_text()
    _check(page, "jobseeker", "privacy saved", words, overflow)
    context.close()
    assert not words, words
    assert not overflow, overflow
    assert not serious, serious
