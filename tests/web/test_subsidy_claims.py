"""Training subsidy claims go through the one subsidy service (issue 17's follow-up): their rules sit
in the same rules file as the hiring-subsidy hints, a completion over HTTP files the claims those rules
grant, and the administrator's subsidy page shows both the standards and the claims (audited);
nobody else sees that page."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.channels.models import Channel
from core.enums import ChannelKind
from core.projects.models import TrainingCourse, TrainingEnrolment
from core.seekers.models import Jobseeker
from core.subsidies.models import SubsidyClaim
from core.subsidies.services import RULES_FILE, claim_amount, claim_rules


def test_one_rules_file_holds_hints_and_training_claims():
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert data["rules"] and {r["code"] for r in data["claim_rules"]} == {"training_completion", "skills_certificate"}
    rules = {r.code: r for r in claim_rules()}
    course = {"subsidy_eligible": True, "sessions": 10, "hours": 80}
    assert claim_amount(rules["training_completion"], certificate="", sessions_attended=8, **course) == 1200.0
    assert claim_amount(rules["training_completion"], certificate="", sessions_attended=7, **course) is None
    assert claim_amount(rules["training_completion"], certificate="", sessions_attended=10,
                        **{**course, "hours": 200}) == 1500.0                      # the cap
    assert claim_amount(rules["skills_certificate"], certificate="", sessions_attended=10, **course) is None
    assert claim_amount(rules["skills_certificate"], certificate="电工证", sessions_attended=0, **course) == 500.0


def _course_with_trainee(db_session) -> TrainingEnrolment:
    school = Channel(code="ly-claims", name="临沂市高级技工学校", kind=ChannelKind.TRAINING_INSTITUTION, region_code="371302")
    db_session.add(school)
    db_session.flush()
    start = dt.date.today() - dt.timedelta(days=30)
    course = TrainingCourse(institution_id=school.id, name="挖掘机操作订单班", occupation_text="挖掘机司机", hours=80,
                            sessions=10, places=20, start_date=start, end_date=start + dt.timedelta(days=20),
                            region_code="371302", certificate_name="挖掘机司机职业技能等级证书（五级）")
    seeker = Jobseeker(name="王建国", region_code="371302", origin="roster")
    db_session.add_all([course, seeker])
    db_session.flush()
    enrolment = TrainingEnrolment(course_id=course.id, jobseeker_id=seeker.id)
    db_session.add(enrolment)
    db_session.commit()
    return enrolment


def test_a_completion_files_claims_the_admin_lists(client, login_as, db_session):
    enrolment = _course_with_trainee(db_session)
    login_as("commissioner", region_code="371302")
    assert client.post(f"/projects/training/enrolments/{enrolment.id}/attendance",
                       data={"sessions_attended": "9"}).status_code in (302, 303)
    resp = client.post(f"/projects/training/enrolments/{enrolment.id}/complete", data={"certificate": "1"},
                       follow_redirects=True)
    assert "职业培训补贴 1200 元" in resp.get_data(as_text=True)
    claims = db_session.scalars(select(SubsidyClaim).where(SubsidyClaim.enrolment_id == enrolment.id)).all()
    assert sorted((c.rule, c.amount, c.status) for c in claims) == [("skills_certificate", 500.0, "pending"),
                                                                   ("training_completion", 1200.0, "pending")]
    assert client.get("/admin/subsidies").status_code == 403
    client.post("/logout")

    login_as("admin")
    html = client.get("/admin/subsidies").get_data(as_text=True)
    assert "一次性扩岗补助" in html                                     # the hints, on the same page
    assert "每课时 15 元，最多 1500 元" in html and "每人 500 元" in html  # the training standards
    assert "王建国" in html and "挖掘机操作订单班" in html
    assert "职业培训补贴 1200 元" in html and "职业技能评价补贴 500 元" in html and "待审核" in html
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "training_subsidy_claims")).all()
    assert len(events) == 1 and events[0].action == "view"


def test_no_claims_yet_says_so(client, login_as):
    login_as("admin")
    assert "还没有申领" in client.get("/admin/subsidies").get_data(as_text=True)
