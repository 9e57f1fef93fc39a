"""Enterprise pages over HTTP: publishing through the intake pipeline, my postings with status,
applicants with contact shown only to the enterprise applied to, and an audit event per read."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.applications.models import Application
from core.audit.models import AuditEvent
from core.postings.models import Posting, PostingSource


def field_error(html: str, field: str) -> str | None:
    m = re.search(rf'class="field-error"[^>]*data-field="{field}">([^<]+)<', html)
    return m.group(1) if m else None


GOOD_POST = {
    "title": "数控车床操作工", "occupation": "", "employment_type": "full_time", "pay_min": "6000", "pay_max": "8000",
    "pay_unit": "month", "region_code": "兰山区", "address": "兰山区工业大道18号", "headcount": "5",
    "education": "高中/中专", "experience": "1年以上", "description": "操作数控车床加工零件，按图纸完成生产任务。",
    "welfare": "五险一金、包吃住", "target_groups": ["veteran"],
}


def test_publish_goes_through_pipeline_and_lists_status(client, login_as, db_session):
    user = login_as("enterprise")
    assert client.get("/enterprise/postings/new").status_code == 200
    resp = client.post("/enterprise/postings/new", data=GOOD_POST)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting.title == "数控车床操作工" and posting.region_code == "371302"
    assert posting.pay_min == 6000 and posting.pay_max == 8000 and posting.headcount == 5
    assert posting.status in ("published", "pending_review")
    source = db_session.scalar(select(PostingSource).where(PostingSource.posting_id == posting.id))
    assert source.channel.kind == "enterprise_direct"  # the same path as every channel
    html = client.get("/enterprise/postings").get_data(as_text=True)
    assert "数控车床操作工" in html and ("已发布" in html or "待审核" in html)


def test_publish_rejects_bad_fields_and_creates_nothing(client, login_as, count_rows):
    login_as("enterprise")
    before = count_rows(Posting)
    for over, field in (({"title": ""}, "title"), ({"region_code": "999999"}, "region_code"),
                        ({"region_code": "12"}, "region_code"), ({"pay_min": "六千"}, "pay_min"),
                        ({"occupation": "9-99-99-99"}, "occupation")):
        resp = client.post("/enterprise/postings/new", data={**GOOD_POST, **over})
        assert resp.status_code == 400, over
        assert field_error(resp.get_data(as_text=True), field), (over, resp.get_data(as_text=True)[:2000])
    assert count_rows(Posting) == before


def test_discriminatory_post_is_not_published(client, login_as, db_session):
    user = login_as("enterprise")
    data = {**GOOD_POST, "title": "前台文员", "description": "限女性，身高160以上，已婚已育优先。需交押金500元。"}
    resp = client.post("/enterprise/postings/new", data=data)
    assert resp.status_code in (302, 400)
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting is None or posting.status != "published"


def _apply_as_new_seeker(client, seeker_with_profile, posting, phone):
    client.post("/logout")
    user, seeker = seeker_with_profile(phone=phone)
    assert client.post(f"/me/apply/{posting.id}").status_code == 302
    client.post("/logout")
    return user, seeker


def test_applicants_see_contact_id_masked_and_reads_are_audited(client, make_user, sign_in, seeker_with_profile, make_posting, db_session):
    ent_user = make_user("enterprise")
    posting = make_posting("装配工", enterprise_id=ent_user.enterprise_id)
    _, seeker = _apply_as_new_seeker(client, seeker_with_profile, posting, "13812345678")
    from webapp.auth.inputs import cipher

    with client.application.test_request_context():
        full_id = cipher().decrypt(seeker.id_number_encrypted)
    sign_in(ent_user)
    before = db_session.scalars(select(AuditEvent)).all()
    html = client.get(f"/enterprise/postings/{posting.id}/applicants").get_data(as_text=True)
    assert "张三" in html and "13812345678" in html  # applying = consent for this enterprise
    assert full_id not in html and full_id[-4:] in html  # ID number always masked for enterprises
    events = [e for e in db_session.scalars(select(AuditEvent)).all() if e not in before]
    assert len(events) == 1
    ev = events[0]
    assert (ev.actor_user_id, ev.actor_role, ev.action, ev.subject_type, ev.subject_id) == (
        ent_user.id, "enterprise", "read", "jobseeker", seeker.id)
    assert "phone" in ev.fields and "13812345678" not in str(ev.fields) + ev.purpose
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    assert app.status == "viewed"  # the jobseeker sees that the enterprise looked
    # the all-postings list reads the same person again: one more event
    assert "13812345678" in client.get("/enterprise/applicants").get_data(as_text=True)
    assert db_session.query(AuditEvent).count() == len(before) + 2


def test_withdrawn_application_masks_contact(client, make_user, sign_in, seeker_with_profile, make_posting, db_session):
    ent_user = make_user("enterprise")
    posting = make_posting("包装工", enterprise_id=ent_user.enterprise_id)
    user, seeker = _apply_as_new_seeker(client, seeker_with_profile, posting, "13811112222")
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    sign_in(user)
    client.post(f"/me/applications/{app.id}/withdraw")
    sign_in(ent_user)
    html = client.get("/enterprise/applicants").get_data(as_text=True)
    assert "13811112222" not in html and "138****2222" in html and "张三" not in html
    ev = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert ev.subject_id == seeker.id and "phone" not in ev.fields


def test_other_enterprise_cannot_see_applicants_or_change_status(client, make_user, sign_in, seeker_with_profile, make_posting, db_session):
    owner = make_user("enterprise")
    posting = make_posting("木工", enterprise_id=owner.enterprise_id)
    _, seeker = _apply_as_new_seeker(client, seeker_with_profile, posting, "13833334444")
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    sign_in(make_user("enterprise"))
    resp = client.get(f"/enterprise/postings/{posting.id}/applicants")
    assert resp.status_code == 403 and "13833334444" not in resp.get_data(as_text=True)
    assert "13833334444" not in client.get("/enterprise/applicants").get_data(as_text=True)
    assert client.post(f"/enterprise/applications/{app.id}/status", data={"status": "hired"}).status_code == 403
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == "submitted"
    assert db_session.query(AuditEvent).filter(AuditEvent.subject_id == seeker.id).count() == 0
    # the owner can move the application on
    sign_in(owner)
    assert client.post(f"/enterprise/applications/{app.id}/status", data={"status": "interview"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == "interview"


def test_ownership_rule_tells_missing_from_foreign(client, login_as, make_posting, make_user):
    login_as("enterprise")
    assert client.get("/enterprise/postings/987654321/applicants").status_code == 404
    foreign = make_posting("保安员", enterprise_id=make_user("enterprise").enterprise_id)
    assert client.get(f"/enterprise/postings/{foreign.id}/applicants").status_code == 403
    assert client.post("/enterprise/applications/987654321/status", data={"status": "hired"}).status_code == 404


def test_enterprise_closes_and_refreshes_its_posting(client, login_as, make_posting, make_user, db_session):
    import datetime as dt

    from core.outbox.models import OutboxEvent

    user = login_as("enterprise")
    mine = make_posting("面点师", enterprise_id=user.enterprise_id)
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert client.post(f"/enterprise/postings/{mine.id}/refresh", data={"valid_until": until}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Posting, mine.id).valid_until.isoformat() == until
    events_before = db_session.query(OutboxEvent).count()
    assert client.post(f"/enterprise/postings/{mine.id}/close", data={"outcome": "filled"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Posting, mine.id).status == "filled"
    assert db_session.query(OutboxEvent).count() == events_before + 1  # the index follows
    assert client.get(f"/postings/{mine.id}").status_code == 404  # no longer public
    # a posting is closed once; a bad outcome and a foreign posting are refused
    client.post(f"/enterprise/postings/{mine.id}/close", data={"outcome": "withdrawn"})
    db_session.expire_all()
    assert db_session.get(Posting, mine.id).status == "filled"
    other = make_posting("厨师", enterprise_id=make_user("enterprise").enterprise_id)
    assert client.post(f"/enterprise/postings/{other.id}/close", data={"outcome": "withdrawn"}).status_code == 403
    live = make_posting("帮厨", enterprise_id=user.enterprise_id)
    client.post(f"/enterprise/postings/{live.id}/close", data={"outcome": "published"})
    db_session.expire_all()
    assert db_session.get(Posting, other.id).status == "published" and db_session.get(Posting, live.id).status == "published"
