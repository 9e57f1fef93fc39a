"""Region typeahead API (GET /api/v1/regions/suggest) over the real reference data, and the forms
that carry the typeahead attribute and script."""
from __future__ import annotations

import re

import pytest

URL = "/api/v1/regions/suggest"


def _get(client, **params):
    return client.get(URL, query_string=params)


def test_lanshan_puts_linyi_lanshan_first(client):
    resp = _get(client, q="兰山", limit=10)
    assert resp.status_code == 200
    rows = resp.get_json()
    assert rows[0] == {"code": "371302", "name": "兰山区", "full_name": "山东省临沂市兰山区", "level": 3}


def test_full_name_finds_itself_first(client):
    rows = _get(client, q="山东省临沂市兰山区").get_json()
    assert rows[0]["code"] == "371302"


def test_same_named_districts_are_told_apart_by_full_name(client):
    rows = _get(client, q="鼓楼").get_json()
    gulou = [r for r in rows if r["name"] == "鼓楼区"]
    assert len(gulou) >= 3
    assert len({r["full_name"] for r in gulou}) == len(gulou)  # each one distinguishable
    assert {"江苏省南京市鼓楼区", "福建省福州市鼓楼区"} <= {r["full_name"] for r in gulou}
    assert rows[:len(gulou)] == gulou  # the exact-name hits come before anything merely containing 鼓楼


def test_code_prefix_lists_linyi_and_its_counties(client):
    rows = _get(client, q="3713", limit=20).get_json()
    assert rows and all(r["code"].startswith("3713") for r in rows)
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    assert "371302" in codes and "371311" in codes  # 兰山区, 罗庄区
    assert all(r["full_name"].startswith("山东省临沂市") for r in rows)
    assert sum(r["level"] == 3 for r in rows) >= 10


def test_county_before_province_for_the_same_text(client):
    rows = _get(client, q="吉林").get_json()
    codes = [r["code"] for r in rows]
    assert codes.index("220200") < codes.index("220000")  # 吉林市 before 吉林省


def test_exact_before_prefix_before_substring(client):
    rows = _get(client, q="山东", limit=5).get_json()
    assert rows[0]["code"] == "370000"  # the province by (short) name, then its cities by full name
    assert all(r["full_name"].startswith("山东省") for r in rows)


def test_limit_is_respected(client):
    assert len(_get(client, q="3713", limit=3).get_json()) == 3
    assert len(_get(client, q="区").get_json()) == 10  # default


def test_unknown_text_gives_empty_list(client):
    resp = _get(client, q="不存在的地方名")
    assert resp.status_code == 200 and resp.get_json() == []


@pytest.mark.parametrize("params, field", [
    ({"q": ""}, "q"),
    ({}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "兰" * 51}, "q"),
    ({"q": "兰山", "limit": "0"}, "limit"),
    ({"q": "兰山", "limit": "21"}, "limit"),
    ({"q": "兰山", "limit": "十"}, "limit"),
])
def test_bad_input_is_400_naming_the_field(client, params, field):
    resp = client.get(URL, query_string=params)
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["field"] == field
    assert field in err["message"] and re.search(r"[\u4e00-\u9fff]", err["message"])


def test_public_without_login(client):
    resp = _get(client, q="兰山")
    assert resp.status_code == 200  # nobody signed in


def test_rate_limited_with_headers(app_factory, tmp_path):
    from core.all_models import metadata
    from core.reference.services import load_reference_data
    from webapp.extensions import db, limiter

    saved = limiter.enabled
    try:
        app = app_factory(f"sqlite:///{tmp_path / 'rl.db'}", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
        with app.app_context():
            metadata.create_all(db.engine)
            load_reference_data(db.session)
            db.session.commit()
        client = app.test_client()
        first = client.get(URL, query_string={"q": "兰山"})
        second = client.get(URL, query_string={"q": "兰山"})
        assert first.status_code == 200
        assert first.headers["X-RateLimit-Limit"] == "300"
        assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1
    finally:
        limiter.enabled = saved
        try:
            limiter.reset()
        except Exception:
            pass
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_profile_form_carries_the_typeahead(client, login_as):
    login_as("jobseeker")
    html = client.get("/me/profile/edit").get_data(as_text=True)
    assert re.search(r'<input id="f-region_code"[^>]*data-region-typeahead', html)
    assert re.search(r'<input id="f-desired_regions"[^>]*data-region-typeahead="multi"', html)
    m = re.search(r'<script src="([^"]*region-typeahead\.js)"[^>]*data-suggest-url="([^"]+)"[^>]*defer', html)
    assert m and m.group(2) == URL
    with client.get(m.group(1)) as script:  # a static file answers with an open file: close it
        assert script.status_code == 200
