"""Job fair pages over HTTP, both databases: a commissioner creates and opens a fair, an enterprise
applies for a booth, the commissioner approves (capacity enforced), a jobseeker registers and gets a
code, the door checks them in (duplicate says 已签到; forged and other-fair codes refused), the booth
records an intention that becomes an application from the fair, the report counts what the database
holds; commissioners outside the fair's jurisdiction are refused everywhere."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.applications.models import Application
from core.channels.models import Channel
from core.enterprises.models import Enterprise
from core.enums import ChannelKind, PostingStatus, VerificationStatus
from core.fairs.codes import qr_text
from core.fairs.models import FairBooth, FairConversation, FairRegistration, JobFair
from core.notifications.models import Notification
from core.postings.models import Posting

FAIR_DATE = (dt.date.today() + dt.timedelta(days=5)).isoformat()


def _fair_form(**kw):
    data = {"title": "兰山区退役军人专场招聘会", "theme": "veterans", "kind": "onsite", "venue": "兰山区人力资源市场",
            "region_code": "兰山区", "date": FAIR_DATE, "start_time": "09:00", "end_time": "12:00",
            "booth_capacity": "1", "visitor_capacity": "100", "target_groups": ["veteran"]}
    data.update(kw)
    return data


@pytest.fixture
def exhibitor(db_session, make_user):
    """An enterprise user whose enterprise is verified and has one published posting."""

    def _make(name="临沂安装工程有限公司"):
        ent = Enterprise(name=name, normalized_name=name, region_code="371302",
                         verification_status=VerificationStatus.VERIFIED)
        ch = Channel(code=f"fair-web-{name}", name="单位自主发布", kind=ChannelKind.ENTERPRISE_DIRECT)
        db_session.add_all([ent, ch])
        db_session.flush()
        post = Posting(title="电焊工", description="焊接钢结构", enterprise_id=ent.id, channel_id=ch.id,
                       region_code="371302", status=PostingStatus.PUBLISHED, pay_monthly_min=6000)
        db_session.add(post)
        db_session.commit()
        return make_user("enterprise", enterprise_id=ent.id), post

    return _make


def _create_open_fair(client, sign_in, staff, **kw) -> JobFair:
    sign_in(staff)
    resp = client.post("/fairs/new", data=_fair_form(**kw))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:600]
    fair_id = int(resp.headers["Location"].rstrip("/").split("/")[-2])
    assert client.post(f"/fairs/{fair_id}/advance").status_code == 303
    return fair_id


def test_whole_flow_over_http(app, client, db_session, make_user, sign_in, exhibitor, seeker_with_profile):
    staff = make_user("commissioner", region_code="371300")
    fair_id = _create_open_fair(client, sign_in, staff)
    ent_user, posting = exhibitor()
    other_user, other_posting = exhibitor("临沂物流有限公司")

    sign_in(ent_user)
    assert "申请展位" in client.get(f"/fairs/{fair_id}").get_data(as_text=True)
    resp = client.post(f"/fairs/{fair_id}/apply", data={"posting_ids": [str(posting.id)], "headcount": "4",
                                                         "needs": "电源"})
    assert resp.status_code == 303
    sign_in(other_user)
    client.post(f"/fairs/{fair_id}/apply", data={"posting_ids": [str(other_posting.id)], "headcount": "2"})

    sign_in(staff)
    page = client.get(f"/fairs/{fair_id}/manage").get_data(as_text=True)
    assert "资格审核：已认证" in page
    booths = db_session.scalars(select(FairBooth).where(FairBooth.fair_id == fair_id).order_by(FairBooth.id)).all()
    client.post(f"/fairs/{fair_id}/booths/{booths[0].id}/approve")
    resp = client.post(f"/fairs/{fair_id}/booths/{booths[1].id}/approve", follow_redirects=True)
    assert "展位已满" in resp.get_data(as_text=True)  # capacity 1
    db_session.expire_all()
    assert [b.booth_number for b in booths] == [1, None]
    assert "按岗位类别自动排号" in client.get(f"/fairs/{fair_id}/booth-numbers").get_data(as_text=True)
    auto = client.post(f"/fairs/{fair_id}/booth-numbers/auto", follow_redirects=True).get_data(as_text=True)
    assert "已按岗位类别自动排号：其他岗位 1号" in auto  # the posting has no occupation yet
    client.post(f"/fairs/{fair_id}/advance")  # visitors may register

    client.post("/logout")
    user, seeker = seeker_with_profile()
    resp = client.post(f"/fairs/{fair_id}/register")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/fairs/{fair_id}/pass")
    assert client.post(f"/fairs/{fair_id}/register").headers["Location"].endswith("/pass")
    reg = db_session.scalar(select(FairRegistration).where(FairRegistration.fair_id == fair_id))
    assert db_session.scalar(select(func.count()).select_from(FairRegistration)
                             .where(FairRegistration.fair_id == fair_id)) == 1
    page = client.get(f"/fairs/{fair_id}/pass").get_data(as_text=True)
    assert reg.code in page and "<svg" in page
    note = db_session.scalar(select(Notification).where(Notification.user_id == user.id,
                                                        Notification.title.like("招聘会签到码%")))
    assert note is not None and note.link == f"/fairs/{fair_id}/pass"
    inbox = client.get("/me/inbox").get_data(as_text=True)
    assert f"/me/inbox/{note.id}/read" in inbox and note.title in inbox
    tap = client.post(f"/me/inbox/{note.id}/read", data={"open": "1"})  # the title's one tap
    assert tap.status_code in (302, 303) and tap.headers["Location"].endswith(f"/fairs/{fair_id}/pass")
    assert 'class="card fair-pass"' in page and 'data-testid="pass-qr"' in page

    sign_in(staff)
    ok = client.post(f"/fairs/{fair_id}/checkin", json={"code": qr_text(reg.token)}).get_json()
    assert ok["ok"] and not ok["already"] and ok["message"] == "签到成功"
    again = client.post(f"/fairs/{fair_id}/checkin", json={"code": reg.code}).get_json()
    assert again["ok"] and again["already"] and "已签到" in again["message"]
    forged = client.post(f"/fairs/{fair_id}/checkin", json={"code": qr_text("A" * 24)})
    assert forged.status_code == 400 and "签到码无效" in forged.get_json()["error"]["message"]
    walk = client.post(f"/fairs/{fair_id}/walk-in", data={"name": "孙立", "phone": "13700001111"}, follow_redirects=True)
    assert "已现场登记并签到" in walk.get_data(as_text=True)

    sign_in(ent_user)
    client.post(f"/fairs/{fair_id}/booth/talk", data={"code": reg.code, "note": "有焊工证"})
    resp = client.post(f"/fairs/{fair_id}/booth/intention", data={"code": reg.code, "posting_id": str(posting.id)},
                       follow_redirects=True)
    assert "已记录达成意向" in resp.get_data(as_text=True)
    app_row = db_session.scalar(select(Application).where(Application.jobseeker_id == seeker.id))
    assert str(app_row.origin) == "fair" and app_row.origin_ref == f"fair:{fair_id}"

    sign_in(staff)
    page = client.get(f"/fairs/{fair_id}/report").get_data(as_text=True)
    convs = db_session.scalar(select(func.count()).select_from(FairConversation).where(FairConversation.fair_id == fair_id))
    for measure, expected in (("registrations", 2), ("checked_in", 2), ("walk_ins", 1), ("conversations", convs),
                              ("intentions", 1), ("booths", 1), ("headcount", 4)):
        assert f'data-measure="{measure}">{expected}<' in page, measure
    xlsx = client.get(f"/fairs/{fair_id}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "<svg" in client.get(f"/fairs/{fair_id}/poster").get_data(as_text=True)
    follow = client.get("/fairs/follow-ups").get_data(as_text=True)
    assert "张三" in follow and "13812345678" in follow  # the person to call back, in jurisdiction


def test_other_jurisdiction_is_refused(client, db_session, make_user, sign_in):
    staff = make_user("commissioner", region_code="371300")
    fair_id = _create_open_fair(client, sign_in, staff)
    outsider = make_user("commissioner", region_code="440100")
    sign_in(outsider)
    for method, url in (("get", f"/fairs/{fair_id}/manage"), ("get", f"/fairs/{fair_id}/edit"),
                        ("post", f"/fairs/{fair_id}/advance"), ("get", f"/fairs/{fair_id}/door"),
                        ("get", f"/fairs/{fair_id}/report"), ("get", f"/fairs/{fair_id}/report.xlsx"),
                        ("post", f"/fairs/{fair_id}/cancel"), ("post", f"/fairs/{fair_id}/booth-numbers/auto")):
        assert getattr(client, method)(url).status_code in (403, 303), url
    resp = client.post(f"/fairs/{fair_id}/checkin", json={"code": "123456"})
    assert resp.status_code == 403
    db_session.expire_all()
    assert db_session.get(JobFair, fair_id).status == "open_booths"  # nothing changed
    resp = client.post("/fairs/new", data=_fair_form())
    assert resp.status_code == 400 and "不在您的管辖范围内" in resp.get_data(as_text=True)


def test_other_fairs_code_and_cancel_notifies(client, db_session, make_user, sign_in, seeker_with_profile):
    staff = make_user("commissioner", region_code="371300")
    first = _create_open_fair(client, sign_in, staff)
    second = _create_open_fair(client, sign_in, staff, title="第二场")
    for fid in (first, second):
        client.post(f"/fairs/{fid}/advance")
    client.post("/logout")
    user, seeker = seeker_with_profile()
    client.post(f"/fairs/{second}/register")
    reg = db_session.scalar(select(FairRegistration).where(FairRegistration.fair_id == second))
    sign_in(staff)
    resp = client.post(f"/fairs/{first}/checkin", json={"code": qr_text(reg.token)})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "other_fair_code"
    client.post(f"/fairs/{second}/cancel", data={"reason": "暴雨预警"})
    assert db_session.scalar(select(Notification.body).where(
        Notification.user_id == user.id, Notification.title.like("招聘会已取消%"))).endswith("暴雨预警")


def test_public_list_and_quick_profile_first(client, make_user, sign_in, login_as):
    staff = make_user("commissioner", region_code="371300")
    fair_id = _create_open_fair(client, sign_in, staff, title="公开列表里的招聘会")
    client.post(f"/fairs/{fair_id}/advance")
    client.post("/logout")
    assert "公开列表里的招聘会" in client.get("/fairs/?theme=veterans").get_data(as_text=True)
    assert "公开列表里的招聘会" not in client.get("/fairs/?theme=graduates").get_data(as_text=True)
    assert client.get(f"/fairs/{fair_id}").status_code == 200
    login_as("jobseeker")  # signed out above
    resp = client.post(f"/fairs/{fair_id}/register")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/me/quick")


def test_booth_shortlist_masks_until_application(client, db_session, make_user, sign_in, exhibitor,
                                                 seeker_with_profile, matcher, monkeypatch):
    staff = make_user("commissioner", region_code="371300")
    fair_id = _create_open_fair(client, sign_in, staff)
    ent_user, posting = exhibitor()
    sign_in(ent_user)
    client.post(f"/fairs/{fair_id}/apply", data={"posting_ids": [str(posting.id)], "headcount": "3"})
    sign_in(staff)
    booth = db_session.scalar(select(FairBooth).where(FairBooth.fair_id == fair_id))
    client.post(f"/fairs/{fair_id}/booths/{booth.id}/approve")
    client.post(f"/fairs/{fair_id}/advance")
    client.post("/logout")
    user, seeker = seeker_with_profile(consent_recommendation="1", desired_titles="电焊工")
    client.post(f"/fairs/{fair_id}/register")
    mine = client.get(f"/fairs/{fair_id}/for-me").get_data(as_text=True)
    assert "1 号展位" in mine and "电焊工" in mine
    reg = db_session.scalar(select(FairRegistration).where(FairRegistration.fair_id == fair_id))

    sign_in(ent_user)
    page = client.get(f"/fairs/{fair_id}/booth").get_data(as_text=True)
    assert "张*" in page and "13812345678" not in page  # ranked, masked: no application yet
    client.post(f"/fairs/{fair_id}/booth/intention", data={"code": reg.code, "posting_id": str(posting.id)})
    page = client.get(f"/fairs/{fair_id}/booth").get_data(as_text=True)
    assert "张三" in page and "13812345678" in page  # the application is the consent

    # a newcomer shows at the next look: added to the kept pool of visitors, not a rebuild of it
    from core.fairs import booth as booths
    from core.fairs import services as svc
    from core.seekers.models import Jobseeker

    late = Jobseeker(name="欧阳明", phone="13700002222", region_code="371302", desired_titles=["电焊工"],
                     skills=["电焊"], consent_recommendation=True)
    db_session.add(late)
    db_session.flush()
    svc.register_for_fair(db_session, fair_id, late.id)
    db_session.commit()
    built = []
    build = booths._build_pool
    monkeypatch.setattr(booths, "_build_pool", lambda s, r, f, after_id=0: built.append(after_id) or build(s, r, f, after_id))
    assert "欧*" in client.get(f"/fairs/{fair_id}/booth").get_data(as_text=True)
    assert built == [reg.id]  # only the registrations after the base pool's last one were read
    assert "欧*" in client.get(f"/fairs/{fair_id}/booth").get_data(as_text=True) and built == [reg.id]  # kept
    outsider, _ = exhibitor("未参展单位")
    sign_in(outsider)
    assert client.get(f"/fairs/{fair_id}/booth").status_code == 403


def test_near_me_and_default_map_point(client, db_session, make_user, sign_in, seeker_with_profile):
    staff = make_user("commissioner", region_code="371300")
    here = _create_open_fair(client, sign_in, staff, title="兰山区本地招聘会")
    client.post(f"/fairs/{here}/advance")
    far_staff = make_user("commissioner", region_code="440100")
    there = _create_open_fair(client, sign_in, far_staff, title="广州外地招聘会", region_code="440106")
    client.post(f"/fairs/{there}/advance")
    fair = db_session.get(JobFair, here)
    assert fair.lat is not None and fair.lon is not None  # the district's centre when none is given
    client.post("/logout")
    seeker_with_profile()  # lives in 371302
    both = client.get("/fairs/").get_data(as_text=True)
    assert "兰山区本地招聘会" in both and "广州外地招聘会" in both
    near = client.get("/fairs/?near=1").get_data(as_text=True)
    assert "兰山区本地招聘会" in near and "广州外地招聘会" not in near
