"""The jobseeker's privacy controls: who may find me (each mode), blocking an enterprise, automated
recommendation off, my data as a page and a file — each change and export in the audit trail — and
a hidden person appears to no enterprise anywhere."""
from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.enums import SeekerVisibility, VerificationStatus


def _seeker(db_session, id_number, *, name, phone, user_id=None, visible=True):
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher

    s = create_jobseeker(db_session, cipher(), id_number=id_number(), name=name, phone=phone, region_code="371302",
                         desired_titles=["电焊工"], skills=["电焊"], education="senior", experience_years="3",
                         consent_recommendation=True, consent_visible_to_enterprises=visible, availability="immediate",
                         user_id=user_id)
    db_session.commit()
    return s


def _verified(db_session, user):
    user.enterprise.verification_status = VerificationStatus.VERIFIED
    db_session.commit()
    return user


def _matches(client, posting_id) -> set[int]:
    resp = client.get(f"/api/v1/postings/{posting_id}/matches")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return {i["id"] for i in resp.get_json()["items"]}


@pytest.fixture
def market(db_session, make_user, make_posting, id_number, matcher):
    """A verified and an unverified enterprise with a welding posting each, and one person per mode."""
    verified = _verified(db_session, make_user("enterprise"))
    unverified = make_user("enterprise")
    people = {
        "open": _seeker(db_session, id_number, name="公开者", phone="13920000001"),
        "on_apply": _seeker(db_session, id_number, name="投递才见", phone="13920000002", visible=False),
        "hidden": _seeker(db_session, id_number, name="隐身人甲", phone="13920000003"),
    }
    from core.seekers.controls import set_visibility

    set_visibility(db_session, people["hidden"], SeekerVisibility.HIDDEN)
    db_session.commit()
    return {
        "verified": verified, "unverified": unverified, "people": people,
        "posting": make_posting("电焊工", enterprise_id=verified.enterprise_id, description="钢结构焊接，电焊"),
        "other_posting": make_posting("电焊工", enterprise_id=unverified.enterprise_id, description="钢结构焊接，电焊"),
    }


def test_each_visibility_mode_decides_who_finds_the_person(client, sign_in, market, db_session):
    from core.applications.services import apply_to_posting

    people = market["people"]
    sign_in(market["verified"])
    found = _matches(client, market["posting"].id)
    assert people["open"].id in found
    assert people["on_apply"].id not in found and people["hidden"].id not in found

    sign_in(market["unverified"])  # open means open to verified enterprises
    assert people["open"].id not in _matches(client, market["other_posting"].id)

    apply_to_posting(db_session, jobseeker_id=people["on_apply"].id, posting_id=market["posting"].id)
    db_session.commit()
    sign_in(market["verified"])
    assert people["on_apply"].id in _matches(client, market["posting"].id)  # it came to them
    assert "13920000002" in client.get("/enterprise/applicants").get_data(as_text=True)


def test_a_hidden_person_cannot_apply_and_an_earlier_application_disappears(client, sign_in, market, db_session):
    from core.applications.services import apply_to_posting
    from core.errors import DomainError
    from core.seekers.controls import set_visibility

    person = market["people"]["hidden"]
    with pytest.raises(DomainError) as refused:
        apply_to_posting(db_session, jobseeker_id=person.id, posting_id=market["posting"].id)
    assert refused.value.code == "profile_hidden"
    db_session.rollback()

    set_visibility(db_session, person, SeekerVisibility.ON_APPLY)
    apply_to_posting(db_session, jobseeker_id=person.id, posting_id=market["posting"].id)
    db_session.commit()
    sign_in(market["verified"])
    assert "13920000003" in client.get("/enterprise/applicants").get_data(as_text=True)
    set_visibility(db_session, person, SeekerVisibility.HIDDEN)
    db_session.commit()
    page = client.get("/enterprise/applicants").get_data(as_text=True)
    assert "13920000003" not in page and "隐身人甲" not in page and "隐***" not in page
    assert person.id not in _matches(client, market["posting"].id)


def _get_urls(app, candidates):
    """Every GET rule, its ``<int:>`` parts filled with each candidate id (tests/web/routes.py fills the rest)."""
    from .routes import int_arguments, sample_value

    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        ints = sorted(int_arguments(rule))
        fixed = {a: sample_value(rule._converters[a]) for a in rule.arguments if a not in ints}
        for values in itertools.islice(itertools.product(*[candidates] * len(ints)), 60):
            yield adapter.build(rule.endpoint, {**fixed, **dict(zip(ints, values))})


def test_a_hidden_person_appears_to_no_enterprise_anywhere(app, client, sign_in, market, db_session):
    from core.applications.services import apply_to_posting
    from core.seekers.controls import set_visibility

    person = market["people"]["hidden"]
    set_visibility(db_session, person, SeekerVisibility.ON_APPLY)  # applied while findable...
    app_row = apply_to_posting(db_session, jobseeker_id=person.id, posting_id=market["posting"].id)
    set_visibility(db_session, person, SeekerVisibility.HIDDEN)  # ...then hid
    db_session.commit()
    user = sign_in(market["verified"])
    candidates = sorted({market["posting"].id, app_row.id, person.id, user.id, user.enterprise_id})
    leaks, asked = [], 0
    for url in _get_urls(app, candidates):
        for accept in ("text/html", "application/json"):
            body = client.get(url, headers={"Accept": accept}).get_data()
            asked += 1
            for secret in ("隐身人甲", "13920000003"):
                if secret.encode() in body:
                    leaks.append((url, accept, secret))
    assert asked > 50
    assert not leaks, leaks


