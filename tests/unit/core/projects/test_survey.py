"""The affected people's survey: a roster file in GB18030 with the office column names, a row without a
valid ID number reported and kept, the same person on two notices one jobseeker with two records
(attested 被征地农民), phone entry, and progress per village without names."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.crypto import PersonalDataCipher
from core.enums import PriorityGroup, VerificationStatus
from core.errors import DomainError, PermissionDenied, ValidationErrors
from core.identity import id_number_check_char
from core.projects import land, survey
from core.projects.models import MajorProject, SurveyRecord
from core.seekers.models import Jobseeker


def make_id(birth: str, seq: str = "123") -> str:
    first = "371302" + birth + seq
    return first + id_number_check_char(first)


@pytest.fixture
def cipher(app):
    return PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])


@pytest.fixture
def county(make_user):
    return make_user("commissioner", region_code="371302")


@pytest.fixture
def notices(db_session, county):
    p = MajorProject(name="沂河新区安置区道路工程", region_code="371302")
    db_session.add(p)
    db_session.flush()
    villages = "371302101201 东岭村 86\n371302101202 西岭村 40"
    first = land.record_notice(db_session, county, p.id, {"notice_date": "2026-09-18", "villages": villages})
    second = land.record_notice(db_session, county, p.id, {"notice_date": "2026-11-02",
                                                           "villages": "371302101201 东岭村 12"})
    return first, second


def roster_csv(rows: list[str]) -> bytes:
    head = "姓名,身份证号码,所在村,户主,家庭人口,联系电话,技能特长,目前就业情况,就业意愿,培训意愿"
    return ("\n".join([head, *rows]) + "\n").encode("gb18030")


def test_import_keeps_a_row_without_valid_id_and_reports_it(db_session, cipher, county, notices):
    first, _second = notices
    wang = make_id("19750304")
    data = roster_csv([
        f"王建国,{wang},东岭村,王建国,4,13953900001,开挖掘机、电焊,务农,就业,挖掘机操作",
        "李秀英,37130219800101123,东岭村,王建国,4,,,务农,培训,家政服务",          # 17 digits
        ",,东岭村,,,,,,,",                                                           # no name: rejected
        f"赵强,{make_id('19900512', '456')},北山村,赵强,3,,,外出务工,就业,",           # unknown village
        f"王建国,{wang},东岭村,王建国,4,,,务农,就业,",                                 # twice in the file
    ])
    report = survey.import_survey(db_session, cipher, county, first.id, data, filename="名单.csv")
    assert report.rows == 5 and len(report.added) == 2
    assert report.kept_without_id == [{"row": 3, "name": "李秀英", "reason": "身份证号码应为18位（最后一位可以是X）"}]
    assert [r["row"] for r in report.rejected] == [4, 5] and "北山村" in report.rejected[1]["reasons"][0]
    assert report.already == [{"row": 6, "name": "王建国"}]
    records = db_session.scalars(select(SurveyRecord).where(SurveyRecord.notice_id == first.id)
                                 .order_by(SurveyRecord.id)).all()
    wang_rec, li_rec = records
    assert wang_rec.jobseeker_id and wang_rec.age == 51 and wang_rec.skills == ["开挖掘机", "电焊"]
    assert li_rec.jobseeker_id is None and li_rec.id_problem and li_rec.wants == "training"
    assert wang not in (wang_rec.id_number_encrypted or "")                       # encrypted at rest
    assert survey.masked_id(cipher, wang_rec) == wang[:3] + "*" * 11 + wang[-4:]
    seeker = db_session.get(Jobseeker, wang_rec.jobseeker_id)
    group = next(g for g in seeker.groups if g.group == PriorityGroup.LAND_LOST_FARMER)
    assert group.verification == VerificationStatus.VERIFIED and group.verified_by_id == county.id

    # corrected later, the kept row becomes a person
    survey.fix_identity(db_session, cipher, county, li_rec.id, make_id("19800101", "124"))
    assert li_rec.jobseeker_id is not None and li_rec.id_problem is None


def test_same_person_on_two_notices_is_one_jobseeker_with_two_records(db_session, cipher, county, notices):
    first, second = notices
    wang = make_id("19750304")
    a = survey.add_person(db_session, cipher, county, first.id, {"name": "王建国", "id_number": wang, "village": "东岭村"})
    b = survey.add_person(db_session, cipher, county, second.id, {"name": "王建国", "id_number": wang.lower()})
    assert a.jobseeker_id == b.jobseeker_id and a.id != b.id
    assert db_session.scalar(select(func.count()).select_from(Jobseeker)) == 1
    with pytest.raises(DomainError) as caught:
        survey.add_person(db_session, cipher, county, first.id, {"name": "王建国", "id_number": wang, "village": "东岭村"})
    assert caught.value.code == "already_surveyed"


def test_phone_entry_validates_each_field(db_session, cipher, county, notices, make_user):
    first, _ = notices
    with pytest.raises(ValidationErrors) as caught:
        survey.add_person(db_session, cipher, county, first.id, {"name": "", "village": "", "age": "300",
                                                                "phone": "123", "wants": "发财"})
    assert {e.field for e in caught.value.errors} == {"name", "village", "age", "phone", "wants"}
    other = make_user("commissioner", region_code="371311")
    with pytest.raises(PermissionDenied):
        survey.add_person(db_session, cipher, other, first.id, {"name": "张三", "village": "东岭村"})


def test_progress_per_village(db_session, cipher, county, notices):
    first, _ = notices
    survey.add_person(db_session, cipher, county, first.id, {"name": "王建国", "id_number": make_id("19750304"),
                                                            "village": "东岭村", "household": "王建国", "wants": "就业"})
    survey.add_person(db_session, cipher, county, first.id, {"name": "王小军", "id_number": make_id("20000304", "321"),
                                                            "village": "东岭村", "household": "王建国", "wants": "培训"})
    survey.add_person(db_session, cipher, county, first.id, {"name": "孙梅", "village": "西岭村", "household": "孙梅"})
    progress = {p.village.name: p for p in survey.survey_progress(db_session, first)}
    assert progress["东岭村"].people == 2 and progress["东岭村"].households_surveyed == 1
    assert progress["东岭村"].households_expected == 86 and progress["东岭村"].wants == {"job": 1, "training": 1}
    assert progress["西岭村"].without_id == 1
