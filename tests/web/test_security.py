"""Security properties over HTTP: CSRF refused when enabled, login rate limit, session cookie flags,
friendly Chinese error pages with no traceback, no open redirect after login."""
from __future__ import annotations

import re

import pytest

from .routes import int_arguments, rule_values

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


def _login_codes(client, forwarded_for: list[str | None], peer: str = "10.0.0.7") -> list[int]:
    codes = []
    for xff in forwarded_for:
        headers = {"X-Forwarded-For": xff} if xff else {}
        resp = client.post("/login", data={"username": "wangwu", "password": "wrong-password-0000"},
                           headers=headers, environ_base={"REMOTE_ADDR": peer})
        codes.append(resp.status_code)
    return codes


def test_forwarded_for_is_ignored_without_trusted_proxies(tmp_path, limiter_guard):
    """A bare server (TRUSTED_PROXIES=0, the default): a client cannot dodge its budget by writing
    X-Forwarded-For itself."""
    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute",
                         RATELIMIT_STORAGE_URI="memory://")
    codes = _login_codes(app.test_client(), ["1.1.1.1", "2.2.2.2", "3.3.3.3"])
    assert codes == [400, 400, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(tmp_path, limiter_guard):
    """Behind one reverse proxy (TRUSTED_PROXIES=1) the city does not share one budget: each client
    address the proxy reports counts separately, and what a client prepends itself is ignored."""
    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute",
                         RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXIES="1")
    client = app.test_client()
    assert _login_codes(client, ["203.0.113.5", "203.0.113.5", "203.0.113.5"]) == [400, 400, 429]
    assert _login_codes(client, ["198.51.100.9", "198.51.100.9"]) == [400, 400]
    # forged left-hand entries: the proxy appended the real address, and that is the one counted
    assert _login_codes(client, ["1.2.3.4, 192.0.2.44", "5.6.7.8, 192.0.2.44", "9.9.9.9, 192.0.2.44"]) == [400, 400, 429]


def test_trusted_proxies_must_be_a_count(tmp_path):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        _dedicated_app(tmp_path, TRUSTED_PROXIES="yes")


def _partner_app(tmp_path, **limits):
    from core.channels.services import create_channel, issue_api_key
    from webapp.extensions import db

    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **limits)
    with app.app_context():
        keys = []
        for code in ("agency-a", "agency-b"):
            keys.append(issue_api_key(db.session, create_channel(db.session, code, f"渠道{code}", "hr_market")))
        db.session.commit()
    return app, keys


def _push(client, key: str, peer: str = "10.0.0.7") -> int:
    return client.post("/api/v1/partner/postings", json={"postings": []}, headers={"X-API-Key": key},
                       environ_base={"REMOTE_ADDR": peer}).status_code


def test_partner_budget_belongs_to_the_verified_channel(tmp_path, limiter_guard):
    """Forged keys — even ones sharing a real key's visible prefix — draw on their address's own
    small budget and never use up the partner's; PARTNER_RATE_LIMIT sets the partner's budget."""
    app, (key_a, key_b) = _partner_app(tmp_path, PARTNER_RATE_LIMIT="3 per minute",
                                       PARTNER_UNVERIFIED_RATE_LIMIT="2 per minute")
    client = app.test_client()
    forged = key_a[:10] + "x" * 30
    assert [_push(client, forged, "192.0.2.66") for _ in range(4)] == [401, 401, 429, 429]
    assert [_push(client, key_a, "192.0.2.66") for _ in range(4)] == [400, 400, 400, 429]  # empty batch: 400
    assert _push(client, key_b, "192.0.2.66") == 400  # another channel keeps its own budget
    assert _push(client, "no-such-key", "192.0.2.77") == 401  # another address, its own unverified budget


def test_ids_beyond_the_database_range_are_404_on_every_route(app, client, login_as):
    """Every ``<int:>`` route, as an admin (who passes every role check): 2^31 and 2^63 name no row."""
    login_as("admin")
    adapter = app.url_map.bind("localhost")
    failures, checked = [], 0
    for rule in app.url_map.iter_rules():
        if not int_arguments(rule):
            continue
        for big in (2**31, 2**63, 10**30):
            url = adapter.build(rule.endpoint, rule_values(rule, big))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                resp = client.open(url, method=method)
                checked += 1
                if resp.status_code != 404:
                    failures.append((method, url, resp.status_code))
    assert checked > 30 and failures == []


