"""Browser journey in Debian's Chromium on a phone (390x844): an enterprise opens the recommended
candidates of its posting (masked, with the subsidy hint), invites one; the jobseeker finds the
invitation and accepts it (= applies); the enterprise sees the applicant with origin 邀请, name and
phone now shown, and moves them to interview; the jobseeker's applications and inbox say so.
Works in 平邑县 (371326), where no other browser test puts data. Screenshots go to the test's
temporary folder (and E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from .walk import phone_sign_in, screenshot

pytestmark = pytest.mark.e2e

REGION = "371326"  # 临沂 平邑县
EMPLOYER = ("e2e_danwei_zhaopin", "Qing-Ming-Gu-Yu-2026")
SEEKER = ("e2e_qiuzhi_yaoqing", "Li-Xia-Xiao-Man-2026")
SEEKER_PHONE = "13966120088"
TITLE = "电焊工（邀请测试）"


@pytest.fixture(scope="module")
def hiring(live_server, tmp_path_factory):
    """A verified enterprise with a published welding posting, a graduate who opened her profile to
    verified enterprises, and the app pointed at a tiny matching model for this module."""
    from core.accounts.services import create_user
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enterprises.models import Enterprise
    from core.enums import ChannelKind, PostingStatus, PriorityGroup, SeekerVisibility, VerificationStatus
    from core.postings.models import Posting, PostingSource
    from core.seekers.models import Jobseeker, JobseekerGroup
    from matching.training import train_encoder
    from webapp.extensions import db
    from webapp.matching.runtime import reset_ranker

    app = live_server["app"]
    model = tmp_path_factory.mktemp("hiring-model")
    train_encoder(Path(__file__).resolve().parents[1] / "fixtures" / "matching", model, epochs=4, dim=32,
                  vocab_size=3000, batch_size=64, time_budget_s=None, log=lambda _: None)
    with app.app_context():
        ent = Enterprise(name="平邑县示范钢构有限公司", normalized_name="平邑县示范钢构", region_code=REGION,
                         verification_status=VerificationStatus.VERIFIED)
        channel = Channel(code="e2e-hiring", name="用人单位直接发布（测试）", kind=ChannelKind.ENTERPRISE_DIRECT)
        db.session.add_all([ent, channel])
        db.session.flush()
        create_user(db.session, username=EMPLOYER[0], password=EMPLOYER[1], role="enterprise",
                    display_name="示范钢构人事", enterprise_id=ent.id)
        posting = Posting(title=TITLE, description="钢结构焊接，持焊工证，签订劳动合同，缴纳社会保险。", enterprise_id=ent.id,
                          channel_id=channel.id, region_code=REGION, pay_min=6000, pay_max=8000, pay_unit="month",
                          employment_type="full_time", target_groups=["graduate"], status=PostingStatus.PUBLISHED,
                          published_at=utcnow(), skills=["电焊"])
        posting.sources.append(PostingSource(channel_id=channel.id, external_id="e2e-hiring-1", raw={}))
        user = create_user(db.session, username=SEEKER[0], password=SEEKER[1], role="jobseeker", display_name="钱晓雨")
        seeker = Jobseeker(user_id=user.id, name="钱晓雨", phone=SEEKER_PHONE, region_code=REGION,
                           desired_titles=["电焊工"], skills=["电焊"], education="associate", experience_years=1,
                           expected_pay_min=5000, consent_recommendation=True, birth_date=dt.date(2003, 4, 1))
        seeker.visibility = SeekerVisibility.OPEN
        seeker.groups = [JobseekerGroup(group=PriorityGroup.GRADUATE, verification=VerificationStatus.VERIFIED)]
        db.session.add_all([posting, seeker])
        db.session.commit()
        ids = {"posting": posting.id, "seeker": seeker.id}
    saved = app.config.get("MATCHER_MODEL")
    app.config["MATCHER_MODEL"] = str(model)
    reset_ranker(app)
    yield {"base": live_server["url"], **ids}
    app.config["MATCHER_MODEL"] = saved
    reset_ranker(app)


CODE = re.compile(r"(?<![A-Za-z0-9_.\-/@])[a-z]+_[a-z_]+(?![A-Za-z0-9])")


def _fits(page) -> None:
    """Phone wide, in words and accessible: no horizontal scroll, no code or English word in the
    visible text, no serious or critical axe-core finding."""
    from .walk import axe_violations, severe

    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    text = page.locator("main").inner_text()
    assert not CODE.findall(text) and not re.findall(r"[A-Za-z]{3,}", text), (page.url, text[:300])
    base = "/".join(page.url.split("/")[:3])
    assert severe(axe_violations(page, base)) == [], page.url


def _flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def _invite_from_candidates(browser, base, ids, tmp_path) -> None:
    context, page = phone_sign_in(browser, base, EMPLOYER)
    page.goto(base + "/enterprise/postings")
    page.locator(f"#posting-{ids['posting']}").get_by_role("link", name="推荐人选").click()
    page.wait_for_load_state("domcontentloaded")
    card = page.locator(f"#seeker-{ids['seeker']}")
    text = card.inner_text()
    assert "钱晓雨" not in text and "钱*" in text and SEEKER_PHONE not in text  # masked until she applies
    assert "高校毕业生" in text and "一次性扩岗补助" in text and "1500 元" in text
    _fits(page)
    screenshot(page, tmp_path, "60-enterprise-candidates")
    card.get_by_label("邀请留言（可不填）").fill("欢迎周三来面试")
    card.get_by_role("button", name="邀请投递").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已发出邀请" in _flash(page)
    context.close()


def _accept(browser, base, tmp_path) -> None:
    context, page = phone_sign_in(browser, base, SEEKER)
    page.goto(base + "/me/applications")
    page.get_by_role("link", name="收到的邀请").click()
    page.wait_for_load_state("domcontentloaded")
    item = page.locator("li.invitation-item", has_text=TITLE)
    assert "平邑县示范钢构有限公司" in item.inner_text() and "欢迎周三来面试" in item.inner_text()
    _fits(page)
    screenshot(page, tmp_path, "61-seeker-invitation")
    item.get_by_role("button", name="接受并投递").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已接受邀请并投递" in _flash(page)
    assert "经邀请投递" in page.locator("li.application", has_text=TITLE).inner_text()
    context.close()


def _move_to_interview(browser, base, ids, tmp_path) -> None:
    context, page = phone_sign_in(browser, base, EMPLOYER)
    page.goto(base + f"/enterprise/postings/{ids['posting']}/applicants")
    card = page.locator("li.applicant", has_text="钱晓雨")
    text = card.inner_text()
    assert SEEKER_PHONE in text and "邀请" in card.locator(".applicant-origin").inner_text()
    assert "一次性扩岗补助" in text
    _fits(page)
    screenshot(page, tmp_path, "62-enterprise-applicant")
    card.get_by_label("移到阶段").select_option(label="邀请面试")
    card.get_by_role("button", name="更新").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已移到“邀请面试”" in _flash(page)
    assert "邀请面试" in page.locator("li.applicant", has_text="钱晓雨").locator(".status").inner_text()
    context.close()


def _decline_in_bulk(browser, base, ids) -> None:
    """Tick the applicant, move the ticked to 未通过: refused without a reason, done with one."""
    context, page = phone_sign_in(browser, base, EMPLOYER)
    page.goto(base + f"/enterprise/postings/{ids['posting']}/applicants?stage=interview")
    page.locator("li.applicant", has_text="钱晓雨").get_by_role("checkbox").check()
    page.select_option("#bulk-status", label="未通过")
    page.get_by_role("button", name="批量移动").click()
    page.wait_for_load_state("domcontentloaded")
    assert "设为“未通过”时请选择原因" in _flash(page)
    page.goto(base + f"/enterprise/postings/{ids['posting']}/applicants?stage=interview")
    page.locator("li.applicant", has_text="钱晓雨").get_by_role("checkbox").check()
    page.select_option("#bulk-status", label="未通过")
    page.select_option("#bulk-reason", label="岗位已招满")
    page.get_by_role("button", name="批量移动").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已把 1 份投递移到“未通过”" in _flash(page)
    _fits(page)
    context.close()


def test_invite_accept_and_move_to_interview_on_a_phone(hiring, browser, tmp_path):
    base = hiring["base"]
    _invite_from_candidates(browser, base, hiring, tmp_path)
    _accept(browser, base, tmp_path)
    _move_to_interview(browser, base, hiring, tmp_path)
    context, page = phone_sign_in(browser, base, SEEKER)
    page.goto(base + "/me/applications")
    assert "邀请面试" in page.locator("li.application", has_text=TITLE).inner_text()
    page.goto(base + "/me/inbox")
    inbox = page.locator("main").inner_text()
    assert f"您投递的“{TITLE}”岗位：邀请面试" in inbox and "邀请您投递" in inbox
    _fits(page)
    screenshot(page, tmp_path, "63-seeker-inbox")
    context.close()
    _decline_in_bulk(browser, base, hiring)
    context, page = phone_sign_in(browser, base, SEEKER)
    page.goto(base + "/me/applications")
    assert "未通过原因：岗位已招满" in page.locator("li.application", has_text=TITLE).inner_text()
    context.close()


def _rule_form(page, name):
    return page.locator(f"form.subsidy-rule:has(input[name=name][value='{name}'])")


def test_admin_edits_a_subsidy_hint_on_a_phone(hiring, browser, tmp_path):
    from .conftest import ADMIN_USERNAME, SEEKER_PASSWORD

    base = hiring["base"]
    context, page = phone_sign_in(browser, base, (ADMIN_USERNAME, SEEKER_PASSWORD))
    page.goto(base + "/admin/subsidies")
    rule = _rule_form(page, "招用退役士兵税收优惠")
    _fits(page)
    screenshot(page, tmp_path, "64-admin-subsidies")
    rule.get_by_label("启用").uncheck()
    rule.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已保存“招用退役士兵税收优惠”（已停用，不再提示）" in _flash(page)
    rule = _rule_form(page, "招用退役士兵税收优惠")
    assert not rule.get_by_label("启用").is_checked()
    assert _rule_form(page, "一次性扩岗补助").get_by_label("启用").is_checked()
    context.close()
