"""Monitoring pages over HTTP: a commissioner flags an enterprise, the enterprise reports two months
through its form and a 250-person drop puts the alert with its figures on the alerts page and in the
inbox; another county's commissioner gets 403; the alert page is audited; the laid-off roster and a
month's spreadsheet import show their rejected rows; a non-monitored enterprise is told it need not report."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.enterprises.models import Enterprise
from core.monitoring.models import LaidOffWorker, MonitoredEnterprise, MonitoringAlert
from core.notifications.models import Notification

from .conftest import make_credit_code, make_id_number


def _month(back: int) -> str:
    today = dt.date.today().replace(day=1)
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{y}-{m + 1:02d}"


def test_form_reports_raise_the_alert_the_commissioner_sees(client, make_user, db_session):
    from tests.conftest import TEST_PASSWORD

    code = make_credit_code()
    ent = Enterprise(name="临沂重型机械有限公司", normalized_name="临沂重型机械", region_code="371302", credit_code=code)
    db_session.add(ent)
    db_session.commit()
    staff = make_user("commissioner", region_code="371302")
    owner = make_user("enterprise", enterprise_id=ent.id)
    other = make_user("commissioner", region_code="371322")
    login = lambda u: client.post("/login", data={"username": u.username, "password": TEST_PASSWORD})  # noqa: E731

    assert login(staff).status_code == 302
    resp = client.post("/monitoring/flag", data={"enterprise": code, "state_owned": "1"})
    assert resp.status_code == 303
    monitored = db_session.scalar(select(MonitoredEnterprise).where(MonitoredEnterprise.enterprise_id == ent.id))
    assert monitored is not None and monitored.state_owned and not monitored.above_designated_size
    assert "临沂重型机械有限公司" in client.get("/monitoring/").get_data(as_text=True)
    resp = client.post(f"/monitoring/enterprises/{monitored.id}", data={"month": _month(3), "headcount": "x"})
    assert resp.status_code == 400 and "月末职工人数应为不小于0的整数" in resp.get_data(as_text=True)
    resp = client.post(f"/monitoring/enterprises/{monitored.id}", data={"month": _month(3), "headcount": "1260"})
    assert resp.status_code == 303
    assert "月末 <strong>1260</strong> 人" in client.get(f"/monitoring/enterprises/{monitored.id}").get_data(as_text=True)
    client.post("/logout")

    assert login(owner).status_code == 302
    assert "每月结束后报送" in client.get("/monitoring/report").get_data(as_text=True)
    resp = client.post("/monitoring/report", data={"month": _month(2), "headcount": "1250", "hires": "5",
                                                   "separations": "8", "production_state": "normal", "pay_change": "flat"})
    assert resp.status_code == 303
    resp = client.post("/monitoring/report", data={"month": _month(2), "headcount": "abc"})
    assert resp.status_code == 400 and "月末职工人数应为不小于0的整数" in resp.get_data(as_text=True)
    resp = client.post("/monitoring/report", data={"month": _month(1), "headcount": "1000", "hires": "0",
                                                   "separations": "250", "production_state": "reduced",
                                                   "pay_change": "down"})
    assert resp.status_code == 303
    assert client.get("/monitoring/alerts").status_code == 403
    client.post("/logout")

    alert = db_session.scalar(select(MonitoringAlert).where(MonitoringAlert.monitored_id == monitored.id))
    assert (alert.base_headcount, alert.headcount, alert.reduction) == (1250, 1000, 250)
    note = db_session.scalar(select(Notification).where(Notification.user_id == staff.id,
                                                         Notification.link == f"/monitoring/alerts/{alert.id}"))
    assert note is not None and "250" in note.title
    assert not db_session.scalar(select(Notification).where(Notification.user_id == other.id))

    assert login(staff).status_code == 302
    html = client.get("/monitoring/alerts").get_data(as_text=True)
    assert "临沂重型机械有限公司：减少 250 人" in html and "上月 1250 人，月末 1000 人" in html
    assert client.get(f"/monitoring/alerts/{alert.id}").status_code == 200
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "monitoring_alert",
                                                      AuditEvent.actor_user_id == staff.id))
    rows = ["姓名,身份证号码,联系电话,现居住地", f"王师傅,{make_id_number('19750101')},13900000011,山东省临沂市兰山区",
            "缺号码,,,"]
    resp = client.post(f"/monitoring/alerts/{alert.id}/roster", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(("\n".join(rows) + "\n").encode("gb18030")), "名单.csv")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新加入跟进 1 人" in html and "第3行" in html and "王师傅" in html
    worker = db_session.scalar(select(LaidOffWorker).where(LaidOffWorker.alert_id == alert.id))
    resp = client.post(f"/monitoring/laid-off/{worker.id}/follow-up", data={"status": "employed"})
    assert resp.status_code == 303
    db_session.refresh(worker)
    assert worker.status == "employed"
    client.post("/logout")

    assert login(other).status_code == 302
    assert client.get(f"/monitoring/alerts/{alert.id}").status_code == 403
    assert client.get(f"/monitoring/enterprises/{monitored.id}").status_code == 403
    assert "临沂重型机械" not in client.get("/monitoring/alerts").get_data(as_text=True)
    assert client.post(f"/monitoring/laid-off/{worker.id}/follow-up", data={"status": "pending"}).status_code == 303
    db_session.refresh(worker)
    assert worker.status == "employed"


def test_spreadsheet_import_report_and_unmonitored_enterprise(client, login_as, make_user, db_session):
    ent = Enterprise(name="沂河纺织有限公司", normalized_name="沂河纺织", region_code="371302")
    db_session.add(ent)
    db_session.flush()
    db_session.add(MonitoredEnterprise(enterprise_id=ent.id))
    db_session.commit()
    login_as("commissioner", region_code="371300")
    rows = ["企业名称,月份,月末职工人数,本月减少人数,生产经营状况",
            f"沂河纺织有限公司,{_month(1)},480,20,正常", f"不存在的厂,{_month(1)},10,0,正常",
            f"沂河纺织有限公司,{_month(2)},480,0,很好"]
    resp = client.post("/monitoring/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO("\n".join(rows).encode("utf-8")), "报表.csv")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已导入 <strong>1</strong> 份" in html
    assert "第3行：不存在的厂不是监测企业" in html and "第4行：无法识别的生产经营状况：很好" in html
    resp = client.post("/monitoring/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"\x00\x01junk"), "x.pdf")})
    assert resp.status_code == 400
    client.post("/logout")
    login_as("enterprise")
    html = client.get("/monitoring/report").get_data(as_text=True)
    assert "不需要每月报送" in html and 'name="headcount"' not in html
