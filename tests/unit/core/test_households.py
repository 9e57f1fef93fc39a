"""Zero-employment households: the register's import (members grouped by 户编号, ages from the column or
the ID number, a household with a working member or no working-age member not registered, bad rows
reported), the open list by jurisdiction with days open, referrals, and clearing on a placement."""
from __future__ import annotations

import datetime as dt

import pytest

import core.all_models  # noqa: F401  (every mapper defined before a model is built outside a session)
from core.enums import PostingStatus
from core.errors import DomainError, PermissionDenied
from core.households import services as hh
from core.households.models import Household, HouseholdMember
from core.identity import id_number_check_char


def _id(birth: str, seq: str) -> str:
    first = "371302" + birth + seq
    return first + id_number_check_char(first)


ROWS = ["户编号,户主姓名,姓名,身份证号码,年龄,就业状况,联系电话,家庭住址",
        "LS-001,张大海,张大海,,52,未就业,13800000021,山东省临沂市兰山区金雀山街道",
        f"LS-001,张大海,张小丽,{_id('20000315', '123')},,失业,,",
        "LS-001,张大海,张奶奶,,78,退休,,",
        "LS-002,李明,李明,,40,已就业,,山东省临沂市兰山区",
        "LS-002,李明,李强,,19,未就业,,",
        "LS-003,王老汉,王老汉,,70,退休,,山东省临沂市兰山区",
        "LS-004,赵四,赵四,,abc,未就业,,山东省临沂市兰山区",
        "LS-005,孙五,孙五,,33,不知道,,山东省临沂市兰山区",
        ",,无户号,,30,未就业,,"]


def _posting(db_session, title="保洁员"):
    from core.channels.models import Channel
    from core.enums import ChannelKind
    from core.postings.models import Posting

    ch = Channel(code=f"hh-{title}", name="测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
    db_session.add(ch)
    db_session.flush()
    p = Posting(title=title, description=f"{title}岗位", channel_id=ch.id, region_code="371302",
                status=PostingStatus.PUBLISHED, pay_unit="month")
    db_session.add(p)
    db_session.flush()
    return p


def test_working_age_rule():
    members = [HouseholdMember(name="a", age=15, employed=False), HouseholdMember(name="b", age=60, employed=True)]
    assert not hh.is_zero_employment(members)  # nobody of working age: not a zero-employment household
    members.append(HouseholdMember(name="c", age=16, employed=False))
    assert hh.is_zero_employment(members)
    members.append(HouseholdMember(name="d", age=59, employed=True))
    assert not hh.is_zero_employment(members)


def test_import_registers_only_zero_employment_households(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    out = hh.import_households(db_session, staff, "\n".join(ROWS).encode("gb18030"), filename="名单.csv")
    db_session.commit()
    assert out.rows == 9
    assert [a["reference"] for a in out.added] == ["LS-001"] and out.added[0]["members"] == 3
    assert {r["reference"]: r["reason"] for r in out.not_zero} == {"LS-002": "有劳动年龄内成员已就业",
                                                                  "LS-003": "没有劳动年龄内成员"}
    assert [r["row"] for r in out.rejected] == [8, 9, 10]
    assert "年龄" in out.rejected[0]["reasons"][0] and "就业状况" in out.rejected[1]["reasons"][0]
    household = hh.list_households(db_session, staff)[0]
    assert household.region_code == "371302" and household.head_name == "张大海"
    ages = {m.name: m.age for m in household.members}
    assert ages["张小丽"] == dt.date.today().year - 2000 - (dt.date.today() < dt.date(dt.date.today().year, 3, 15))
    assert household.members[1].id_number_masked and "0315" not in household.members[1].id_number_masked
    again = hh.import_households(db_session, staff, "\n".join(ROWS[:4]).encode(), filename="名单.csv")
    assert again.added == [] and [a["reference"] for a in again.already] == ["LS-001"]


def test_open_list_days_open_referral_and_clearing(db_session, make_user):
    staff = make_user("commissioner", region_code="371300")
    other = make_user("commissioner", region_code="371322")
    hh.import_households(db_session, staff, "\n".join(ROWS[:4]).encode(), filename="名单.csv")
    db_session.commit()
    household = hh.list_households(db_session, staff)[0]
    household.opened_on = dt.date.today() - dt.timedelta(days=12)
    db_session.commit()
    assert hh.days_open(household) == 12
    assert hh.list_households(db_session, other) == []
    with pytest.raises(PermissionDenied):
        hh.get_household(db_session, other, household.id)
    posting = _posting(db_session)
    grandma = next(m for m in household.members if m.age == 78)
    with pytest.raises(DomainError):
        hh.refer(db_session, staff, household.id, grandma.id, posting.id)
    daughter = next(m for m in household.members if m.name == "张小丽")
    first = hh.refer(db_session, staff, household.id, daughter.id, posting.id)
    hh.record_outcome(db_session, staff, first.id, "declined")
    db_session.commit()
    assert household.cleared_on is None
    second = hh.refer(db_session, staff, household.id, daughter.id, _posting(db_session, "收银员").id)
    hh.record_outcome(db_session, staff, second.id, "hired")
    db_session.commit()
    db_session.refresh(household)
    assert household.cleared_on == dt.date.today() and daughter.employed
    assert hh.list_households(db_session, staff) == []
    assert [h.id for h in hh.list_households(db_session, staff, cleared=True)] == [household.id]
    assert hh.days_open(household) == 12
    with pytest.raises(DomainError):
        hh.refer(db_session, staff, household.id, daughter.id, posting.id)
    assert db_session.get(Household, household.id).cleared_on is not None


def test_a_member_who_finds_work_alone_clears_the_household(db_session, make_user):
    staff = make_user("commissioner", region_code="371302")
    other = make_user("commissioner", region_code="371322")
    hh.import_households(db_session, staff, "\n".join(ROWS[:4]).encode(), filename="名单.csv")
    db_session.commit()
    household = hh.list_households(db_session, staff)[0]
    grandma = next(m for m in household.members if m.age == 78)
    with pytest.raises(DomainError):
        hh.record_found_work(db_session, staff, grandma.id)
    father = next(m for m in household.members if m.name == "张大海")
    with pytest.raises(PermissionDenied):
        hh.record_found_work(db_session, other, father.id)
    hh.record_found_work(db_session, staff, father.id)
    db_session.commit()
    assert father.employed and household.cleared_on == dt.date.today()
