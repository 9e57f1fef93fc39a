"""Security properties over HTTP: CSRF refused when enabled, login rate limit, session cookie flags,
friendly Chinese error pages with no traceback, no open redirect after login."""
from __future__ import annotations

import re

import pytest

TEST_KEYS = {
    "SECRET_KEY": "test-secret-key-not-for-production",
    "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=",
    "JOBLINK_PII_HASH_KEY": "test-hash-key",
}
PASSWORD = "Qing-Shui-He-Pan-2026"


def _dedicated_app(tmp_path, **overrides):
    """A separate SQLite app (schema only, one jobseeker) with some protections switched on."""
    from core.accounts.services import create_user
    from core.all_models import metadata
    from webapp import create_app
    from webapp.extensions import db

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sec.db'}",
              "INSTANCE_PATH": str(tmp_path), "SEARCH_BACKEND": "null", "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, **TEST_KEYS, **overrides}
    app = create_app(config)
    with app.app_context():
        metadata.create_all(db.engine)
        create_user(db.session, username="wangwu", password=PASSWORD, role="jobseeker")
        db.session.commit()
    return app


@pytest.fixture
def limiter_guard():
    """Flask-Limiter keeps ``enabled`` on the shared extension object: restore it after the test so
    the other tests' apps stay unlimited."""
    from webapp.extensions import limiter

    saved = limiter.enabled
    yield
    limiter.enabled = saved
    try:
        limiter.reset()
    except Exception:
        pass


def test_csrf_refused_without_token_and_accepted_with_it(tmp_path):
    app = _dedicated_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/login", data={"username": "wangwu", "password": PASSWORD})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "CSRF" in html and "Traceback" not in html
    resp = client.post("/register/jobseeker", data={"username": "x_user", "password": PASSWORD})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    # a real form carries the token and is accepted
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    resp = client.post("/login", data={"username": "wangwu", "password": PASSWORD, "csrf_token": token.group(1)})
    assert resp.status_code == 302
    # logout is a POST and needs the token too
    assert client.post("/logout").status_code == 400


def test_login_is_rate_limited(tmp_path, limiter_guard):
    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                         RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    codes = [client.post("/login", data={"username": "wangwu", "password": "wrong-password-0000"}).status_code
             for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    resp = client.post("/login", data={"username": "wangwu", "password": PASSWORD})
    assert resp.status_code == 429  # even the right password waits: no guessing at speed
    assert "操作太频繁" in resp.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only attempts are limited


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user("jobseeker")
    resp = client.post("/login", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"})
    assert resp.status_code == 302
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    user = make_user("jobseeker")
    a = client.post("/login", data={"username": user.username, "password": "not-the-password-1"})
    b = client.post("/login", data={"username": "no_such_user_x", "password": "not-the-password-1"})
    assert a.status_code == b.status_code == 400
    assert "用户名或密码不正确" in a.get_data(as_text=True) and "用户名或密码不正确" in b.get_data(as_text=True)


def test_login_next_is_never_an_open_redirect(client, make_user):
    user = make_user("jobseeker")
    resp = client.post("/login?next=https://evil.example/x", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"})
    assert resp.status_code == 302 and "evil.example" not in resp.headers["Location"]
    client.post("/logout")
    resp = client.post("/login?next=/me/profile", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"})
    assert resp.headers["Location"].endswith("/me/profile")


def test_error_pages_are_friendly_chinese(client, login_as):
    resp = client.get("/no/such/page")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "页面找不到了" in html and "返回首页" in html
    assert client.get("/postings/999999999").status_code == 404
    login_as("jobseeker")
    resp = client.get("/admin/channels")
    assert resp.status_code == 403 and "没有访问权限" in resp.get_data(as_text=True)
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_unexpected_error_shows_no_traceback(tmp_path):
    from webapp.auth.policy import public

    app = _dedicated_app(tmp_path)

    @public
    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/boom-test", "boom_test", boom)
    resp = app.test_client().get("/boom-test")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "服务暂时出了点问题" in html
    assert "Traceback" not in html and "secret internal detail" not in html


def test_view_without_declaration_is_refused(tmp_path):
    app = _dedicated_app(tmp_path)
    app.add_url_rule("/undeclared-test", "undeclared_test", lambda: "open")
    assert app.test_client().get("/undeclared-test").status_code == 403


def test_registration_is_rate_limited(tmp_path, limiter_guard):
    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per minute",
                         RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    codes = [client.post("/register/enterprise", data={"username": f"u{i}"}).status_code for i in range(3)]
    assert codes == [400, 400, 429]
