"""Job fairs in search over HTTP, both databases, the embedded index and the outbox relay: a fair a
commissioner opens for visitors is found on /search as a 招聘会 block above the posts (and in the API
under ``fairs``) once the relay runs, and is gone once cancelled; 只看招聘会 lists fairs only; words
that do not ask for fairs show no block."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from indexer.worker import Relay, rebuild

FAIR_DATE = dt.date.today() + dt.timedelta(days=6)


@pytest.fixture
def staff(make_user):
    return make_user("commissioner", region_code="371300")


def _open_fair(client, sign_in, staff, **kw) -> int:
    """A commissioner creates a fair and opens it for visitors, through the pages."""
    sign_in(staff)
    data = {"title": "兰山区退役军人专场招聘会", "theme": "veterans", "kind": "onsite", "venue": "兰山区人力资源市场",
            "region_code": "371302", "date": FAIR_DATE.isoformat(), "start_time": "09:00", "end_time": "12:00",
            "booth_capacity": "10", "visitor_capacity": "100", "target_groups": ["veteran"],
            "lat": "35.05", "lon": "118.34"}
    data.update(kw)
    resp = client.post("/fairs/new", data=data)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:600]
    fair_id = int(resp.headers["Location"].rstrip("/").split("/")[-2])
    for _ in range(2):  # 展位报名中, then 求职者报名中
        assert client.post(f"/fairs/{fair_id}/advance").status_code == 303
    client.post("/logout")
    return fair_id


def _block_ids(html: str) -> list[int]:
    if 'id="fair-results"' not in html:
        return []
    return [int(i) for i in re.findall(r'id="fair-hit-(\d+)"', html)]


def test_an_opened_fair_is_found_until_it_is_cancelled(client, db_session, index, sign_in, staff, make_posting):
    make_posting("保安员", description="兰山区小区保安", region_code="371302")
    fair_id = _open_fair(client, sign_in, staff)
    assert _block_ids(client.get("/search?q=招聘会").get_data(as_text=True)) == []  # the relay has not run
    Relay(index).drain(db_session)
    page = client.get("/search?q=招聘会")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _block_ids(html) == [fair_id]
    assert "兰山区退役军人专场招聘会" in html and FAIR_DATE.strftime("%Y年%m月%d日") in html
    assert html.index('id="fair-results"') < html.index('class="result-bar"')  # above the posts
    sign_in(staff)
    assert client.post(f"/fairs/{fair_id}/cancel", data={"reason": "场地检修"}).status_code == 303
    client.post("/logout")
    Relay(index).drain(db_session)
    html = client.get("/search?q=招聘会").get_data(as_text=True)
    assert _block_ids(html) == [] and 'id="no-fairs"' in html


def test_theme_words_region_and_the_api(client, db_session, index, sign_in, staff, make_posting):
    make_posting("保安员", description="兰山区小区保安，退役军人优先", region_code="371302")
    fair_id = _open_fair(client, sign_in, staff)
    other = _open_fair(client, sign_in, staff, title="兰山区高校毕业生双选会", theme="graduates",
                       target_groups=["graduate"])
    Relay(index).drain(db_session)
    rebuild(db_session, index, "postings")
    assert _block_ids(client.get("/search?q=退役军人").get_data(as_text=True)) == [fair_id]
    assert _block_ids(client.get("/search?q=毕业生招聘会").get_data(as_text=True)) == [other]
    assert sorted(_block_ids(client.get("/search?region=371302").get_data(as_text=True))) == sorted([fair_id, other])
    assert _block_ids(client.get("/search?q=电焊工").get_data(as_text=True)) == []  # not about fairs
    assert _block_ids(client.get("/search?q=招聘会&region=440300").get_data(as_text=True)) == []
    data = client.get("/api/v1/postings/search?q=退役军人招聘会").get_json()
    assert [f["id"] for f in data["fairs"]["items"]] == [fair_id] and data["fairs"]["total"] == 1
    item = data["fairs"]["items"][0]
    assert item["date"] == FAIR_DATE.isoformat() and item["url"] == f"/fairs/{fair_id}" and item["kind"] == "onsite"
    assert [p["title"] for p in data["items"]] == ["保安员"]  # the posts are searched without 招聘会
    assert client.get("/api/v1/postings/search?q=保安").get_json()["fairs"] == {"total": 0, "items": []}


def test_fairs_only_near_a_place_with_distances(client, db_session, index, sign_in, staff):
    near = _open_fair(client, sign_in, staff)
    far = _open_fair(client, sign_in, staff, title="河东区综合招聘会", theme="general", target_groups=[],
                     lat="35.09", lon="118.40", date=(FAIR_DATE + dt.timedelta(days=1)).isoformat())
    Relay(index).drain(db_session)
    html = client.get("/search?show=fairs").get_data(as_text=True)
    assert _block_ids(html) == [near, far]  # soonest first
    assert "<strong>只看招聘会</strong>" in html and 'id="results"' not in html  # no posts in this list
    html = client.get("/search?show=fairs&near=point&lat=35.09&lon=118.40&radius=5").get_data(as_text=True)
    assert _block_ids(html) == [far]
    assert "距离 0.0 公里" in html
    html = client.get("/search?show=fairs&near=point&lat=35.09&lon=118.40&radius=20").get_data(as_text=True)
    assert _block_ids(html) == [far, near]  # nearest first
    html = client.get("/search?show=fairs&q=家政招聘会").get_data(as_text=True)
    assert _block_ids(html) == [] and 'id="no-results"' in html
    assert client.get("/search?show=everything").status_code == 400
