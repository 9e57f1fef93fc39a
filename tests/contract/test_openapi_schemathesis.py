"""The JSON API against its description, docs/openapi.yaml: schemathesis generates requests for every
documented operation (the schema's examples, boundary and negative cases of the coverage phase,
hypothesis fuzzing) and runs all its default checks on every answer — no server error, status code
and content type documented, body valid against the response schema, invalid input refused with a
4xx, valid input not refused, and 405 answers naming the allowed methods in ``Allow``.

Each operation is called as the principal it is for: a partner channel's key for the partner API,
a signed-in enterprise (owner of a posting) for ``…/matches``, a commissioner for
``…/recommendations``; the public endpoints without one. Bounded and reproducible: a fixed seed,
deterministic generation and at most ``MAX_EXAMPLES`` fuzzed requests per operation.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import schemathesis
from flask import g

from core.search import MAX_RESULT_WINDOW

from tests.conftest import TEST_PASSWORD
from tests.web.conftest import matcher, tiny_model_dir  # noqa: F401 (fixtures: the matching API answers 200)

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
MAX_EXAMPLES = 30
SEED = 20261206

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # schemathesis's own list plus 413, the partner API's documented answer to a batch over 1,000 records
    "checks": {"negative_data_rejection": {"expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]}},
})

SEARCH = "/api/v1/postings/search"
# Real values of the search's reference parameters (openapi.yaml: "must name a region or occupation
# the platform knows"); a generated value the platform cannot know is swapped for one of these.
KNOWN = {"region": ("440000", "440300", "440306", "广东省", "深圳", "宝安区"),
         "occupation": ("6", "6-18", "6-18-02", "6-18-02-04", "焊工")}

schema = schemathesis.pytest.from_fixture("api_schema")


def _real_rows(real: dict[str, int]):
    """A ``map_case`` hook: every other request meant as valid that addresses a posting or jobseeker
    by id addresses the one the fixtures made (so the 200 answers are checked too, not only 404s)."""

    def map_case(context, case):
        if case.meta is not None and case.meta.generation.mode.is_positive and case.path_parameters:
            for name, value in case.path_parameters.items():
                if name in real and zlib.crc32(str(value).encode()) % 2 == 0:
                    case.path_parameters[name] = real[name]
        return _search_rules(case)

    return map_case


def _search_rules(case):
    """Requests schemathesis means as valid get the search's rules that a parameter's own schema
    cannot state (see its description in openapi.yaml): known region/occupation, lat and lon
    together, sort=distance only with a place, page × size within the result window. Requests meant
    as invalid are sent as generated."""
    if case.operation.path != SEARCH or case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    query = case.query or {}
    for name, known in KNOWN.items():
        if name in query and query[name] not in known:
            query[name] = known[zlib.crc32(str(query[name]).encode()) % len(known)]
    if ("lat" in query) != ("lon" in query):
        query.pop("lat", None)
        query.pop("lon", None)
    if query.get("sort") == "distance" and "lat" not in query and query.get("near") != "home":
        del query["sort"]
    size = int(str(query.get("size", 20)))
    if int(str(query.get("page", 1))) * size > MAX_RESULT_WINDOW:
        query["page"] = MAX_RESULT_WINDOW // size
    return case


def _signed_in_per_request(app):
    """The app as schemathesis calls it. The test holds one app context open (for ``db_session``)
    and every request reuses it, so Flask-Login's per-request user cache in ``g`` would carry a
    sign-in over to the next request (schemathesis's check that a request without credentials is
    refused would see 200); each request starts without it, as in a real server and conftest's client."""

    def wsgi(environ, start_response):
        g.pop("_login_user", None)
        try:
            return app(environ, start_response)
        finally:
            g.pop("_login_user", None)

    return wsgi


@pytest.fixture
def api_schema(app, principals, matcher):
    loaded = schemathesis.openapi.from_path(DOC, config=CONFIG)
    loaded.app = _signed_in_per_request(app)
    loaded.hook(_real_rows(principals["real"]))
    return loaded


