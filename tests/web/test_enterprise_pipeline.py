"""The applicants pipeline over HTTP: stages with counts, moving one or many, declining only with a
reason, the enterprise's notes, the origin of each application in words, subsidy hints, the jobseeker
told of every stage change; another enterprise refused."""
from __future__ import annotations

from sqlalchemy import func, select

from core.applications.models import Application, ApplicationNote
from core.enums import ApplicationOrigin, ApplicationStatus, NotificationKind
from core.notifications.models import Notification


def _applicant(db_session, make_user, posting, name, phone, *, origin=ApplicationOrigin.SEARCH, origin_ref=None,
               groups=(), status=ApplicationStatus.SUBMITTED):
    """A registered jobseeker who applied to ``posting``; returns (user, application)."""
    from core.enums import PriorityGroup, VerificationStatus
    from core.seekers.models import Jobseeker, JobseekerGroup

    user = make_user("jobseeker")
    seeker = Jobseeker(user_id=user.id, name=name, phone=phone, region_code="371302", education="bachelor",
                       experience_years=1, skills=["电焊"])
    seeker.groups = [JobseekerGroup(group=PriorityGroup(g), verification=VerificationStatus.VERIFIED) for g in groups]
    db_session.add(seeker)
    db_session.flush()
    app = Application(jobseeker_id=seeker.id, posting_id=posting.id, origin=origin, origin_ref=origin_ref,
                      status=status)
    db_session.add(app)
    db_session.commit()
    return user, app


def _notes_for(db_session, user_id):
    return db_session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.id)).all()


def test_stages_origins_hints_and_viewed_notification(client, make_user, sign_in, make_posting, db_session):
    from core.fairs.models import JobFair

    ent = make_user("enterprise")
    posting = make_posting("电焊工", enterprise_id=ent.enterprise_id, employment_type="full_time")
    fair = JobFair(title="春风行动专场招聘会", region_code="371302", date=posting.created_at.date())
    db_session.add(fair)
    db_session.commit()
    grad_user, grad = _applicant(db_session, make_user, posting, "钱毕业", "13900000001", groups=["graduate"])
    _applicant(db_session, make_user, posting, "孙招聘", "13900000002", origin=ApplicationOrigin.FAIR,
               origin_ref=f"fair:{fair.id}")
    _applicant(db_session, make_user, posting, "李邀请", "13900000003", origin=ApplicationOrigin.INVITATION,
               origin_ref="invitation:1", status=ApplicationStatus.INTERVIEW)
    sign_in(ent)
    html = client.get(f"/enterprise/postings/{posting.id}/applicants").get_data(as_text=True)
    assert "全部 3" in html and "已查看 2" in html and "邀请面试 1" in html and "已投递 0" in html  # as now
    assert "招聘会“春风行动专场招聘会”" in html and ">邀请<" in html and ">搜索<" in html
    assert "一次性扩岗补助" in html and "1500 元" in html  # the graduate brings the hint, once
    assert html.count("一次性扩岗补助") == 1
    # seen = viewed, and the person is told
    db_session.expire_all()
    assert db_session.get(Application, grad.id).status == ApplicationStatus.VIEWED
    (note,) = _notes_for(db_session, grad_user.id)
    assert note.kind == NotificationKind.APPLICATION and note.title == "您投递的“电焊工”岗位：已查看"
    # a filter shows one stage only
    html = client.get(f"/enterprise/postings/{posting.id}/applicants?stage=interview").get_data(as_text=True)
    assert "李邀请" in html and "钱毕业" not in html


