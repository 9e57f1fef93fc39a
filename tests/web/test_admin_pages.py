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


CHANNEL = {"name": "兰山区人力资源市场", "code": "lanshan-hr-market", "kind": "hr_market", "region_code": "兰山区",
           "trust_level": "standard", "licence_number": ""}


def test_admin_creates_channel_and_issues_key_shown_once(client, login_as, db_session):
    from core.channels.services import channel_for_api_key

    login_as("admin")
    assert client.get("/admin/channels/new").status_code == 200
    assert client.post("/admin/channels/new", data=CHANNEL).status_code == 302
    ch = db_session.scalar(select(Channel).where(Channel.code == "lanshan-hr-market"))
    assert ch.kind == "hr_market" and ch.region_code == "371302" and ch.api_key_hash is None
    resp = client.post(f"/admin/channels/{ch.id}/key")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    key = re.search(r'id="api-key">([^<]+)<', resp.get_data(as_text=True)).group(1)
    assert channel_for_api_key(db_session, key).id == ch.id
    assert key not in (ch.api_key_hash or "")  # only the digest is stored
    # the key is never shown again; a new one replaces it
    assert key not in client.get("/admin/channels").get_data(as_text=True)
    client.post(f"/admin/channels/{ch.id}/key")
    assert channel_for_api_key(db_session, key) is None
    # switching the channel off
    client.post(f"/admin/channels/{ch.id}/active", data={"active": "0"})
    db_session.expire_all()
    assert db_session.get(Channel, ch.id).active is False


def test_channel_form_refuses_bad_input(client, login_as, count_rows):
    login_as("admin")
    before = count_rows(Channel)
    for over, field in (({"code": "坏 代码"}, "code"), ({"region_code": "999999"}, "region_code"),
                        ({"kind": "hr_firm"}, "licence_number"), ({"name": ""}, "name"), ({"kind": "alien"}, "kind")):
        resp = client.post("/admin/channels/new", data={**CHANNEL, **over})
        assert resp.status_code == 400, over
        assert field_error(resp.get_data(as_text=True), field), over
    assert count_rows(Channel) == before


def test_admin_verifies_registered_enterprise_with_audit(client, login_as, db_session, credit_code):
    from core.audit.models import AuditEvent
    from core.enterprises.models import Enterprise
    from core.enterprises.services import create_enterprise

    a = create_enterprise(db_session, name="临沂示范食品有限公司", credit_code=credit_code(), region_code="371302")
    b = create_enterprise(db_session, name="临沂示范纺织有限公司", credit_code=credit_code(), region_code="371302")
    db_session.commit()
    admin = login_as("admin")
    html = client.get("/admin/enterprises").get_data(as_text=True)
    assert "临沂示范食品有限公司" in html and a.credit_code in html
    assert client.post(f"/admin/enterprises/{a.id}/verify", data={"decision": "approve"}).status_code == 302
    # refusing needs a reason the enterprise can act on
    client.post(f"/admin/enterprises/{b.id}/verify", data={"decision": "reject", "note": ""})
    db_session.expire_all()
    assert db_session.get(Enterprise, b.id).verification_status == "pending"
    client.post(f"/admin/enterprises/{b.id}/verify", data={"decision": "reject", "note": "名称与执照不符"})
    db_session.expire_all()
    assert db_session.get(Enterprise, a.id).verification_status == "verified"
    assert db_session.get(Enterprise, b.id).verification_status == "rejected"
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "enterprise")).all()
    assert {(e.subject_id, e.actor_user_id, e.action) for e in events} == {(a.id, admin.id, "review"), (b.id, admin.id, "review")}
    client.get("/admin/enterprises")  # shows the flash messages
    assert "临沂示范食品有限公司" not in client.get("/admin/enterprises").get_data(as_text=True)


def test_admin_switches_staff_account_off_and_it_is_signed_out(client, app, login_as, make_user, db_session):
    reviewer = make_user("reviewer")
    other = app.test_client()
    assert other.post("/login", data={"username": reviewer.username, "password": "Zhao-Qian-Sun-Li-2026"}).status_code == 302
    admin = login_as("admin")
    assert client.post(f"/admin/users/{reviewer.id}/active", data={"active": "0"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, reviewer.id).is_active is False
    resp = other.get("/admin/users")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # an admin cannot lock themselves out, and jobseeker accounts are not managed here
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db_session.expire_all()
    assert db_session.get(User, admin.id).is_active is True
    assert client.post(f"/admin/users/{make_user('jobseeker').id}/active", data={"active": "0"}).status_code == 404
