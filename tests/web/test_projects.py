"""Major project pages over HTTP: registering a project, its labour demand lines, publishing them as
postings through the intake pipeline (once, then updating), reasons for lines held for review, and a
commissioner kept to their own jurisdiction."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.enterprises.models import Enterprise
from core.projects.models import LabourDemand, MajorProject
from core.postings.models import Posting

from .conftest import make_credit_code


def field_error(html: str, field: str) -> str | None:
    m = re.search(rf'class="field-error"[^>]*data-field="{field}">([^<]+)<', html)
    return m.group(1) if m else None


def _enterprise(db_session, name="临沂港建设投资有限公司"):
    ent = Enterprise(name=name, normalized_name=name.replace("有限公司", ""), credit_code=make_credit_code(),
                     region_code="371302")
    db_session.add(ent)
    db_session.commit()
    return ent


def _project(client, db_session, ent, **over) -> MajorProject:
    data = {"name": "临沂港综合物流园区项目", "region_code": "371302", "credit_code": ent.credit_code if ent else "",
            "total_investment": "150000", "status": "construction", **over}
    resp = client.post("/projects/new", data=data)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    project = db_session.scalar(select(MajorProject).where(MajorProject.name == data["name"]))
    assert resp.headers["Location"].endswith(f"/projects/{project.id}")
    return project


def _line(client, project, **over) -> None:
    data = {"title": "钢筋工", "headcount": "30", "pay_text": "300元/天", "occupation_text": "钢筋工",
            "requirements": "有建筑工地经验，能吃苦耐劳，服从安排。", "start_date": "2026-03-01", "end_date": "2026-12-31", **over}
    resp = client.post(f"/projects/{project.id}/demands/new", data=data)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]


def test_create_project_with_errors_shown_then_saved(client, login_as, db_session):
    user = login_as("commissioner", region_code="371300")
    ent = _enterprise(db_session)
    assert client.get("/projects/new").status_code == 200
    bad = {"name": "", "region_code": "999999", "credit_code": "91371300ABCDEFGHIJ", "total_investment": "-5",
           "status": "finished"}
    resp = client.post("/projects/new", data=bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert field_error(html, "name") == "请填写项目名称"
    assert "不存在" in field_error(html, "region_code")
    assert "统一社会信用代码" in field_error(html, "credit_code")
    assert "不小于0" in field_error(html, "total_investment")
    assert "项目状态" in field_error(html, "status")
    assert db_session.scalar(select(func.count()).select_from(MajorProject)) == 0

    # a region outside the commissioner's jurisdiction (临沂市) is refused, naming the field
    resp = client.post("/projects/new", data={"name": "广州项目", "region_code": "440106", "status": "planned"})
    assert resp.status_code == 400 and "管辖范围" in field_error(resp.get_data(as_text=True), "region_code")

    project = _project(client, db_session, ent, region_code="兰山区")  # a name is resolved to its code
    assert project.region_code == "371302" and project.enterprise_id == ent.id
    assert project.total_investment == 150000 and project.commissioner_user_id == user.id
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "临沂港综合物流园区项目" in html and ent.name in html and "在建" in html

    resp = client.post(f"/projects/{project.id}/edit", data={"name": "临沂港物流园区二期", "region_code": "371302",
                                                              "status": "operation", "total_investment": "abc"})
    assert resp.status_code == 400 and field_error(resp.get_data(as_text=True), "total_investment")
    resp = client.post(f"/projects/{project.id}/edit", data={"name": "临沂港物流园区二期", "region_code": "371302",
                                                              "status": "operation", "total_investment": ""})
    assert resp.status_code == 303
    db_session.refresh(project)
    assert project.name == "临沂港物流园区二期" and project.status == "operation"
    assert project.enterprise_id == ent.id  # no code given: the enterprise is kept


def test_demand_lines_validated_listed_and_summed(client, login_as, db_session):
    login_as("commissioner", region_code="371300")
    project = _project(client, db_session, _enterprise(db_session))
    resp = client.post(f"/projects/{project.id}/demands/new",
                       data={"title": "", "headcount": "0", "start_date": "2026-05-01", "end_date": "2026-04-01"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert field_error(html, "title") == "请填写岗位名称"
    assert "不小于1" in field_error(html, "headcount")
    assert "不能早于" in field_error(html, "end_date")
    resp = client.post(f"/projects/{project.id}/demands/new", data={"title": "电工", "start_date": "2026/05/01"})
    assert resp.status_code == 400 and "年-月-日" in field_error(resp.get_data(as_text=True), "start_date")

    _line(client, project)
    _line(client, project, title="塔吊司机", headcount="4", pay_text="9000元/月", occupation_text="")
    _line(client, project, title="普工", headcount="", pay_text="260元/天", region_code="371311")
    lines = list(db_session.scalars(select(LabourDemand).where(LabourDemand.project_id == project.id)))
    assert [d.title for d in lines] == ["钢筋工", "塔吊司机", "普工"]
    assert lines[0].region_code is None and lines[2].region_code == "371311" and lines[2].headcount is None
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "用工需求 <strong>3</strong> 条" in html and "需求人数 <strong>34</strong> 人" in html
    assert "另有 1 条人数不定" in html and "未发布 <strong>3</strong> 条" in html

    resp = client.post(f"/projects/{project.id}/demands/{lines[1].id}/edit",
                       data={"title": "塔式起重机司机", "headcount": "6", "pay_text": "9000元/月"})
    assert resp.status_code == 303
    db_session.refresh(lines[1])
    assert lines[1].title == "塔式起重机司机" and lines[1].headcount == 6


def test_publish_makes_one_posting_and_republish_updates_it(client, login_as, db_session):
    login_as("commissioner", region_code="371300")
    project = _project(client, db_session, _enterprise(db_session))
    _line(client, project)
    line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == project.id))
    resp = client.post(f"/projects/{project.id}/demands/{line.id}/publish", follow_redirects=True)
    html = resp.get_data(as_text=True)
    db_session.refresh(line)
    posting = db_session.get(Posting, line.posting_id)
    assert posting is not None and posting.enterprise_id == project.enterprise_id
    assert posting.status == "published", posting.review_reasons  # a clean line from a trusted channel
    assert "“钢筋工”已发布为岗位" in html
    assert f'href="/postings/{posting.id}"' in html  # the line links to the posting's public page
    assert "已发布 <strong>1</strong> 条" in html
    assert client.get(f"/postings/{posting.id}").status_code == 200

    # changing the line and publishing again updates the same posting instead of adding one
    client.post(f"/projects/{project.id}/demands/{line.id}/edit",
                data={"title": "钢筋工", "headcount": "45", "pay_text": "320元/天", "requirements": line.requirements,
                      "start_date": "2026-03-01", "end_date": "2026-12-31"})
    html = client.post(f"/projects/{project.id}/demands/{line.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "已同步到原岗位" in html
    db_session.refresh(line)
    db_session.refresh(posting)
    assert line.posting_id == posting.id and posting.headcount == 45
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 1


def test_publish_all_shows_held_reasons_and_refusals(client, login_as, db_session):
    login_as("commissioner", region_code="371300")
    project = _project(client, db_session, _enterprise(db_session))
    _line(client, project)
    _line(client, project, title="资料员", headcount="2", pay_text="5000元/月",
          requirements="限男性，35岁以下，负责工程资料整理。")
    html = client.post(f"/projects/{project.id}/publish", follow_redirects=True).get_data(as_text=True)
    lines = list(db_session.scalars(select(LabourDemand).where(LabourDemand.project_id == project.id)
                                    .order_by(LabourDemand.id)))
    for d in lines:
        db_session.refresh(d)
    assert all(d.posting_id for d in lines)
    held = db_session.get(Posting, lines[1].posting_id)
    assert held.status == "pending_review" and held.review_reasons
    assert "已处理 2 条用工需求" in html and "待审核 <strong>1</strong> 条" in html
    assert "待审核原因" in html and held.review_reasons[0]["message"] in html
    assert f'href="/postings/{held.id}"' not in html  # not public while held

    # a project without an enterprise: the pipeline refuses, the reason is shown and nothing is kept
    orphan = _project(client, db_session, None, name="沂河新区综合管廊项目")
    _line(client, orphan, title="焊工")
    line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == orphan.id))
    before = db_session.scalar(select(func.count()).select_from(Posting))
    html = client.post(f"/projects/{orphan.id}/demands/{line.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "未能发布" in html and "重大项目未关联用人单位" in html
    assert db_session.scalar(select(func.count()).select_from(Posting)) == before


def test_deleting_a_published_line_withdraws_its_posting(client, login_as, db_session):
    login_as("commissioner", region_code="371300")
    project = _project(client, db_session, _enterprise(db_session))
    _line(client, project)
    line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == project.id))
    client.post(f"/projects/{project.id}/demands/{line.id}/publish")
    db_session.refresh(line)
    posting_id = line.posting_id
    html = client.post(f"/projects/{project.id}/demands/{line.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "其岗位已撤回" in html
    assert db_session.get(LabourDemand, line.id) is None
    assert db_session.get(Posting, posting_id).status == "withdrawn"
    assert client.get(f"/postings/{posting_id}").status_code == 404


def test_list_filters_and_jurisdiction(client, login_as, make_user, sign_in, db_session):
    other = make_user("commissioner", region_code="440100")
    login_as("admin")
    html = client.get("/projects/new").get_data(as_text=True)
    assert "负责专员" in html and f'value="{other.id}"' in html  # admins choose who follows a project
    ent = _enterprise(db_session)
    linyi = _project(client, db_session, ent)
    _line(client, linyi)
    guangzhou = _project(client, db_session, None, name="广州南沙港区四期", region_code="440115", status="planned")
    html = client.get("/projects/").get_data(as_text=True)
    assert linyi.name in html and guangzhou.name in html
    html = client.get("/projects/?status=planned").get_data(as_text=True)
    assert guangzhou.name in html and linyi.name not in html
    html = client.get("/projects/?region=临沂市").get_data(as_text=True)
    assert linyi.name in html and guangzhou.name not in html

    # a commissioner of 广州市 sees only their region's project, and is refused on the other one
    sign_in(other)
    html = client.get("/projects/").get_data(as_text=True)
    assert guangzhou.name in html and linyi.name not in html
    line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == linyi.id))
    for method, url in (("GET", f"/projects/{linyi.id}"), ("GET", f"/projects/{linyi.id}/edit"),
                        ("POST", f"/projects/{linyi.id}/edit"), ("POST", f"/projects/{linyi.id}/publish"),
                        ("GET", f"/projects/{linyi.id}/demands/new"),
                        ("POST", f"/projects/{linyi.id}/demands/{line.id}/publish"),
                        ("POST", f"/projects/{linyi.id}/demands/{line.id}/delete")):
        resp = client.open(f"{url}", method=method, data={"name": "改名"})
        assert resp.status_code == 403, (method, url, resp.status_code)
    db_session.refresh(linyi)
    assert linyi.name == "临沂港综合物流园区项目" and db_session.get(LabourDemand, line.id).posting_id is None
    # a line reached through another project's URL is not found
    assert client.post(f"/projects/{guangzhou.id}/demands/{line.id}/publish").status_code == 404

    # once the admin assigns the 临沂 project to this commissioner, they may follow it
    linyi.commissioner_user_id = other.id
    db_session.commit()
    assert client.get(f"/projects/{linyi.id}").status_code == 200
    assert linyi.name in client.get("/projects/").get_data(as_text=True)


def test_anonymous_and_jobseekers_are_refused(client, login_as):
    resp = client.get("/projects/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.post("/projects/new", data={"name": "x"}).status_code == 302
    login_as("jobseeker")
    assert client.get("/projects/").status_code == 403
    assert client.post("/projects/new", data={"name": "x", "region_code": "371302"}).status_code == 403


def test_commissioner_home_links_to_projects(client, login_as):
    login_as("commissioner", region_code="371300")
    html = client.get("/commissioner/").get_data(as_text=True)
    assert 'href="/projects/"' in html and "重大项目用工" in html


def test_a_commissioner_publishes_only_inside_the_jurisdiction(client, login_as, make_user, sign_in, db_session):
    """Issue 11, defect 3: a 广东省 (440000) commissioner's own project may not get, keep or publish a
    line in 北京 (110101); a project elsewhere assigned to them is followed, not changed."""
    gd = login_as("commissioner", region_code="440000")
    ent = _enterprise(db_session, name="广州港集团有限公司")
    project = _project(client, db_session, ent, name="广州南沙港区四期", region_code="440115")
    resp = client.post(f"/projects/{project.id}/demands/new",
                       data={"title": "钢筋工", "headcount": "30", "pay_text": "300元/天", "region_code": "110101"})
    assert resp.status_code == 400 and "管辖范围" in field_error(resp.get_data(as_text=True), "region_code")
    _line(client, project, region_code="440106")
    mine = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == project.id))
    resp = client.post(f"/projects/{project.id}/demands/{mine.id}/edit",
                       data={"title": "钢筋工", "headcount": "30", "region_code": "东城区"})
    assert resp.status_code == 400 and "管辖范围" in field_error(resp.get_data(as_text=True), "region_code")

    # a line in 北京 that got there anyway (an admin, or data from before the rule)
    beijing = LabourDemand(project_id=project.id, title="焊工", headcount=5, pay_text="320元/天",
                           requirements="持焊工证", region_code="110101")
    db_session.add(beijing)
    db_session.commit()
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/demands/{mine.id}/publish" in html and f"/demands/{beijing.id}/publish" not in html
    assert "工作地点不在您的管辖范围内" in html
    for url in (f"/projects/{project.id}/demands/{beijing.id}/publish",
                f"/projects/{project.id}/demands/{beijing.id}/delete",
                f"/projects/{project.id}/demands/{beijing.id}/edit"):
        assert client.post(url, data={"title": "焊工"}).status_code == 403, url
    assert client.get(f"/projects/{project.id}/demands/{beijing.id}/edit").status_code == 403
    # 全部发布 publishes the line inside and refuses the one outside, saying why
    html = client.post(f"/projects/{project.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "未能发布 1 条" in html and "不在您的管辖范围内" in html
    db_session.refresh(mine)
    db_session.refresh(beijing)
    assert mine.posting_id is not None and beijing.posting_id is None
    assert db_session.get(LabourDemand, beijing.id).title == "焊工"
    assert db_session.scalar(select(func.count()).select_from(Posting).where(Posting.region_code == "110101")) == 0

    # a 北京 project an admin assigned to this commissioner: they follow it, they do not change it
    admin = make_user("admin")
    sign_in(admin)
    bj = _project(client, db_session, ent, name="北京城市副中心站", region_code="110101",
                  commissioner_user_id=str(gd.id))
    _line(client, bj)
    bj_line = db_session.scalar(select(LabourDemand).where(LabourDemand.project_id == bj.id))
    sign_in(gd)
    html = client.get(f"/projects/{bj.id}").get_data(as_text=True)
    assert "北京城市副中心站" in html and "您可以查看进展" in html and "全部发布" not in html
    for method, url in (("GET", f"/projects/{bj.id}/edit"), ("POST", f"/projects/{bj.id}/edit"),
                        ("GET", f"/projects/{bj.id}/demands/new"), ("POST", f"/projects/{bj.id}/demands/new"),
                        ("POST", f"/projects/{bj.id}/publish"),
                        ("POST", f"/projects/{bj.id}/demands/{bj_line.id}/publish"),
                        ("POST", f"/projects/{bj.id}/demands/{bj_line.id}/delete")):
        resp = client.open(url, method=method, data={"name": "改名", "region_code": "110101", "title": "普工"})
        assert resp.status_code == 403, (method, url, resp.status_code)
    db_session.refresh(bj_line)
    assert bj_line.posting_id is None and len(db_session.get(MajorProject, bj.id).demand_lines) == 1
