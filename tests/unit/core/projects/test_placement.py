"""Placement plan: proposals put the project's own lines first, then nearby published postings; the
batched village path and the one-person path agree; offers and outcomes; figures by village and
outcome; placements count for 被征地农民; the XLSX and Word exports show the outcome."""
from __future__ import annotations

import io

import pytest

from core.enums import PostingStatus
from core.errors import DomainError
from core.postings.models import Posting
from core.projects import land, placement, plan_export, survey
from core.projects.models import LabourDemand, MajorProject, PlacementProposal

from .test_survey import cipher, make_id  # noqa: F401 - the fixture


@pytest.fixture
def setup(db_session, make_user):
    county = make_user("commissioner", region_code="371302")
    p = MajorProject(name="沂河新区安置区道路工程", region_code="371302")
    db_session.add(p)
    db_session.flush()
    db_session.add_all([LabourDemand(project_id=p.id, title="挖掘机司机", occupation_text="挖掘机司机", headcount=5),
                        LabourDemand(project_id=p.id, title="保洁员", occupation_text="保洁员", headcount=10)])
    db_session.add_all([Posting(title="电焊工", region_code="371311", status=PostingStatus.PUBLISHED),
                        Posting(title="家政服务员", region_code="371302", status=PostingStatus.PUBLISHED),
                        Posting(title="广州焊工", region_code="440106", status=PostingStatus.PUBLISHED)])
    db_session.flush()
    notice = land.record_notice(db_session, county, p.id, {"notice_date": "2026-09-18",
                                                           "villages": "371302101201 东岭村 86"})
    return county, notice


def test_proposals_own_lines_first_then_nearby(db_session, cipher, setup):  # noqa: F811
    county, notice = setup
    village = notice.villages[0]
    wang = survey.add_person(db_session, cipher, county, notice.id, {"name": "王建国", "id_number": make_id("19750304"),
                                                                    "skills": "开挖掘机", "wants": "就业"})
    li = survey.add_person(db_session, cipher, county, notice.id, {"name": "李秀英", "training_wishes": "家政服务",
                                                                  "wants": "培训"})
    survey.add_person(db_session, cipher, county, notice.id, {"name": "孙老汉", "wants": "暂无需求"})
    assert placement.propose_for_village(db_session, county, notice.id, village.id) == 2
    props = placement.record_proposals(db_session, [wang.id, li.id])
    assert [p.source for p in props[wang.id]] == ["project", "project", "nearby", "nearby"]
    assert props[wang.id][0].title == "挖掘机司机" and props[wang.id][0].demand_id
    assert props[li.id][2].title == "家政服务员"                     # nearby, same city, best text match
    assert "广州焊工" not in {p.title for p in props[wang.id]}       # another city is not nearby

    one = placement.propose_for_record(db_session, county, wang.id)
    assert [(p.title, p.score) for p in one] == [(p.title, p.score) for p in props[wang.id]]

    placement.confirm_offer(db_session, county, one[0].id)
    placement.propose_for_village(db_session, county, notice.id, village.id)
    assert db_session.get(PlacementProposal, one[0].id).offered_at is not None   # an offer survives a re-run

    with pytest.raises(DomainError) as caught:
        placement.record_outcome(db_session, county, li.id, "declined")
    assert caught.value.field == "reason"
    placement.record_outcome(db_session, county, wang.id, "placed", proposal_id=one[0].id)
    placement.record_outcome(db_session, county, li.id, "declined", "年龄大，照顾家中老人")
    fig = placement.plan_figures(db_session, notice)
    assert fig.villages[0]["placed"] == 1 and fig.villages[0]["declined"] == 1 and fig.totals["open"] == 1
    assert fig.declined_reasons == {"年龄大，照顾家中老人": 1}
    assert placement.placements_by_group(db_session, [notice.id]) == {"land_lost_farmer": 1}

    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(plan_export.plan_xlsx(db_session, cipher, county, notice)))
    people = [[c.value for c in row] for row in wb["人员名单"].iter_rows(min_row=2)]
    assert ["东岭村", "王建国"] == people[0][:2] and people[0][7] == "已安置就业" and people[0][8] == "挖掘机司机"
    assert "*" in people[0][2]
    summary = [[c.value for c in row] for row in wb["安置情况汇总"].iter_rows(min_row=4)]
    assert summary[1][:4] == ["合计", 3, 1, 1]
    assert summary[-1][0] == "想参加培训 1 人，纳入农村劳动力转移就业培训计划"

    from docx import Document
    doc = Document(io.BytesIO(plan_export.plan_docx(db_session, cipher, county, notice)))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "已安置就业" in text and "不接受安置" in text and "年龄大，照顾家中老人" in text
    assert any("纳入农村劳动力转移就业培训计划" in p.text for p in doc.paragraphs)


def test_a_placement_in_a_posting_is_a_hire_the_statistics_count_for_land_lost_farmers(db_session, cipher, setup):  # noqa: F811
    import datetime as dt

    from sqlalchemy import select

    from core.applications.models import Application
    from core.statistics.outcomes import outcomes
    from core.statistics.queries import parse_period

    county, notice = setup
    posting = db_session.scalar(select(Posting).where(Posting.title == "家政服务员"))
    li = survey.add_person(db_session, cipher, county, notice.id, {"name": "李秀英", "id_number": make_id("19800101", "124"),
                                                                  "training_wishes": "家政服务"})
    proposal = next(p for p in placement.propose_for_record(db_session, county, li.id) if p.posting_id == posting.id)
    placement.record_outcome(db_session, county, li.id, "placed", proposal_id=proposal.id)
    app = db_session.scalar(select(Application).where(Application.jobseeker_id == li.jobseeker_id))
    assert (app.posting_id, app.status, app.origin, app.origin_ref) == (posting.id, "hired", "placement", f"placement:{li.id}")
    stats = outcomes(db_session, parse_period(dt.date.today().strftime("%Y-%m")), None)
    row = next(r for r in stats.by_group if r.key == "land_lost_farmer")
    assert row.hires == 1 and next(r for r in stats.by_origin if r.key == "placement").label == "征地安置"
