"""Roster import (core.seekers.roster): cells as offices write them, and a commissioner's list whose
groups they attest, with bad rows reported and good rows kept."""
from __future__ import annotations

import io
import itertools

import pytest
from sqlalchemy import select

from core.crypto import PersonalDataCipher
from core.enums import VerificationStatus
from core.errors import DomainError
from core.identity import id_number_check_char
from core.seekers.models import Jobseeker
from core.seekers.roster import import_roster, parse_education, parse_groups, parse_pay, parse_years

_seq = itertools.count(101)
HEADER = "姓名,身份证号码,现居住地,学历,期望岗位,期望月薪,技能特长/证书,人员类别,毕业年份\n"


def _id_number(region: str = "371302", birth: str = "19950101") -> str:
    first17 = f"{region}{birth}{next(_seq) % 1000:03d}"
    return first17 + id_number_check_char(first17)


@pytest.fixture
def cipher(app):
    return PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])


def test_roster_cells_as_offices_write_them():
    assert parse_pay("5千") == 5000 and parse_pay("6000-8000") == 6000 and parse_pay("0.6万") == 6000
    assert parse_pay("面议") is None and parse_pay("") is None
    assert parse_years("10年") == 10 and parse_years("应届") == 0 and parse_years("") is None
    assert parse_education("大学本科") == "bachelor" and parse_education("中专") == "senior"
    assert parse_education("研究生") == "master" and parse_education("") is None
    assert parse_groups("被征地农民、农民工") == ["land_lost_farmer", "migrant_worker"]
    assert parse_groups("退伍军人/高校毕业生") == ["veteran", "graduate"]
    with pytest.raises(DomainError):
        parse_groups("外星人")
    with pytest.raises(DomainError):
        parse_pay("很多")


def test_attested_list_verifies_groups_and_reports_every_bad_row(db_session, cipher, make_user):
    commissioner = make_user(role="commissioner", region_code="371300")
    good = _id_number()
    csv = HEADER + "\n".join([
        f"刘芳,{good},山东省临沂市兰山区金雀山路,大专,电工、焊工,4千,电工证 叉车,被征地农民,2023年",
        "缺号码,,临沂市兰山区,初中,焊工,5000,,农民工,",
        f"坏学历,{_id_number()},临沂市兰山区,不知道,焊工,很多,,,",
    ]) + "\n"
    report = import_roster(db_session, cipher, io.BytesIO(csv.encode("utf-8")), filename="名单.csv",
                           verify_groups_by=commissioner.id, consent_recommendation=True)
    assert report.rows == 3 and len(report.created) == 1
    rejected = {r["row"]: {e["code"] for e in r["errors"]} for r in report.rejected}
    assert rejected == {3: {"missing_id_number"}, 4: {"invalid_education", "invalid_expected_pay"}}
    liu = db_session.get(Jobseeker, report.created[0]["id"])
    assert liu.region_code == "371302" and liu.education == "associate" and liu.expected_pay_min == 4000
    assert liu.desired_titles == ["电工", "焊工"] and liu.certificates == ["电工证"] and liu.skills == ["叉车"]
    assert liu.graduation_year == 2023 and liu.consent_recommendation and liu.origin == "roster"
    assert [(g.group, g.verification, g.verified_by_id) for g in liu.groups] == [
        ("land_lost_farmer", VerificationStatus.VERIFIED, commissioner.id)]
    assert all(g.verified_at is not None for g in liu.groups)
    # the same person again is reported as existing, not created twice
    again = import_roster(db_session, cipher, io.BytesIO(csv.encode("utf-8")), filename="名单.csv")
    assert [r["id"] for r in again.existing] == [liu.id] and not again.created
    assert db_session.scalar(select(Jobseeker.id).where(Jobseeker.name == "缺号码")) is None
