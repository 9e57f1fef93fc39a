"""The inbox page: my messages only, newest first, opening one marks it read and follows its link
inside JobLink, the menu's unread count and its JSON."""
from __future__ import annotations

from core.notifications.services import notify, unread_count


def test_inbox_lists_my_messages_and_the_menu_counts_the_unread(client, login_as, make_user, db_session):
    me = login_as("jobseeker")
    other = make_user("jobseeker")
    notify(db_session, user_id=me.id, kind="application", title="您投递的“电焊工”已被查看", link="/me/applications")
    notify(db_session, user_id=me.id, kind="alert", title="您订阅的“焊工”有2个新岗位", body="电焊工、焊工学徒")
    notify(db_session, user_id=other.id, kind="alert", title="别人的消息")
    db_session.commit()

    page = client.get("/me/inbox").get_data(as_text=True)
    assert "您投递的“电焊工”已被查看" in page and "电焊工、焊工学徒" in page and "别人的消息" not in page
    assert page.index("有2个新岗位") < page.index("已被查看")  # newest first
    assert "2 条未读" in page and 'aria-label="消息，2 条未读"' in page
    assert "岗位订阅" in page and "投递进展" in page  # kinds in words, not codes
    assert client.get("/api/v1/me/inbox/unread").get_json()["unread"] == 2


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, login_as, db_session):
    me = login_as("jobseeker")
    note = notify(db_session, user_id=me.id, kind="application", title="已查看", link="/me/applications")
    outside = notify(db_session, user_id=me.id, kind="application", title="外链", link="//evil.example.com/x")
    db_session.commit()

    resp = client.post(f"/me/inbox/{note.id}/read", data={"open": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/applications")
    assert unread_count(db_session, me.id) == 1
    resp = client.post(f"/me/inbox/{outside.id}/read", data={"open": "1"})
    assert resp.headers["Location"].endswith("/me/inbox")  # never another site
    assert unread_count(db_session, me.id) == 0


def test_another_persons_message_cannot_be_touched_and_read_all_is_mine_only(client, login_as, make_user, db_session):
    other = make_user("enterprise")
    theirs = notify(db_session, user_id=other.id, kind="task", title="别人的待办")
    db_session.commit()
    me = login_as("enterprise")  # every role has an inbox
    notify(db_session, user_id=me.id, kind="invitation", title="我的")
    db_session.commit()

    assert client.post(f"/me/inbox/{theirs.id}/read").status_code == 404
    assert client.post("/me/inbox/read-all").status_code == 302
    assert unread_count(db_session, me.id) == 0 and unread_count(db_session, other.id) == 1


def test_signed_out_has_no_inbox(client):
    assert client.get("/me/inbox").status_code in (302, 401)
    assert client.get("/api/v1/me/inbox/unread").status_code == 401


def test_closing_a_posting_tells_the_people_still_waiting(client, make_user, sign_in, make_posting,
                                                         seeker_with_profile, db_session):
    from core.applications.services import apply_to_posting, withdraw_application
    from core.notifications.services import inbox

    employer = make_user("enterprise")
    posting = make_posting("叉车司机", enterprise_id=employer.enterprise_id)
    waiting_user, waiting = seeker_with_profile(phone="13966660001")
    apply_to_posting(db_session, jobseeker_id=waiting.id, posting_id=posting.id)
    client.post("/logout")
    gone_user, gone = seeker_with_profile(phone="13966660002")
    withdrawn = apply_to_posting(db_session, jobseeker_id=gone.id, posting_id=posting.id)
    withdraw_application(db_session, jobseeker_id=gone.id, application_id=withdrawn.id)
    db_session.commit()

    sign_in(employer)
    assert client.post(f"/enterprise/postings/{posting.id}/close", data={"outcome": "filled"}).status_code == 302
    [note] = inbox(db_session, waiting_user.id)
    assert note.kind == "posting" and "叉车司机" in note.title and "已招满" in note.title
    assert note.link == "/me/applications"
    assert inbox(db_session, gone_user.id) == []  # took it back already: nothing to tell


def test_a_group_verification_decision_reaches_the_person(client, login_as, seeker_with_profile, db_session):
    from core.notifications.services import inbox

    user, seeker = seeker_with_profile(phone="13966660003", groups="veteran")
    client.post("/logout")
    if not seeker.groups:  # the profile form may not take groups: declare one directly
        from core.seekers.models import JobseekerGroup

        seeker.groups.append(JobseekerGroup(group="veteran"))
        db_session.commit()
    login_as("commissioner", region_code="371300")
    resp = client.post(f"/commissioner/priority-groups/{seeker.id}/decide",
                       data={"group": "veteran", "decision": "refuse", "note": "退役证明不清晰"})
    assert resp.status_code in (302, 303)
    [note] = inbox(db_session, user.id)
    assert note.kind == "verification" and "退役军人" in note.title and "未通过" in note.title
    assert "退役证明不清晰" in note.body


def test_expiry_tells_the_people_still_waiting(make_posting, seeker_with_profile, db_session):
    import datetime as dt

    from core.applications.services import apply_to_posting
    from core.notifications.services import inbox
    from core.validity.services import expire_postings

    user, seeker = seeker_with_profile(phone="13966660004")
    posting = make_posting("保洁员", valid_until=dt.date(2026, 1, 31))
    apply_to_posting(db_session, jobseeker_id=seeker.id, posting_id=posting.id)
    db_session.commit()
    assert posting.id in expire_postings(db_session, today=dt.date(2026, 2, 1))
    [note] = inbox(db_session, user.id)
    assert "保洁员" in note.title and "有效期" in note.body
