"""Enterprise employment monitoring on the statistics pages: a commissioner of 银川市 sees the month's
reports, report rate, headcount, hires, separations, the drop and the alert for the counties of the
city only, drills to a county, breaks down by industry and exports the same figures as XLSX; another
city is refused; an admin sees every province."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from core.enterprises.models import Enterprise
from core.seekers.models import Jobseeker
from core.monitoring.models import LaidOffWorker
from core.monitoring.services import flag_enterprise, submit_report


def _month(back: int) -> str:
    today = dt.date.today().replace(day=1)
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{y}-{m + 1:02d}"


def _monitored(db_session, admin, name, region, industry, **flags):
    ent = Enterprise(name=name, normalized_name=name, region_code=region, industry=industry)
    db_session.add(ent)
    db_session.flush()
    monitored = flag_enterprise(db_session, admin, ent.id, **flags)
    monitored.created_at = dt.datetime.now() - dt.timedelta(days=200)  # under monitoring for months
    return monitored


def _figures(html: str, label: str) -> list[str]:
    """The cells of the table row headed ``label`` (its link text or plain text)."""
    import re

    row = re.search(r"<tr><th scope=\"row\">(?:<a [^>]*>)?" + label + r"(?:</a>)?</th>(.*?)</tr>", html, re.S)
    assert row, label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def _data(db_session, make_user):
    admin = make_user("admin")
    heavy = _monitored(db_session, admin, "银川重型机械有限公司", "640104", "制造业", state_owned=True)
    shop = _monitored(db_session, admin, "兴庆商贸有限公司", "640104", "批发和零售业")
    quiet = _monitored(db_session, admin, "西夏建材有限公司", "640105", "制造业")
    far = _monitored(db_session, admin, "大武口煤业有限公司", "640202", "采矿业")
    month, before = _month(1), _month(2)
    submit_report(db_session, admin, heavy.id, {"month": before, "headcount": "1250"})
    _report, alert = submit_report(db_session, admin, heavy.id, {"month": month, "headcount": "1000", "hires": "0",
                                                                 "separations": "250"})
    assert alert is not None
    for name, status in (("马师傅", "employed"), ("杨师傅", "pending")):  # the laid-off roster, followed up
        seeker = Jobseeker(name=name, region_code="640104")
        db_session.add(seeker)
        db_session.flush()
        db_session.add(LaidOffWorker(alert_id=alert.id, jobseeker_id=seeker.id, status=status))
    submit_report(db_session, admin, shop.id, {"month": month, "headcount": "300", "hires": "10", "separations": "5"})
    submit_report(db_session, admin, far.id, {"month": month, "headcount": "800", "hires": "3", "separations": "1"})
    db_session.commit()
    return month, quiet


def test_commissioner_sees_the_month_of_the_city_by_county_and_industry(client, login_as, make_user, db_session):
    month, _quiet = _data(db_session, make_user)
    login_as("commissioner", region_code="640100")
    html = client.get(f"/stats/monitoring?month={month}").get_data(as_text=True)
    # monitored, reported, rate, headcount, hires, separations, change, dropped, alerts, laid off, re-employed
    assert _figures(html, "兴庆区") == ["2", "2", "100.0%", "1300", "10", "255", "-245", "1", "1", "2", "1"]
    assert _figures(html, "西夏区") == ["1", "0", "0.0%", "0", "0", "0", "0", "0", "0", "0", "0"]
    assert _figures(html, "合计")[:3] == ["3", "2", "66.7%"]
    assert "大武口区" not in html and 'id="monitoring-chart-data"' in html
    assert "region=640104" in html  # the county row drills down
    county = client.get(f"/stats/monitoring?month={month}&region=640104").get_data(as_text=True)
    assert "西夏区" not in county and _figures(county, "兴庆区")[:2] == ["2", "2"]
    by_industry = client.get(f"/stats/monitoring?month={month}&by=industry").get_data(as_text=True)
    assert _figures(by_industry, "制造业")[:4] == ["2", "1", "50.0%", "1000"]
    assert client.get(f"/stats/monitoring?month={month}&region=640200").status_code == 403
    assert client.get("/stats/monitoring?month=2026-13").status_code == 400
    assert client.get("/stats/monitoring?by=salary").status_code == 400

    resp = client.get(f"/stats/monitoring?month={month}&format=xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert rows[0][:4] == ["地区", "监测企业数", "已报送企业数", "报送率"]
    assert rows[1] == ["兴庆区", 2, 2, 1.0, 1300, 10, 255, -245, 1, 1, 2, 1]
    assert rows[-1][:3] == ["合计", 3, 2]


def test_admin_sees_every_province_and_a_late_flag_is_not_due(client, login_as, make_user, db_session):
    month, quiet = _data(db_session, make_user)
    quiet.created_at = dt.datetime.now()  # flagged this month: nothing was due last month
    db_session.commit()
    login_as("admin")
    html = client.get(f"/stats/monitoring?month={month}&region=640000").get_data(as_text=True)
    assert _figures(html, "银川市")[:3] == ["2", "2", "100.0%"]  # 西夏区's enterprise left out
    assert _figures(html, "石嘴山市")[:5] == ["1", "1", "100.0%", "800", "3"]
    assert "企业用工监测统计" in client.get("/stats/").get_data(as_text=True)
