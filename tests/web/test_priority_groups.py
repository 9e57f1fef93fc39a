"""Priority group verification (重点群体认定) over HTTP: the queue keeps a commissioner to their own
jurisdiction (a city-level code covering its counties) and masks ID number and phone; approving makes
the group count for the matcher; refusing needs a note, kept in the audit trail; every view and
decision is audited; other roles and other jurisdictions are refused."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.crypto import PersonalDataCipher
from core.enums import VerificationStatus
from core.outbox.models import OutboxEvent
from core.seekers.models import Jobseeker
from core.seekers.services import create_jobseeker, list_awaiting_group_verification

LANSHAN_ID = "371302199001010011"
YISHUI_ID = "371323198505050022"
TIANHE_ID = "440106199203030039"


@pytest.fixture
def cipher(app):
    return PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])


@pytest.fixture
def seekers(db_session, cipher):
    """Two jobseekers in Linyi (兰山区, 沂水县) and one in Guangzhou (天河区), each with a declared group."""
    lanshan = create_jobseeker(db_session, cipher, name="张立军", id_number=LANSHAN_ID, phone="13905391234",
                               region_code="371302", groups=["veteran", "graduate"])
    yishui = create_jobseeker(db_session, cipher, name="李秀兰", id_number=YISHUI_ID, phone="13705395678",
                              region_code="371323", groups=["land_lost_farmer"])
    tianhe = create_jobseeker(db_session, cipher, name="陈海生", id_number=TIANHE_ID, phone="13800201111",
                              region_code="440106", groups=["disabled"])
    # Registration order decides the queue order; make it explicit rather than rely on clock ticks.
    base = dt.datetime(2026, 1, 1, 8, 0)
    yishui.created_at, lanshan.created_at, tianhe.created_at = base, base + dt.timedelta(hours=1), base
    db_session.commit()
    return {"lanshan": lanshan, "yishui": yishui, "tianhe": tianhe}


def _audits(db_session, seeker_id: int, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(
        AuditEvent.subject_type == "jobseeker", AuditEvent.subject_id == seeker_id, AuditEvent.action == action)))


def test_queue_lists_own_jurisdiction_oldest_first_masked_and_audited(client, login_as, db_session, seekers):
    user = login_as("commissioner", region_code="371300")
    resp = client.get("/commissioner/priority-groups")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    # City-level jurisdiction covers its counties; Guangzhou's jobseeker is not listed.
    assert "张立军" in html and "李秀兰" in html and "陈海生" not in html
    assert html.index("李秀兰") < html.index("张立军")  # registered earlier, listed first
    # ID number and phone masked, labels in Chinese.
    assert LANSHAN_ID not in html and "13905391234" not in html
    assert "371***********0011" in html and "139****1234" in html
    assert "退役军人" in html and "高校毕业生" in html and "被征地农民" in html
    # Each listed jobseeker's display is recorded, naming only masked fields; nobody else's is.
    for key in ("lanshan", "yishui"):
        rows = _audits(db_session, seekers[key].id, "read")
        assert len(rows) == 1 and rows[0].actor_user_id == user.id
        assert "id_number" not in rows[0].fields and "id_number_masked" in rows[0].fields
    assert _audits(db_session, seekers["tianhe"].id, "read") == []


def test_queue_filters_by_group_and_rejects_unknown_group(client, login_as, seekers):
    login_as("commissioner", region_code="371300")
    html = client.get("/commissioner/priority-groups?group=land_lost_farmer").get_data(as_text=True)
    assert "李秀兰" in html and "张立军" not in html
    resp = client.get("/commissioner/priority-groups?group=astronaut")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "重点群体类别无效" in html and "张立军" in html


def test_county_commissioner_does_not_see_neighbouring_county(client, login_as, seekers):
    login_as("commissioner", region_code="371323")
    html = client.get("/commissioner/priority-groups").get_data(as_text=True)
    assert "李秀兰" in html and "张立军" not in html


def test_admin_sees_every_region(client, login_as, seekers):
    login_as("admin")
    html = client.get("/commissioner/priority-groups").get_data(as_text=True)
    assert all(name in html for name in ("张立军", "李秀兰", "陈海生"))


def test_approve_makes_the_group_count_for_the_matcher(client, login_as, db_session, seekers):
    user = login_as("commissioner", region_code="371300")
    seeker = seekers["lanshan"]
    resp = client.get(f"/commissioner/priority-groups/{seeker.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and LANSHAN_ID in html  # the verifier checks documents: full number
    read = _audits(db_session, seeker.id, "read")
    assert len(read) == 1 and "id_number" in read[0].fields
    before = db_session.scalar(select(OutboxEvent.id).where(OutboxEvent.entity == "seeker", OutboxEvent.entity_id == seeker.id)
                               .order_by(OutboxEvent.id.desc()).limit(1))

    resp = client.post(f"/commissioner/priority-groups/{seeker.id}/decide", data={"group": "veteran", "decision": "approve"})
    assert resp.status_code == 303
    db_session.expire_all()
    seeker = db_session.get(Jobseeker, seeker.id)
    veteran = next(g for g in seeker.groups if g.group == "veteran")
    assert veteran.verification == VerificationStatus.VERIFIED and veteran.verified_by_id == user.id
    assert seeker.group_values(verified_only=True) == ["veteran"]  # what the matcher reads
    newer = db_session.scalar(select(OutboxEvent.id).where(OutboxEvent.entity == "seeker", OutboxEvent.entity_id == seeker.id)
                              .order_by(OutboxEvent.id.desc()).limit(1))
    assert newer is not None and newer != before  # the index and matcher hear of it
    review = _audits(db_session, seeker.id, "review")
    assert len(review) == 1 and "退役军人" in review[0].purpose and "通过" in review[0].purpose
    assert "退役军人：已认定" in client.get(f"/commissioner/priority-groups/{seeker.id}").get_data(as_text=True)
    # Deciding the same group twice is refused; the other group is still waiting.
    client.post(f"/commissioner/priority-groups/{seeker.id}/decide", data={"group": "veteran", "decision": "refuse", "note": "x"})
    db_session.expire_all()
    assert db_session.get(Jobseeker, seeker.id).group_values(verified_only=True) == ["veteran"]
    assert len(_audits(db_session, seeker.id, "review")) == 1


def test_refuse_requires_a_note_and_keeps_it_in_the_audit_trail(client, login_as, db_session, seekers):
    login_as("commissioner", region_code="371300")
    seeker = seekers["yishui"]
    url = f"/commissioner/priority-groups/{seeker.id}/decide"
    resp = client.post(url, data={"group": "land_lost_farmer", "decision": "refuse", "note": "  "}, follow_redirects=True)
    assert "不予认定时请填写原因" in resp.get_data(as_text=True)
    db_session.expire_all()
    group = db_session.get(Jobseeker, seeker.id).groups[0]
    assert group.verification == VerificationStatus.PENDING
    assert _audits(db_session, seeker.id, "review") == []

    resp = client.post(url, data={"group": "land_lost_farmer", "decision": "refuse", "note": "征地协议不在本人名下"})
    assert resp.status_code == 303
    db_session.expire_all()
    seeker = db_session.get(Jobseeker, seeker.id)
    assert seeker.groups[0].verification == VerificationStatus.REJECTED
    assert seeker.group_values(verified_only=True) == []
    review = _audits(db_session, seeker.id, "review")
    assert len(review) == 1 and "征地协议不在本人名下" in review[0].purpose
    # Decided, so no longer in the queue.
    assert "李秀兰" not in client.get("/commissioner/priority-groups").get_data(as_text=True)


def test_undeclared_group_and_bad_decision_are_refused(client, login_as, db_session, seekers):
    login_as("commissioner", region_code="371300")
    seeker = seekers["yishui"]
    url = f"/commissioner/priority-groups/{seeker.id}/decide"
    html = client.post(url, data={"group": "veteran", "decision": "approve"}, follow_redirects=True).get_data(as_text=True)
    assert "未申报此重点群体" in html
    html = client.post(url, data={"group": "land_lost_farmer", "decision": "maybe"}, follow_redirects=True).get_data(as_text=True)
    assert "请选择" in html
    db_session.expire_all()
    assert db_session.get(Jobseeker, seeker.id).groups[0].verification == VerificationStatus.PENDING


def test_other_jurisdiction_is_refused_and_nothing_recorded(client, login_as, db_session, seekers):
    login_as("commissioner", region_code="440100")
    seeker = seekers["lanshan"]
    assert client.get(f"/commissioner/priority-groups/{seeker.id}").status_code == 403
    resp = client.post(f"/commissioner/priority-groups/{seeker.id}/decide", data={"group": "veteran", "decision": "approve"})
    assert resp.status_code == 403
    assert client.get("/commissioner/priority-groups/999999").status_code == 404
    db_session.expire_all()
    assert db_session.get(Jobseeker, seeker.id).group_values(verified_only=True) == []
    assert _audits(db_session, seeker.id, "read") == [] and _audits(db_session, seeker.id, "review") == []


@pytest.mark.parametrize("role", ["jobseeker", "enterprise", "reviewer"])
def test_other_roles_are_refused(client, login_as, seekers, role):
    login_as(role)
    seeker = seekers["lanshan"]
    assert client.get("/commissioner/priority-groups").status_code == 403
    assert client.get(f"/commissioner/priority-groups/{seeker.id}").status_code == 403
    assert client.post(f"/commissioner/priority-groups/{seeker.id}/decide",
                       data={"group": "veteran", "decision": "approve"}).status_code == 403


def test_commissioner_without_region_sees_nothing(db_session, make_user, seekers):
    user = make_user("commissioner", region_code="371300")
    user.region_code = None
    assert list_awaiting_group_verification(db_session, user).total == 0


def test_queue_is_paginated(db_session, make_user, seekers):
    user = make_user("admin")
    first = list_awaiting_group_verification(db_session, user, per_page=2, page=1)
    second = list_awaiting_group_verification(db_session, user, per_page=2, page=2)
    assert first.total == second.total == 3 and first.pages == 2
    assert len(first.items) == 2 and len(second.items) == 1
    assert {s.id for s in first.items}.isdisjoint({s.id for s in second.items})


def test_home_page_links_to_the_queue(client, login_as):
    login_as("commissioner", region_code="371300")
    html = client.get("/commissioner/").get_data(as_text=True)
    assert "/commissioner/priority-groups" in html and "重点群体认定" in html
