"""Major project use cases (core.projects.services) on both databases: validation naming each field,
who sees which project, demand lines, summary figures after publishing through the pipeline, and
deleting a published line."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.enterprises.models import Enterprise
from core.errors import NotFound, PermissionDenied, ValidationErrors
from core.identity import credit_code_check_char
from core.outbox.models import OutboxEvent
from core.postings.models import Posting
from core.projects import services as svc
from indexer.intake import publish_labour_demand


@pytest.fixture
def enterprise(db_session):
    code17 = "91371302MA3C00077"
    ent = Enterprise(name="临沂市城市建设投资集团有限公司", normalized_name="临沂市城市建设投资",
                     credit_code=code17 + credit_code_check_char(code17), region_code="371302")
    db_session.add(ent)
    db_session.flush()
    return ent


def _errors(exc: ValidationErrors) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


def test_project_validation_names_every_field(db_session, make_user, enterprise):
    admin = make_user("admin")
    with pytest.raises(ValidationErrors) as caught:
        svc.create_project(db_session, admin, {"name": " ", "region_code": "37130", "credit_code": "123",
                                               "total_investment": "-1", "status": "done"})
    errs = _errors(caught.value)
    assert set(errs) == {"name", "region_code", "credit_code", "total_investment", "status"}
    assert errs["name"] == "请填写项目名称" and "6位数字" in errs["region_code"]
    assert "项目状态只能是：规划中、在建、投产运营" == errs["status"]

    with pytest.raises(ValidationErrors) as caught:
        svc.create_project(db_session, admin, {"name": "项目", "region_code": "371302", "enterprise_id": "999999"})
    assert _errors(caught.value) == {"enterprise_id": "所选用人单位不存在"}
    with pytest.raises(ValidationErrors) as caught:
        svc.create_project(db_session, admin, {"name": "项目", "region_code": "371302",
                                               "credit_code": "91371300MA3C0009" + "9X"})
    assert "credit_code" in _errors(caught.value)

    by_id = svc.create_project(db_session, admin, {"name": "沂蒙抽水蓄能电站", "region_code": "371302",
                                                   "enterprise_id": str(enterprise.id), "total_investment": 0})
    by_code = svc.create_project(db_session, admin, {"name": "临沂北站综合枢纽", "region_code": "371302",
                                                     "credit_code": enterprise.credit_code.lower()})
    assert by_id.enterprise_id == by_code.enterprise_id == enterprise.id
    assert by_id.total_investment == 0 and by_id.status == "construction" and by_id.commissioner_user_id is None


def test_who_sees_which_project(db_session, make_user):
    admin = make_user("admin")
    linyi = make_user("commissioner", region_code="371300")
    lanshan = make_user("commissioner", region_code="371302")
    guangzhou = make_user("commissioner", region_code="440100")
    seeker = make_user("jobseeker")
    city = svc.create_project(db_session, linyi, {"name": "河东区工业园", "region_code": "371312"})
    assert city.commissioner_user_id == linyi.id
    gz = svc.create_project(db_session, admin, {"name": "南沙港区", "region_code": "440115", "status": "planned"})

    assert [p.name for p in svc.list_projects(db_session, linyi)] == ["河东区工业园"]
    assert svc.list_projects(db_session, lanshan) == []  # 河东区 is not inside 兰山区
    assert [p.name for p in svc.list_projects(db_session, guangzhou)] == ["南沙港区"]
    assert {p.name for p in svc.list_projects(db_session, admin)} == {"河东区工业园", "南沙港区"}
    assert [p.name for p in svc.list_projects(db_session, admin, status="planned")] == ["南沙港区"]
    assert [p.name for p in svc.list_projects(db_session, admin, region_code="371300")] == ["河东区工业园"]

    with pytest.raises(PermissionDenied):
        svc.get_project(db_session, gz.id, linyi)
    with pytest.raises(PermissionDenied):
        svc.get_project(db_session, gz.id, seeker)
    with pytest.raises(NotFound):
        svc.get_project(db_session, 987654, admin)
    with pytest.raises(PermissionDenied):
        svc.create_project(db_session, seeker, {"name": "x", "region_code": "371302"})
    with pytest.raises(ValidationErrors) as caught:
        svc.update_project(db_session, linyi, city.id, {"name": "河东区工业园", "region_code": "440115"})
    assert "管辖范围" in _errors(caught.value)["region_code"]

    # assignment by an admin lets a commissioner outside the region follow the project
    svc.update_project(db_session, admin, gz.id, {"name": "南沙港区", "region_code": "440115",
                                                 "commissioner_user_id": str(lanshan.id)})
    assert [p.name for p in svc.list_projects(db_session, lanshan)] == ["南沙港区"]
    assert svc.get_project(db_session, gz.id, lanshan) is gz
    with pytest.raises(ValidationErrors):
        svc.update_project(db_session, admin, gz.id, {"name": "南沙港区", "region_code": "440115",
                                                     "commissioner_user_id": str(seeker.id)})


def test_demand_lines_and_summary_after_publishing(db_session, make_user, enterprise):
    actor = make_user("commissioner", region_code="371300")
    project = svc.create_project(db_session, actor, {"name": "临沂港综合物流园区", "region_code": "371302",
                                                     "credit_code": enterprise.credit_code})
    with pytest.raises(ValidationErrors) as caught:
        svc.add_demand(db_session, actor, project.id, {"title": "", "headcount": "-3", "region_code": "000000",
                                                       "start_date": dt.date(2026, 6, 1), "end_date": "2026-05-01"})
    assert set(_errors(caught.value)) == {"title", "headcount", "region_code", "end_date"}

    clean = svc.add_demand(db_session, actor, project.id, {
        "title": "钢筋工", "headcount": "30", "pay_text": "300元/天", "requirements": "有建筑工地经验",
        "start_date": "2026-03-01", "end_date": "2026-12-31"})
    held = svc.add_demand(db_session, actor, project.id, {
        "title": "资料员", "headcount": 2, "pay_text": "5000元/月", "requirements": "限男性，负责工程资料整理"})
    svc.add_demand(db_session, actor, project.id, {"title": "普工", "pay_text": "260元/天"})
    assert clean.region_code is None and clean.start_date == dt.date(2026, 3, 1)

    s = svc.project_summary(db_session, project)
    assert (s.lines, s.total_headcount, s.unspecified_headcount, s.published, s.held, s.not_published) == (3, 32, 1, 0, 0, 3)

    for line in (clean, held):
        posting, issues = publish_labour_demand(db_session, line.id)
        assert posting is not None, issues
    db_session.commit()
    s = svc.project_summary(db_session, project)
    assert (s.published, s.held, s.not_published) == (1, 1, 1)
    assert s.posting_statuses == {"pending_review": 1, "published": 1}
    postings = svc.demand_postings(db_session, project)
    assert postings[clean.id].status == "published" and postings[held.id].status == "pending_review"

    updated = svc.update_demand(db_session, actor, clean.id, {"title": "钢筋工", "headcount": "40"}, project.id)
    assert updated.headcount == 40 and updated.start_date is None
    with pytest.raises(NotFound):
        svc.update_demand(db_session, actor, clean.id, {"title": "x"}, project_id=project.id + 1000)

    posting_id = clean.posting_id
    events_before = len(list(db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "posting", OutboxEvent.entity_id == posting_id))))
    withdrawn = svc.delete_demand(db_session, actor, clean.id, project.id)
    db_session.commit()
    assert withdrawn is not None and db_session.get(Posting, posting_id).status == "withdrawn"
    events = list(db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "posting", OutboxEvent.entity_id == posting_id)))
    assert len(events) == events_before + 1  # the search index is told through the outbox
    s = svc.project_summary(db_session, project)
    assert (s.lines, s.published, s.held) == (2, 0, 1)


def test_demo_load_adds_one_demo_project_its_commissioner_sees(db_session):
    from core.accounts.models import User
    from core.demo.services import DEMO_PROJECT, create_demo_accounts

    first = create_demo_accounts(db_session)
    assert first["project"] == DEMO_PROJECT["name"]
    assert create_demo_accounts(db_session)["project"] == "(unchanged)"
    commissioner = db_session.scalar(select(User).where(User.username == "demo_commissioner"))
    [project] = svc.list_projects(db_session, commissioner)
    assert project.is_demo and project.name.startswith("演示") and project.enterprise_id
    s = svc.project_summary(db_session, project)
    assert (s.lines, s.total_headcount, s.unspecified_headcount, s.not_published) == (3, 44, 1, 3)
    # the demo lines are clean: all three go through the pipeline and are published
    for line in project.demand_lines:
        posting, issues = publish_labour_demand(db_session, line.id)
        assert posting is not None and posting.status == "published", [i.message for i in issues]


def test_every_write_checks_the_objects_own_region(db_session, make_user, enterprise):
    """Issue 11, defect 3: a 广东省 (440000) commissioner may not put a line in 北京 (110101) under a
    project of their own, nor change, publish or delete a line whose work place lies outside; a project
    assigned to them elsewhere they may follow (read) but not change."""
    admin = make_user("admin")
    gd = make_user("commissioner", region_code="440000")
    own = svc.create_project(db_session, gd, {"name": "广州南沙港区四期", "region_code": "440115",
                                              "credit_code": enterprise.credit_code})
    line = {"title": "钢筋工", "headcount": "10", "pay_text": "300元/天"}
    for outside in ("110101", "371302"):
        with pytest.raises(ValidationErrors) as caught:
            svc.add_demand(db_session, gd, own.id, {**line, "region_code": outside})
        assert "管辖范围" in _errors(caught.value)["region_code"]
    inside = svc.add_demand(db_session, gd, own.id, {**line, "region_code": "440106"})
    with pytest.raises(ValidationErrors):
        svc.update_demand(db_session, gd, inside.id, {**line, "region_code": "110101"}, own.id)
    assert svc.demand_for_change(db_session, inside.id, gd, own.id) is inside

    # a line placed in 北京 by an admin (or before this rule): visible, but the commissioner cannot touch it
    beijing = svc.add_demand(db_session, admin, own.id, {**line, "title": "焊工", "region_code": "110101"})
    assert svc.get_demand(db_session, beijing.id, gd, own.id) is beijing
    assert svc.changeable_lines(gd, own) == {inside.id}
    for write in (lambda: svc.demand_for_change(db_session, beijing.id, gd, own.id),   # what publishing asks
                  lambda: svc.update_demand(db_session, gd, beijing.id, {**line, "region_code": ""}, own.id),
                  lambda: svc.delete_demand(db_session, gd, beijing.id, own.id)):
        with pytest.raises(PermissionDenied):
            write()
    assert db_session.get(type(beijing), beijing.id).region_code == "110101"

    # a project in 北京 assigned to the commissioner: followed, not changed
    bj = svc.create_project(db_session, admin, {"name": "北京城市副中心站", "region_code": "110101",
                                                "commissioner_user_id": str(gd.id)})
    bj_line = svc.add_demand(db_session, admin, bj.id, line)
    assert svc.get_project(db_session, bj.id, gd) is bj and not svc.may_change(gd, bj)
    assert svc.may_change(gd, own) and svc.may_change(admin, bj)
    for write in (lambda: svc.update_project(db_session, gd, bj.id, {"name": "改名", "region_code": "110101"}),
                  lambda: svc.add_demand(db_session, gd, bj.id, {**line, "region_code": "440106"}),
                  lambda: svc.demand_for_change(db_session, bj_line.id, gd, bj.id),
                  lambda: svc.delete_demand(db_session, gd, bj_line.id, bj.id)):
        with pytest.raises(PermissionDenied):
            write()
    # and the admin keeps every right
    assert svc.demand_for_change(db_session, bj_line.id, admin, bj.id) is bj_line


def test_jurisdiction_is_one_rule(make_user):
    """core.accounts.in_jurisdiction decides for projects, priority-group verification and call-backs."""
    from core.accounts.services import in_jurisdiction
    from core.seekers.models import Jobseeker
    from core.seekers.services import may_verify

    admin, gd, gz = make_user("admin"), make_user("commissioner", region_code="440000"), \
        make_user("commissioner", region_code="440100")
    seeker = make_user("jobseeker")
    for code in ("440106", "441900", "110101", None, ""):
        person = Jobseeker(region_code=code)
        for user in (admin, gd, gz, seeker):
            assert may_verify(user, person) == in_jurisdiction(user, code)
    assert in_jurisdiction(gd, "440106") and in_jurisdiction(gz, "440106") and not in_jurisdiction(gz, "441900")
    assert not in_jurisdiction(gd, "110101") and not in_jurisdiction(gd, None) and in_jurisdiction(admin, None)
    assert not in_jurisdiction(seeker, "440106")
