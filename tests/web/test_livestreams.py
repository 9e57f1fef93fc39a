"""Livestream pages over HTTP: a commissioner builds a run-sheet, the claims check refuses a pay claim
until it is fixed, the session goes live, the pointer moves (only by the session's commissioners),
viewers' state polls answer 304 until something changes, a closed post shows 已招满, an apply link
counts its opens and the application records the session, the replay's chapters and the report."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.applications.models import Application
from core.audit.models import AuditEvent
from core.livestreams.models import LiveSession, RunSheetItem

FORM = {"title": "乐业临沂·制造业专场", "theme": "重点企业用工", "platform": "douyin", "hosts": "王专员",
        "region_code": "兰山区", "scheduled_start": "2026-12-10T19:30", "target_groups": ["migrant_worker"]}


@pytest.fixture(autouse=True)
def fresh_fingerprints(monkeypatch):
    """Each poll asks the database (the quarter-second cache is for load, tested by bench/livestreams.py)."""
    from webapp.livestreams import viewer

    monkeypatch.setattr(viewer, "FINGERPRINT_TTL_S", 0.0)
    monkeypatch.setattr(viewer, "_fingerprints", {})  # session ids repeat across the two databases


@pytest.fixture
def host(login_as):
    return login_as("commissioner", region_code="371300")


@pytest.fixture
def session_with_items(client, host, make_posting, db_session):
    resp = client.post("/live/new", data=FORM)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:600]
    live = db_session.scalars(select(LiveSession).order_by(LiveSession.id.desc())).first()
    postings = [make_posting("焊工", pay_min=8000, pay_max=12000, pay_monthly_min=8000, pay_monthly_max=12000),
                make_posting("叉车司机")]
    for p in postings:
        assert client.post(f"/live/{live.id}/items", data={"posting_id": p.id}).status_code == 303
    return live, postings


def _item(db_session, live, posting):
    return db_session.scalar(select(RunSheetItem).where(RunSheetItem.session_id == live.id,
                                                        RunSheetItem.posting_id == posting.id))


def test_claims_flag_blocks_going_live_until_fixed(client, session_with_items, db_session):
    live, (welder, _) = session_with_items
    item = _item(db_session, live, welder)
    client.post(f"/live/{live.id}/items/{item.id}", data={"talking_points": "焊工月薪15000元，高薪招聘", "presenter": "李经理"})
    page = client.get(f"/live/{live.id}/console").get_data(as_text=True)
    assert "高于岗位写明的最高 12000 元/月" in page and "诱导性用语" in page
    resp = client.post(f"/live/{live.id}/start", data={}, follow_redirects=True)
    assert "处与岗位信息不符" in resp.get_data(as_text=True)
    assert db_session.get(LiveSession, live.id).status == "planned"
    client.post(f"/live/{live.id}/items/{item.id}", data={"talking_points": "焊工月薪8000到12000元", "presenter": "李经理"})
    resp = client.post(f"/live/{live.id}/start", data={})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/live/{live.id}/remote")
    db_session.expire_all()
    assert db_session.get(LiveSession, live.id).status == "live"


def test_pointer_state_etag_and_closed_post(client, session_with_items, db_session):
    live, (welder, forklift) = session_with_items
    client.post(f"/live/{live.id}/start", data={})
    first = client.get(f"/live/{live.id}/state.json")
    assert first.status_code == 200 and first.headers["ETag"]
    state = first.get_json()
    assert state["current_item_id"] == _item(db_session, live, welder).id
    assert [i["title"] for i in state["items"]] == ["焊工", "叉车司机"]
    assert state["items"][0]["apply_url"] == f"/live/{live.id}/apply/{welder.id}"
    again = client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.post(f"/live/{live.id}/pointer", data={"move": "next"}).status_code == 303
    moved = client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.get_json()["current_item_id"] == _item(db_session, live, forklift).id
    forklift.status = "filled"
    db_session.commit()
    closed = client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": moved.headers["ETag"]})
    assert closed.status_code == 200 and [i["open"] for i in closed.get_json()["items"]] == [True, False]
    assert "已招满" in client.get(f"/live/{live.id}").get_data(as_text=True)


def test_only_the_sessions_commissioners_move_the_pointer(app, client, session_with_items, make_user, sign_in):
    live, _ = session_with_items
    client.post(f"/live/{live.id}/start", data={})
    sign_in(make_user("commissioner", region_code="371300"))  # same city, not this session's
    assert client.get(f"/live/{live.id}/console").status_code == 200
    assert client.post(f"/live/{live.id}/pointer", data={"move": "next"},
                       headers={"Accept": "application/json"}).status_code == 403
    assert client.get(f"/live/{live.id}/remote").status_code == 403
    sign_in(make_user("admin"))
    assert client.post(f"/live/{live.id}/pointer", data={"move": "next"}).status_code == 403
    sign_in(make_user("commissioner", region_code="440100"))
    assert client.get(f"/live/{live.id}/console").status_code == 403


def test_apply_link_counts_opens_and_records_the_origin(client, session_with_items, db_session, seeker_with_profile):
    live, (welder, _) = session_with_items
    client.post(f"/live/{live.id}/start", data={})
    client.post("/logout")
    page = client.get(f"/live/{live.id}/apply/{welder.id}")
    assert page.status_code == 200 and "登录后投递" in page.get_data(as_text=True)
    seeker_with_profile()
    assert "投递这个岗位" in client.get(f"/live/{live.id}/apply/{welder.id}").get_data(as_text=True)
    resp = client.post(f"/live/{live.id}/apply/{welder.id}/send", follow_redirects=True)
    assert "投递成功" in resp.get_data(as_text=True)
    app_row = db_session.scalar(select(Application).where(Application.posting_id == welder.id))
    assert (app_row.origin, app_row.origin_ref) == ("livestream", f"livestream:{live.id}")
    db_session.expire_all()
    assert _item(db_session, live, welder).link_opens == 2  # the page after applying is not a new open
    assert client.get(f"/live/{live.id}/apply/999999").status_code == 404
    qr = client.get(f"/live/{live.id}/qr/{welder.id}.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_reorder_by_keyboard_request_and_run_sheet_edit_while_live(client, session_with_items, db_session):
    live, (welder, forklift) = session_with_items
    ids = [_item(db_session, live, p).id for p in (welder, forklift)]
    client.post(f"/live/{live.id}/start", data={})
    before = client.get(f"/live/{live.id}/state.json").headers["ETag"]
    resp = client.post(f"/live/{live.id}/order", data={"order": f"{ids[1]},{ids[0]}"}, headers={"Accept": "application/json"})
    assert resp.get_json() == {"order": [ids[1], ids[0]]}
    after = client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": before})
    assert after.status_code == 200 and [i["title"] for i in after.get_json()["items"]] == ["叉车司机", "焊工"]
    bad = client.post(f"/live/{live.id}/order", data={"order": "1,x"}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "stale_order"


def test_end_replay_chapters_report_and_audit(client, session_with_items, db_session, host):
    live, (welder, forklift) = session_with_items
    client.post(f"/live/{live.id}/start", data={})
    client.post(f"/live/{live.id}/pointer", data={"move": "next"})
    assert client.post(f"/live/{live.id}/end").status_code == 303
    replay = client.get(f"/live/{live.id}/replay").get_data(as_text=True)
    assert "第 0 分钟：焊工，8000–12000 元" in replay and "第 0 分钟：叉车司机" in replay
    xlsx = client.get(f"/live/{live.id}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "成效统计" in client.get(f"/live/{live.id}/report").get_data(as_text=True)
    actions = db_session.scalars(select(AuditEvent.purpose).where(AuditEvent.subject_type == "live_session",
                                                                  AuditEvent.subject_id == live.id)).all()
    assert {"创建直播带岗", "讲解单添加岗位", "开始直播", "结束直播"} <= set(actions)


def test_platform_csv_bad_rows_are_reported_row_by_row(client, session_with_items):
    live, _ = session_with_items
    csv = "岗位名称,观看人次,商品点击次数,报名人数\n合计,9000,300,50\n焊工,1.2万,200,20\n叉车司机,-5,1,1\n保安,10,1,1\n"
    resp = client.post(f"/live/{live.id}/figures", data={"file": (io.BytesIO(csv.encode("gb18030")), "kuaishou.csv")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已导入 2 行" in page
    assert "第 4 行" in page and "不是整数" in page and "第 5 行" in page and "没有找到岗位“保安”" in page
    assert "12000" in client.get(f"/live/{live.id}/report").get_data(as_text=True)
    bad = client.post(f"/live/{live.id}/figures", data={"views": "很多"})
    assert bad.status_code == 400 and "不是整数" in bad.get_data(as_text=True)


def test_the_fingerprint_cache_holds_a_quarter_second_per_worker(client, session_with_items, monkeypatch):
    from webapp.livestreams import viewer

    live, _ = session_with_items
    client.post(f"/live/{live.id}/start", data={})
    monkeypatch.setattr(viewer, "FINGERPRINT_TTL_S", 60.0)
    etag = client.get(f"/live/{live.id}/state.json").headers["ETag"]
    client.post(f"/live/{live.id}/pointer", data={"move": "next"})
    assert client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(viewer, "FINGERPRINT_TTL_S", 0.0)
    assert client.get(f"/live/{live.id}/state.json", headers={"If-None-Match": etag}).status_code == 200


def test_theme_carousel_gathers_the_themes_sessions_and_marks_closed_posts(client, session_with_items, db_session,
                                                                           make_posting):
    live, (welder, forklift) = session_with_items
    assert client.post("/live/new", data=FORM).status_code == 303  # a second session of the same theme
    other = db_session.scalars(select(LiveSession).order_by(LiveSession.id.desc())).first()
    client.post(f"/live/{other.id}/items", data={"posting_id": make_posting("电工").id})
    client.post(f"/live/{other.id}/items", data={"posting_id": welder.id})  # listed twice: shown once
    first = client.get("/live/carousel/state.json", query_string={"theme": "重点企业用工"})
    assert [i["title"] for i in first.get_json()["items"]] == ["焊工", "叉车司机", "电工"]
    forklift.status = "filled"
    db_session.commit()
    again = client.get("/live/carousel/state.json", query_string={"theme": "重点企业用工"},
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and [i["open"] for i in again.get_json()["items"]] == [True, False, True]
    assert "重点企业用工" in client.get("/live/carousel").get_data(as_text=True)  # the chooser
    page = client.get("/live/carousel", query_string={"theme": "重点企业用工", "seconds": "1"}).get_data(as_text=True)
    assert 'data-seconds="4"' in page and "焊工" in page


def test_the_shortcut_answers_304_before_the_app_only_for_a_fresh_matching_fingerprint(client, session_with_items,
                                                                                       monkeypatch):
    from webapp.livestreams import viewer

    live, _ = session_with_items
    monkeypatch.setattr(viewer, "FINGERPRINT_TTL_S", 60.0)
    url = f"/live/{live.id}/state.json"
    etag = client.get(url).headers["ETag"]
    calls = []
    monkeypatch.setattr(viewer.svc, "state_fingerprint", lambda *a: calls.append(a) or "changed")
    fast = client.get(url, headers={"If-None-Match": etag})
    assert fast.status_code == 304 and fast.headers["ETag"] == etag and calls == []
    assert "default-src 'self'" in fast.headers["Content-Security-Policy"]
    other = client.get(url, headers={"If-None-Match": '"something-else"'})  # an old page: the body, from the cache
    assert other.status_code == 200 and other.headers["ETag"] == etag and calls == []
    monkeypatch.setattr(viewer, "FINGERPRINT_TTL_S", 0.0)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200 and len(calls) == 1
    assert client.get("/live/987654/state.json", headers={"If-None-Match": etag}).status_code == 404


def test_form_errors_are_shown_in_words(client, host):
    resp = client.post("/live/new", data={"title": "", "region_code": "广州市", "stream_url": "ftp://x"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请填写直播标题" in page and "不在您的管辖范围内" in page and "https://" in page