def test_blocking_my_employer_hides_me_from_it_only(client, login_as, sign_in, market, make_user, make_posting,
                                                    id_number, db_session):
    boss = market["verified"]
    other = _verified(db_session, make_user("enterprise"))
    other_posting = make_posting("电焊工", enterprise_id=other.enterprise_id, description="钢结构焊接，电焊")
    me = login_as("jobseeker")
    person = _seeker(db_session, id_number, name="想跳槽", phone="13920000009", user_id=me.id)

    found = client.get(f"/me/privacy?enterprise={boss.enterprise.name[:6]}").get_data(as_text=True)
    assert boss.enterprise.name in found
    assert client.post("/me/privacy/blocks", data={"enterprise_id": boss.enterprise_id}).status_code == 302
    assert boss.enterprise.name in client.get("/me/privacy").get_data(as_text=True)

    sign_in(boss)
    assert person.id not in _matches(client, market["posting"].id)
    sign_in(other)
    assert person.id in _matches(client, other_posting.id)

    sign_in(me)
    from core.seekers.models import EnterpriseBlock

    block = db_session.scalar(select(EnterpriseBlock).where(EnterpriseBlock.jobseeker_id == person.id))
    client.post(f"/me/privacy/blocks/{block.id}/delete")
    sign_in(boss)
    assert person.id in _matches(client, market["posting"].id)


def test_modes_and_recommendation_are_set_on_the_page_and_each_change_is_audited(client, login_as, id_number,
                                                                                 db_session):
    me = login_as("jobseeker")
    person = _seeker(db_session, id_number, name="李四", phone="13920000010", user_id=me.id, visible=False)
    page = client.get("/me/privacy").get_data(as_text=True)
    assert "对已认证单位公开" in page and "仅在我投递时可见" in page and "对所有单位隐藏" in page

    client.post("/me/privacy/visibility", data={"visibility": "open_to_verified"})
    db_session.refresh(person)
    assert person.visibility == SeekerVisibility.OPEN and person.consent_visible_to_enterprises is True
    client.post("/me/privacy/visibility", data={"visibility": "hidden"})
    db_session.refresh(person)
    assert person.visibility == SeekerVisibility.HIDDEN and person.consent_visible_to_enterprises is False
    assert client.post("/me/privacy/visibility", data={"visibility": "everyone"}).status_code == 302
    db_session.refresh(person)
    assert person.visibility == SeekerVisibility.HIDDEN  # a made-up mode changes nothing

    client.post("/me/privacy/recommendation", data={})
    db_session.refresh(person)
    assert person.consent_recommendation is False
    assert "您仍可以自己搜索" in client.get("/me/privacy").get_data(as_text=True)
    assert client.get("/search?q=电焊").status_code == 200  # still searches herself

    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                         AuditEvent.subject_id == person.id,
                                                         AuditEvent.action == "update")).all()
    assert len(events) == 3 and all(e.actor_user_id == me.id for e in events)
    assert any("不接受自动推荐" in e.purpose for e in events)


def test_an_opted_out_person_is_in_no_ranked_list(client, sign_in, market, db_session):
    from core.seekers.controls import set_recommendation

    person = market["people"]["open"]
    set_recommendation(db_session, person, False)
    db_session.commit()
    sign_in(market["verified"])
    assert person.id not in _matches(client, market["posting"].id)


def test_my_data_as_a_page_and_a_file_each_export_audited(client, login_as, id_number, make_posting, db_session):
    from core.applications.services import apply_to_posting

    me = login_as("jobseeker")
    number = id_number()
    person = _seeker(db_session, lambda: number, name="王小二", phone="13920000011", user_id=me.id)
    posting = make_posting("仓库管理员")
    apply_to_posting(db_session, jobseeker_id=person.id, posting_id=posting.id)
    db_session.commit()

    resp = client.get("/me/privacy/export.json")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["profile"]["name"] == "王小二" and data["profile"]["id_number"] == number
    assert [a["posting"] for a in data["applications"]] == ["仓库管理员"]
    assert data["privacy"]["visibility"] == "open_to_verified"

    page = client.get("/me/privacy/export").get_data(as_text=True)
    assert "王小二" in page and "仓库管理员" in page and "谁看过我的资料" in page and "导出" in page
    exports = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_id == person.id,
                                                          AuditEvent.subject_type == "jobseeker",
                                                          AuditEvent.action == "export")).all()
    assert len(exports) == 2

    client.post("/logout")
    login_as("jobseeker")  # someone else: no profile yet, nothing of mine
    resp = client.get("/me/privacy/export.json")
    assert resp.status_code == 302 and "王小二".encode() not in resp.get_data()


def test_other_roles_and_signed_out_have_no_privacy_page(client, login_as):
    assert client.get("/me/privacy").status_code in (302, 401)
    login_as("enterprise")
    assert client.get("/me/privacy").status_code == 403
    assert client.get("/me/privacy/export.json").status_code == 403
