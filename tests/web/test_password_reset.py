"""Password reset over HTTP: jobseekers and enterprises with a one-time code (single use, expiring,
a few guesses at most), an admin's reset of any account (audited, temporary password replaced at the
next sign-in); both end every other session; neither tells whether an account exists; throttled per
client address and per named account. Also the large-text display preference."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.accounts.models import PasswordResetCode, User
from core.accounts.services import verify_password
from core.audit.models import AuditEvent
from core.notifications.models import Notification, NotificationDelivery

from ..conftest import TEST_PASSWORD

NEW_PASSWORD = "Yun-Tai-Shan-Xia-Cha-2027"
PHONE = "13911112222"


def _signed_in(app, username: str, password: str = TEST_PASSWORD):
    c = app.test_client()
    assert c.post("/login", data={"username": username, "password": password}).status_code == 302
    return c


def _is_signed_in(c) -> bool:
    resp = c.get("/account/password")
    return resp.status_code == 200


def _seeker(make_user, db_session, phone: str = PHONE) -> User:
    from flask import current_app

    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher

    user = make_user("jobseeker")
    with current_app.test_request_context():
        create_jobseeker(db_session, cipher(), user_id=user.id, name="李四", phone=phone, region_code="440106")
    db_session.commit()
    return user


def _texts(db_session, user_id: int) -> list[str]:
    db_session.expire_all()
    return [d.body for d in db_session.scalars(select(NotificationDelivery).where(NotificationDelivery.user_id == user_id)
                                               .order_by(NotificationDelivery.id))]


def _inbox_code(db_session, user_id: int) -> str:
    db_session.expire_all()
    bodies = list(db_session.scalars(select(Notification.body).where(Notification.user_id == user_id,
                                                                    Notification.kind == "account")
                                     .order_by(Notification.id)))
    return re.search(r"验证码是 (\d{6})", bodies[-1]).group(1)


def _reset(client, account: str, code: str, password: str = NEW_PASSWORD):
    return client.post("/password/reset", data={"account": account, "code": code, "new_password": password,
                                                "new_password_confirm": password})


def test_jobseeker_resets_by_phone_code_once_and_other_sessions_end(app, db_session, make_user):
    user = _seeker(make_user, db_session)
    laptop = _signed_in(app, user.username)
    client = app.test_client()
    resp = client.post("/password/forgot", data={"account": "139 1111 2222"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/password/reset")
    [sms] = _texts(db_session, user.id)
    code = re.search(r"验证码是 (\d{6})", sms).group(1)
    assert db_session.scalar(select(NotificationDelivery.address).where(NotificationDelivery.user_id == user.id)) == PHONE
    stored = db_session.scalar(select(PasswordResetCode).where(PasswordResetCode.user_id == user.id))
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # only a keyed hash is kept
    page = client.get("/password/reset").get_data(as_text=True)
    assert 'value="13911112222"' in page  # the account carried over from the first step
    assert _reset(client, PHONE, code).status_code == 302
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert not _is_signed_in(laptop)  # the session from before the reset ended
    assert _signed_in(app, user.username, NEW_PASSWORD)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "password_reset",
                                                       AuditEvent.subject_id == user.id))
    assert event.actor_user_id == user.id and event.fields == ["password"] and NEW_PASSWORD not in event.purpose
    # the code works once
    again = _reset(app.test_client(), PHONE, code, "Bai-Lu-Qiu-Feng-He-2028")
    assert again.status_code == 400 and "验证码不正确或已过期" in again.get_data(as_text=True)
    db_session.expire_all()
    assert verify_password(db_session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_enterprise_resets_by_the_contact_mobile_given_at_registration(app, db_session, credit_code):
    client = app.test_client()
    resp = client.post("/register/enterprise", data={
        "username": "shunda_hr_2026", "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD,
        "contact_name": "王经理", "contact_phone": "139-0000-1234", "enterprise_name": "临沂顺达物流有限公司",
        "credit_code": credit_code(), "region_code": "371302"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    user = db_session.scalar(select(User).where(User.username == "shunda_hr_2026"))
    assert user.recovery_phone == "13900001234"
    assert client.post("/logout").status_code == 302
    assert client.post("/password/forgot", data={"account": "13900001234"}).status_code == 302
    [sms] = _texts(db_session, user.id)
    assert db_session.scalar(select(NotificationDelivery.address).where(NotificationDelivery.user_id == user.id)) == "13900001234"
    code = re.search(r"验证码是 (\d{6})", sms).group(1)
    assert _reset(client, "13900001234", code).status_code == 302
    assert _signed_in(app, user.username, NEW_PASSWORD)


def test_an_enterprise_mobile_is_checked_and_optional(app, db_session, credit_code):
    data = {"username": "kangda_hr_2026", "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD,
            "enterprise_name": "临沂康达机械有限公司", "credit_code": credit_code(), "region_code": "371302"}
    resp = app.test_client().post("/register/enterprise", data={**data, "contact_phone": "1234"})
    assert resp.status_code == 400 and "手机号码应为以1开头的11位数字" in resp.get_data(as_text=True)
    assert app.test_client().post("/register/enterprise", data=data).status_code == 302
    user = db_session.scalar(select(User).where(User.username == "kangda_hr_2026"))
    assert user.recovery_phone is None
    # no number on the account: no text goes out (the answer is the same); the inbox keeps the record
    assert app.test_client().post("/password/forgot", data={"account": user.username}).status_code == 302
    assert _texts(db_session, user.id) == []
    assert re.fullmatch(r"\d{6}", _inbox_code(db_session, user.id))


def test_answers_never_tell_whether_an_account_exists(app, db_session, make_user):
    seeker = _seeker(make_user, db_session)
    staff = make_user("reviewer")
    answers = []
    for account in (seeker.username, "no_such_person_2026", "13900000000", staff.username):
        c = app.test_client()
        resp = c.post("/password/forgot", data={"account": account})
        page = c.get(resp.headers["Location"]).get_data(as_text=True)
        answers.append((resp.status_code, resp.headers["Location"], re.sub(r'value="[^"]*"', "", page)))
    assert len(set(answers)) == 1
    db_session.expire_all()
    # a code went to the jobseeker only; staff reset through an admin
    assert db_session.scalar(select(PasswordResetCode.user_id)) == seeker.id
    assert not db_session.scalars(select(PasswordResetCode).where(PasswordResetCode.user_id == staff.id)).all()
    wrong = [_reset(app.test_client(), account, "123456") for account in (seeker.username, "no_such_person_2026")]
    assert [r.status_code for r in wrong] == [400, 400]
    assert len({re.sub(r'value="[^"]*"', "", r.get_data(as_text=True)) for r in wrong}) == 1


def test_a_code_stops_working_after_five_wrong_guesses_or_when_expired(app, db_session, make_user):
    user = _seeker(make_user, db_session)
    client = app.test_client()
    client.post("/password/forgot", data={"account": user.username})
    code = re.search(r"(\d{6})", _texts(db_session, user.id)[-1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    assert [_reset(client, user.username, wrong).status_code for _ in range(5)] == [400] * 5
    assert _reset(client, user.username, code).status_code == 400  # right code, too late
    client.post("/password/forgot", data={"account": user.username})  # a new code replaces it
    fresh = re.search(r"(\d{6})", _texts(db_session, user.id)[-1]).group(1)
    row = db_session.scalars(select(PasswordResetCode).order_by(PasswordResetCode.id.desc())).first()
    row.expires_at = dt.datetime(2020, 1, 1)
    db_session.commit()
    assert _reset(client, user.username, fresh).status_code == 400
    db_session.expire_all()
    assert verify_password(db_session.get(User, user.id).password_hash, TEST_PASSWORD)


def test_a_new_code_replaces_the_earlier_one(app, db_session, make_user):
    user = _seeker(make_user, db_session)
    client = app.test_client()
    client.post("/password/forgot", data={"account": user.username})
    client.post("/password/forgot", data={"account": user.username})
    first, second = (re.search(r"(\d{6})", t).group(1) for t in _texts(db_session, user.id))
    if first != second:
        assert _reset(client, user.username, first).status_code == 400
    assert _reset(client, user.username, second).status_code == 302


def test_weak_new_password_keeps_the_code(app, db_session, make_user):
    user = _seeker(make_user, db_session)
    client = app.test_client()
    client.post("/password/forgot", data={"account": user.username})
    code = re.search(r"(\d{6})", _texts(db_session, user.id)[-1]).group(1)
    resp = _reset(client, user.username, code, "123456789012")
    assert resp.status_code == 400 and 'aria-invalid="true"' in resp.get_data(as_text=True)
    assert _reset(client, user.username, code).status_code == 302


def test_admin_resets_any_account_audited_and_the_person_must_change_it(app, db_session, make_user):
    admin = make_user("admin")
    target = _seeker(make_user, db_session)
    phone = _signed_in(app, target.username)
    admin_client = _signed_in(app, admin.username)
    resp = admin_client.post("/admin/users/password", data={"username": target.username})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temp-password">([^<]+)<', resp.get_data(as_text=True)).group(1)
    assert not _is_signed_in(phone)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "password_reset",
                                                       AuditEvent.subject_id == target.id))
    assert event.actor_user_id == admin.id and event.actor_role == "admin" and event.subject_type == "user"
    assert db_session.scalar(select(Notification.title).where(Notification.user_id == target.id)) == "您的密码已由管理员重置"
    # the temporary password opens only the page that replaces it
    person = _signed_in(app, target.username, temporary)
    for path in ("/me/profile", "/"):
        moved = person.get(path)
        assert moved.status_code == 302 and moved.headers["Location"].endswith("/account/password")
    assert person.get("/api/v1/search?q=x").status_code == 403
    assert "管理员给您的临时密码" in person.get("/account/password").get_data(as_text=True)
    assert person.post("/account/password", data={"current_password": temporary, "new_password": NEW_PASSWORD,
                                                  "new_password_confirm": NEW_PASSWORD}).status_code == 302
    assert person.get("/me/profile").status_code == 200
    db_session.expire_all()
    assert db_session.get(User, target.id).must_change_password is False


def test_admin_reset_refusals(app, db_session, make_user):
    admin = make_user("admin")
    c = _signed_in(app, admin.username)
    assert c.post("/admin/users/password", data={"username": "no_such_person_2026"}).status_code == 302
    assert c.post("/admin/users/password", data={"username": admin.username}).status_code == 302  # own: 修改密码
    db_session.expire_all()
    assert not db_session.get(User, admin.id).must_change_password
    other = make_user("commissioner")
    commissioner = _signed_in(app, other.username)
    assert commissioner.post("/admin/users/password", data={"username": admin.username}).status_code == 403


def _limited_app(tmp_path, **limits):
    from core.accounts.services import create_user
    from core.all_models import metadata
    from webapp import create_app
    from webapp.extensions import db

    from ..conftest import TEST_KEYS

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'reset.db'}",
                      "INSTANCE_PATH": str(tmp_path), "SEARCH_BACKEND": "null", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **TEST_KEYS, **limits})
    with app.app_context():
        metadata.create_all(db.engine)
        for name in ("zhangsan2026", "lisi2026"):
            create_user(db.session, username=name, password=TEST_PASSWORD, role="jobseeker")
        db.session.commit()
    return app


def _ask(client, account: str, peer: str, path: str = "/password/forgot") -> int:
    return client.post(path, data={"account": account, "code": "123456"}, environ_base={"REMOTE_ADDR": peer}).status_code


def test_requests_are_throttled_per_account_and_per_address(tmp_path, limiter_guard):
    app = _limited_app(tmp_path, PASSWORD_RESET_TARGET_RATE_LIMIT="2 per minute", PASSWORD_RESET_RATE_LIMIT="4 per minute")
    c = app.test_client()
    # one account named from three addresses: its own budget runs out (the same answer for a missing one)
    assert [_ask(c, "zhangsan2026", f"10.0.0.{i}") for i in (1, 2, 3)] == [302, 302, 429]
    assert [_ask(c, "nobody_here_2026", f"10.0.1.{i}") for i in (1, 2, 3)] == [302, 302, 429]
    # guessing codes draws on the same budgets
    assert _ask(c, "zhangsan2026", "10.0.0.9", "/password/reset") == 429
    # one address naming ever new accounts: the address's budget runs out
    assert [_ask(c, f"someone{i}_2026", "10.0.2.1") for i in range(5)] == [302, 302, 302, 302, 429]
    assert _ask(c, "lisi2026", "10.0.3.1") == 302


# --- 大字模式 -----------------------------------------------------------------------------------------

def test_large_text_is_remembered_per_browser_and_per_person(app, db_session, make_user):
    anonymous = app.test_client()
    assert 'class="large-text"' not in anonymous.get("/login").get_data(as_text=True)
    resp = anonymous.post("/display?large_text=1&next=/login")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert 'class="large-text"' in anonymous.get("/login").get_data(as_text=True)
    assert 'class="large-text"' not in app.test_client().get("/login").get_data(as_text=True)  # another browser
    assert anonymous.post("/display?large_text=1&next=https://evil.example/").headers["Location"] == "/"

    user = make_user("jobseeker")
    phone = _signed_in(app, user.username)
    assert 'class="large-text"' not in phone.get("/").get_data(as_text=True)
    phone.post("/display?large_text=1&next=/")
    db_session.expire_all()
    assert db_session.get(User, user.id).large_text is True
    laptop = _signed_in(app, user.username)  # another device of the same person
    assert 'class="large-text"' in laptop.get("/").get_data(as_text=True)
    laptop.post("/display?large_text=0&next=/")
    assert 'class="large-text"' not in phone.get("/").get_data(as_text=True)
