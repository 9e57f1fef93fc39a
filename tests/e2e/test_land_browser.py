"""Browser journey in Debian's Chromium on a phone (390 px): a commissioner of 郯城县 records a land
notice, sees the 30-working-day deadline with Mid-Autumn and National Day inside the window, imports
the roster (GB18030 CSV), the matcher proposes the project's own line first, an offer is confirmed and
the outcome recorded, a person is enrolled in an order-based course linked to the project's demand
line and completes it with a certificate, and the plan's export shows both outcomes. Works in 郯城县
(371322), where no other browser test puts data."""
from __future__ import annotations

import io

import pytest

from .test_review_browser import _login, _shot

pytestmark = pytest.mark.e2e

REGION = "371322"
COMMISSIONER = ("e2e_zhengdi_zhuanyuan", "Tan-Cheng-Yin-Xing-2026")


@pytest.fixture(scope="module")
def land_data(live_server):
    from core.accounts.services import create_user
    from core.channels.models import Channel
    from core.enums import ChannelKind
    from core.projects.models import LabourDemand, MajorProject, TrainingCourse
    from webapp.extensions import db
    import datetime as dt

    app = live_server["app"]
    with app.app_context():
        user = create_user(db.session, username=COMMISSIONER[0], password=COMMISSIONER[1], role="commissioner",
                           display_name="郯城征地专员", region_code=REGION)
        project = MajorProject(name="郯城银杏大道拓宽工程", region_code=REGION, commissioner_user_id=user.id)
        school = Channel(code="e2e-tancheng-jixiao", name="郯城县职业培训学校", kind=ChannelKind.TRAINING_INSTITUTION,
                         region_code=REGION)
        db.session.add_all([project, school])
        db.session.flush()
        db.session.add(LabourDemand(project_id=project.id, title="郯城挖掘机司机", occupation_text="挖掘机司机",
                                    headcount=6))
        db.session.add(TrainingCourse(institution_id=school.id, name="郯城家政服务订单班", occupation_text="家政服务员",
                                      hours=60, sessions=6, places=20, start_date=dt.date(2026, 11, 20),
                                      end_date=dt.date(2026, 12, 20), region_code=REGION, subsidy_eligible=True,
                                      certificate_name="家政服务员职业技能等级证书（五级）"))
        db.session.commit()
        return {"project_id": project.id}


def _roster_file(tmp_path):
    from core.identity import id_number_check_char

    def make(birth, seq):
        first = REGION + birth + seq
        return first + id_number_check_char(first)

    rows = ["姓名,身份证号码,所在村,户主,目前就业情况,就业意愿,技能特长,培训意愿",
            f"孙大山,{make('19760304', '111')},马头村,孙大山,务农,就业,开挖掘机,",
            f"孙小梅,{make('19820101', '222')},马头村,孙大山,务农,培训,,家政服务",
            "孙二柱,3713221990,马头村,孙大山,外出务工,就业,,"]
    path = tmp_path / "马头村名单.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("gb18030"))
    return path


def _row(page, kind: str, name: str):
    """The roster (or trainee) item of the person named ``name`` (others may name them as 户主)."""
    return page.locator(f".{kind}").filter(has=page.locator("strong", has_text=name))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_notice_to_placement_and_training_on_a_phone(live_server, land_data, phone_page, tmp_path):
    page, base = phone_page, live_server["url"]
    _login(page, base, *COMMISSIONER)
    notice_url = _record_notice(page, base, land_data["project_id"], tmp_path)
    village_url = _import_and_propose(page, notice_url, tmp_path)
    course_url = _order_and_enrol(page, base, village_url)
    _complete_course(page, course_url, tmp_path)
    _export_shows_outcomes(page, notice_url)


def _record_notice(page, base, project_id, tmp_path) -> str:
    page.goto(f"{base}/projects/{project_id}")
    page.get_by_role("link", name="登记征地公告").click()
    page.fill("input[name=notice_date]", "2026-09-18")
    page.fill("input[name=reference]", "郯政征〔2026〕8号")
    page.fill("textarea[name=villages]", "371322100201 马头村 60")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    deadline = page.locator("#deadline").inner_text()
    assert "2026年11月05日" in deadline and "中秋节" in deadline and "国庆节" in deadline
    _fits(page)
    _shot(page, tmp_path, "land-1-deadline")
    return page.url


def _import_and_propose(page, notice_url, tmp_path) -> str:
    page.get_by_role("link", name="导入名单").click()
    page.set_input_files("input[type=file]", str(_roster_file(tmp_path)))
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state("domcontentloaded")
    assert "第4行 孙二柱" in page.locator("#report").inner_text()   # kept without a valid ID number, and said so
    _fits(page)
    page.goto(notice_url)
    page.get_by_role("link", name="马头村").click()
    page.get_by_role("button", name="为全村推荐岗位").click()
    page.wait_for_load_state("domcontentloaded")
    first = _row(page, "person", "孙大山")
    assert "本项目：郯城挖掘机司机" in first.locator(".proposal").first.inner_text()
    first.get_by_role("button", name="确认推荐").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert "已推荐" in _row(page, "person", "孙大山").inner_text()
    _fits(page)
    _shot(page, tmp_path, "land-2-proposals")
    first = _row(page, "person", "孙大山")
    first.locator("summary", has_text="记录安置结果").click()
    first.locator("select[name=outcome]").select_option(label="已安置就业")
    first.locator("select[name=proposal_id]").select_option(label="郯城挖掘机司机")
    first.get_by_role("button", name="保存结果").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已安置就业" in _row(page, "person", "孙大山").inner_text()
    return page.url.split("#")[0]


