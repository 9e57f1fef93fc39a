"""The inbox every domain writes to: one row per account, newest first, read state per person."""
from __future__ import annotations

import pytest

from core.enums import NotificationKind
from core.errors import NotFound
from core.notifications.services import inbox, mark_all_read, mark_read, notify, notify_many, unread_count


def test_notify_puts_a_message_in_that_persons_inbox_only(db_session, make_user):
    wang = make_user(role="jobseeker")
    li = make_user(role="jobseeker")
    notify(db_session, user_id=wang.id, kind=NotificationKind.APPLICATION, title="您的投递已被查看", link="/me/applications")
    notify(db_session, user_id=wang.id, kind="alert", title="有 3 个新岗位符合您保存的搜索")

    titles = [n.title for n in inbox(db_session, wang.id)]
    assert titles == ["有 3 个新岗位符合您保存的搜索", "您的投递已被查看"]
    assert inbox(db_session, li.id) == []
    assert unread_count(db_session, wang.id) == 2


def test_an_unknown_kind_is_refused(db_session, make_user):
    user = make_user(role="jobseeker")
    with pytest.raises(ValueError):
        notify(db_session, user_id=user.id, kind="spam", title="x")


def test_reading_is_per_person_and_another_persons_message_is_not_found(db_session, make_user):
    wang = make_user(role="jobseeker")
    li = make_user(role="jobseeker")
    first = notify(db_session, user_id=wang.id, kind="posting", title="您投递的岗位已招满")
    notify(db_session, user_id=wang.id, kind="posting", title="您投递的岗位已下架")

    with pytest.raises(NotFound):
        mark_read(db_session, user_id=li.id, notification_id=first.id)
    mark_read(db_session, user_id=wang.id, notification_id=first.id)
    assert unread_count(db_session, wang.id) == 1
    assert mark_all_read(db_session, user_id=wang.id) == 1
    assert unread_count(db_session, wang.id) == 0


def test_notify_many_sends_once_per_account(db_session, make_user):
    a, b = make_user(role="jobseeker"), make_user(role="enterprise")
    sent = notify_many(db_session, [a.id, b.id, a.id], kind="fair", title="招聘会已取消")
    assert sent == 2
    assert unread_count(db_session, a.id) == 1 and unread_count(db_session, b.id) == 1
