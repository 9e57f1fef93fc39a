"""Browser test in Debian's Chromium: a service commissioner registers a major project, enters its
labour demand (fixing a mistake the page points out), publishes the lines through the intake
pipeline and follows the resulting postings. Screenshots go to the test's temporary folder (and
E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import pytest

from .test_review_browser import _login, _shot

pytestmark = pytest.mark.e2e

COMMISSIONER = ("e2e_xiangmu_zhuanyuan", "Shan-Gao-Shui-Chang-2026")
CREDIT_CODE = "91371311MA3C8E9F1X"  # body 91371311MA3C8E9F1; the check character is computed below


@pytest.fixture(scope="module")
def project_data(live_server):
    """A registered construction enterprise in 临沂 罗庄区 and a commissioner of that district (not 兰山区,
    where the review browser test counts the commissioner's tasks on the same live server)."""
    from core.accounts.services import create_user
    from core.enterprises.models import Enterprise
    from core.identity import credit_code_check_char
    from webapp.extensions import db

    body = CREDIT_CODE[:17]
    code = body + credit_code_check_char(body)
    app = live_server["app"]
    with app.app_context():
        db.session.add(Enterprise(name="临沂港建设工程有限公司", normalized_name="临沂港建设工程", credit_code=code,
                                  region_code="371311", verification_status="verified"))
        create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                    display_name="赵专员", region_code="371311")
        db.session.commit()
    return {"credit_code": code}


def test_commissioner_registers_a_project_and_publishes_its_demand(live_server, project_data, browser, tmp_path):
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="zh-CN")  # a phone
    page = context.new_page()
    base = live_server["url"]
    _login(page, base, *COMMISSIONER)

    # from the commissioner's home page to the projects
    page.goto(base + "/commissioner/")
    page.get_by_role("link", name="重大项目用工").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(base + "/projects/new")
    page.fill("input[name=name]", "临沂港综合物流园区项目")
    page.fill("input[name=region_code]", "罗庄区")
    page.fill("input[name=credit_code]", project_data["credit_code"])
    page.fill("input[name=total_investment]", "-3")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    # the page says what is wrong, next to the field, and keeps what was typed
    assert page.locator("[data-field=total_investment]").count() >= 1
    assert page.input_value("input[name=name]") == "临沂港综合物流园区项目"
    page.fill("input[name=total_investment]", "120000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert "临沂港综合物流园区项目" in page.inner_text("h1")
    detail_url = page.url

    for title, headcount, pay in (("钢筋工", "20", "300元/天"), ("塔吊司机", "3", "9000-12000元/月")):
        page.goto(detail_url)
        page.get_by_role("link", name="添加用工需求").click()
        page.wait_for_load_state("domcontentloaded")
        page.fill("input[name=title]", title)
        page.fill("input[name=headcount]", headcount)
        page.fill("input[name=pay_text]", pay)
        page.fill("textarea[name=requirements]", f"{title}，持证上岗，工地包吃住，按时足额发放工资。")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("domcontentloaded")

    page.goto(detail_url)
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "钢筋工" in body and "塔吊司机" in body
    page.get_by_role("button", name="全部发布").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(detail_url)
    # each line now has a posting: published (with a link to its public page) or held with reasons
    assert page.locator("li", has_text="未发布").locator("strong").inner_text() == "0"
    links = page.locator("a.posting-link")
    assert links.count() >= 1
    _shot(page, tmp_path, "project_detail_published")

    # the published posting is what jobseekers see
    href = links.first.get_attribute("href")
    page.goto(href if href.startswith("http") else base + href)
    assert "临沂港建设工程" in page.inner_text("body")
    context.close()
