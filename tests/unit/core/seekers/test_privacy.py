"""The one rule for who sees a jobseeker's personal data (core.seekers.privacy), and the read model
built under it: enterprises see name and phone only of people with a standing application to one of
their own postings, never an ID number; staff by jurisdiction; every display to another is audited."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.applications.models import Application
from core.audit.models import AuditEvent
from core.channels.models import Channel
from core.crypto import PersonalDataCipher
from core.enums import ApplicationStatus, ChannelKind, PostingStatus
from core.enterprises.models import Enterprise
from core.postings.models import Posting
from core.seekers.privacy import (
    APPLICANT_TO_ENTERPRISE,
    EVERYTHING,
    NAME_ONLY,
    NOTHING,
    contact_entitlement,
    contact_entitlements,
    view_jobseeker,
    view_jobseekers,
)
from core.seekers.services import create_jobseeker

_n = itertools.count(1)
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def cipher(app):
    return PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])


def viewer(role: str, *, id: int | None = None, enterprise_id: int | None = None, region_code: str | None = None):
    return SimpleNamespace(id=id if id is not None else 900_000 + next(_n), role=role,
                           enterprise_id=enterprise_id, region_code=region_code)


@pytest.fixture
def world(db_session):
    """Two enterprises with one posting each."""
    def enterprise_with_posting(name):
        n = next(_n)
        ent = Enterprise(name=f"{name}有限公司", normalized_name=f"{name}{n}")
        ch = Channel(code=f"privacy-ch-{n}", name="测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
        db_session.add_all([ent, ch])
        db_session.flush()
        posting = Posting(title="仓库管理员", description="负责出入库", enterprise_id=ent.id, channel_id=ch.id,
                          region_code="371302", status=PostingStatus.PUBLISHED)
        db_session.add(posting)
        db_session.flush()
        return ent, posting

    return SimpleNamespace(mine=enterprise_with_posting("甲"), theirs=enterprise_with_posting("乙"))


def seeker(db_session, cipher, name="王小明", region_code="371302", user_id=None, visible=True):
    return create_jobseeker(db_session, cipher, name=name, id_number=None, phone=f"1390000{next(_n):04d}",
                            region_code=region_code, user_id=user_id, consent_visible_to_enterprises=visible)


def apply(db_session, s, posting, status=ApplicationStatus.SUBMITTED):
    db_session.add(Application(jobseeker_id=s.id, posting_id=posting.id, status=status))
    db_session.flush()


def test_enterprise_sees_contacts_only_of_standing_applicants_to_its_own_postings(db_session, cipher, world):
    (mine, my_posting), (_, their_posting) = world.mine, world.theirs
    applied_here = seeker(db_session, cipher)
    applied_there = seeker(db_session, cipher)
    visible_only = seeker(db_session, cipher, visible=True)
    withdrew = seeker(db_session, cipher)
    apply(db_session, applied_here, my_posting)
    apply(db_session, applied_there, their_posting)
    apply(db_session, withdrew, my_posting, ApplicationStatus.WITHDRAWN)
    ent = viewer("enterprise", enterprise_id=mine.id)
    got = contact_entitlements(db_session, ent, [applied_here, applied_there, visible_only, withdrew])
    assert got == {applied_here.id: APPLICANT_TO_ENTERPRISE, applied_there.id: NOTHING,
                   visible_only.id: NOTHING, withdrew.id: NOTHING}
    # one query for many and one look at one person give the same answer
    assert all(contact_entitlement(db_session, ent, s) == got[s.id]
               for s in (applied_here, applied_there, visible_only, withdrew))


def test_every_later_stage_of_an_application_still_counts_as_consent(db_session, cipher, world):
    (mine, my_posting) = world.mine
    ent = viewer("enterprise", enterprise_id=mine.id)
    for status in (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED,
                   ApplicationStatus.DECLINED):
        s = seeker(db_session, cipher)
        apply(db_session, s, my_posting, status)
        assert contact_entitlement(db_session, ent, s) == APPLICANT_TO_ENTERPRISE, status


def test_an_enterprise_never_sees_an_id_number(db_session, cipher, world):
    mine, my_posting = world.mine
    s = create_jobseeker(db_session, cipher, name="王小明", id_number=ID_NUMBER, phone="13800138000")
    apply(db_session, s, my_posting)
    v = view_jobseeker(db_session, cipher, viewer("enterprise", enterprise_id=mine.id), s, purpose="测试")
    assert (v.name, v.phone, v.masked) == ("王小明", "13800138000", False)
    assert v.id_number == "110***********002X" and v.id_number_masked


def test_an_enterprise_without_consent_sees_a_masked_person(db_session, cipher, world):
    s = create_jobseeker(db_session, cipher, name="王小明", id_number=ID_NUMBER, phone="13800138000",
                         consent_visible_to_enterprises=True)
    v = view_jobseeker(db_session, cipher, viewer("enterprise", enterprise_id=world.mine[0].id), s, purpose="测试")
    assert (v.name, v.phone, v.id_number, v.masked) == ("王**", "138****8000", "110***********002X", True)
    # an enterprise account not (yet) linked to an enterprise sees nothing either
    assert contact_entitlement(db_session, viewer("enterprise"), s) == NOTHING


def test_staff_by_jurisdiction_the_person_themself_and_nobody_else(db_session, cipher):
    lanshan = seeker(db_session, cipher, region_code="371302", user_id=None)
    guangzhou = seeker(db_session, cipher, region_code="440106")
    city = viewer("commissioner", region_code="371300")
    county = viewer("commissioner", region_code="371323")
    assert contact_entitlement(db_session, city, lanshan) == EVERYTHING
    assert contact_entitlement(db_session, city, guangzhou) == NOTHING
    assert contact_entitlement(db_session, county, lanshan) == NOTHING
    assert contact_entitlement(db_session, viewer("commissioner"), lanshan) == NOTHING  # no jurisdiction set
    assert contact_entitlement(db_session, viewer("admin"), guangzhou) == EVERYTHING
    assert contact_entitlement(db_session, viewer("reviewer"), lanshan) == NOTHING
    assert contact_entitlement(db_session, None, lanshan) == NOTHING  # a shell command


def test_a_jobseeker_sees_only_themself(db_session, cipher, make_user):
    me, other = make_user("jobseeker"), make_user("jobseeker")
    mine = seeker(db_session, cipher, user_id=me.id)
    theirs = seeker(db_session, cipher, user_id=other.id)
    roster = seeker(db_session, cipher, user_id=None)  # imported, no account
    assert contact_entitlements(db_session, me, [mine, theirs, roster]) == {
        mine.id: EVERYTHING, theirs.id: NOTHING, roster.id: NOTHING}


def _events(db_session, subject_id):
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                            AuditEvent.subject_id == subject_id)))


def test_every_display_to_another_is_audited_with_the_fields_shown(db_session, cipher, make_user, world):
    mine, my_posting = world.mine
    applicant, stranger = seeker(db_session, cipher), seeker(db_session, cipher)
    apply(db_session, applicant, my_posting)
    ent_user = make_user("enterprise", enterprise_id=mine.id)
    views = view_jobseekers(db_session, cipher, ent_user, [applicant, stranger, applicant], purpose="查看收到的投递",
                            ip="10.0.0.1")
    assert list(views) == [applicant.id, stranger.id]  # each person once, in the given order
    (shown,), (masked,) = _events(db_session, applicant.id), _events(db_session, stranger.id)
    assert (shown.actor_user_id, shown.actor_role, shown.action, shown.purpose, shown.ip) == (
        ent_user.id, "enterprise", "read", "查看收到的投递", "10.0.0.1")
    assert {"name", "phone", "id_number_masked"} <= set(shown.fields) and "id_number" not in shown.fields
    assert {"name_masked", "phone_masked", "id_number_masked"} <= set(masked.fields)
    assert "phone" not in masked.fields and applicant.phone not in str(shown.fields) + shown.purpose


def test_own_data_is_not_audited_and_a_page_may_show_less_than_allowed(db_session, cipher, make_user):
    me = make_user("jobseeker")
    mine = seeker(db_session, cipher, user_id=me.id)
    assert view_jobseeker(db_session, cipher, me, mine, purpose="本人查看档案").phone == mine.phone
    assert _events(db_session, mine.id) == []
    admin = make_user("admin")
    v = view_jobseeker(db_session, cipher, admin, mine, purpose="列表", at_most=NAME_ONLY)
    assert v.name == mine.name and v.masked and v.phone != mine.phone
    (event,) = _events(db_session, mine.id)
    assert "phone_masked" in event.fields and event.actor_role == "admin"
