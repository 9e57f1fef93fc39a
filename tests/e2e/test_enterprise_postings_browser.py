"""Browser test in Debian's Chromium on a phone (390x844): an enterprise edits its published posting,
which goes back to review and is published again with the change; a second submission of the same
job is merged into the first, the enterprise is told with a link, and undoes it. Screenshots go to
the test's temporary folder (and E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import pytest

from .walk import phone_sign_in, screenshot

pytestmark = pytest.mark.e2e

EMPLOYER = ("e2e_danwei_bianji", "Bai-Lu-Qiu-Fen-2026")
REVIEWER = ("e2e_shenhe_bianji", "Han-Lu-Shuang-Jiang-2026")


@pytest.fixture(scope="module")
def accounts(live_server):
    from core.accounts.services import create_user
    from core.enterprises.models import Enterprise
    from webapp.extensions import db

    with live_server["app"].app_context():
        ent = Enterprise(name="临沂市沂水县示范机械有限公司", normalized_name="沂水县示范机械", region_code="371323")
        db.session.add(ent)
        db.session.flush()
        create_user(db.session, username=EMPLOYER[0], password=EMPLOYER[1], role="enterprise",
                    display_name="示范机械人事", enterprise_id=ent.id)
        create_user(db.session, username=REVIEWER[0], password=REVIEWER[1], role="reviewer", display_name="周审核")
        db.session.commit()
    return live_server["url"]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _publish(page, base, title, pay_min="6000"):
    page.goto(base + "/enterprise/postings/new")
    page.fill("#f-title", title)
    page.fill("#f-pay_min", pay_min)
    page.fill("#f-pay_max", "8000")
    page.fill("#f-region_code", "371323")
    page.fill("#f-headcount", "3")
    page.fill("#f-description", f"{title}：按图纸加工零件，有相关工作经验优先，要求身体健康、能吃苦。")
    page.get_by_role("button", name="提交发布").click()
    page.wait_for_load_state("domcontentloaded")
    return page.locator(".flash").first.inner_text()


def _posting_id(page, title) -> int:
    item = page.locator("li.posting-item", has_text=title).first
    href = item.get_by_role("link", name="修改", exact=True).get_attribute("href")
    return int(href.split("/")[-2])


def _approve(browser, base, posting_id) -> None:
    context, page = phone_sign_in(browser, base, REVIEWER)
    page.goto(base + "/review/?region=371323")
    item = page.locator(f"#posting-{posting_id}")
    item.get_by_role("button", name="通过").click()
    page.wait_for_load_state("domcontentloaded")
    assert f"岗位 #{posting_id} 已通过并发布" in page.locator(".flash").first.inner_text()
    context.close()


def test_edit_goes_back_to_review_and_is_published_again(accounts, browser, tmp_path):
    base = accounts
    context, page = phone_sign_in(browser, base, EMPLOYER)
    flash = _publish(page, base, "数控车床操作工（编辑测试）")
    assert "新单位的岗位由人社部门审核后发布，一般 1 个工作日内" in flash and "可信渠道" not in flash
    pid = _posting_id(page, "数控车床操作工（编辑测试）")
    _approve(browser, base, pid)

    page.goto(base + "/enterprise/postings")
    item = page.locator("li.posting-item", has_text="数控车床操作工（编辑测试）")
    assert "已发布" in item.inner_text()
    item.get_by_role("link", name="修改", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "修改岗位"
    assert page.input_value("#f-pay_min") == "6000"
    _fits(page)
    screenshot(page, tmp_path, "40-enterprise-edit")
    page.fill("#f-pay_min", "7000")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_load_state("domcontentloaded")
    assert "修改已提交，待审核" in page.locator(".flash").first.inner_text()
    item = page.locator("li.posting-item", has_text="数控车床操作工（编辑测试）")
    assert item.count() == 1 and "待审核" in item.inner_text()

    _approve(browser, base, pid)
    page.goto(base + "/enterprise/postings")
    item = page.locator("li.posting-item", has_text="数控车床操作工（编辑测试）")
    assert "已发布" in item.inner_text() and "7千-8千元/月" in item.inner_text()
    _fits(page)
    page.goto(base + f"/postings/{pid}")
    assert "7千-8千元/月" in page.locator("main").inner_text()
    context.close()


def test_merge_notice_links_the_posting_and_undo_publishes_it_apart(accounts, browser, tmp_path):
    base = accounts
    context, page = phone_sign_in(browser, base, EMPLOYER)
    _publish(page, base, "叉车司机（合并测试）")
    first = _posting_id(page, "叉车司机（合并测试）")
    flash = _publish(page, base, "叉车司机（合并测试）")
    assert "已合并到该岗位" in flash
    merged = page.locator("#merged")
    assert "叉车司机（合并测试）" in merged.inner_text()
    assert merged.locator("a.merged-into").get_attribute("href") == f"#posting-{first}"
    assert page.locator("li.posting-item:not(.merged-item)", has_text="叉车司机（合并测试）").count() == 1
    _fits(page)
    screenshot(page, tmp_path, "41-enterprise-merged")

    merged.get_by_role("button", name="不是同一岗位，单独发布").click()
    page.wait_for_load_state("domcontentloaded")
    assert "岗位已提交，待审核" in page.locator(".flash").first.inner_text()
    assert page.locator("#merged").count() == 0
    assert page.locator("li.posting-item", has_text="叉车司机（合并测试）").count() == 2
    assert _posting_id(page, "叉车司机（合并测试）") != first  # the newest, listed first, is a posting of its own
    _fits(page)
    context.close()
