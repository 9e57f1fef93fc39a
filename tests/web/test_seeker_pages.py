"""Jobseeker pages over HTTP: profile create/edit with validation naming the field and nothing
half-saved, region/occupation by name, applying to a posting, the applications list, withdrawal."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.applications.models import Application
from core.seekers.models import Jobseeker


def field_error(html: str, field: str) -> str | None:
    m = re.search(rf'class="field-error"[^>]*data-field="{field}">([^<]+)<', html)
    return m.group(1) if m else None


def test_profile_redirects_to_edit_until_created_then_shows_masked_id(client, login_as, id_number, db_session):
    login_as("jobseeker")
    resp = client.get("/me/profile")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/profile/edit")
    number = id_number()
    resp = client.post("/me/profile/edit", data={
        "name": "李四", "phone": "139 1234 5678", "id_number": number, "region_code": "临沂市兰山区",
        "education": "associate", "experience_years": "4", "skills": "电焊，氩弧焊、叉车", "certificates": "焊工证",
        "desired_occupations": "电工", "desired_regions": "371302、罗庄区", "expected_pay_min": "6000",
        "availability": "within_month", "groups": ["veteran", "migrant_worker"], "consent_recommendation": "1",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    seeker = db_session.scalar(select(Jobseeker).where(Jobseeker.name == "李四"))
    assert seeker.phone == "13912345678" and seeker.region_code == "371302"
    assert seeker.skills == ["电焊", "氩弧焊", "叉车"] and seeker.certificates == ["焊工证"]
    assert seeker.desired_regions == ["371302", "371311"]
    assert len(seeker.desired_occupations) == 1 and re.fullmatch(r"\d-\d\d-\d\d-\d\d", seeker.desired_occupations[0])
    assert sorted(seeker.group_values()) == ["migrant_worker", "veteran"]
    assert seeker.expected_pay_min == 6000 and seeker.consent_recommendation and not seeker.consent_visible_to_enterprises
    html = client.get("/me/profile").get_data(as_text=True)
    assert "李四" in html and number not in html and number[-4:] in html
    # the edit form never echoes the full ID number either
    edit = client.get("/me/profile/edit").get_data(as_text=True)
    assert number not in edit and "已登记" in edit


@pytest.mark.parametrize(
    "field, value, message_part",
    [
        ("id_number", "371302199002301234", "出生日期"),
        ("id_number", "371302199003070000", "校验位"),
        ("phone", "02912345678", "手机号码"),
        ("region_code", "999999", "不存在"),
        ("region_code", "朝阳区", "多个"),
        ("desired_regions", "371302、火星区", "火星区"),
        ("desired_occupations", "宇航驾驶员甲", "找不到职业"),
        ("experience_years", "-3", "工作年限"),
        ("expected_pay_min", "很多", "期望月薪"),
    ],
)
def test_profile_edit_rejects_bad_field_and_changes_nothing(client, seeker_with_profile, db_session, field, value, message_part):
    user, seeker = seeker_with_profile()
    before = (seeker.phone, seeker.region_code, seeker.id_number_hash, seeker.version, seeker.skills)
    data = {"name": "张三改", "phone": "13700000000", "region_code": "371311", "skills": "木工", field: value}
    resp = client.post("/me/profile/edit", data=data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    msg = field_error(html, field)
    assert msg and message_part in msg, html[:3000]
    db_session.expire_all()
    seeker = db_session.get(Jobseeker, seeker.id)
    assert (seeker.phone, seeker.region_code, seeker.id_number_hash, seeker.version, seeker.skills) == before
    assert seeker.name == "张三"


def test_apply_from_posting_page_and_withdraw(client, seeker_with_profile, make_posting, db_session):
    user, seeker = seeker_with_profile()
    posting = make_posting("叉车司机")
    page = client.get(f"/postings/{posting.id}").get_data(as_text=True)
    assert "投递简历" in page and f"/me/apply/{posting.id}" in page
    resp = client.post(f"/me/apply/{posting.id}", data={"origin": "livestream"})
    assert resp.status_code == 302
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    assert app.posting_id == posting.id and app.origin == "livestream" and app.status == "submitted"
    page = client.get(f"/postings/{posting.id}").get_data(as_text=True)
    assert "您已于" in page and "投递简历" not in page
    # applying twice is refused with a message, not a second row
    client.post(f"/me/apply/{posting.id}")
    assert len(db_session.scalars(select(Application).where(Application.jobseeker_id == seeker.id)).all()) == 1
    listing = client.get("/me/applications").get_data(as_text=True)
    assert "叉车司机" in listing and "已投递" in listing
    assert client.post(f"/me/applications/{app.id}/withdraw").status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == "withdrawn"


def test_cannot_apply_to_unpublished_posting(client, seeker_with_profile, make_posting, count_rows):
    seeker_with_profile()
    posting = make_posting("待审核岗位", status="pending_review")
    assert client.get(f"/postings/{posting.id}").status_code == 404
    resp = client.post(f"/me/apply/{posting.id}")
    assert resp.status_code == 404 and "不存在" in resp.get_data(as_text=True)
    assert count_rows(Application) == 0


def test_cannot_withdraw_someone_elses_application(client, seeker_with_profile, make_posting, db_session, login_as):
    _, seeker = seeker_with_profile()
    posting = make_posting()
    client.post(f"/me/apply/{posting.id}")
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    client.post("/logout")
    seeker_with_profile(phone="13698765432")
    resp = client.post(f"/me/applications/{app.id}/withdraw")
    assert resp.status_code == 403
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == "submitted"


def test_anonymous_visitor_is_asked_to_log_in_on_posting_page(client, make_posting):
    posting = make_posting()
    html = client.get(f"/postings/{posting.id}").get_data(as_text=True)
    assert "登录后投递" in html and "posting-title" in html


def test_apply_needs_a_profile_with_phone(client, login_as, make_posting, count_rows, db_session):
    login_as("jobseeker")
    posting = make_posting("保洁员")
    resp = client.post(f"/me/apply/{posting.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/profile/edit")
    assert count_rows(Application) == 0
    # a profile without a phone number: enterprises could not reach the person
    assert client.post("/me/profile/edit", data={"name": "周八", "phone": ""}).status_code == 302
    resp = client.post(f"/me/apply/{posting.id}", follow_redirects=True)
    assert "手机号码" in resp.get_data(as_text=True)
    assert count_rows(Application) == 0
    assert client.get("/me/applications").status_code == 200


def test_jobseeker_deletes_account_and_data(client, seeker_with_profile, make_posting, db_session):
    from core.accounts.models import User
    from core.audit.models import AuditEvent
    from core.outbox.models import OutboxEvent
    from core.seekers.models import JobseekerGroup

    user, seeker = seeker_with_profile(groups=["veteran"])
    seeker_id = seeker.id
    posting = make_posting()
    client.post(f"/me/apply/{posting.id}")
    assert db_session.scalar(select(Application).where(Application.jobseeker_id == seeker_id)) is not None
    resp = client.post("/me/delete", data={"confirm": "好的"})
    assert resp.status_code == 400 and db_session.get(Jobseeker, seeker_id) is not None
    resp = client.post("/me/delete", data={"confirm": "注销"})
    assert resp.status_code == 302
    db_session.expire_all()
    assert db_session.get(Jobseeker, seeker_id) is None
    assert db_session.scalar(select(Application).where(Application.jobseeker_id == seeker_id)) is None
    assert db_session.scalar(select(JobseekerGroup).where(JobseekerGroup.jobseeker_id == seeker_id)) is None
    closed = db_session.get(User, user.id)
    assert closed.is_active is False and closed.username.startswith("deleted-") and closed.display_name == "已注销用户"
    ev = db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity_id == seeker_id).order_by(OutboxEvent.id.desc())).first()
    assert ev.operation == "delete"
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_id == seeker_id, AuditEvent.action == "delete")).one()
    assert "张三" not in audit.purpose
    # signed out, and the old credentials no longer work
    assert client.get("/me/profile").status_code == 302
    assert client.post("/login", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"}).status_code == 400
