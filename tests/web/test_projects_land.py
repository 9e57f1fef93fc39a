"""Land acquisition pages over HTTP: a notice and its 30-working-day deadline with the holidays inside,
roster import (GB18030) with its report, names only for the villages' jurisdiction (another county's
commissioner and an enterprise get 403), every roster view and export audited, proposals, offers,
outcomes, the plan's export, the admin's calendar, the employment impact, and an order-based course."""
from __future__ import annotations

import io

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.channels.models import Channel
from core.enums import ChannelKind
from core.projects.models import LabourDemand, LandNotice, MajorProject, SurveyRecord

from .conftest import make_id_number


def _project(db_session, commissioner) -> MajorProject:
    p = MajorProject(name="沂河新区安置区道路工程", region_code="371302", commissioner_user_id=commissioner.id)
    db_session.add(p)
    db_session.flush()
    db_session.add(LabourDemand(project_id=p.id, title="挖掘机司机", occupation_text="挖掘机司机", headcount=5))
    db_session.commit()
    return p


def _roster() -> bytes:
    rows = ["姓名,身份证号码,所在村,户主,目前就业情况,就业意愿,技能特长,培训意愿",
            f"王建国,{make_id_number('19750304')},东岭村,王建国,务农,就业,开挖掘机,",
            "李秀英,3713021980,东岭村,王建国,务农,培训,,家政服务",
            f"赵强,{make_id_number('19900512')},北山村,赵强,外出务工,就业,,"]
    return ("\n".join(rows) + "\n").encode("gb18030")


def _audits(db_session, subject_type):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == subject_type)).all()


def test_notice_roster_plan_journey_over_http(client, login_as, db_session, make_user):
    county = login_as("commissioner", region_code="371302")
    project = _project(db_session, county)
    resp = client.post(f"/projects/{project.id}/land/new", data={"notice_date": "2026-09-18", "villages": "东岭村"})
    assert resp.status_code == 400 and "村代码" in resp.get_data(as_text=True)
    resp = client.post(f"/projects/{project.id}/land/new",
                       data={"notice_date": "2026-09-18", "reference": "临政征〔2026〕12号", "area_mu": "326.5",
                             "households": "126", "villages": "371302101201 东岭村 86\n371302101202 西岭村 40"})
    assert resp.status_code == 303
    notice = db_session.scalar(select(LandNotice).where(LandNotice.project_id == project.id))
    html = client.get(f"/projects/land/{notice.id}").get_data(as_text=True)
    assert "2026年11月05日" in html and "中秋节" in html and "国庆节" in html
    assert "2026年11月05日" in client.get("/projects/land/").get_data(as_text=True)

    resp = client.post(f"/projects/land/{notice.id}/import",
                       data={"file": (io.BytesIO(_roster()), "名单.csv")}, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已登记 <strong>2</strong> 人" in html
    assert "第3行 李秀英" in html and "第4行" in html and "北山村" in html
    village = notice.villages[0]
    html = client.get(f"/projects/land/{notice.id}/villages/{village.id}").get_data(as_text=True)
    assert "王建国" in html and "身份证号码待核实" in html and make_id_number("19750304") not in html
    assert len(_audits(db_session, "land_survey_village")) == 1

    assert client.post(f"/projects/land/{notice.id}/villages/{village.id}/propose").status_code == 303
    wang = db_session.scalar(select(SurveyRecord).where(SurveyRecord.name == "王建国"))
    html = client.get(f"/projects/land/{notice.id}/villages/{village.id}").get_data(as_text=True)
    assert "本项目：挖掘机司机" in html
    from core.projects.models import PlacementProposal

    proposal = db_session.scalar(select(PlacementProposal).where(PlacementProposal.record_id == wang.id,
                                                                 PlacementProposal.rank == 1))
    assert client.post(f"/projects/land/proposals/{proposal.id}/offer").status_code == 303
    resp = client.post(f"/projects/land/people/{wang.id}/outcome", data={"outcome": "placed", "proposal_id": proposal.id})
    assert resp.status_code == 303
    li = db_session.scalar(select(SurveyRecord).where(SurveyRecord.name == "李秀英"))
    client.post(f"/projects/land/people/{li.id}/outcome", data={"outcome": "declined"})
    db_session.refresh(li)
    assert li.outcome is None                                  # a refusal without a reason is not kept
    resp = client.post(f"/projects/land/people/{li.id}/identity", data={"id_number": make_id_number("19800101")})
    db_session.refresh(li)
    assert resp.status_code == 303 and li.jobseeker_id is not None

    resp = client.get(f"/projects/land/{notice.id}/plan.xlsx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    resp = client.get(f"/projects/land/{notice.id}/plan.docx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert len(_audits(db_session, "land_notice")) == 3       # the import and two exports

    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "已调查 2 人：安置就业 1" in html


def test_names_only_for_the_villages_jurisdiction(client, login_as, db_session, make_user, sign_in):
    county = make_user("commissioner", region_code="371302")
    project = _project(db_session, county)
    from core.projects import land

    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18",
                                                                "villages": "371302101201 东岭村 86"})
    db_session.commit()
    village = notice.villages[0]
    urls = [f"/projects/land/{notice.id}/villages/{village.id}", f"/projects/land/{notice.id}/import",
            f"/projects/land/{notice.id}/people/new"]
    login_as("commissioner", region_code="371311")                       # another county of the same city
    for url in urls + [f"/projects/land/{notice.id}", f"/projects/land/{notice.id}/plan.xlsx"]:
        assert client.get(url).status_code == 403, url
    client.post("/logout")
    login_as("enterprise")
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.post("/logout")
    # the city's commissioner sees the notice and the names (their jurisdiction covers the village)
    login_as("commissioner", region_code="371300")
    assert client.get(urls[0]).status_code == 200
    assert len(_audits(db_session, "land_survey_village")) == 1            # only the allowed view, audited


