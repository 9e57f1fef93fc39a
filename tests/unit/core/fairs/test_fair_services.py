"""Job fair use cases (core.fairs) on both databases: jurisdiction, the stages, booth requests with the
qualification check and capacity, registrations and their codes, check-in (duplicate, forged, other
fair's, cancelled), intentions becoming applications from the fair and follow-ups, cancellation
notices, the report's counts and the cadence planner."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from core.applications.models import Application
from core.audit.models import AuditEvent
from core.channels.models import Channel
from core.enterprises.models import Enterprise
from core.enums import ApplicationOrigin, ApplicationStatus, ChannelKind, PostingStatus, VerificationStatus
from core.errors import DomainError, PermissionDenied, ValidationErrors
from core.fairs import booth as booths
from core.fairs import door, followups, report, services as svc
from core.fairs.cadence import propose_dates
from core.fairs.codes import classify, qr_text
from core.fairs.models import FairFollowUp, FairRegistration
from core.notifications.models import Notification
from core.postings.models import Posting
from core.seekers.models import Jobseeker, JobseekerGroup

_n = itertools.count(1)
TODAY = dt.date.today()


def _fair_data(**kw) -> dict:
    data = {"title": "兰山区春风行动专场招聘会", "theme": "migrant", "kind": "onsite", "venue": "兰山区人力资源市场",
            "region_code": "371302", "date": (TODAY + dt.timedelta(days=10)).isoformat(), "start_time": "09:00",
            "end_time": "12:00", "booth_capacity": "2", "visitor_capacity": "3", "organiser": "兰山区人社局",
            "target_groups": ["migrant_worker"]}
    data.update(kw)
    return data


@pytest.fixture
def staff(make_user):
    return make_user("commissioner", region_code="371300")


@pytest.fixture
def open_fair(db_session, staff):
    fair = svc.create_fair(db_session, staff, _fair_data())
    svc.advance_fair(db_session, staff, fair.id)
    return fair


def _enterprise_user(db_session, make_user, *, verified=True, published=1, held=0):
    ent = Enterprise(name=f"临沂测试{next(_n)}有限公司", normalized_name="临沂测试", region_code="371302",
                     verification_status=VerificationStatus.VERIFIED if verified else VerificationStatus.UNVERIFIED)
    db_session.add(ent)
    ch = Channel(code=f"fair-ch-{next(_n)}", name="测试渠道", kind=ChannelKind.ENTERPRISE_DIRECT)
    db_session.add(ch)
    db_session.flush()
    postings = []
    for status, count in ((PostingStatus.PUBLISHED, published), (PostingStatus.PENDING_REVIEW, held)):
        for _ in range(count):
            p = Posting(title="电焊工", description="电焊工岗位", enterprise_id=ent.id, channel_id=ch.id,
                        region_code="371302", status=status, pay_monthly_min=6000, pay_monthly_max=8000)
            db_session.add(p)
            postings.append(p)
    db_session.flush()
    return make_user("enterprise", enterprise_id=ent.id), [p for p in postings if p.status == PostingStatus.PUBLISHED]


def _seeker(db_session, make_user, groups=()):
    user = make_user("jobseeker")
    s = Jobseeker(user_id=user.id, name="王建国", phone=f"1391234{next(_n):04d}", region_code="371302",
                  desired_titles=["电焊工"], skills=["电焊"], consent_recommendation=True)
    s.groups = [JobseekerGroup(group=g, verification=VerificationStatus.VERIFIED) for g in groups]
    db_session.add(s)
    db_session.flush()
    return s


def test_fair_validation_and_jurisdiction(db_session, staff, make_user):
    with pytest.raises(ValidationErrors) as caught:
        svc.create_fair(db_session, staff, _fair_data(title="", venue="", date="明天", end_time="08:00",
                                                      booth_capacity="0", region_code="440106"))
    fields = {e.field for e in caught.value.errors}
    assert fields == {"title", "venue", "date", "end_time", "booth_capacity", "region_code"}
    fair = svc.create_fair(db_session, staff, _fair_data())
    elsewhere = make_user("commissioner", region_code="440100")
    with pytest.raises(PermissionDenied):
        svc.advance_fair(db_session, elsewhere, fair.id)
    assert fair not in svc.list_staff_fairs(db_session, elsewhere)
    assert fair in svc.list_staff_fairs(db_session, staff)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "job_fair", AuditEvent.subject_id == fair.id)) == 1


def test_booth_qualification_capacity_and_numbering(db_session, staff, open_fair, make_user):
    ok1, posts1 = _enterprise_user(db_session, make_user)
    ok2, posts2 = _enterprise_user(db_session, make_user)
    ok3, posts3 = _enterprise_user(db_session, make_user)
    held, posts_h = _enterprise_user(db_session, make_user, held=1)
    with pytest.raises(ValidationErrors):
        svc.request_booth(db_session, ok1, open_fair.id, posting_ids=[posts2[0].id], headcount="3")
    b1 = svc.request_booth(db_session, ok1, open_fair.id, posting_ids=[posts1[0].id], headcount="3", needs="电源")
    b2 = svc.request_booth(db_session, ok2, open_fair.id, posting_ids=[posts2[0].id], headcount="2")
    b3 = svc.request_booth(db_session, ok3, open_fair.id, posting_ids=[posts3[0].id], headcount="2")
    bh = svc.request_booth(db_session, held, open_fair.id, posting_ids=[posts_h[0].id], headcount="1")
    with pytest.raises(DomainError, match="合规审核"):
        svc.approve_booth(db_session, staff, open_fair.id, bh.id)
    assert svc.approve_booth(db_session, staff, open_fair.id, b1.id).booth_number == 1
    assert svc.approve_booth(db_session, staff, open_fair.id, b2.id).booth_number == 2
    with pytest.raises(DomainError, match="展位已满"):
        svc.approve_booth(db_session, staff, open_fair.id, b3.id)
    with pytest.raises(DomainError, match="展位已满"):
        svc.request_booth(db_session, ok3, open_fair.id, posting_ids=[posts3[0].id], headcount="2")
    refused = svc.refuse_booth(db_session, staff, open_fair.id, bh.id, "岗位正在审核")
    assert refused.status == "refused" and refused.refusal_reason == "岗位正在审核"
    notes = db_session.scalars(select(Notification.title).where(Notification.user_id == ok1.id)).all()
    assert any("已通过" in t for t in notes)


def test_registration_codes_and_check_in(db_session, staff, open_fair, make_user):
    svc.advance_fair(db_session, staff, open_fair.id)  # visitors may register
    a, b, c, d = (_seeker(db_session, make_user) for _ in range(4))
    reg = svc.register_for_fair(db_session, open_fair.id, a.id)
    assert svc.register_for_fair(db_session, open_fair.id, a.id).id == reg.id  # second time: the same one
    assert len(reg.code) == 6 and reg.code.isdigit() and len(reg.token) >= 20
    svc.register_for_fair(db_session, open_fair.id, b.id)
    reg_c = svc.register_for_fair(db_session, open_fair.id, c.id)
    with pytest.raises(DomainError, match="已满"):
        svc.register_for_fair(db_session, open_fair.id, d.id)

    first = door.check_in(db_session, staff, open_fair.id, qr_text(reg.token))
    assert not first.already and first.checked_in_at is not None and first.registration_id == reg.id
    assert first.person.name == a.name and first.person not in db_session
    again = door.check_in(db_session, staff, open_fair.id, reg.code)
    assert again.already and again.message == "已签到，无需重复签到"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "fair.check_in", AuditEvent.subject_id == open_fair.id)) == 1
    assert door.check_in(db_session, staff, open_fair.id, b.phone).person.id == b.id
    db_session.expire_all()
    assert db_session.get(FairRegistration, reg.id).checked_in_at == first.checked_in_at  # counted once

    other = svc.create_fair(db_session, staff, _fair_data(title="另一场"))
    svc.advance_fair(db_session, staff, other.id)
    svc.advance_fair(db_session, staff, other.id)
    other_reg = svc.register_for_fair(db_session, other.id, d.id)
    with pytest.raises(DomainError) as caught:
        door.check_in(db_session, staff, open_fair.id, qr_text(other_reg.token))
    assert caught.value.code == "other_fair_code"
    for forged in (qr_text("x" * 24), "abc", "000000" if reg.code != "000000" else "999999"):
        with pytest.raises(DomainError) as caught:
            door.check_in(db_session, staff, open_fair.id, forged)
        assert caught.value.code in ("invalid_code", "unknown_code")
    svc.cancel_registration(db_session, open_fair.id, c.id)
    with pytest.raises(DomainError) as caught:
        door.check_in(db_session, staff, open_fair.id, reg_c.code)
    assert caught.value.code == "registration_cancelled"
    with pytest.raises(PermissionDenied):
        door.check_in(db_session, make_user("commissioner", region_code="440100"), open_fair.id, reg.code)


def test_check_in_racing_scan_counts_once_and_is_audited(db_session, staff, open_fair, make_user, monkeypatch):
    """Two scans of one code racing: the second one read the row before the first wrote it, so only the
    keyed UPDATE's row count can tell; it answers 已签到 with the first one's time, audited once."""
    from sqlalchemy import update

    svc.advance_fair(db_session, staff, open_fair.id)
    reg = svc.register_for_fair(db_session, open_fair.id, _seeker(db_session, make_user).id)
    earlier = dt.datetime(2026, 1, 1, 9, 0)
    refuse = door._refuse

    def other_door_first(*args):  # runs between the look-up and the UPDATE
        db_session.execute(update(FairRegistration).where(FairRegistration.id == reg.id).values(checked_in_at=earlier))
        return refuse(*args)

    monkeypatch.setattr(door, "_refuse", other_door_first)
    raced = door.check_in(db_session, staff, open_fair.id, reg.code)
    assert raced.already and raced.checked_in_at == earlier and raced.message == "已签到，无需重复签到"
    monkeypatch.setattr(door, "_refuse", refuse)
    assert door.check_in(db_session, staff, open_fair.id, qr_text(reg.token)).already
    audits = db_session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "job_fair",
                                                                AuditEvent.action == "fair.check_in")).all()
    assert audits == []  # neither of these two counted as a check-in


def test_intention_makes_application_follow_up_and_report(db_session, staff, open_fair, make_user):
    ent_user, posts = _enterprise_user(db_session, make_user)
    booth = svc.request_booth(db_session, ent_user, open_fair.id, posting_ids=[posts[0].id], headcount="5")
    svc.approve_booth(db_session, staff, open_fair.id, booth.id)
    svc.advance_fair(db_session, staff, open_fair.id)
    vet = _seeker(db_session, make_user, groups=["veteran"])
    reg = svc.register_for_fair(db_session, open_fair.id, vet.id)
    door.check_in(db_session, staff, open_fair.id, reg.code)
    booths.record_conversation(db_session, ent_user, open_fair.id, reg.code, "会电焊")
    with pytest.raises(DomainError):
        booths.record_intention(db_session, ent_user, open_fair.id, reg.code, "999999")
    conv = booths.record_intention(db_session, ent_user, open_fair.id, reg.code, str(posts[0].id), follow_up_days=7)
    app = db_session.get(Application, conv.application_id)
    assert app.origin == ApplicationOrigin.FAIR and app.origin_ref == f"fair:{open_fair.id}"
    task = db_session.scalar(select(FairFollowUp).where(FairFollowUp.conversation_id == conv.id))
    assert task.due_date == max(open_fair.date, TODAY) + dt.timedelta(days=7)
    with pytest.raises(ValidationErrors):
        followups.record_outcome(db_session, staff, task.id, "declined")
    followups.record_outcome(db_session, staff, task.id, "hired")
    assert app.status == ApplicationStatus.HIRED

    r = report.fair_report(db_session, open_fair)
    assert r.totals["registrations"] == 1 and r.totals["checked_in"] == 1 and r.totals["conversations"] == 2
    assert r.totals["intentions"] == 1 and r.totals["hires"] == 1 and r.totals["booths"] == 1
    assert r.totals["headcount"] == 5 and r.by_group["退役军人"]["hires"] == 1
    assert report.report_xlsx(open_fair, r)[:2] == b"PK"


def test_cancel_notifies_registrants_and_exhibitors(db_session, staff, open_fair, make_user):
    ent_user, posts = _enterprise_user(db_session, make_user)
    svc.request_booth(db_session, ent_user, open_fair.id, posting_ids=[posts[0].id], headcount="1")
    svc.advance_fair(db_session, staff, open_fair.id)
    s = _seeker(db_session, make_user)
    svc.register_for_fair(db_session, open_fair.id, s.id)
    with pytest.raises(ValidationErrors):
        svc.cancel_fair(db_session, staff, open_fair.id, " ")
    assert svc.cancel_fair(db_session, staff, open_fair.id, "场地维修") == 2
    for uid in (ent_user.id, s.user_id):
        body = db_session.scalar(select(Notification.body).where(Notification.user_id == uid,
                                                                 Notification.title.like("招聘会已取消%")))
        assert "场地维修" in body


def test_auto_numbering_groups_booths_by_occupation_major_group(db_session, staff, open_fair, make_user):
    from core.reference.models import Occupation

    def leaf(major: str) -> str:
        return db_session.scalar(select(Occupation.code).where(Occupation.level == 4, Occupation.code.like(f"{major}-%"))
                                 .order_by(Occupation.code))

    service, production = leaf("4"), leaf("6")
    open_fair.booth_capacity = 10
    made = []
    for codes in ([production], [service, service, production], [None], [production, service, production]):
        ent_user, posts = _enterprise_user(db_session, make_user, published=len(codes))
        for p, code in zip(posts, codes):
            p.occupation_code = code
        booth = svc.request_booth(db_session, ent_user, open_fair.id, posting_ids=[p.id for p in posts], headcount="1")
        svc.approve_booth(db_session, staff, open_fair.id, booth.id)
        made.append(booth)
    groups = svc.auto_number_booths(db_session, staff, open_fair.id)
    names = dict(db_session.execute(select(Occupation.code, Occupation.name).where(Occupation.code.in_(["4", "6"]))).all())
    assert [(name, [b.id for b in bs]) for name, bs in groups] == [
        (names["4"], [made[1].id]), (names["6"], [made[0].id, made[3].id]), ("其他岗位", [made[2].id])]
    assert [b.booth_number for b in made] == [2, 1, 4, 3]  # service first, then production in the old order
    with pytest.raises(PermissionDenied):
        svc.auto_number_booths(db_session, make_user("commissioner", region_code="440100"), open_fair.id)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "fair.booth_numbers", AuditEvent.subject_id == open_fair.id)) == 1


def test_walk_in_registers_and_checks_in(db_session, staff, open_fair):
    from core.crypto import PersonalDataCipher

    svc.advance_fair(db_session, staff, open_fair.id)
    cipher = PersonalDataCipher(*PersonalDataCipher.generate_keys())
    done = door.walk_in(db_session, cipher, staff, open_fair.id, name="赵大勇", phone="13912340000")
    assert done.registration.walk_in and done.registration.checked_in_at is not None
    again = door.walk_in(db_session, cipher, staff, open_fair.id, name="赵大勇", phone="13912340000")
    assert again.already and again.registration.id == done.registration.id


def test_codes_and_cadence():
    assert classify(" 123456 ") == ("code", "123456")
    assert classify("13912345678") == ("phone", "13912345678")
    assert classify("JLFAIR:" + "a" * 24)[0] == "token"
    assert classify("12345")[0] == "invalid" and classify("JLFAIR:<script>")[0] == "invalid"
    dates = propose_dates(dt.date(2027, 1, 1), months=3)
    jan = [p for p in dates if p.date.month == 1]
    feb = [p for p in dates if p.date.month == 2]
    assert len(jan) == 2 and not any(p.busy for p in jan)
    assert len(feb) == 4 and all(p.busy and p.date.weekday() == 5 for p in feb)
    assert len(propose_dates(dt.date(2027, 1, 1), 1, taken={jan[0].date})) == 1


def test_demo_fair_in_each_demo_commissioners_jurisdiction(db_session):
    from core.accounts.models import User
    from core.accounts.services import in_jurisdiction
    from core.demo.services import create_demo_accounts
    from core.fairs.models import FairRegistration, JobFair

    create_demo_accounts(db_session)
    create_demo_accounts(db_session)  # idempotent
    fairs = db_session.scalars(select(JobFair).where(JobFair.is_demo.is_(True))).all()
    commissioners = db_session.scalars(select(User).where(User.is_demo.is_(True), User.role == "commissioner")).all()
    assert len(fairs) == len(commissioners) >= 1
    for c in commissioners:
        assert any(in_jurisdiction(c, f.region_code) for f in fairs)
    fair = fairs[0]
    assert fair.status == "open_visitors" and "演示" in fair.title
    assert [b.booth_number for b in fair.booths if b.status == "approved"] == [1]
    assert db_session.scalar(select(func.count()).select_from(FairRegistration)
                             .where(FairRegistration.fair_id == fair.id)) == 1


def test_renumber_booths_swaps_and_refuses_duplicates(db_session, staff, open_fair, make_user):
    (u1, p1), (u2, p2) = (_enterprise_user(db_session, make_user) for _ in range(2))
    b1 = svc.request_booth(db_session, u1, open_fair.id, posting_ids=[p1[0].id], headcount="1")
    b2 = svc.request_booth(db_session, u2, open_fair.id, posting_ids=[p2[0].id], headcount="1")
    for b in (b1, b2):
        svc.approve_booth(db_session, staff, open_fair.id, b.id)
    assert (b1.booth_number, b2.booth_number) == (1, 2)
    with pytest.raises(ValidationErrors, match="不能重复"):
        svc.renumber_booths(db_session, staff, open_fair.id, {b1.id: "3", b2.id: "3"})
    svc.renumber_booths(db_session, staff, open_fair.id, {str(b1.id): "2", str(b2.id): "1"})  # a swap
    assert (b1.booth_number, b2.booth_number) == (2, 1)
    with pytest.raises(PermissionDenied):
        svc.renumber_booths(db_session, make_user("commissioner", region_code="440100"), open_fair.id, {})
