"""Order-based training: a course of a training institution, an order for a project's demand line, a
roster person enrolled by the commissioner (outcome 参加培训), attendance, completion with a
certificate onto the profile, subsidy claims by the rules as data; and the project's impact figures."""
from __future__ import annotations

import pytest

from core.channels.models import Channel
from core.enums import ChannelKind
from core.errors import DomainError, ValidationErrors
from core.projects import impact, land, survey, training
from core.projects.models import LabourDemand, MajorProject
from core.seekers.models import Jobseeker

from .test_survey import cipher, make_id  # noqa: F401 - the fixture


def test_order_enrol_attend_complete_claims(db_session, cipher, make_user):  # noqa: F811
    county = make_user("commissioner", region_code="371302")
    school = Channel(code="ly-jixiao", name="临沂市高级技工学校", kind=ChannelKind.TRAINING_INSTITUTION, region_code="371302")
    p = MajorProject(name="沂河新区安置区道路工程", region_code="371302", commissioner_user_id=county.id)
    db_session.add_all([school, p])
    db_session.flush()
    line = LabourDemand(project_id=p.id, title="挖掘机司机", occupation_text="挖掘机司机", headcount=5)
    db_session.add(line)
    db_session.flush()
    with pytest.raises(ValidationErrors) as caught:
        training.create_course(db_session, county, {"institution_id": "", "name": "", "hours": "0", "places": "x",
                                                    "start_date": "2026-11-20", "end_date": "2026-11-01"})
    assert {e.field for e in caught.value.errors} >= {"institution_id", "name", "occupation_text", "hours", "places",
                                                      "end_date"}
    course = training.create_course(db_session, county, {
        "institution_id": str(school.id), "name": "挖掘机操作订单班", "occupation_text": "挖掘机司机", "hours": "80",
        "sessions": "10", "places": "20", "start_date": "2026-11-20", "end_date": "2026-12-20",
        "certificate_name": "挖掘机司机职业技能等级证书（五级）", "subsidy_eligible": "1"})
    with pytest.raises(ValidationErrors):
        training.place_order(db_session, county, course.id, {"demand_id": str(line.id), "places": "25"})
    order = training.place_order(db_session, county, course.id, {"demand_id": str(line.id), "places": "1"})
    assert order.occupation_text == "挖掘机司机"

    notice = land.record_notice(db_session, county, p.id, {"notice_date": "2026-09-18",
                                                           "villages": "371302101201 东岭村 86"})
    wang = survey.add_person(db_session, cipher, county, notice.id, {"name": "王建国", "id_number": make_id("19750304")})
    li = survey.add_person(db_session, cipher, county, notice.id, {"name": "李秀英", "id_number": make_id("19800101", "124")})
    enrolment = training.enrol(db_session, county, course.id, record_id=wang.id, order_id=order.id)
    assert wang.outcome == "training"
    with pytest.raises(DomainError) as caught:
        training.enrol(db_session, county, course.id, record_id=li.id, order_id=order.id)
    assert caught.value.code == "order_full"
    with pytest.raises(ValidationErrors):
        training.record_attendance(db_session, county, enrolment.id, "11")
    training.record_attendance(db_session, county, enrolment.id, "9")
    claims = training.complete(db_session, county, enrolment.id, certificate=True)
    assert sorted((c.rule, c.amount) for c in claims) == [("skills_certificate", 500.0), ("training_completion", 1200.0)]
    seeker = db_session.get(Jobseeker, wang.jobseeker_id)
    assert "挖掘机司机职业技能等级证书（五级）" in seeker.certificates

    # too little attendance, no certificate: no claim
    other = training.enrol(db_session, county, course.id, record_id=li.id)
    assert training.complete(db_session, county, other.id, certificate=False) == []

    impact.set_impact(db_session, county, p.id, {"impact_jobs_created": "300", "impact_land_lost_farmers": "120",
                                                 "impact_industries": "建筑业、种植业"})
    cmp = impact.impact_comparison(db_session, p)
    assert (cmp.expected_created, cmp.demand_headcount, cmp.surveyed, cmp.in_training) == (300, 5, 2, 2)
    with pytest.raises(ValidationErrors):
        impact.set_impact(db_session, county, p.id, {"impact_jobs_created": "-3"})