def test_calendar_is_edited_by_admins_only(client, login_as, db_session):
    login_as("commissioner", region_code="371302")
    html = client.get("/projects/calendar?year=2026").get_data(as_text=True)
    assert "国庆节调休上班" in html and "修改一天" not in html
    assert client.post("/projects/calendar", data={"day": "2027-02-09", "kind": "holiday", "name": "春节"}).status_code == 403
    client.post("/logout")
    login_as("admin")
    assert "放假调休安排公布后请管理员补充" in client.get("/projects/calendar?year=2027").get_data(as_text=True)
    resp = client.post("/projects/calendar", data={"day": "2027-02-31", "kind": "holiday", "name": ""})
    assert resp.status_code == 400
    resp = client.post("/projects/calendar", data={"day": "2027-02-09", "kind": "holiday", "name": "春节"})
    assert resp.status_code == 303
    html = client.get("/projects/calendar?year=2027").get_data(as_text=True)
    assert "管理员修改" in html


def test_impact_and_a_course_with_an_order(client, login_as, db_session):
    county = login_as("commissioner", region_code="371302")
    project = _project(db_session, county)
    resp = client.post(f"/projects/{project.id}/impact", data={"impact_jobs_created": "多", "impact_industries": "建筑业"})
    assert resp.status_code == 400 and "不小于0的整数" in resp.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/impact", data={"impact_jobs_created": "300",
                                                               "impact_land_lost_farmers": "120"}).status_code == 303
    assert "300" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    school = Channel(code="ly-jx", name="临沂市高级技工学校", kind=ChannelKind.TRAINING_INSTITUTION, region_code="371302")
    db_session.add(school)
    db_session.commit()
    resp = client.post("/projects/training/new", data={"institution_id": school.id, "name": "挖掘机操作订单班",
                                                       "occupation_text": "挖掘机司机", "hours": "80", "sessions": "10",
                                                       "places": "20", "start_date": "2026-11-20",
                                                       "end_date": "2026-12-20", "subsidy_eligible": "1"})
    assert resp.status_code == 303
    course_url = resp.headers["Location"]
    line = project.demand_lines[0]
    client.post(f"{course_url}/orders", data={"demand_id": line.id, "places": "5"})
    html = client.get(course_url).get_data(as_text=True)
    assert "沂河新区安置区道路工程：挖掘机司机" in html and "订单名额 5 人" in html


def test_a_jobseeker_signs_up_for_a_course(client, login_as, db_session, seeker_with_profile):
    import datetime as dt

    from core.projects.models import TrainingCourse, TrainingEnrolment

    school = Channel(code="ly-jx2", name="临沂市技工学校", kind=ChannelKind.TRAINING_INSTITUTION, region_code="371302")
    db_session.add(school)
    db_session.flush()
    start = dt.date.today() + dt.timedelta(days=10)
    course = TrainingCourse(institution_id=school.id, name="育婴员订单班", occupation_text="育婴员", hours=40, sessions=4,
                            places=1, start_date=start, end_date=start + dt.timedelta(days=20))
    db_session.add(course)
    db_session.commit()
    seeker_with_profile()
    html = client.get("/projects/training/open").get_data(as_text=True)
    assert "育婴员订单班" in html and "还剩 1 个名额" in html
    assert client.post(f"/projects/training/{course.id}/signup").status_code == 303
    assert "您已报名" in client.get("/projects/training/open").get_data(as_text=True)
    assert db_session.scalar(select(TrainingEnrolment).where(TrainingEnrolment.course_id == course.id)) is not None
    assert client.get("/projects/training/").status_code == 403          # the staff pages stay closed
