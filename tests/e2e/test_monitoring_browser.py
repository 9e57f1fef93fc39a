"""Browser journey in Debian's Chromium on a phone (390 px): a commissioner of 兰陵县 puts an enterprise
under monitoring from the monitoring page; the enterprise reports two months through its form, the
second with a 250-person drop; the commissioner opens the alert from the inbox and the alerts page and
sees the figures (上月 1200 人, 月末 950 人, 减少 250 人), imports the laid-off workers' roster and records a
follow-up. Works in 兰陵县 (371324), where no other browser test puts data."""
from __future__ import annotations

import datetime as dt

import pytest

from .test_review_browser import _login, _shot
from .walk import month_back

pytestmark = pytest.mark.e2e

REGION = "371324"  # 临沂 兰陵县
COMMISSIONER = ("e2e_jiance_zhuanyuan", "Fei-Xian-Jian-Ce-2026")
OWNER = ("e2e_jiance_qiye", "Fei-Xian-Qi-Ye-2026")
COMPANY = "兰陵示范重工有限公司"


@pytest.fixture(scope="module")
def monitoring_data(live_server):
    from core.accounts.services import create_user
    from core.enterprises.models import Enterprise
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        ent = Enterprise(name=COMPANY, normalized_name="兰陵示范重工", region_code=REGION, size="1000人以上",
                         industry="通用设备制造业")
        db.session.add(ent)
        db.session.flush()
        create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                    display_name="兰陵监测专员", region_code=REGION)
        create_user(db.session, username=OWNER[0], password=OWNER[1], role="enterprise", display_name="重工人事",
                    enterprise_id=ent.id)
        db.session.commit()
        return {"enterprise_id": ent.id}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _logout(page, base) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")


def _report(page, month: str, headcount: str, separations: str) -> None:
    page.get_by_label("报送月份").fill(month)
    page.get_by_label("月末职工人数").fill(headcount)
    page.get_by_label("本月新招用人数").fill("0")
    page.get_by_label("本月减少人数").fill(separations)
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state("domcontentloaded")


def _roster(tmp_path):
    from core.identity import id_number_check_char

    def make(birth, seq):
        first = REGION + birth + seq
        return first + id_number_check_char(first)

    path = tmp_path / "失业职工名单.csv"
    rows = ["姓名,身份证号码,联系电话,现居住地", f"费大力,{make('19780304', '311')},13900003111,山东省临沂市兰陵县",
            f"费小红,{make('19850506', '322')},13900003222,山东省临沂市兰陵县", "号码错,3713241990,,"]
    path.write_bytes(("\n".join(rows) + "\n").encode("gb18030"))
    return path


def test_a_250_person_drop_reaches_the_commissioner(live_server, monitoring_data, phone_page, tmp_path):
    page, base = phone_page, live_server["url"]
    _login(page, base, *COMMISSIONER)
    page.goto(base + "/commissioner/")
    page.get_by_role("link", name="企业用工监测").click()
    page.get_by_label("企业名称或统一社会信用代码").fill(COMPANY)
    page.get_by_label("国有企业").check()
    page.get_by_role("button", name="列入监测").click()
    page.wait_for_load_state("domcontentloaded")
    assert f"已将{COMPANY}列入监测" in page.inner_text("body")
    _fits(page)
    _logout(page, base)

    _login(page, base, *OWNER)
    page.goto(base + "/enterprise/postings")
    page.get_by_role("link", name="用工报送").click()
    _report(page, month_back(2), "1200", "3")
    assert "已报送" in page.inner_text("body")
    _report(page, month_back(1), "950", "250")
    body = page.inner_text("body")
    assert "已报送" in body and "月末 950 人" in body
    _fits(page)
    _shot(page, tmp_path, "monitoring-report")
    _logout(page, base)

    _login(page, base, *COMMISSIONER)
    page.goto(base + "/me/inbox")
    page.get_by_text(f"规模性减员预警：{COMPANY}减少 250 人").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(base + "/monitoring/alerts")
    page.get_by_role("link", name=f"{COMPANY}：减少 250 人").click()
    page.wait_for_load_state("domcontentloaded")
    figures = page.locator(".alert-figures").inner_text()
    assert "1200" in figures and "950" in figures and "250" in figures
    page.set_input_files("#f-file", str(_roster(tmp_path)))
    page.get_by_role("button", name="导入名单").click()
    page.wait_for_load_state("domcontentloaded")
    body = page.inner_text("body")
    assert "新加入跟进 2 人" in body and "第4行" in body and "费大力" in body
    row = page.locator(".worker-list li").filter(has_text="费大力")
    row.get_by_label("跟进情况").select_option(label="已再就业")
    row.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已记录跟进情况：已再就业" in page.inner_text("body")
    _fits(page)
    _shot(page, tmp_path, "monitoring-alert")


def walk_monitoring_objects(session, region: str, enterprise_id: int, commissioner) -> dict:
    """For the site walks: the walk's enterprise under monitoring with two months reported (the second a
    250-person drop, so an alert), and a zero-employment household of two in ``region``."""
    import datetime as dt

    from core.households.models import Household, HouseholdMember
    from core.monitoring import services as mon

    monitored = mon.flag_enterprise(session, commissioner, enterprise_id, state_owned=True, above_designated_size=True)
    mon.submit_report(session, commissioner, monitored.id, {"month": month_back(2), "headcount": "800"})
    _, alert = mon.submit_report(session, commissioner, monitored.id,
                                 {"month": month_back(1), "headcount": "550", "separations": "250",
                                  "production_state": "reduced", "pay_change": "down"})
    household = Household(reference="HD-001", head_name="钱大民", region_code=region, address="河东区九曲街道",
                          opened_on=dt.date.today() - dt.timedelta(days=40), created_by_user_id=commissioner.id,
                          members=[HouseholdMember(name="钱大民", age=51, employed=False),
                                   HouseholdMember(name="钱小雨", age=23, employed=False, phone="13900001234")])
    session.add(household)
    session.flush()
    return {"monitored_id": monitored.id, "alert_id": alert.id, "household_id": household.id}