def test_move_notifies_and_decline_needs_a_reason(client, make_user, sign_in, make_posting, db_session):
    ent = make_user("enterprise")
    posting = make_posting("叉车司机", enterprise_id=ent.enterprise_id)
    user, app = _applicant(db_session, make_user, posting, "周叉车", "13900000011")
    sign_in(ent)
    url = f"/enterprise/applications/{app.id}/status"
    assert client.post(url, data={"status": "interview"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == ApplicationStatus.INTERVIEW
    assert _notes_for(db_session, user.id)[-1].title == "您投递的“叉车司机”岗位：邀请面试"
    # declined without a reason: refused, nothing changes, nobody told
    resp = client.post(url, data={"status": "declined"}, follow_redirects=True)
    assert "设为“未通过”时请选择原因" in resp.get_data(as_text=True)
    resp = client.post(url, data={"status": "declined", "reason": "other"}, follow_redirects=True)
    assert "选择“其他原因”时请写明原因" in resp.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == ApplicationStatus.INTERVIEW
    assert len(_notes_for(db_session, user.id)) == 1
    assert client.post(url, data={"status": "declined", "reason": "position_filled",
                                  "reason_note": "名额已满，下批优先"}).status_code == 302
    db_session.expire_all()
    moved = db_session.get(Application, app.id)
    assert (moved.status, moved.rejection_reason, moved.rejection_note) == ("declined", "position_filled",
                                                                             "名额已满，下批优先")
    last = _notes_for(db_session, user.id)[-1]
    assert last.title.endswith("未通过") and "岗位已招满" in last.body and "名额已满" not in last.body
    # the jobseeker's applications page says why, in words
    sign_in(user)
    mine = client.get("/me/applications").get_data(as_text=True)
    assert "未通过原因：岗位已招满" in mine
    # an enterprise cannot set "new" or the jobseeker's "withdrawn"
    sign_in(ent)
    resp = client.post(url, data={"status": "withdrawn"}, follow_redirects=True)
    assert "用人单位不能把投递设为该状态" in resp.get_data(as_text=True)


def test_bulk_move_all_or_none(client, make_user, sign_in, make_posting, db_session):
    ent = make_user("enterprise")
    posting = make_posting("普工", enterprise_id=ent.enterprise_id)
    people = [_applicant(db_session, make_user, posting, f"吴普工{i}", f"1390000002{i}") for i in range(3)]
    _, withdrawn = _applicant(db_session, make_user, posting, "郑撤回", "13900000029",
                              status=ApplicationStatus.WITHDRAWN)
    other = make_user("enterprise")
    foreign_posting = make_posting("保洁", enterprise_id=other.enterprise_id)
    _, foreign = _applicant(db_session, make_user, foreign_posting, "王别家", "13900000030")
    sign_in(ent)
    ids = [a.id for _, a in people[:2]] + [withdrawn.id]
    resp = client.post("/enterprise/applications/move", data={"application_ids": ids, "status": "interview"},
                       follow_redirects=True)
    assert "已把 2 份投递移到“邀请面试”" in resp.get_data(as_text=True) and "1 份未变" in resp.get_data(as_text=True)
    db_session.expire_all()
    assert [db_session.get(Application, i).status for i in ids] == ["interview", "interview", "withdrawn"]
    for user, _ in people[:2]:
        assert _notes_for(db_session, user.id)[-1].title.endswith("邀请面试")
    # the unticked one was only seen (the page after the move lists it), never moved
    assert [n.title[-3:] for n in _notes_for(db_session, people[2][0].id)] == ["已查看"]
    # bulk decline needs the reason too
    resp = client.post("/enterprise/applications/move", data={"application_ids": ids[:2], "status": "declined"},
                       follow_redirects=True)
    assert "请选择原因" in resp.get_data(as_text=True)
    # one foreign application in the batch: refused, none of them moves
    resp = client.post("/enterprise/applications/move",
                       data={"application_ids": [people[2][1].id, foreign.id], "status": "offer"})
    assert resp.status_code == 403
    db_session.expire_all()
    assert db_session.get(Application, people[2][1].id).status == ApplicationStatus.VIEWED
    assert db_session.get(Application, foreign.id).status == ApplicationStatus.SUBMITTED
    resp = client.post("/enterprise/applications/move", data={"status": "offer"}, follow_redirects=True)
    assert "请先勾选要处理的投递" in resp.get_data(as_text=True)


def test_notes_are_the_enterprises_own(client, make_user, sign_in, make_posting, db_session):
    ent = make_user("enterprise")
    posting = make_posting("厨师", enterprise_id=ent.enterprise_id)
    user, app = _applicant(db_session, make_user, posting, "冯厨师", "13900000041")
    sign_in(ent)
    url = f"/enterprise/applications/{app.id}/notes"
    resp = client.post(url, data={"body": "  "}, follow_redirects=True)
    assert "请填写备注内容" in resp.get_data(as_text=True)
    client.post(url, data={"body": "周三上午面试，带好健康证"})
    html = client.get("/enterprise/applicants").get_data(as_text=True)
    assert "周三上午面试，带好健康证" in html and "本单位备注（1）" in html
    assert db_session.scalar(select(func.count()).select_from(ApplicationNote)) == 1
    sign_in(make_user("enterprise"))  # another enterprise: refused, nothing written or shown
    assert client.post(url, data={"body": "别家的备注"}).status_code == 403
    assert "周三上午面试" not in client.get("/enterprise/applicants").get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ApplicationNote)) == 1
    sign_in(user)  # the jobseeker never sees the notes
    assert "周三上午面试" not in client.get("/me/applications").get_data(as_text=True)


