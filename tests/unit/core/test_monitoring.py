"""Enterprise employment monitoring: the alert rule (200 at once; over 10 % only at a state-owned
enterprise above designated size), the alert's figures in the jurisdiction's commissioners' inboxes
(not another county's), one report per month, rule-based flagging, the commissioner's spreadsheet
import with its rejected rows, and the laid-off roster tagged 失业/去产能职工 and followed up."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.enterprises.models import Enterprise
from core.enums import NotificationKind, PriorityGroup
from core.errors import DomainError, PermissionDenied, ValidationErrors
from core.identity import id_number_check_char
from core.monitoring import importing
from core.monitoring import services as mon
from core.monitoring.models import MonitoringAlert
from core.notifications.models import Notification
from core.seekers.models import Jobseeker

_ids = iter(range(100, 999))


def _id_number(region="371302", birth="19800101") -> str:
    first = f"{region}{birth}{next(_ids):03d}"
    return first + id_number_check_char(first)


def _enterprise(db_session, name="沂蒙机械制造有限公司", region="371302", **kw) -> Enterprise:
    ent = Enterprise(name=name, normalized_name=name, region_code=region, **kw)
    db_session.add(ent)
    db_session.flush()
    return ent


def _month(offset_back: int) -> str:
    today = dt.date.today().replace(day=1)
    y, m = divmod(today.year * 12 + today.month - 1 - offset_back, 12)
    return f"{y}-{m + 1:02d}"


def _report(db_session, actor, monitored, month, headcount, **kw):
    data = {"month": month, "headcount": str(headcount), **{k: str(v) for k, v in kw.items()}}
    result = mon.submit_report(db_session, actor, monitored.id, data)
    db_session.commit()
    return result


def test_a_drop_of_250_alerts_the_jurisdictions_commissioners_with_the_figures(db_session, make_user):
    county = make_user("commissioner", region_code="371302")
    city = make_user("commissioner", region_code="371300")
    other = make_user("commissioner", region_code="371322")
    monitored = mon.flag_enterprise(db_session, county, _enterprise(db_session).id)
    db_session.commit()
    _, none = _report(db_session, county, monitored, _month(2), 1200)
    assert none is None
    report, alert = _report(db_session, county, monitored, _month(1), 950, hires=10, separations=260,
                            production_state="减产", pay_change="下降")
    assert report.production_state == "reduced" and report.pay_change == "down"
    assert alert is not None and alert.rule == "count"
    assert (alert.base_headcount, alert.headcount, alert.reduction) == (1200, 950, 250)
    assert alert.reduction_pct == pytest.approx(20.8)
    notes = db_session.scalars(select(Notification).where(Notification.link == f"/monitoring/alerts/{alert.id}")).all()
    assert {n.user_id for n in notes} == {county.id, city.id} and alert.notified == 2
    assert all(n.kind == NotificationKind.TASK and "1200" in n.body and "950" in n.body and "250" in n.body
               for n in notes)
    assert [a.id for a in mon.visible_alerts(db_session, city)] == [alert.id]
    assert mon.latest_reports(db_session, [monitored]) == {monitored.id: report}
    assert mon.visible_alerts(db_session, other) == []
    with pytest.raises(PermissionDenied):
        mon.get_alert(db_session, other, alert.id)


def test_ten_percent_rule_only_for_state_owned_above_designated_size(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    private = mon.flag_enterprise(db_session, staff, _enterprise(db_session, "民营纺织厂").id)
    state = mon.flag_enterprise(db_session, staff, _enterprise(db_session, "国营化工厂").id, state_owned=True,
                                above_designated_size=True)
    db_session.commit()
    for m in (private, state):
        _report(db_session, staff, m, _month(3), 1000)
    _, a1 = _report(db_session, staff, private, _month(2), 880)   # 12 %, 120 people: private -> nothing
    _, a2 = _report(db_session, staff, state, _month(2), 900)     # exactly 10 %: not "more than"
    _, a3 = _report(db_session, staff, state, _month(1), 800)     # 11.1 % of 900
    assert a1 is None and a2 is None
    assert a3 is not None and a3.rule == "share" and a3.reduction == 100 and a3.base_headcount == 900
    # 200 exactly raises the count rule at any enterprise
    _, a4 = _report(db_session, staff, private, _month(1), 680)
    assert a4 is not None and a4.rule == "count"


def test_first_report_uses_its_own_separations_and_a_month_is_reported_once(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    ent = _enterprise(db_session)
    monitored = mon.flag_enterprise(db_session, staff, ent.id)
    owner = make_user("enterprise", enterprise_id=ent.id)
    _, alert = _report(db_session, owner, monitored, _month(1), 500, hires=0, separations=210)
    assert alert is not None and alert.base_headcount == 710 and alert.reduction == 210
    with pytest.raises(DomainError) as e:
        mon.submit_report(db_session, owner, monitored.id, {"month": _month(1), "headcount": "500"})
    assert e.value.code == "month_reported"
    db_session.rollback()
    with pytest.raises(ValidationErrors) as e:
        mon.submit_report(db_session, owner, monitored.id, {"month": "上个月", "headcount": "-3", "pay_change": "很多"})
    assert {x.field for x in e.value.errors} == {"month", "headcount", "pay_change"}
    db_session.rollback()
    stranger = make_user("enterprise")
    with pytest.raises(PermissionDenied):
        mon.submit_report(db_session, stranger, monitored.id, {"month": _month(2), "headcount": "500"})


def test_rule_flags_by_size_or_industry_inside_the_jurisdiction_only(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    big = _enterprise(db_session, "大型钢铁厂", size="1000人以上")
    mid = _enterprise(db_session, "中型电子厂", size="300-999人")
    small = _enterprise(db_session, "小型煤矿", size="50人以下", industry="煤炭开采和洗选业")
    tiny = _enterprise(db_session, "小商店", size="20-49人", industry="零售业")
    elsewhere = _enterprise(db_session, "外县钢厂", region="371322", size="1000人以上")
    assert mon.flag_by_rule(db_session, staff, min_size=300, industries=["煤炭"]) == 3
    flagged = {m.enterprise_id for m in mon.visible_monitored(db_session, staff)}
    assert flagged == {big.id, mid.id, small.id} and tiny.id not in flagged and elsewhere.id not in flagged
    assert mon.flag_by_rule(db_session, staff, min_size=300, industries=[]) == 0  # already flagged
    with pytest.raises(PermissionDenied):
        mon.flag_enterprise(db_session, staff, elsewhere.id)


def test_spreadsheet_import_rejects_bad_rows_and_keeps_good_ones(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    a = mon.flag_enterprise(db_session, staff, _enterprise(db_session, "甲厂", credit_code="91371302MA3C000001").id)
    mon.flag_enterprise(db_session, staff, _enterprise(db_session, "乙厂").id)
    _enterprise(db_session, "丙厂")  # not monitored
    db_session.commit()
    _report(db_session, staff, a, _month(2), 900)
    rows = ["统一社会信用代码,企业名称,月份,月末职工人数,本月新招用人数,本月减少人数,生产经营状况,工资变化",
            f"91371302MA3C000001,,{_month(1)},600,0,300,停产,下降",
            f",乙厂,{_month(1)},400,5,3,正常,持平",
            f",丙厂,{_month(1)},100,0,0,正常,持平",
            f",乙厂,{_month(1)[:4]}年13月,abc,,,正常,持平"]
    result = importing.import_reports(db_session, staff, ("\n".join(rows) + "\n").encode("gb18030"), filename="报表.csv")
    db_session.commit()
    assert result.rows == 4 and [r["row"] for r in result.added] == [2, 3]
    assert [r["row"] for r in result.rejected] == [4, 5]
    assert "不是监测企业" in result.rejected[0]["reasons"][0]
    assert any("月份" in r for r in result.rejected[1]["reasons"]) and any("职工人数" in r for r in result.rejected[1]["reasons"])
    assert result.alerts == [{"row": 2, "name": "甲厂", "reduction": 300}]
    assert db_session.scalar(select(MonitoringAlert).where(MonitoringAlert.monitored_id == a.id)).reduction == 300


def _hire(db_session, jobseeker_id: int) -> None:
    from core.applications.models import Application
    from core.channels.models import Channel
    from core.enums import ApplicationStatus, ChannelKind, PostingStatus
    from core.postings.models import Posting

    ch = Channel(code="mon-hire", name="测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
    db_session.add(ch)
    db_session.flush()
    p = Posting(title="叉车司机", description="叉车司机岗位", channel_id=ch.id, region_code="371302",
                status=PostingStatus.PUBLISHED, pay_unit="month")
    db_session.add(p)
    db_session.flush()
    db_session.add(Application(jobseeker_id=jobseeker_id, posting_id=p.id, status=ApplicationStatus.HIRED))
    db_session.flush()


def test_laid_off_roster_is_tagged_and_followed_up(db_session, make_user):
    from core.crypto import PersonalDataCipher

    cipher = PersonalDataCipher(*PersonalDataCipher.generate_keys())
    staff = make_user("commissioner", region_code="371302")
    monitored = mon.flag_enterprise(db_session, staff, _enterprise(db_session).id)
    db_session.commit()
    _report(db_session, staff, monitored, _month(2), 1000)
    _, alert = _report(db_session, staff, monitored, _month(1), 700)
    rows = ["姓名,身份证号码,联系电话,现居住地", f"刘洋,{_id_number()},13800000001,山东省临沂市兰山区",
            f"陈静,{_id_number()},13800000002,山东省临沂市兰山区", "错号,12345,,"]
    report, added = mon.import_laid_off(db_session, cipher, staff, alert.id, "\n".join(rows).encode(), filename="x.csv")
    db_session.commit()
    assert added == 2 and len(report.rejected) == 1
    workers = mon.laid_off_workers(db_session, alert)
    assert {w.jobseeker.name for w in workers} == {"刘洋", "陈静"}
    for w in workers:
        seeker = db_session.get(Jobseeker, w.jobseeker_id)
        assert any(g.group == PriorityGroup.LAID_OFF and g.verified_by_id == staff.id for g in seeker.groups)
    again, added = mon.import_laid_off(db_session, cipher, staff, alert.id, "\n".join(rows[:2]).encode(), filename="x.csv")
    assert added == 0 and len(again.existing) == 1
    assert mon.hired_through_platform(db_session, alert, workers) == set()
    _hire(db_session, workers[1].jobseeker_id)
    assert mon.hired_through_platform(db_session, alert, workers) == {workers[1].jobseeker_id}
    mon.set_follow_up(db_session, staff, workers[0].id, "employed")
    assert mon.follow_up_counts(mon.laid_off_workers(db_session, alert))["employed"] == 1
    with pytest.raises(DomainError):
        mon.set_follow_up(db_session, staff, workers[0].id, "done")


def test_xlsx_import_with_a_header_in_brackets(db_session, make_user):
    import io

    from openpyxl import Workbook

    staff = make_user("commissioner", region_code="371302")
    mon.flag_enterprise(db_session, staff, _enterprise(db_session, "丁厂", credit_code="91371302MA3C000002").id)
    db_session.commit()
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "所属月份", "月末职工人数（人）", "本月减少人数", "工资变化"])
    ws.append(["91371302MA3C000002", f"{_month(1)[:4]}年{int(_month(1)[5:])}月", 420, 7, "持平"])
    ws.append(["91371302MA3C000002", _month(2), None, 0, "持平"])
    buf = io.BytesIO()
    wb.save(buf)
    result = importing.import_reports(db_session, staff, buf.getvalue(), filename="报表.xlsx")
    assert [r["row"] for r in result.added] == [2] and result.added[0]["month"].month == int(_month(1)[5:])
    assert result.rejected == [{"row": 3, "reasons": ["请填写月末职工人数"]}]
