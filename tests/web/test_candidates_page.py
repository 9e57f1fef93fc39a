"""Recommended candidates as a page: the matcher's list for the enterprise's own posting, masked
until the person applies (core.seekers.privacy), only people who opened their profile to verified
enterprises and did not block this one, with reasons, group badges and subsidy hints; 邀请投递
notifies the person, accepting is applying (origin invitation) and only then are name and phone shown."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from core.applications.models import Application, Invitation
from core.enums import ApplicationOrigin, InvitationStatus, NotificationKind, SeekerVisibility, VerificationStatus
from core.notifications.models import Notification

_n = itertools.count(1)


@pytest.fixture
def person(db_session, make_user):
    """A registered jobseeker recommended for welding work; returns (user, jobseeker)."""
    from core.enums import PriorityGroup
    from core.seekers.models import Jobseeker, JobseekerGroup

    def _make(name, *, visibility=SeekerVisibility.OPEN, groups=(), account=True):
        user = make_user("jobseeker") if account else None
        s = Jobseeker(user_id=user.id if user else None, name=name, region_code="440106",
                      desired_titles=["电焊工"], skills=["电焊"], education="senior", experience_years=3,
                      expected_pay_min=5000, consent_recommendation=True, phone=f"1397700{next(_n):04d}",
                      birth_date=dt.date(1998, 5, 1))
        s.visibility = visibility
        s.groups = [JobseekerGroup(group=PriorityGroup(g), verification=VerificationStatus.VERIFIED) for g in groups]
        db_session.add(s)
        db_session.commit()
        return user, s

    return _make


@pytest.fixture
def verified_enterprise(make_user, db_session):
    def _make():
        user = make_user("enterprise")
        user.enterprise.verification_status = VerificationStatus.VERIFIED
        db_session.commit()
        return user

    return _make


def _page(client, posting):
    resp = client.get(f"/enterprise/postings/{posting.id}/candidates")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def test_candidates_are_masked_findable_only_and_carry_reasons_badges_hints(
        client, sign_in, matcher, make_posting, person, verified_enterprise, db_session):
    from core.audit.models import AuditEvent
    from core.seekers.models import EnterpriseBlock

    ent = verified_enterprise()
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, region_code="440106",
                           description="钢结构焊接，持焊工证", employment_type="full_time")
    _, grad = person("钱毕业生", groups=["graduate"])
    _, quiet = person("孙不公开", visibility=SeekerVisibility.ON_APPLY)
    _, hidden = person("李隐藏", visibility=SeekerVisibility.HIDDEN)
    _, blocker = person("周屏蔽")
    db_session.add(EnterpriseBlock(jobseeker_id=blocker.id, enterprise_id=ent.enterprise_id))
    db_session.commit()
    sign_in(ent)
    html = _page(client, posting)
    assert f'id="seeker-{grad.id}"' in html
    for absent in (quiet, hidden, blocker):
        assert f'id="seeker-{absent.id}"' not in html
    assert "钱毕业生" not in html and "钱*" in html  # masked: not applied
    assert grad.phone not in html and grad.phone[-4:] in html
    assert "高校毕业生" in html and "推荐理由" in html and "会电焊" in html
    assert "语义" not in html and "匹配度" not in html  # reasons in words, no figures
    assert "一次性扩岗补助" in html and "邀请投递" in html
    (read,) = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                          AuditEvent.subject_id == grad.id)).all()
    assert "phone_masked" in read.fields and "name_masked" in read.fields


def test_unverified_enterprise_sees_why_not_whom(client, login_as, matcher, make_posting, person):
    user = login_as("enterprise")
    posting = make_posting("电焊工", enterprise_id=user.enterprise_id, region_code="440106")
    _, s = person("吴公开")
    html = _page(client, posting)
    assert "通过人社部门认证后才能查看推荐人选" in html and f'id="seeker-{s.id}"' not in html


def test_invite_accept_applies_and_unmasks(client, sign_in, matcher, make_posting, person, verified_enterprise,
                                          db_session):
    ent = verified_enterprise()
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, region_code="440106")
    seeker_user, s = person("郑焊工")
    sign_in(ent)
    url = f"/enterprise/postings/{posting.id}/candidates/{s.id}/invite"
    resp = client.post(url, data={"message": "欢迎来面试"}, follow_redirects=True)
    assert "已发出邀请" in resp.get_data(as_text=True)
    inv = db_session.scalar(select(Invitation).where(Invitation.jobseeker_id == s.id))
    assert inv.status == InvitationStatus.SENT and inv.message == "欢迎来面试"
    note = db_session.scalar(select(Notification).where(Notification.user_id == seeker_user.id))
    assert note.kind == NotificationKind.INVITATION and note.link == "/me/invitations" and "电焊工" in note.title
    resp = client.post(url, follow_redirects=True)  # once per posting and person
    assert "已经邀请过" in resp.get_data(as_text=True)
    assert "郑焊工" not in _page(client, posting)  # an invitation discloses nothing
    # the person accepts: that is applying, with the invitation as origin
    sign_in(seeker_user)
    inbox = client.get("/me/invitations").get_data(as_text=True)
    assert "欢迎来面试" in inbox and "接受并投递" in inbox
    assert client.post(f"/me/invitations/{inv.id}/accept").status_code == 302
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == s.id))
    assert (app.origin, app.origin_ref) == (ApplicationOrigin.INVITATION, f"invitation:{inv.id}")
    db_session.expire_all()
    assert db_session.get(Invitation, inv.id).status == InvitationStatus.ACCEPTED
    told = db_session.scalars(select(Notification).where(Notification.user_id == ent.id)).all()
    assert any("接受了邀请" in n.title for n in told)
    sign_in(ent)
    html = _page(client, posting)
    assert "郑焊工" in html and s.phone in html  # applied: name and phone
    applicants = client.get(f"/enterprise/postings/{posting.id}/applicants").get_data(as_text=True)
    assert "郑焊工" in applicants and ">邀请<" in applicants


def test_decline_and_other_people_invitations(client, sign_in, make_user, make_posting, person, verified_enterprise,
                                             db_session):
    from core.applications.invitations import invite

    ent = verified_enterprise()
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, region_code="440106")
    seeker_user, s = person("冯婉拒")
    inv = invite(db_session, enterprise_id=ent.enterprise_id, posting_id=posting.id, jobseeker_id=s.id,
                 invited_by_user_id=ent.id)
    db_session.commit()
    other_user, _ = person("别人")
    sign_in(other_user)  # another person: as if missing, nothing changes
    assert client.post(f"/me/invitations/{inv.id}/accept").status_code == 404
    assert client.post(f"/me/invitations/{inv.id}/decline").status_code == 404
    db_session.expire_all()
    assert db_session.get(Invitation, inv.id).status == InvitationStatus.SENT
    sign_in(seeker_user)
    assert client.post(f"/me/invitations/{inv.id}/decline").status_code == 302
    db_session.expire_all()
    assert db_session.get(Invitation, inv.id).status == InvitationStatus.DECLINED
    assert db_session.scalar(select(Application).where(Application.jobseeker_id == s.id)) is None
    resp = client.post(f"/me/invitations/{inv.id}/accept", follow_redirects=True)
    assert "已经回复过" in resp.get_data(as_text=True)


def test_other_enterprise_and_roles_are_refused(client, sign_in, make_user, make_posting, person,
                                                verified_enterprise, db_session):
    ent = verified_enterprise()
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, region_code="440106")
    _, s = person("陈焊工")
    sign_in(verified_enterprise())
    assert client.get(f"/enterprise/postings/{posting.id}/candidates").status_code == 404
    assert client.post(f"/enterprise/postings/{posting.id}/candidates/{s.id}/invite").status_code == 404
    for role in ("jobseeker", "commissioner", "admin"):
        sign_in(make_user(role))
        assert client.get(f"/enterprise/postings/{posting.id}/candidates").status_code == 403
    assert db_session.scalar(select(Invitation)) is None


def test_invitation_refused_for_people_the_enterprise_may_not_find(db_session, make_posting, person,
                                                                    verified_enterprise):
    from core.applications.invitations import invite
    from core.errors import DomainError, NotFound

    ent = verified_enterprise()
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, region_code="440106")
    _, quiet = person("孙不公开", visibility=SeekerVisibility.ON_APPLY)
    _, walk_in = person("王无账号", account=False)
    with pytest.raises(NotFound):
        invite(db_session, enterprise_id=ent.enterprise_id, posting_id=posting.id, jobseeker_id=quiet.id,
               invited_by_user_id=ent.id)
    with pytest.raises(DomainError) as refused:
        invite(db_session, enterprise_id=ent.enterprise_id, posting_id=posting.id, jobseeker_id=walk_in.id,
               invited_by_user_id=ent.id)
    assert refused.value.code == "seeker_without_account"