def test_other_roles_and_enterprises_are_refused(client, make_user, sign_in, make_posting, db_session):
    ent = make_user("enterprise")
    posting = make_posting("保安员", enterprise_id=ent.enterprise_id)
    _, app = _applicant(db_session, make_user, posting, "陈保安", "13900000051")
    sign_in(make_user("enterprise"))
    assert client.get(f"/enterprise/postings/{posting.id}/applicants").status_code == 403
    assert client.post(f"/enterprise/applications/{app.id}/status", data={"status": "hired"}).status_code == 403
    assert "陈保安" not in client.get("/enterprise/applicants").get_data(as_text=True)
    for role in ("jobseeker", "commissioner", "reviewer", "admin"):
        sign_in(make_user(role))
        assert client.post("/enterprise/applications/move",
                           data={"application_ids": [app.id], "status": "hired"}).status_code == 403
    db_session.expire_all()
    assert db_session.get(Application, app.id).status == ApplicationStatus.SUBMITTED


def test_admin_edits_subsidy_hints_and_enterprises_read_them(client, make_user, sign_in, make_posting, db_session):
    from core.audit.models import AuditEvent

    admin = make_user("admin")
    sign_in(admin)
    page = client.get("/admin/subsidies").get_data(as_text=True)
    assert "一次性扩岗补助" in page and "每人 1500 元" in page
    resp = client.post("/admin/subsidies", data={
        "code": "job_expansion_graduate", "name": "一次性扩岗补助", "groups": ["graduate"],
        "hint": "录用高校毕业生可申请一次性扩岗补助，每人 1800 元（以当地人社部门公布为准）。", "active": "1"},
        follow_redirects=True)
    assert "已保存“一次性扩岗补助”" in resp.get_data(as_text=True)
    resp = client.post("/admin/subsidies", data={"code": "", "name": "见习补贴", "groups": [], "hint": "x"},
                       follow_redirects=True)
    assert "请至少选择一类重点群体" in resp.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.subject_type == "subsidy_rule")) == 1
    ent = make_user("enterprise")
    posting = make_posting("文员", enterprise_id=ent.enterprise_id, employment_type="part_time")
    _applicant(db_session, make_user, posting, "钱毕业", "13900000061", groups=["graduate"])
    sign_in(ent)
    html = client.get("/enterprise/applicants").get_data(as_text=True)
    assert "每人 1800 元" in html
    assert client.get("/admin/subsidies").status_code == 403
    assert client.post("/admin/subsidies", data={"code": "", "name": "x", "groups": ["graduate"],
                                                 "hint": "y"}).status_code == 403
