"""Sessions end on the server: a session cookie saved before signing out (or before a password
change elsewhere) opens nothing when it is replayed."""
from __future__ import annotations

import re

from core.accounts.services import verify_password

PASSWORD = "Zhao-Qian-Sun-Li-2026"
NEW_PASSWORD = "Xin-Mi-Ma-Hong-Qiao-2027"


def _signed_in(app, user):
    c = app.test_client()
    resp = c.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    return c


def _replay(app, cookie):
    """A new browser that carries a copy of ``cookie`` (what an attacker who saved it would send)."""
    c = app.test_client()
    c.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost", path=cookie.path or "/")
    return c


def _is_signed_in(c) -> bool:
    return c.get("/me/profile/edit").status_code == 200


def test_a_saved_cookie_replayed_after_logout_opens_nothing(app, make_user):
    user = make_user("jobseeker")
    c = _signed_in(app, user)
    saved = c.get_cookie("session")
    assert _is_signed_in(c) and _is_signed_in(_replay(app, saved))
    assert c.post("/logout").status_code == 302
    replayed = _replay(app, saved)
    resp = replayed.get("/me/profile")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # signing in again works, with a session the old cookie still does not match
    c2 = _signed_in(app, user)
    assert _is_signed_in(c2) and not _is_signed_in(_replay(app, saved))


def test_password_change_signs_out_the_other_sessions_only(app, db_session, make_user):
    user = make_user("jobseeker")
    phone, laptop = _signed_in(app, user), _signed_in(app, user)
    stolen = laptop.get_cookie("session")
    resp = phone.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "new_password_confirm": NEW_PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert _is_signed_in(phone)  # the session that changed it goes on
    assert not _is_signed_in(laptop) and not _is_signed_in(_replay(app, stolen))
    db_session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD) and not verify_password(user.password_hash, PASSWORD)
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 400
    assert fresh.post("/login", data={"username": user.username, "password": NEW_PASSWORD}).status_code == 302


def test_password_change_needs_the_current_password_and_a_strong_new_one(app, db_session, make_user):
    user = make_user("jobseeker")
    c, other = _signed_in(app, user), _signed_in(app, user)
    cases = [
        ({"current_password": "not-my-password-1", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
         "current_password", "当前密码不正确"),
        ({"current_password": PASSWORD, "new_password": "123456789012", "new_password_confirm": "123456789012"},
         "new_password", "连续或重复"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD + "x"},
         "new_password_confirm", "不一致"),
    ]
    for data, field, message in cases:
        resp = c.post("/account/password", data=data)
        html = resp.get_data(as_text=True)
        shown = re.search(rf'data-field="{field}">([^<]+)<', html)
        assert resp.status_code == 400 and shown and message in shown.group(1), html[:3000]
    db_session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)
    assert _is_signed_in(c) and _is_signed_in(other)  # a refused change ends nothing


def test_a_closed_account_is_signed_out_at_once(app, db_session, make_user):
    user = make_user("jobseeker")
    c = _signed_in(app, user)
    user.is_active = False
    db_session.commit()
    assert not _is_signed_in(c)
