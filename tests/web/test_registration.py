"""Self-registration over HTTP: valid accounts are created and signed in; any bad field (ID number,
phone, region, credit code, password) is reported by name and nothing at all is saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.accounts.models import User
from core.enterprises.models import Enterprise
from core.seekers.models import Jobseeker

PASSWORD = "Lan-Shan-Qu-Jiu-Ye-2026"


def field_error(html: str, field: str) -> str | None:
    m = re.search(rf'class="field-error"[^>]*data-field="{field}">([^<]+)<', html)
    return m.group(1) if m else None


def seeker_form(**over):
    data = {"username": "zhangsan_reg", "password": PASSWORD, "password_confirm": PASSWORD, "name": "张三",
            "phone": "13812345678", "id_number": "", "region_code": "371302", "consent_recommendation": "1"}
    data.update(over)
    return data


def test_register_pages_show_password_rules(client):
    for url in ("/register", "/register/jobseeker", "/register/enterprise"):
        resp = client.get(url)
        assert resp.status_code == 200
    html = client.get("/register/jobseeker").get_data(as_text=True)
    assert "至少12个字符" in html and "常见密码" in html


def test_jobseeker_registration_creates_account_and_encrypted_profile(client, db_session, id_number):
    number = id_number()
    resp = client.post("/register/jobseeker", data=seeker_form(id_number=number))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/profile/edit")
    user = db_session.scalar(select(User).where(User.username == "zhangsan_reg"))
    assert user.role == "jobseeker" and user.password_hash.startswith("$argon2id$")
    seeker = db_session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))
    assert seeker.name == "张三" and seeker.phone == "13812345678" and seeker.region_code == "371302"
    assert seeker.consent_recommendation is True and seeker.consent_visible_to_enterprises is False
    assert seeker.id_number_encrypted and number not in seeker.id_number_encrypted
    assert seeker.birth_date.isoformat() == "1990-03-07"
    # signed in: the profile page answers instead of redirecting to the login page
    assert client.get("/me/profile").status_code == 200


def test_jobseeker_region_can_be_given_by_name(client, db_session):
    resp = client.post("/register/jobseeker", data=seeker_form(region_code="兰山区"))
    assert resp.status_code == 302
    seeker = db_session.scalar(select(Jobseeker).join(User, User.id == Jobseeker.user_id).where(User.username == "zhangsan_reg"))
    assert seeker.region_code == "371302"


@pytest.mark.parametrize(
    "field, value, message_part",
    [
        ("id_number", "371302199003070000", "校验位"),
        ("id_number", "37130219901307123X", "出生日期"),
        ("id_number", "12345", "18位"),
        ("phone", "12345678901", "手机号码"),
        ("phone", "1381234567", "手机号码"),
        ("region_code", "999999", "不存在"),
        ("region_code", "12345", "6位"),
        ("region_code", "不存在的县", "找不到"),
        ("password", "short-pw", "12"),
        ("password", "1qaz2wsx3edc", "常见"),
        ("password", "123456789012", "连续或重复"),
        ("password", "ｑｗｅｒｔｙｕｉｏｐ１２", "常见"),
        ("password", "Password2026!", "常见"),
        ("password", "mnopqrst6789", "连续或重复"),
        ("password", "xyz789xyz789", "连续或重复"),
        ("password_confirm", "Another-Password-2026", "不一致"),
        ("username", "a b", "用户名"),
        ("name", "", "姓名"),
    ],
)
def test_jobseeker_registration_rejects_bad_field_and_saves_nothing(client, count_rows, field, value, message_part):
    users, seekers = count_rows(User), count_rows(Jobseeker)
    over = {field: value}
    if field == "password":
        over["password_confirm"] = value
    resp = client.post("/register/jobseeker", data=seeker_form(**over))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    msg = field_error(html, field)
    assert msg and message_part in msg, html[:3000]
    assert count_rows(User) == users and count_rows(Jobseeker) == seekers
    assert client.get("/me/profile").status_code == 302  # not signed in


def test_jobseeker_registration_reports_all_bad_fields_at_once(client, count_rows):
    users = count_rows(User)
    resp = client.post("/register/jobseeker", data=seeker_form(id_number="371302199003070000", phone="123", region_code="000000"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert field_error(html, "id_number") and field_error(html, "phone") and field_error(html, "region_code")
    assert count_rows(User) == users


def test_duplicate_username_is_refused(client, id_number, count_rows):
    assert client.post("/register/jobseeker", data=seeker_form(id_number=id_number())).status_code == 302
    client.post("/logout")
    seekers = count_rows(Jobseeker)
    resp = client.post("/register/jobseeker", data=seeker_form(id_number=id_number()))
    assert resp.status_code == 400 and "已被注册" in field_error(resp.get_data(as_text=True), "username")
    assert count_rows(Jobseeker) == seekers


def _without_csrf(html: str) -> str:
    """The page minus what differs between any two renderings (a form's own token, when enabled)."""
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_registration_never_says_whether_an_id_number_is_registered(client, db_session, id_number, count_rows):
    """Anyone may type anyone's ID number: the answer must read the same whether or not it is on a
    profile, with a field error elsewhere or without one, and nothing is saved."""
    number, unused = id_number(), id_number()
    assert client.post("/register/jobseeker", data=seeker_form(id_number=number)).status_code == 302
    client.post("/logout")
    users, seekers = count_rows(User), count_rows(Jobseeker)

    # every other field valid: a neutral next step, not a field error
    resp = client.post("/register/jobseeker", data=seeker_form(username="lisi_reg", id_number=number))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已登记" not in html.replace("已经登记过", "")
    assert field_error(html, "id_number") is None
    assert "如果该身份证号码此前已经登记过" in html and "如果您从未登记过" in html
    assert count_rows(User) == users and count_rows(Jobseeker) == seekers
    assert client.get("/me/profile").status_code == 302  # not signed in

    # with another field wrong, a registered and an unused number get the very same page
    bad_phone = {"username": "lisi_reg", "phone": "123"}
    taken = client.post("/register/jobseeker", data=seeker_form(id_number=number, **bad_phone))
    free = client.post("/register/jobseeker", data=seeker_form(id_number=unused, **bad_phone))
    assert taken.status_code == free.status_code == 400
    taken_html = _without_csrf(taken.get_data(as_text=True)).replace(number, "ID")
    free_html = _without_csrf(free.get_data(as_text=True)).replace(unused, "ID")
    assert taken_html == free_html
    assert field_error(taken.get_data(as_text=True), "id_number") is None
    assert count_rows(User) == users and count_rows(Jobseeker) == seekers


def enterprise_form(code, **over):
    data = {"enterprise_name": "临沂市兰山区示范机械制造有限公司", "credit_code": code, "region_code": "371302",
            "industry": "制造业", "size": "100-499人", "contact_name": "王经理", "username": "lanshan_jixie",
            "password": PASSWORD, "password_confirm": PASSWORD}
    data.update(over)
    return data


def test_enterprise_registration_creates_enterprise_and_account(client, db_session, credit_code):
    code = credit_code()
    resp = client.post("/register/enterprise", data=enterprise_form(code.lower()))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/enterprise/postings")
    ent = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert ent.name == "临沂市兰山区示范机械制造有限公司" and ent.region_code == "371302"
    assert ent.verification_status == "pending"
    assert ent.normalized_name == "示范机械制造"  # the pipeline's key: place names and legal form dropped
    user = db_session.scalar(select(User).where(User.username == "lanshan_jixie"))
    assert user.role == "enterprise" and user.enterprise_id == ent.id and user.display_name == "王经理"
    assert client.get("/enterprise/postings").status_code == 200


@pytest.mark.parametrize(
    "over, field, message_part",
    [
        ({"credit_code": "WRONG"}, "credit_code", "18位"),
        ({"credit_code": "91371300MA3C8XXXXI"}, "credit_code", "不允许的字符"),
        ({"credit_code": "__wrong_check__"}, "credit_code", "校验位"),
        ({"region_code": "999999"}, "region_code", "不存在"),
        ({"region_code": ""}, "region_code", "行政区划"),
        ({"enterprise_name": ""}, "enterprise_name", "单位名称"),
        ({"password": "1qaz2wsx3edc", "password_confirm": "1qaz2wsx3edc"}, "password", "常见"),
    ],
)
def test_enterprise_registration_rejects_bad_field_and_saves_nothing(client, count_rows, credit_code, over, field, message_part):
    code = credit_code()
    if over.get("credit_code") == "__wrong_check__":
        over = {"credit_code": code[:-1] + ("1" if code[-1] != "1" else "2")}
    users, enterprises = count_rows(User), count_rows(Enterprise)
    resp = client.post("/register/enterprise", data=enterprise_form(code, **over))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    msg = field_error(html, field)
    assert msg and message_part in msg, html[:3000]
    assert count_rows(User) == users and count_rows(Enterprise) == enterprises


def test_enterprise_credit_code_can_register_only_once(client, credit_code, count_rows):
    code = credit_code()
    assert client.post("/register/enterprise", data=enterprise_form(code)).status_code == 302
    client.post("/logout")
    enterprises = count_rows(Enterprise)
    resp = client.post("/register/enterprise", data=enterprise_form(code, username="another_user"))
    assert resp.status_code == 400 and "已注册" in field_error(resp.get_data(as_text=True), "credit_code")
    assert count_rows(Enterprise) == enterprises


def test_enterprise_registration_with_bad_account_keeps_no_enterprise(client, credit_code, count_rows):
    enterprises = count_rows(Enterprise)
    resp = client.post("/register/enterprise", data=enterprise_form(credit_code(), password="x", password_confirm="x"))
    assert resp.status_code == 400 and field_error(resp.get_data(as_text=True), "password")
    assert count_rows(Enterprise) == enterprises
