"""Browser test in Debian's Chromium at a phone's width: a commissioner of 银川市 (宁夏, where no other
browser test works) opens the statistics home, follows 企业用工监测统计, sees last month's reports of
the city's monitored enterprises by county with the 250-person drop and its alert, the chart drawn
beside the table, drills to the county, switches to industries and downloads the table as XLSX."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_plain_words_browser import CODE
from .test_review_browser import _login, _shot
from .test_stats_browser import MAIN_TOO_WIDE
from .walk import month_back

pytestmark = pytest.mark.e2e

COMMISSIONER = ("e2e_jiance_tongji", "Yin-Chuan-Jian-Ce-2026")


@pytest.fixture(scope="module")
def monitoring_data(live_server):
    """Two monitored enterprises in 兴庆区 (one drops 250 people last month) and one in 西夏区 that has
    not reported, all under monitoring for months; the commissioner of 银川市."""
    from core.accounts.services import create_user
    from core.enterprises.models import Enterprise
    from core.monitoring.services import flag_enterprise, submit_report
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        user = create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                           display_name="银川监测专员", region_code="640100")
        monitored = []
        for name, region, industry in (("银川重型机械有限公司", "640104", "制造业"),
                                       ("兴庆商贸有限公司", "640104", "批发和零售业"),
                                       ("西夏建材有限公司", "640105", "制造业")):
            ent = Enterprise(name=name, normalized_name=name, region_code=region, industry=industry)
            db.session.add(ent)
            db.session.flush()
            m = flag_enterprise(db.session, user, ent.id, state_owned=True)
            m.created_at = dt.datetime.now() - dt.timedelta(days=200)
            monitored.append(m)
        submit_report(db.session, user, monitored[0].id, {"month": month_back(2), "headcount": "1250"})
        submit_report(db.session, user, monitored[0].id, {"month": month_back(1), "headcount": "1000",
                                                          "separations": "250"})
        submit_report(db.session, user, monitored[1].id, {"month": month_back(1), "headcount": "300", "hires": "10",
                                                          "separations": "5"})
        db.session.commit()


def test_commissioner_reads_the_monitoring_figures_and_exports_them(live_server, monitoring_data, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    base = live_server["url"]
    _login(page, base, *COMMISSIONER)
    page.goto(base + "/stats/")
    page.get_by_role("link", name="企业用工监测统计").click()
    page.select_option("select[name=month]", month_back(1))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof Chart") == "function" and page.locator("#monitoring-chart").count() == 1
    assert page.evaluate("!!Chart.getChart(document.getElementById('monitoring-chart'))")  # drawn, not just placed
    row = [c.strip() for c in page.locator("#monitoring-table tbody tr", has_text="兴庆区").inner_text().split("\t")]
    assert row[1:4] == ["2", "2", "100.0%"] and row[7:10] == ["-245", "1", "1"], row
    assert "西夏区" in page.inner_text("#monitoring-table") and "66.7%" in page.inner_text("#monitoring-table tfoot")
    wide = page.evaluate(MAIN_TOO_WIDE, 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391 and not wide, wide
    assert not CODE.findall(page.inner_text("main"))
    _shot(page, tmp_path, "stats-monitoring-city")

    page.get_by_role("link", name="兴庆区").click()  # drill to the county
    page.wait_for_load_state("networkidle")
    assert "西夏区" not in page.inner_text("#monitoring-table") and "兴庆区" in page.inner_text("nav.crumbs")
    page.select_option("select[name=by]", "industry")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    assert "批发和零售业" in page.inner_text("#monitoring-table")
    with page.expect_download() as info:
        page.click("#monitoring-xlsx")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    rows = [list(r) for r in book.active.iter_rows(min_row=3, values_only=True)]
    assert rows[0][0] == "行业" and ["制造业", 1, 1, 1.0, 1000, 0, 250, -250, 1, 1, 0, 0] in rows, rows
    context.close()
