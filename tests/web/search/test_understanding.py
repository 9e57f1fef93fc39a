"""The issue's query table (#12) through the search page and API: understood words, relaxation,
corrections and day pay, over the embedded index and the real region directory."""
from __future__ import annotations

import pytest

from core.enums import EmploymentType, PayUnit
from indexer.worker import rebuild


@pytest.fixture
def postings(db_session, index, make_posting):
    made = {
        "guard_gz_night": make_posting("保安员", description="天河区写字楼夜班保安", region_code="440106",
                                       pay_monthly_min=4000, pay_monthly_max=5000),
        "guard_gz_day": make_posting("保安", description="白班巡逻，五险一金", region_code="440106",
                                     pay_monthly_min=4500, pay_monthly_max=5500, welfare_tags=["五险一金", "双休"]),
        "guard_sz": make_posting("安保员", description="宝安机场安保", region_code="440306",
                                 pay_monthly_min=5000, pay_monthly_max=6000),
        "worker_sz": make_posting("普工", description="宝安电子厂流水线，包吃包住", region_code="440306",
                                  pay_monthly_min=5000, pay_monthly_max=7000, welfare_tags=["包吃", "包住"],
                                  lat=22.58, lon=113.91),
        "worker_cs": make_posting("普工", description="长沙工厂操作工", region_code="430102",
                                  pay_monthly_min=4000, pay_monthly_max=6000),
        "gig": make_posting("仓库看守", description="仓库看守380一天，日结", region_code="440306",
                            employment_type=EmploymentType.GIG, pay_min=380, pay_max=380,
                            pay_monthly_min=8265, pay_monthly_max=8265),
        "hourly": make_posting("促销员", description="商场周末促销，25元/小时", region_code="440305",
                               employment_type=EmploymentType.PART_TIME, pay_min=25, pay_max=25,
                               pay_monthly_min=4350, pay_monthly_max=4350),
        "java": make_posting("Java开发工程师", description="Spring 微服务", region_code="440305",
                             pay_monthly_min=15000, pay_monthly_max=25000),
    }
    made["gig"].pay_unit = PayUnit.DAY
    made["hourly"].pay_unit = PayUnit.HOUR
    db_session.commit()
    assert rebuild(db_session, index, "postings") == 8
    return made


def found(client, query: str) -> tuple[list[int], dict]:
    r = client.get("/api/v1/postings/search", query_string={"q": query} if "=" not in query else None) \
        if "=" not in query else client.get("/api/v1/postings/search?" + query)
    assert r.status_code == 200, r.get_data(as_text=True)
    data = r.get_json()
    return [i["id"] for i in data["items"]], data


def ids_of(postings, *names):
    return sorted(postings[n].id for n in names)


def test_filler_words_never_make_a_query_fail(client, postings):
    got, data = found(client, "想找保安工作")
    assert sorted(got) == ids_of(postings, "guard_gz_night", "guard_gz_day", "guard_sz")
    assert data["relaxed"] is False and data["notices"] == []


def test_place_is_a_region_filter_shown_as_a_chip(client, postings):
    got, data = found(client, "深圳 普工")
    assert got == [postings["worker_sz"].id]  # not the 长沙 one
    assert data["understood"] == [{"kind": "place", "source": "深圳", "label": "广东省深圳市"}]
    html = client.get("/search?q=深圳 普工").get_data(as_text=True)
    assert "地区：广东省深圳市 ✕" in html and 'href="/search?q=%E6%99%AE%E5%B7%A5"' in html


def test_exclusion_with_minus_and_in_words(client, postings):
    for q in ("保安 广州 -夜班", "广州保安不要夜班"):
        got, data = found(client, q)
        assert got == [postings["guard_gz_day"].id], q
        assert {"kind": "exclude", "label": "不要“夜班”"}.items() <= data["understood"][-1].items()


def test_gig_chip_word_finds_gig_work_and_shows_day_pay(client, postings):
    got, data = found(client, "零工")
    assert got == [postings["gig"].id]
    assert data["items"][0]["pay"] == "380元/天"
    got, _ = found(client, "type=gig&pay_unit=day&pay_min=200")
    assert got == [postings["gig"].id]
    got, _ = found(client, "type=gig&pay_unit=day&pay_min=400")
    assert got == []


def test_hour_pay_is_filtered_in_its_own_unit(client, postings):
    got, data = found(client, "pay_unit=hour&pay_min=20")
    assert got == [postings["hourly"].id] and data["items"][0]["pay"] == "25元/小时"
    assert data["applied"]["pay_min"]["label"] == "时薪 20 元以上"
    assert found(client, "pay_unit=hour&pay_min=30")[0] == []
    # monthly comparison goes through the declared conversion (25 × 174 = 4,350)
    got, _ = found(client, "pay_min=4300")
    assert postings["hourly"].id in got and postings["gig"].id in got
    assert client.get("/api/v1/postings/search?pay_unit=week&pay_min=1").status_code == 400


def test_benefits_are_welfare_words_full_matches_first(client, postings):
    got, data = found(client, "包吃住 普工")
    # the one holding every word first, then (few results: relaxed) the other 普工 without 包吃住
    assert got == [postings["worker_sz"].id, postings["worker_cs"].id]
    assert data["notices"] == ["完全符合的岗位有 1 个，排在最前面；后面是部分符合的"]
    got, _ = found(client, "保安 五险一金 双休")
    assert got[0] == postings["guard_gz_day"].id


def test_near_home_without_a_home_is_ignored_with_a_note(client, postings):
    got, data = found(client, "找个离家近的工作")
    assert len(got) == 8  # nothing required: the latest postings
    assert any("住址" in n for n in data["notices"])
    html = client.get("/search?q=找个离家近的工作").get_data(as_text=True)
    assert "登录并在档案里填写住址" in html


def test_near_home_for_a_signed_in_jobseeker(client, postings, seeker_with_profile):
    seeker_with_profile(region_code="440306")  # home: 宝安区 (22.57, 113.90)
    got, data = found(client, "找个离家近的普工")
    assert got == [postings["worker_sz"].id]  # the 长沙 普工 is not near
    assert data["notices"] == [] and data["understood"] == [{"kind": "near", "source": "离家近", "label": "离家近"}]
    assert data["items"][0]["distance_km"] < 10


def test_typo_is_corrected_with_did_you_mean(client, postings):
    got, data = found(client, "jvaa")
    assert got == [postings["java"].id] and data["did_you_mean"] == "java"
    assert "您是不是要找“java”" in client.get("/search?q=jvaa").get_data(as_text=True)
    got, data = found(client, "baoan")
    assert postings["guard_gz_day"].id in got and data["did_you_mean"] == "保安"


def test_long_self_description_is_relaxed_not_zero(client, postings):
    q = "我今年45岁，以前在工厂做过普工，也当过保安，希望在深圳找包吃住的活"
    got, data = found(client, q)
    assert got and data["relaxed"] is True
    assert got[0] == postings["worker_sz"].id  # matches the most of what was said
    assert "没有完全符合的岗位，以下是部分符合的" in data["notices"]
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert "没有完全符合的岗位，以下是部分符合的" in html and 'id="no-results"' not in html


def test_words_that_find_nothing_show_the_latest_with_a_note(client, postings):
    got, data = found(client, "飞行员")
    assert len(got) == 8 and data["relaxed"] is True
    assert data["notices"] == ["没有找到含“飞行员”的岗位，以下是符合其他条件的最新岗位"]
