"""The quick profile (快速求职登记, /me/quick) over HTTP: five answers, everyday names for the work,
saved into the same Jobseeker profile through core.seekers (nothing else of a fuller profile
touched), the embedding stored as the full form stores it, and landing on the recommendations."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.matching.models import StoredEmbedding
from core.seekers.models import Jobseeker

from .test_seeker_pages import field_error

WELDER = "6-18-02-04"
QUICK = {"name": "王五", "phone": "139 0000 1234", "work": "电焊工", "region_code": "兰山区",
         "availability": "within_month", "consent_recommendation": "1"}


def _seeker(db_session, user) -> Jobseeker | None:
    db_session.expire_all()
    return db_session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))


def test_new_jobseeker_saves_five_answers_and_lands_on_recommendations(client, login_as, db_session):
    user = login_as("jobseeker")
    page = client.get("/me/quick")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<input id="f-work"[^>]*data-occupation-typeahead="multi"', html)
    assert re.search(r'<input id="f-region_code"[^>]*data-region-typeahead', html)
    resp = client.post("/me/quick", data=QUICK)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/seeker/recommendations")
    seeker = _seeker(db_session, user)
    assert seeker.name == "王五" and seeker.phone == "13900001234" and seeker.region_code == "371302"
    assert seeker.desired_occupations == [WELDER] and seeker.desired_titles == ["电焊工"]
    assert seeker.availability.value == "within_month" and seeker.consent_recommendation
    assert seeker.lat is not None  # the county's coordinates, for distances
    again = client.get("/me/quick").get_data(as_text=True)  # the answers come back as written
    assert 'value="焊工"' in again and 'value="山东省临沂市兰山区"' in again  # chosen work by its name


def test_quick_answers_update_a_full_profile_and_leave_the_rest(client, seeker_with_profile, db_session):
    user, seeker = seeker_with_profile(skills="电焊、叉车", desired_regions="371302", experience_years="6")
    id_hash = seeker.id_number_hash
    resp = client.post("/me/quick", data={**QUICK, "work": "保安人员、仓库管理员", "region_code": "罗庄区"})
    assert resp.status_code == 302
    seeker = _seeker(db_session, user)
    assert seeker.desired_occupations == ["4-07-05-01", "4-02-06-01"]
    assert seeker.region_code == "371311"
    assert seeker.skills == ["电焊", "叉车"] and seeker.desired_regions == ["371302"] and seeker.experience_years == 6
    assert seeker.id_number_hash == id_hash and id_hash


def test_missing_answers_are_named_and_nothing_is_saved(client, login_as, db_session):
    user = login_as("jobseeker")
    resp = client.post("/me/quick", data={"name": "王五", "phone": "", "work": "", "region_code": ""})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "手机号码" in field_error(html, "phone")
    assert "想做的工作" in field_error(html, "work")
    assert "在哪里找工作" in field_error(html, "region_code")
    assert _seeker(db_session, user) is None


@pytest.mark.parametrize("field, value, message_part", [
    ("work", "机电工程师", "电工（6-31-01-03）"),   # offered, never guessed
    ("work", "宇航驾驶员甲", "找不到职业"),
    ("phone", "12345", "手机号码"),
    ("region_code", "火星区", "火星区"),
    ("availability", "someday", "到岗"),
])
def test_bad_answers_keep_the_old_profile(client, seeker_with_profile, db_session, field, value, message_part):
    user, seeker = seeker_with_profile()
    before = (seeker.phone, seeker.region_code, list(seeker.desired_occupations or []), seeker.version)
    resp = client.post("/me/quick", data={**QUICK, field: value})
    assert resp.status_code == 400
    shown = field_error(resp.get_data(as_text=True), field)
    assert shown and message_part in shown, resp.get_data(as_text=True)[-3000:]
    seeker = _seeker(db_session, user)
    assert (seeker.phone, seeker.region_code, list(seeker.desired_occupations or []), seeker.version) == before


def test_saving_stores_the_embedding_like_the_full_form(client, login_as, matcher, db_session):
    user = login_as("jobseeker")
    assert client.post("/me/quick", data=QUICK).status_code == 302
    seeker = _seeker(db_session, user)
    stored = db_session.scalar(select(StoredEmbedding).where(StoredEmbedding.subject_type == "seeker",
                                                             StoredEmbedding.subject_id == seeker.id))
    assert stored is not None and stored.subject_version == seeker.version
    assert client.get("/seeker/recommendations").status_code == 200


def test_only_a_signed_in_jobseeker(client, login_as):
    resp = client.get("/me/quick")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login_as("enterprise")
    assert client.get("/me/quick").status_code == 403
    assert client.post("/me/quick", data=QUICK).status_code == 403


def test_ways_in_from_home_and_the_full_form(client, login_as):
    login_as("jobseeker")
    assert 'href="/me/quick"' in client.get("/").get_data(as_text=True)
    assert 'href="/me/quick"' in client.get("/me/profile/edit").get_data(as_text=True)