def test_json_answers_never_carry_infinity_or_nan(tmp_path):
    import json

    from flask import jsonify

    from webapp.auth.policy import public

    app = _dedicated_app(tmp_path)

    @public
    def not_a_number():
        return jsonify({"pay": float("inf"), "share": float("nan")})

    app.add_url_rule("/api/v1/nan-test", "nan_test", not_a_number)
    resp = app.test_client().get("/api/v1/nan-test")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "Infinity" not in body and "NaN" not in body

    def strict(name):
        raise ValueError(name)

    assert json.loads(body, parse_constant=strict)["error"]["code"] == "internal_error"


@pytest.mark.parametrize("over", [{"pay_min": "inf"}, {"pay_max": "1e309"}, {"pay_min": "nan"},
                                  {"pay_max": "1e308"}, {"pay_unit": "century"}])
def test_enterprise_posting_form_refuses_non_numbers(client, login_as, over):
    login_as("enterprise")
    data = {"title": "焊工", "description": "负责焊接工作，要求持证上岗。", "region_code": "371302",
            "pay_min": "5000", "pay_max": "7000", **over}
    resp = client.post("/enterprise/postings/new", data=data)
    assert resp.status_code == 400, resp.status_code
    assert "服务器出现问题" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_minimum_wage_refuses_non_numbers(client, db_session, login_as, value):
    from core.screening.models import MinimumWage

    login_as("admin")
    before = db_session.get(MinimumWage, "370000")
    before = before.monthly if before else None
    resp = client.post("/review/rules/wages", data={"province_code": "370000", "monthly": value})
    assert resp.status_code == 303
    db_session.expire_all()
    after = db_session.get(MinimumWage, "370000")
    assert (after.monthly if after else None) == before


def test_matching_share_nan_is_not_a_server_error(client, login_as, make_posting):
    posting = make_posting()
    login_as("admin")
    for share in ("nan", "inf", "-inf"):
        resp = client.get(f"/commissioner/matching/postings/{posting.id}?group=veteran&share={share}")
        assert resp.status_code != 500


@pytest.fixture
def partner_key(db_session, make_posting):
    from core.channels.models import Channel
    from core.channels.services import issue_api_key

    posting = make_posting()
    key = issue_api_key(db_session, db_session.get(Channel, posting.channel_id))
    db_session.commit()
    return key


@pytest.mark.parametrize("url", ["/api/v1/partner/postings", "/api/v1/partner/postings/refresh",
                                 "/api/v1/partner/postings/ext-1/refresh"])
@pytest.mark.parametrize("body, code", [
    ("[" * 100_000, "json_too_deep"),
    ('{"postings": [{"external_id": "e1", "title": "\\ud800焊工"}], "items": [{"external_id": "\\udc00"}],'
     ' "valid_until": "\\ud83d"}', "malformed_json"),
    ('{"postings": [{"external_id": "e1", "title": "焊工", "pay_min": NaN}], "valid_until": NaN}', "malformed_json"),
    ('{"postings": [{"external_id": "e1", "title": "焊工", "pay_min": -Infinity}], "valid_until": Infinity}', "malformed_json"),
    ('{"postings": [{"external_id": "e1", "title": "焊工", "pay_min": 1e400}], "valid_until": 1e400}', "malformed_json"),
])
def test_partner_endpoints_refuse_what_json_cannot_carry(client, partner_key, url, body, code):
    resp = client.post(url, data=body, headers={"X-API-Key": partner_key, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == code


def test_registration_is_throttled_per_id_number_from_any_address(tmp_path, limiter_guard, id_number):
    """Guessing whether one person is registered from many addresses still meets one budget per ID
    number; other numbers, and registrations without one, are not held up by it."""
    app = _dedicated_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                         REGISTER_RATE_LIMIT="50 per minute", REGISTER_ID_RATE_LIMIT="2 per hour")
    client = app.test_client()
    target, other = id_number(), id_number()

    def register(number: str, peer: str) -> int:
        data = {"username": "a b", "password": "x", "name": "张三", "phone": "13812345678", "id_number": number}
        return client.post("/register/jobseeker", data=data, environ_base={"REMOTE_ADDR": peer}).status_code

    assert [register(target, f"198.51.100.{i}") for i in range(1, 5)] == [400, 400, 429, 429]
    assert register(" " + target.lower() + " ", "198.51.100.9") == 429  # the same number, written differently
    assert register(other, "198.51.100.1") == 400
    assert register("", "198.51.100.1") == 400


def test_search_api_answers_valid_json_for_non_finite_numbers(client):
    import json

    def strict(name):
        raise ValueError(name)

    for query in ("pay_min=inf", "pay_min=1e308", "lat=nan&lon=1", "radius=inf&lat=30&lon=120", "pay_unit=century"):
        resp = client.get(f"/api/v1/postings/search?{query}")
        assert resp.status_code == 400, query
        json.loads(resp.get_data(as_text=True), parse_constant=strict)
