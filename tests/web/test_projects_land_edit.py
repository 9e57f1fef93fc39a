"""Correcting a land-lost farmer's survey answers on the phone form (issue 17's follow-up): only a
commissioner whose jurisdiction covers the person's village may, every change is audited with the
previous values, and every other role — another county's commissioner, the admin, an enterprise, a
jobseeker, a reviewer — is refused."""
from __future__ import annotations

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.projects import land, survey
from core.projects.models import MajorProject, SurveyRecord

from .conftest import make_id_number


def _person(db_session, make_user, cipher) -> SurveyRecord:
    county = make_user("commissioner", region_code="371302")
    project = MajorProject(name="沂河新区安置区道路工程", region_code="371302", commissioner_user_id=county.id)
    db_session.add(project)
    db_session.flush()
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18",
                                                                "villages": "371302101201 东岭村 86"})
    record = survey.add_person(db_session, cipher, county, notice.id,
                               {"name": "王建国", "id_number": make_id_number("19750304"), "village": "东岭村",
                                "employment_now": "务农", "wants": "就业", "skills": "开挖掘机"})
    db_session.commit()
    return record


def _audits(db_session, record_id):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "land_survey_record",
                                                       AuditEvent.subject_id == record_id)).all()


def test_the_villages_commissioner_edits_needs_and_the_audit_keeps_the_old_values(app, client, login_as, db_session,
                                                                                  make_user):
    from webapp.auth.inputs import cipher

    with app.test_request_context():
        record = _person(db_session, make_user, cipher())
    login_as("commissioner", region_code="371300")          # the city covers the village's county
    url = f"/projects/land/people/{record.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "修改 王建国 的调查情况" in html and 'value="开挖掘机"' in html
    resp = client.post(url, data={"household_size": "十", "employment_now": "务农", "wants": "job"})
    assert resp.status_code == 400 and "家庭人口应为1到50之间的整数" in resp.get_data(as_text=True)
    assert _audits(db_session, record.id) == []
    resp = client.post(url, data={"household_size": "4", "skills": "开挖掘机、电焊", "employment_now": "外出务工",
                                  "wants": "参加培训", "training_wishes": "电工"})
    assert resp.status_code == 303 and f"#person-{record.id}" in resp.headers["Location"]
    db_session.expire_all()
    saved = db_session.get(SurveyRecord, record.id)
    assert (saved.household_size, saved.skills, saved.employment_now, saved.wants, saved.training_wishes) == \
        (4, ["开挖掘机", "电焊"], "employed_away", "training", "电工")
    [event] = _audits(db_session, record.id)
    assert event.action == "update"
    # the changed fields by name; no answer and no name goes into the audit log
    assert event.fields == ["employment_now", "household_size", "skills", "training_wishes", "wants"]
    assert record.name not in event.purpose and not any("务农" in f or "电焊" in f for f in event.fields)
    # saving the same answers again changes nothing and writes no second entry
    client.post(url, data={"household_size": "4", "skills": "开挖掘机、电焊", "employment_now": "employed_away",
                           "wants": "training", "training_wishes": "电工"})
    assert len(_audits(db_session, record.id)) == 1
    html = client.get(f"/projects/land/{saved.notice_id}/villages/{saved.village_id}").get_data(as_text=True)
    assert "修改调查情况" in html and "外出务工" in html


def test_every_other_role_is_refused(app, client, login_as, db_session, make_user):
    from webapp.auth.inputs import cipher

    with app.test_request_context():
        record = _person(db_session, make_user, cipher())
    url = f"/projects/land/people/{record.id}/edit"
    form = {"employment_now": "unemployed", "wants": "none"}
    expected = {("commissioner", "371311"): 403,   # another county of the same city
                ("admin", None): 403, ("reviewer", None): 403, ("enterprise", None): 403, ("jobseeker", None): 403}
    for (role, region), status in expected.items():
        login_as(role, region_code=region) if region else login_as(role)
        assert (role, client.get(url).status_code) == (role, status)
        assert (role, client.post(url, data=form).status_code) == (role, status)
        client.post("/logout")
    assert client.get(url).status_code == 302                # anonymous: to the sign-in page
    db_session.expire_all()
    assert db_session.get(SurveyRecord, record.id).employment_now == "farming" and _audits(db_session, record.id) == []
    # the admin still sees the names, without the edit link
    login_as("admin")
    html = client.get(f"/projects/land/{record.notice_id}/villages/{record.village_id}").get_data(as_text=True)
    assert "王建国" in html and "修改调查情况" not in html


def test_a_missing_person_is_not_found(client, login_as):
    login_as("commissioner", region_code="371302")
    assert client.get("/projects/land/people/999999/edit").status_code == 404
