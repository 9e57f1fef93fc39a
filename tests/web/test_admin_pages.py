"""Admin pages over HTTP: the channel list and creating staff accounts (admin only)."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.accounts.models import User
from core.channels.models import Channel


def field_error(html: str, field: str) -> str | None:
    m = re.search(rf'class="field-error"[^>]*data-field="{field}">([^<]+)<', html)
    return m.group(1) if m else None


STAFF = {"role": "commissioner", "username": "zhuanyuan_ls", "display_name": "刘专员", "region_code": "临沂市",
         "password": "Yi-Qi-Yi-Ce-Fu-Wu-2026", "password_confirm": "Yi-Qi-Yi-Ce-Fu-Wu-2026"}


def test_channel_list_shows_channels_with_posting_counts(client, login_as, make_posting, db_session):
    p = make_posting("电工")
    ch = db_session.get(Channel, p.channel_id)
    ch.name, ch.licence_number, ch.api_key_prefix = "兰山区人力资源市场", "（鲁）人服证字〔2020〕第1302000001号", "jl_ab12"
    db_session.commit()
    login_as("admin")
    html = client.get("/admin/channels").get_data(as_text=True)
    row = re.search(r'<tr class="channel-row">.*?兰山区人力资源市场.*?</tr>', html, re.S).group(0)
    assert "公共就业服务机构" in row and "第1302000001号" in row and "jl_ab12…" in row
    assert re.search(r"<td>1</td>", row)


def test_admin_creates_commissioner_bound_to_region_by_name(client, login_as, db_session):
    login_as("admin")
    resp = client.post("/admin/users", data=STAFF)
    assert resp.status_code == 302
    user = db_session.scalar(select(User).where(User.username == "zhuanyuan_ls"))
    assert user.role == "commissioner" and user.region_code == "371300" and user.display_name == "刘专员"
    assert "zhuanyuan_ls" in client.get("/admin/users").get_data(as_text=True)


def test_staff_account_bad_input_is_refused_and_nothing_saved(client, login_as, count_rows):
    login_as("admin")
    users = count_rows(User)
    for over, field in (({"region_code": ""}, "region_code"), ({"region_code": "999999"}, "region_code"),
                        ({"role": "jobseeker"}, "role"), ({"password": "1qaz2wsx3edc", "password_confirm": "1qaz2wsx3edc"}, "password"),
                        ({"password_confirm": "something-else-2026"}, "password_confirm")):
        resp = client.post("/admin/users", data={**STAFF, **over})
        assert resp.status_code == 400, over
        assert field_error(resp.get_data(as_text=True), field), over
    assert count_rows(User) == users


def test_non_admins_cannot_create_accounts(client, login_as, count_rows):
    login_as("commissioner")
    users = count_rows(User)
    assert client.post("/admin/users", data={**STAFF, "role": "admin"}).status_code == 403
    assert client.get("/admin/channels").status_code == 403
    assert count_rows(User) == users
