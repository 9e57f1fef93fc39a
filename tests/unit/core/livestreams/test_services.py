"""Livestream use cases on both databases: who may change a session, the run-sheet, going live with
and without claims flags (the override audited), the pointer and its chapters, what viewers see,
attribution of applications, viewer figures imported row by row, and the conversion report."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.livestreams import figures, report
from core.livestreams import services as svc
from core.livestreams.models import PointerEvent

FORM = {"title": "乐业临沂·焊工专场", "theme": "制造业", "platform": "douyin", "hosts": "王专员",
        "region_code": "371302", "scheduled_start": "2026-12-10 19:30", "target_groups": "migrant_worker,graduate"}


@pytest.fixture
def live(db_session, host, live_posting):
    s = svc.create_session(db_session, host, FORM)
    for title in ("焊工", "叉车司机", "仓库管理员"):
        svc.add_item(db_session, host, s.id, live_posting(title).id, talking_points=f"{title}，月薪8000到12000元")
    db_session.flush()
    return s


def test_create_validates_every_field_and_the_jurisdiction(db_session, host, make_user):
    with pytest.raises(ValidationErrors) as caught:
        svc.create_session(db_session, host, {"title": "", "platform": "weibo", "region_code": "440100",
                                              "stream_url": "javascript:alert(1)", "scheduled_start": "明天",
                                              "target_groups": "nobody"})
    fields = {e.field for e in caught.value.errors}
    assert fields == {"title", "platform", "region_code", "stream_url", "scheduled_start", "target_groups"}
    with pytest.raises(PermissionDenied):
        svc.create_session(db_session, make_user("admin"), FORM)


def test_only_the_sessions_commissioners_change_it(db_session, live, make_user, live_posting):
    neighbour = make_user("commissioner", region_code="371300")  # same city, not on the session
    elsewhere = make_user("commissioner", region_code="440100")
    assert svc.get_session(db_session, live.id, neighbour) is live  # may look
    with pytest.raises(PermissionDenied):
        svc.add_item(db_session, neighbour, live.id, live_posting("电工").id)
    with pytest.raises(PermissionDenied):
        svc.get_session(db_session, live.id, elsewhere)
    svc.add_commissioner(db_session, db_session.get(type(neighbour), live.created_by_id), live.id, neighbour.username)
    assert svc.add_item(db_session, neighbour, live.id, live_posting("电工").id).position == 4
    with pytest.raises(DomainError):
        svc.add_commissioner(db_session, neighbour, live.id, elsewhere.username)  # not of this jurisdiction


def test_run_sheet_order_moves_and_removal(db_session, host, live):
    ids = [i.id for i in live.items]
    svc.move_item(db_session, host, live.id, ids[2], -1)
    assert [i.id for i in live.items] == [ids[0], ids[2], ids[1]]
    svc.reorder_items(db_session, host, live.id, [ids[1], ids[0], ids[2]])
    assert [i.id for i in live.items] == [ids[1], ids[0], ids[2]] and [i.position for i in live.items] == [1, 2, 3]
    with pytest.raises(DomainError):
        svc.reorder_items(db_session, host, live.id, ids[:2])
    svc.remove_item(db_session, host, live.id, ids[0])
    assert [i.position for i in live.items] == [1, 2]


def test_going_live_is_refused_with_a_flag_until_fixed_or_overridden(db_session, host, live, screen):
    item = live.items[0]
    svc.update_item(db_session, host, live.id, item.id, talking_points="焊工月薪15000元，包吃住", presenter="李经理")
    with pytest.raises(DomainError) as caught:
        svc.go_live(db_session, host, live.id, screen=screen)
    assert caught.value.code == "unresolved_claims" and "2 处" in caught.value.message
    svc.update_item(db_session, host, live.id, item.id, talking_points="焊工月薪8000到12000元", presenter="李经理")
    assert svc.go_live(db_session, host, live.id, screen=screen).status == "live"


def test_override_lets_the_current_flags_through_and_is_audited(db_session, host, live, screen):
    svc.update_item(db_session, host, live.id, live.items[1].id, talking_points="高薪招聘叉车司机", presenter="")
    with pytest.raises(DomainError):
        svc.go_live(db_session, host, live.id, screen=screen, override_reason="急")
    svc.go_live(db_session, host, live.id, screen=screen, override_reason="单位已书面确认，口误将在直播中更正")
    assert live.status == "live" and live.override_reason.startswith("单位已书面确认")
    assert [k.rsplit(":", 1)[0] for k in live.override_flags] == [f"{live.items[1].id}:screening"]
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "live_session",
                                                        AuditEvent.action == "override")).all()
    assert len(audit) == 1 and "单位已书面确认" in audit[0].purpose and audit[0].actor_user_id == host.id


def test_pointer_moves_bump_the_version_and_make_chapters(db_session, host, live, make_user):
    svc.go_live(db_session, host, live.id)
    first = live.items[0]
    assert live.current_item_id == first.id
    v = live.pointer_version
    svc.move_pointer(db_session, host, live.id, step=+1)
    assert live.current_item_id == live.items[1].id and live.pointer_version > v
    svc.move_pointer(db_session, host, live.id, step=+1)
    svc.move_pointer(db_session, host, live.id, step=+1)  # stays on the last
    assert live.current_item_id == live.items[2].id
    with pytest.raises(PermissionDenied):
        svc.move_pointer(db_session, make_user("commissioner", region_code="371300"), live.id, step=-1)
    events = db_session.scalars(select(PointerEvent).where(PointerEvent.session_id == live.id)).all()
    assert len(events) == 3
    live.started_at = events[0].at - dt.timedelta(minutes=3)
    events[1].at = events[0].at + dt.timedelta(minutes=9)
    events[2].at = events[0].at + dt.timedelta(minutes=15)
    chapters = svc.chapters(db_session, live)
    assert [c["text"] for c in chapters] == ["第 3 分钟：焊工，8000–12000 元", "第 12 分钟：叉车司机，8000–12000 元",
                                             "第 18 分钟：仓库管理员，8000–12000 元"]
    svc.end_session(db_session, host, live.id)
    assert live.status == "ended" and live.current_item_id is None
    with pytest.raises(DomainError):
        svc.move_pointer(db_session, host, live.id, step=1)


def test_viewer_state_follows_a_closed_posting_and_run_sheet_edits(db_session, host, live):
    before = svc.state_fingerprint(db_session, live.id)
    state = svc.viewer_state(db_session, live.id)
    assert [i["title"] for i in state["items"]] == ["焊工", "叉车司机", "仓库管理员"]
    assert state["items"][0]["pay"] == "8千-1.2万元/月" and state["items"][0]["place"].endswith("兰山区")
    live.items[1].posting.status = "filled"
    db_session.flush()
    after = svc.state_fingerprint(db_session, live.id)
    assert after != before
    assert [i["open"] for i in svc.viewer_state(db_session, live.id)["items"]] == [True, False, True]
    svc.move_item(db_session, host, live.id, live.items[2].id, -1)
    assert svc.state_fingerprint(db_session, live.id) != after
    assert svc.state_fingerprint(db_session, 987654) is None


def test_apply_link_counts_opens_and_records_the_origin(db_session, live, make_user):
    from core.seekers.models import Jobseeker

    posting_id = live.items[0].posting_id
    svc.count_link_open(db_session, live.id, posting_id)
    svc.count_link_open(db_session, live.id, posting_id)
    db_session.refresh(live.items[0])
    assert live.items[0].link_opens == 2
    user = make_user("jobseeker")
    seeker = Jobseeker(user_id=user.id, name="李四", phone="13800000000", region_code="371302")
    db_session.add(seeker)
    db_session.flush()
    app = svc.apply_from_live(db_session, live.id, posting_id, seeker.id)
    assert (app.origin, app.origin_ref) == ("livestream", f"livestream:{live.id}")
    with pytest.raises(NotFound):
        svc.apply_from_live(db_session, live.id, 987654, seeker.id)


def test_figures_import_maps_columns_and_reports_bad_rows(db_session, host, live):
    csv = ("讲解商品,观看人数,点击次数,留资人数\n合计,12000,900,80\n焊工,5000,400,30\n叉车司机,abc,3,1\n"
           "电焊学徒,10,1,0\n2,3000,200,10\n").encode("utf-8")
    result = figures.import_figures(db_session, host, live.id, csv, "douyin.csv")
    assert result.accepted == 3
    assert [(n, "不是整数" in r or "没有找到" in r) for n, r in result.rejected] == [(4, True), (5, True)]
    assert result.mapping["views"] == "观看人数"
    rows, total = report.conversion_report(db_session, live)
    assert [r.views for r in rows] == [5000, 3000, 0] and total.views == 12000 and total.sign_ups == 80


def test_report_counts_applications_interviews_hires_by_group(db_session, live, make_user):
    from core.applications.models import Application
    from core.seekers.models import Jobseeker, JobseekerGroup

    posting_id = live.items[0].posting_id
    for n, status in enumerate(("submitted", "interview", "hired")):
        seeker = Jobseeker(user_id=make_user("jobseeker").id, name=f"求职者{n}", phone="13800000000",
                           region_code="371302")
        db_session.add(seeker)
        db_session.flush()
        db_session.add(JobseekerGroup(jobseeker_id=seeker.id, group="migrant_worker"))
        db_session.add(Application(jobseeker_id=seeker.id, posting_id=posting_id, origin="livestream",
                                   origin_ref=f"livestream:{live.id}", status=status))
    db_session.flush()
    rows, total = report.conversion_report(db_session, live)
    assert (rows[0].applications, rows[0].interviews, rows[0].hires) == (3, 2, 1)
    assert total.groups["migrant_worker"] == 3 and total.applications == 3
    from openpyxl import load_workbook
    import io

    ws = load_workbook(io.BytesIO(report.report_xlsx(db_session, live))).active
    assert ws["A2"].value == "焊工" and ws["F2"].value == 3 and ws.max_row == 5
