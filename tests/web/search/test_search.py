"""The search page and API over the embedded index: results, filters, facets, near me, bad input."""
from __future__ import annotations

import pytest

from core.enums import EmploymentType, PayUnit, PostingStatus
from core.search import SearchError
from indexer.worker import rebuild


@pytest.fixture
def postings(db_session, index, make_posting):
    made = {
        "welder": make_posting("电焊工", description="宝安区钢结构厂招电焊工，包吃住", region_code="440306",
                               pay_monthly_min=7000, pay_monthly_max=9000, lat=22.555, lon=113.883,
                               occupation_code=None),
        "guard": make_posting("保安员", description="兰山区小区夜班保安，退役军人优先", region_code="371302",
                              pay_monthly_min=3500, pay_monthly_max=4500, lat=35.05, lon=118.34,
                              target_groups=["veteran"]),
        "gig": make_posting("搬运工 日结", description="宝安物流园装卸，当天结算", region_code="440306",
                            employment_type=EmploymentType.GIG, pay_min=200, pay_max=260,
                            pay_monthly_min=5200, pay_monthly_max=6760, lat=22.60, lon=113.85),
        "hidden": make_posting("电焊学徒", status=PostingStatus.PENDING_REVIEW, region_code="440306"),
    }
    made["gig"].pay_unit = PayUnit.DAY
    db_session.commit()
    assert rebuild(db_session, index, "postings") == 3
    return made


def api(client, query):
    return client.get("/api/v1/postings/search?" + query)


def test_api_finds_by_synonym_and_links_to_the_posting(client, postings):
    r = api(client, "q=焊工")
    assert r.status_code == 200
    data = r.get_json()
    assert [i["id"] for i in data["items"]] == [postings["welder"].id]
    item = data["items"][0]
    assert item["url"] == f"/postings/{postings['welder'].id}"
    assert "<mark>电焊工</mark>" in item["title_html"]
    assert data["total"] == 1
    assert {"value": "440000", "label": "广东省", "count": 1} in data["facets"]["region"]


@pytest.mark.parametrize("query, expected", [
    ("region=深圳市", ["gig", "welder"]),
    ("region=440306", ["gig", "welder"]),
    ("region=山东省", ["guard"]),
    ("type=gig", ["gig"]),
    ("pay_min=6000", ["welder", "gig"]),
    ("pay_min=250&pay_unit=day", ["gig"]),
    ("group=veteran", ["guard"]),
    ("q=宝安&sort=pay", ["welder", "gig"]),
])
def test_api_filters(client, postings, query, expected):
    data = api(client, query).get_json()
    assert sorted(i["id"] for i in data["items"]) == sorted(postings[k].id for k in expected)


def test_near_a_point_with_distances(client, postings):
    data = api(client, "lat=22.556&lon=113.884&radius=10&sort=distance").get_json()
    assert [i["id"] for i in data["items"]] == [postings["welder"].id, postings["gig"].id]
    assert data["items"][0]["distance_km"] < 0.5 < data["items"][1]["distance_km"] < 10


def test_facets_show_the_level_below_the_region_filter(client, postings):
    data = api(client, "region=440000").get_json()
    assert data["facets"]["region"] == [{"value": "440300", "label": "深圳市", "count": 2}]
    assert {f["value"]: f["count"] for f in data["facets"]["type"]} == {"full_time": 1, "gig": 1}


@pytest.mark.parametrize("query, field", [
    ("page=100000", "page"),
    ("page=abc", "page"),
    ("region=999999", "region"),
    ("region=不存在的地方", "region"),
    ("occupation=9-99-99-99", "occupation"),
    ("q=" + "焊" * 5000, "q"),
    ("region=" + "x" * 10_000, "region"),
    ("q=电工&channel=" + "y" * 10_000, "channel"),
    ("lat=abc&lon=113", "lat"),
    ("lat=95&lon=113", "lat"),
    ("lat=22.5", "lon"),
    ("lat=22.5&lon=113.9&radius=100000", "radius"),
    ("sort=distance", "sort"),
    ("sort=cheapest", "sort"),
    ("type=slavery", "type"),
    ("pay_min=-5", "pay_min"),
    ("size=1000", "size"),
])
def test_bad_queries_are_400_naming_the_field(client, postings, query, field):
    r = api(client, query)
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == field


def test_search_page_lists_results_with_links_and_highlights(client, postings):
    r = client.get("/search?q=电焊工")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'class="posting-link" href="/postings/{postings["welder"].id}"' in html
    assert "<mark>电焊工</mark>" in html
    assert "共找到 <strong>1</strong> 个岗位" in html
    assert "电焊学徒" not in html  # not published


def test_no_results_page_suggests_wider_filters(client, postings):
    r = client.get("/search?q=电焊工&region=371302")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="no-results"' in html
    assert "去掉“山东省临沂市兰山区”" in html
    assert "扩大到上一级地区" in html


def test_search_page_bad_input_is_400_not_500(client, postings):
    r = client.get("/search?lat=north&lon=113")
    assert r.status_code == 400
    assert "lat" in r.get_data(as_text=True)


def test_suggest_titles_and_occupations(client, postings):
    data = client.get("/api/v1/search/suggest?q=保安").get_json()
    assert "保安员" in data["titles"]
    assert any("保安" in o["name"] for o in data["occupations"])
    assert client.get("/api/v1/search/suggest?q=" + "x" * 40).status_code == 400


class BrokenBackend:
    name = "broken"

    def search(self, collection, query):
        query.validate(__import__("core.search", fromlist=["POSTINGS"]).POSTINGS)
        raise SearchError("connection refused")


def test_backend_down_page_falls_back_and_api_says_503(client, postings, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "search", BrokenBackend())
    r = client.get("/search?q=保安员")
    assert r.status_code == 200 and "搜索服务暂时不可用" in r.get_data(as_text=True)
    assert f'href="/postings/{postings["guard"].id}"' in r.get_data(as_text=True)
    r = api(client, "q=保安")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "search_unavailable"


def test_near_home_needs_someone_signed_in(client, postings, login_as):
    r = api(client, "near=home")  # nobody signed in: who is "home"? (openapi.yaml: 401)
    assert r.status_code == 401 and r.get_json()["error"] == {
        "code": "login_required", "field": "near", "message": r.get_json()["error"]["message"]}
    login_as("enterprise")  # signed in, but no home on file: the parameter cannot be served
    r = api(client, "near=home")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "near"


def test_near_home_for_a_signed_in_jobseeker(client, postings, seeker_with_profile):
    seeker_with_profile()  # lives in 371302 (兰山区)
    data = api(client, "near=home&radius=50").get_json()
    assert [i["id"] for i in data["items"]] == [postings["guard"].id]
    assert data["items"][0]["distance_km"] is not None
