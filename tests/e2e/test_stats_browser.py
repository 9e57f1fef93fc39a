"""Browser test in Debian's Chromium: a commissioner of 海东市 (青海, where no other browser test works)
opens the statistics home, drills from the city to a county and from the major occupation group to a
detailed occupation, exports the table, and generates the quarterly report as XLSX and Word; an
administrator computes the shortage catalogue, adds an occupation, publishes version 1 and sees the
紧缺 tag in search."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_plain_words_browser import CODE
from .test_review_browser import _login, _shot

pytestmark = pytest.mark.e2e

COMMISSIONER = ("e2e_tongji_zhuanyuan", "Hai-Dong-Tong-Ji-2026")
ADMIN = ("e2e_tongji_admin", "Hai-Dong-Guan-Li-2026")
# elements of the page's own content reaching past a phone's width, outside a sideways-scrolling table
MAIN_TOO_WIDE = """(width) => [...document.querySelectorAll('main *')].filter(el => {
  const r = el.getBoundingClientRect();
  return r.width && r.right > width + 1 && !el.closest('.table-wrap')
    && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1);
}).slice(0, 3).map(el => el.tagName.toLowerCase() + ' ' + (el.className || '') + ' ' + Math.round(el.getBoundingClientRect().right))"""


@pytest.fixture(scope="module")
def stats_data(live_server):
    """Postings and jobseekers in 海东市 乐都区 and 平安区, the cube refreshed, a commissioner and an admin."""
    from core.accounts.services import create_user
    from core.db import utcnow
    from core.outbox.services import emit
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker
    from core.statistics.cells import refresh_now
    from indexer.worker import rebuild
    from webapp.extensions import db

    app = live_server["app"]
    now = utcnow()
    with app.app_context():
        welders = [Posting(title="海东电焊工", description="钢结构焊接，持证上岗", region_code="630202",
                           occupation_code="6-18-02-04", headcount=12, status="published", published_at=now,
                           pay_min=6000, pay_max=8000, pay_unit="month")]
        cooks = [Posting(title="海东中式烹调师", description="酒店后厨", region_code="630203",
                         occupation_code="4-03-02-01", headcount=4, status="published", published_at=now)]
        db.session.add_all(welders + cooks)
        db.session.add_all([Jobseeker(name=f"求职者{i}", region_code="630202" if i % 2 else "630203",
                                      desired_occupations=["6-18-02-04"] if i < 3 else ["4-03-02-01"],
                                      created_at=now) for i in range(8)])
        db.session.flush()
        for p in welders + cooks:
            emit(db.session, "posting", p.id)
        create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                    display_name="海东统计专员", region_code="630200")
        create_user(db.session, username=ADMIN[0], password=ADMIN[1], role="admin", display_name="统计管理员")
        refresh_now(db.session)
        db.session.commit()
        welder_id = welders[0].id
        rebuild(db.session, app.extensions["search"], "postings")
    return {"welder": welder_id}


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def test_commissioner_drills_down_and_downloads_the_report(live_server, stats_data, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="zh-CN", accept_downloads=True)  # a phone
    page = context.new_page()
    base = live_server["url"]
    _login(page, base, *COMMISSIONER)
    page.goto(base + "/commissioner/")
    page.get_by_role("link", name="统计分析").first.click()
    page.wait_for_load_state("networkidle")
    assert "海东市" in page.inner_text("nav.crumbs") and "西宁市" not in page.content()
    assert page.locator("#stats-chart").count() == 1 and page.evaluate("typeof Chart") == "function"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scroll on a phone
    table = page.inner_text("#stats-table")
    assert "乐都区" in table and "平安区" in table

    page.get_by_role("link", name="乐都区").click()  # drill to the county
    page.wait_for_load_state("domcontentloaded")
    page.select_option("select[name=by]", "occupation")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("link", name="生产制造及有关人员").click()  # major group → its medium groups, down to 焊工
    for name in ("机械制造基础加工人员", "机械热加工人员"):
        page.wait_for_load_state("domcontentloaded")
        page.get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")
    row = page.locator("#stats-table tbody tr", has_text="焊工").inner_text()
    assert "12" in row  # 12 wanted in 乐都区
    _shot(page, tmp_path, "stats-county-occupation")

    book = load_workbook(io.BytesIO(_download(page, "#export-xlsx")))
    cells = [c for r in book.active.iter_rows(values_only=True) for c in r]
    assert "焊工" in cells and 12 in cells

    for path in ("/stats/", "/stats/?by=group", "/stats/report", "/stats/outcomes", "/stats/catalogue"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        wide = page.evaluate(MAIN_TOO_WIDE, 390)
        assert page.evaluate("document.documentElement.scrollWidth") <= 391 and not wide, (path, wide)
        assert not CODE.findall(page.inner_text("main")), (path, CODE.findall(page.inner_text("main")))

    page.goto(base + "/stats/report")
    page.wait_for_load_state("networkidle")
    assert "需求人数前十的职业" in page.content() and "焊工" in page.inner_text("main")
    report = load_workbook(io.BytesIO(_download(page, "#report-xlsx")))
    assert "需求人数前十的职业" in report.sheetnames
    from docx import Document

    doc = Document(io.BytesIO(_download(page, "#report-docx")))
    assert "人力资源市场供求状况分析" in doc.paragraphs[0].text
    context.close()


def test_admin_publishes_catalogue_and_search_shows_the_tag(live_server, stats_data, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    base = live_server["url"]
    _login(page, base, *ADMIN)
    page.goto(base + "/stats/catalogue/draft")
    page.get_by_role("button", name="测算草稿").click()
    page.wait_for_load_state("domcontentloaded")
    page.fill("#f-occupation", "焊工")
    page.fill("#f-note", "海东市钢结构企业反映招工难")
    page.get_by_role("button", name="加入草稿").click()
    page.wait_for_load_state("domcontentloaded")
    assert "焊工" in page.inner_text("#draft-entries")
    version = _next_catalogue_version(live_server["app"])  # 1 unless another journey published one first
    page.get_by_role("button", name="发布为新版本").click()
    page.wait_for_load_state("domcontentloaded")
    assert f"第 {version} 版" in page.inner_text("main") and "焊工" in page.inner_text("#catalogue-entries")
    _shot(page, tmp_path, "stats-catalogue-v1")

    page.goto(base + "/search?q=海东电焊工")
    page.wait_for_load_state("domcontentloaded")
    item = page.locator("li.posting-item", has_text="海东电焊工").first
    assert "紧缺" in item.inner_text()
    context.close()


def _next_catalogue_version(app) -> int:
    from sqlalchemy import func, select

    from core.statistics.models import ShortageCatalogue
    from webapp.extensions import db

    with app.app_context():
        return (db.session.scalar(select(func.max(ShortageCatalogue.version))) or 0) + 1