@pytest.fixture
def principals(app, db_session, make_user):
    """What each principal sends: a partner channel's key; the session cookies of a signed-in
    enterprise (with a published posting of its own) and of a commissioner."""
    from core.channels.services import create_channel, issue_api_key
    from core.enums import ChannelKind, PostingStatus
    from core.db import utcnow
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker

    channel = create_channel(db_session, "openapi-partner", "接口测试渠道", ChannelKind.HR_FIRM)
    key = issue_api_key(db_session, channel)
    enterprise_user = make_user("enterprise")
    posting = Posting(title="焊工", description="焊工岗位，持证上岗", enterprise_id=enterprise_user.enterprise_id,
                      channel_id=channel.id, region_code="440106", pay_min=5000, pay_max=7000, pay_unit="month",
                      status=PostingStatus.PUBLISHED, published_at=utcnow())
    seeker = Jobseeker(name="接口测试求职者", region_code="440106", skills=["电焊"], desired_titles=["焊工"],
                       consent_recommendation=True)
    db_session.add_all([posting, seeker])
    db_session.commit()
    commissioner = make_user("commissioner", region_code="440100")

    def session_cookie(user) -> dict[str, str]:
        browser = app.test_client()  # one browser per principal: its session cookie is what gets sent
        resp = browser.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
        cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="localhost")
        return {cookie.key: cookie.value}

    return {"real": {"posting_id": posting.id, "seeker_id": seeker.id},
            "partner": {"headers": {"X-API-Key": key}},
            "enterprise": {"cookies": session_cookie(enterprise_user)},
            "commissioner": {"cookies": session_cookie(commissioner)}}


def _principal(path: str) -> str | None:
    if path.startswith("/api/v1/partner/"):
        return "partner"
    if path.endswith("/matches"):
        return "enterprise"
    if path.endswith("/recommendations"):
        return "commissioner"
    return None


@schema.parametrize()
def test_api_agrees_with_openapi_yaml(case, principals):
    who = _principal(case.path)
    sent = dict(principals[who]) if who else {}
    # A signed-in principal's session cookie goes into the generated case, in place of the value
    # schemathesis made up, so that a negative case without the cookie, and the probes for ignored
    # credentials, really go out signed out (handed to the call from outside, the cookie came back
    # into every one of them).
    cookies = sent.pop("cookies", None)
    if cookies and case.cookies:
        case.cookies.update({name: value for name, value in cookies.items() if name in case.cookies})
    case.call_and_validate(**sent)


# --- what the first runs found, each pinned down on its own ---------------------------------------

def test_a_405_names_the_allowed_methods(client):
    for method, path, allowed in (("delete", "/api/v1/postings/search", {"GET", "HEAD", "OPTIONS"}),
                                  ("get", "/api/v1/partner/postings", {"POST", "OPTIONS"})):
        resp = getattr(client, method)(path)
        assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"
        assert set(resp.headers["Allow"].replace(" ", "").split(",")) == allowed


@pytest.mark.parametrize("k", ["0", "201", "abc", "", "1.5", "٣"])
def test_k_outside_its_range_is_refused_not_clamped(client, principals, k):
    client.set_cookie(*next(iter(principals["enterprise"]["cookies"].items())), domain="localhost")
    resp = client.get(f"/api/v1/postings/1/matches?k={k}")
    assert resp.status_code == 400 and resp.get_json()["error"]["field"] == "k", k


@pytest.mark.parametrize("query, field", [("q=" + " " * 101, "q"), ("type=gig&" * 5, "type"),
                                          ("near=home", "near"), ("pay_unit=", "pay_unit"), ("size=%20", "size")])
def test_search_refuses_what_the_schema_refuses(client, query, field):
    resp = client.get("/api/v1/postings/search?" + query)
    assert resp.status_code in (400, 401) and resp.get_json()["error"]["field"] == field


def test_an_empty_batch_is_refused_as_documented(client, principals):
    for path, name in (("/api/v1/partner/postings", "postings"), ("/api/v1/partner/postings/refresh", "items")):
        resp = client.post(path, json={name: []}, headers=principals["partner"]["headers"])
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "empty_batch"
