"""Occupation typeahead API (GET /api/v1/occupations/suggest) over the real 2022 classification and the
everyday-name table (data/occupations/occupation-synonyms.json), and every occupation field accepting
an everyday name (电焊工 -> 焊工 6-18-02-04): profile, posting form, search filter."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.postings.models import Posting

URL = "/api/v1/occupations/suggest"
WELDER = "6-18-02-04"  # 焊工


def _get(client, **params):
    return client.get(URL, query_string=params)


def test_everyday_name_finds_the_classification_name_first(client):
    resp = _get(client, q="电焊工")
    assert resp.status_code == 200
    first = resp.get_json()[0]
    assert first == {"code": WELDER, "name": "焊工", "level": 4, "matched": "电焊工", "category": "机械制造基础加工人员"}


def test_own_name_first_then_names_starting_with_the_text(client):
    rows = _get(client, q="焊工").get_json()
    assert rows[0]["code"] == WELDER and rows[0]["matched"] is None
    prefix = _get(client, q="焊", limit=20).get_json()
    names = [r["name"] for r in prefix]
    assert names[0] == "焊工"  # the shortest detailed name starting with 焊
    starts = [n.startswith("焊") for n in names]
    assert starts == sorted(starts, reverse=True)  # every prefix match before any mere containment


@pytest.mark.parametrize("typed, code, name", [
    ("电焊", WELDER, "焊工"),                # a word of the table
    ("保安人员", "4-07-05-01", "保安员"),     # a table word with a role word added
    ("汽车修理工", "4-12-01-01", "汽车维修工"),
    ("仓库管理员", "4-02-06-01", "仓储管理员"),
    ("ＪＡＶＡ", "2-02-10-03", None),         # full-width and capitals fold
    ("挖机司机", "6-30-05-05", "挖掘铲运和桩工机械司机"),  # not a passenger driver (司机)
    ("塔吊司机", "6-30-05-01", "起重装卸机械操作工"),
])
def test_synonyms_resolve_to_their_occupation(client, typed, code, name):
    first = _get(client, q=typed).get_json()[0]
    assert first["code"] == code and first["matched"] == typed
    if name:
        assert first["name"] == name


@pytest.mark.parametrize("everyday", ["电焊工", "保安人员", "汽车修理工", "仓库管理员", "挖机司机", "铲车司机", "塔吊司机",
                                      "油漆工", "水泥工", "育儿嫂", "服务员", "普工", "快递员"])
def test_the_form_and_the_title_classifier_agree_on_everyday_names(everyday):
    """One table, two readers: what a person types into a field means what a posting titled so means."""
    from core.reference.services import occupation_directory
    from indexer.normalise.occupation import default_classifier

    directory = occupation_directory()
    assert directory.resolve(everyday).occupation.code == default_classifier(directory).classify(everyday).code


def test_a_word_inside_a_longer_text_is_offered_not_exact(client):
    rows = _get(client, q="招电焊师傅").get_json()
    assert rows[0]["code"] == WELDER and rows[0]["matched"] == "电焊"


def test_one_answer_per_occupation(client):
    rows = _get(client, q="焊", limit=20).get_json()  # 焊工 is found by its name and by five table words
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) and codes.count(WELDER) == 1
    assert {"6-25-04-07"} <= set(codes)  # 电子装接工, found by the table word 焊锡 only


def test_code_prefix_lists_codes_in_order(client):
    rows = _get(client, q="6-18-02", limit=20).get_json()
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes) and all(c.startswith("6-18-02") for c in codes)
    assert WELDER in codes and len(codes) >= 5


def test_limit_and_default(client):
    assert len(_get(client, q="员", limit=3).get_json()) == 3
    assert len(_get(client, q="员").get_json()) == 10
    assert len(_get(client, q="员", limit=20).get_json()) == 20


@pytest.mark.parametrize("q", ["不存在的职业名称", "zzqqxx", "！！！", "<script>"])
def test_garbage_gives_an_empty_list(client, q):
    resp = _get(client, q=q)
    assert resp.status_code == 200 and resp.get_json() == []


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "  "}, "q"),
    ({"q": "焊" * 51}, "q"),
    ({"q": "焊", "limit": "0"}, "limit"),
    ({"q": "焊", "limit": "21"}, "limit"),
    ({"q": "焊", "limit": "-1"}, "limit"),
    ({"q": "焊", "limit": "五"}, "limit"),
])
def test_bad_input_is_400_naming_the_field(client, params, field):
    resp = client.get(URL, query_string=params)
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_query" and err["field"] == field
    assert re.search(r"[\u4e00-\u9fff]", err["message"])


def test_public_without_login(client):
    assert _get(client, q="焊工").status_code == 200


# -- the forms ------------------------------------------------------------------------------------

def test_profile_accepts_everyday_names(client, seeker_with_profile, db_session):
    user, seeker = seeker_with_profile(desired_occupations="电焊工、保安人员")
    db_session.refresh(seeker)
    assert seeker.desired_occupations == [WELDER, "4-07-05-01"]


def test_profile_refuses_an_unknown_name_with_suggestions(client, seeker_with_profile, db_session):
    user, seeker = seeker_with_profile()
    data = {"name": "张三", "phone": "13812345678", "region_code": "371302", "education": "senior",
            "experience_years": "3", "availability": "immediate", "desired_occupations": "机电工程师"}
    html = client.post("/me/profile/edit", data=data).get_data(as_text=True)
    assert "找不到职业“机电工程师”" in html and "电工（6-31-01-03）" in html  # offered, never guessed
    db_session.refresh(seeker)
    assert seeker.desired_occupations in (None, [])


def test_posting_form_accepts_an_everyday_name(client, login_as, db_session):
    user = login_as("enterprise")
    post = {
        "title": "电焊工", "occupation": "电焊工", "employment_type": "full_time", "pay_min": "6000",
        "pay_max": "8000", "pay_unit": "month", "region_code": "兰山区", "address": "兰山区工业大道18号",
        "headcount": "3", "education": "高中/中专", "experience": "1年以上",
        "description": "钢结构焊接，持焊工证优先。", "welfare": "五险一金", "contact": "张经理 13812345678",
    }
    resp = client.post("/enterprise/postings/new", data=post)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    posting = db_session.scalar(select(Posting).where(Posting.enterprise_id == user.enterprise_id))
    assert posting.occupation_code == WELDER


def test_search_filter_accepts_an_everyday_name(client):
    resp = client.get("/api/v1/postings/search", query_string={"occupation": "电焊工"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.get_json()["applied"]["occupation"] == {"value": WELDER, "label": "焊工"}
    refused = client.get("/api/v1/postings/search", query_string={"occupation": "宇航驾驶员甲"})
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "occupation"


def test_demand_line_with_an_everyday_name_is_published_under_its_code(client, login_as, db_session):
    from core.projects.models import LabourDemand

    from .test_projects import _enterprise, _line, _project

    login_as("commissioner", region_code="371300")
    project = _project(client, db_session, _enterprise(db_session))
    form = client.get(f"/projects/{project.id}/demands/new").get_data(as_text=True)
    assert re.search(r'<input id="f-occupation_text"[^>]*data-occupation-typeahead', form)
    _line(client, project, title="钢结构施工", occupation_text="电焊工")
    line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == project.id))
    client.post(f"/projects/{project.id}/demands/{line.id}/publish")
    db_session.refresh(line)
    assert db_session.get(Posting, line.posting_id).occupation_code == WELDER


@pytest.mark.parametrize("path, field, mode", [
    ("/me/profile/edit", "desired_occupations", "multi"),
    ("/enterprise/postings/new", "occupation", ""),
])
def test_forms_carry_the_occupation_typeahead(client, login_as, path, field, mode):
    login_as("jobseeker" if path.startswith("/me") else "enterprise")
    html = client.get(path).get_data(as_text=True)
    value = f'="{mode}"' if mode else '(="")?'
    assert re.search(rf'<input id="f-{field}"[^>]*data-occupation-typeahead{value}[\s>]', html)
    m = re.search(r'<script src="[^"]*typeahead\.js"[^>]*data-occupation-suggest-url="([^"]+)"', html)
    assert m and m.group(1) == URL


def test_search_page_carries_the_occupation_typeahead(client):
    html = client.get("/search").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="occupation"[^>]*data-occupation-typeahead', html)


def test_unknown_codes_in_the_table_are_skipped_not_fatal():
    from core.reference.services import OccupationDirectory, OccupationRef

    d = OccupationDirectory([OccupationRef(WELDER, "焊工", 4, None)], {WELDER: ["电焊"], "9-99-99-99": ["宇航"]})
    assert d.resolve("电焊工").occupation.code == WELDER
    assert d.suggest("宇航") == [] and d.resolve("宇航") is None