def _order_and_enrol(page, base, village_url) -> str:
    """An order on the course for the project's demand line, then a person of the roster enrolled on it."""
    page.goto(f"{base}/projects/training/")
    page.get_by_role("link", name="郯城家政服务订单班").click()
    course_url = page.url
    page.select_option("select[name=demand_id]", label="郯城银杏大道拓宽工程：郯城挖掘机司机")
    page.fill("input[name=places]", "5")
    page.get_by_role("button", name="下订单").click()
    page.wait_for_load_state("domcontentloaded")
    assert "订单名额 5 人" in page.locator("#orders").inner_text()
    page.goto(village_url)
    second = _row(page, "person", "孙小梅")
    second.locator("summary", has_text="报名培训").click()
    second.locator("select[name=course_order]").select_option(label="郯城家政服务订单班（订单：挖掘机司机）")
    second.get_by_role("button", name="报名").click()
    page.wait_for_load_state("domcontentloaded")
    assert "参加培训" in _row(page, "person", "孙小梅").inner_text()
    return course_url


def _complete_course(page, course_url, tmp_path) -> None:
    page.goto(course_url)
    trainee = _row(page, "enrolment", "孙小梅")
    trainee.locator("input[name=sessions_attended]").fill("6")
    trainee.get_by_role("button", name="记录出勤").click()
    page.wait_for_load_state("domcontentloaded")
    trainee = _row(page, "enrolment", "孙小梅")
    trainee.locator("input[name=certificate]").check()
    trainee.get_by_role("button", name="结业").click()
    page.wait_for_load_state("domcontentloaded")
    done = _row(page, "enrolment", "孙小梅").inner_text()
    assert "已结业" in done and "家政服务员职业技能等级证书" in done and "职业培训补贴 900 元" in done
    _fits(page)
    _shot(page, tmp_path, "land-3-course")


def _export_shows_outcomes(page, notice_url) -> None:
    page.goto(notice_url)
    assert "已安置就业" in page.locator("#plan").inner_text()
    with page.expect_download() as caught:
        page.get_by_role("link", name="导出表格").click()
    from openpyxl import load_workbook

    with open(caught.value.path(), "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    people = {row[1].value: row[7].value for row in wb["人员名单"].iter_rows(min_row=2)}
    assert people["孙大山"] == "已安置就业" and people["孙小梅"] == "参加培训" and people["孙二柱"] == "待安置"


def walk_land_objects(session, region: str, project_id: int) -> dict:
    """For the plain-words walk (test_plain_words_browser): a notice with a village of ``region``, one
    surveyed person with a proposal, and a course with a trainee — the ids its land pages need."""
    import datetime as dt

    from core.channels.models import Channel
    from core.enums import ChannelKind
    from core.projects.models import (LandNotice, LandNoticeVillage, PlacementProposal, SurveyRecord, TrainingCourse,
                                      TrainingEnrolment)
    from core.seekers.models import Jobseeker

    notice = LandNotice(project_id=project_id, notice_date=dt.date(2026, 9, 18), reference="临河征〔2026〕3号",
                        villages=[LandNoticeVillage(code=f"{region}100201", name="走访村", households=30)])
    school = Channel(code=f"walk-school-{region}", name="走访职业培训学校", kind=ChannelKind.TRAINING_INSTITUTION,
                     region_code=region)
    session.add_all([notice, school])
    session.flush()
    seeker = Jobseeker(name="走访村民", region_code=region, skills=["电焊"], origin="roster")
    session.add(seeker)
    session.flush()
    record = SurveyRecord(notice_id=notice.id, village_id=notice.villages[0].id, jobseeker_id=seeker.id, name="走访村民",
                          skills=["电焊"], household="走访村民", training_wishes="电工")
    course = TrainingCourse(institution_id=school.id, name="电工订单班", occupation_text="电工", hours=40, sessions=4,
                            places=10, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 20), region_code=region)
    session.add_all([record, course])
    session.flush()
    session.add_all([PlacementProposal(record_id=record.id, rank=1, source="project", title="叉车司机", score=0.5,
                                       reasons=["技能相符"]),
                     TrainingEnrolment(course_id=course.id, jobseeker_id=seeker.id, record_id=record.id)])
    session.flush()
    return {"notice_id": notice.id, "village_id": notice.villages[0].id, "course_id": course.id, "record_id": record.id}
