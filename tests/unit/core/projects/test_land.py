"""Land acquisition: the working-day calendar (shipped data and an admin's entries), the 30-working-day
survey deadline with holidays and make-up working days inside the window and a notice dated on a
holiday, notices kept to the villages' jurisdiction, and overdue surveys escalated once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.errors import PermissionDenied, ValidationErrors
from core.notifications.models import Notification
from core.projects import land, workdays
from core.projects.models import MajorProject

D = dt.date


def test_shipped_calendar_knows_2026_holidays_and_make_up_days():
    cal = workdays.WorkingCalendar(dict(workdays.shipped_entries()))
    assert not cal.is_working_day(D(2026, 10, 1))          # 国庆节, a Thursday
    assert cal.is_working_day(D(2026, 10, 10))             # Saturday, 国庆节调休上班
    assert cal.is_working_day(D(2026, 9, 20))              # Sunday, 国庆节调休上班
    assert not cal.is_working_day(D(2026, 2, 16))          # 春节
    assert not cal.is_working_day(D(2026, 3, 7))           # an ordinary Saturday
    assert cal.is_working_day(D(2026, 3, 9))               # an ordinary Monday
    assert not cal.is_working_day(D(2027, 2, 8))           # 2027 statutory 春节 day (arrangement not yet known)
    assert {2026, 2027} <= set(workdays.shipped_years())


def test_thirty_working_days_with_mid_autumn_and_national_day_inside():
    cal = workdays.WorkingCalendar(dict(workdays.shipped_entries()))
    # counted by hand: 9-20 (Sun, make-up) is day 1; 9-25..27 and 10-1..7 are off; 10-10 (Sat) works
    assert cal.add_working_days(D(2026, 9, 18), 30) == D(2026, 11, 5)
    # weekends alone would give 10-30: the holidays push the deadline a week
    assert workdays.WorkingCalendar({}).add_working_days(D(2026, 9, 18), 30) == D(2026, 10, 30)
    # a notice dated on a holiday counts from the first working day after it
    assert cal.add_working_days(D(2026, 10, 1), 30) == D(2026, 11, 17)
    assert cal.add_working_days(D(2026, 10, 3), 30) == D(2026, 11, 17)
    assert cal.working_days_between(D(2026, 9, 18), D(2026, 11, 5)) == 30
    assert cal.working_days_between(D(2026, 11, 5), D(2026, 9, 18)) == -30


def test_admin_entries_override_the_shipped_calendar(db_session, make_user):
    admin, commissioner = make_user("admin"), make_user("commissioner", region_code="371300")
    with pytest.raises(PermissionDenied):
        workdays.set_calendar_day(db_session, commissioner, "2027-02-09", "holiday", "春节")
    with pytest.raises(ValidationErrors) as caught:
        workdays.set_calendar_day(db_session, admin, "2027-13-01", "party", "")
    assert {e.field for e in caught.value.errors} == {"day", "kind"}
    workdays.set_calendar_day(db_session, admin, "2027-02-09", "holiday", "春节")
    workdays.set_calendar_day(db_session, admin, "2027-02-20", "workday", "春节调休上班")
    workdays.set_calendar_day(db_session, admin, "2026-10-07", "normal", "")
    cal = workdays.working_calendar(db_session)
    assert not cal.is_working_day(D(2027, 2, 9)) and cal.is_working_day(D(2027, 2, 20))
    assert cal.is_working_day(D(2026, 10, 7))
    rows = {r["day"]: r for r in workdays.calendar_rows(db_session, 2027)}
    assert rows[D(2027, 2, 9)]["edited"] and rows[D(2027, 2, 5)]["shipped"] and not rows[D(2027, 2, 5)]["edited"]


@pytest.fixture
def project(db_session, make_user):
    owner = make_user("commissioner", region_code="371300")
    p = MajorProject(name="沂河新区安置区道路工程", region_code="371302", commissioner_user_id=owner.id)
    db_session.add(p)
    db_session.flush()
    return p


VILLAGES = "371302101201 东岭村 86\n371302101202 西岭村 40"


def test_record_notice_validates_and_keeps_villages_in_jurisdiction(db_session, make_user, project):
    county = make_user("commissioner", region_code="371302")
    with pytest.raises(ValidationErrors) as caught:
        land.record_notice(db_session, county, project.id, {"notice_date": "2026-9-40", "area_mu": "-3",
                                                           "villages": "3713021 东岭村\n440106001001 外地村 3"})
    errs = {e.field: e.message for e in caught.value.errors}
    assert set(errs) == {"notice_date", "area_mu", "villages"}
    with pytest.raises(ValidationErrors) as caught:
        land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18",
                                                           "villages": "371311001001 别县村 3"})
    assert "管辖范围" in caught.value.errors[0].message
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18", "reference": "临政征〔2026〕12号",
                                                                "area_mu": "326.5", "households": "126",
                                                                "villages": VILLAGES})
    assert [v.name for v in notice.villages] == ["东岭村", "西岭村"] and notice.villages[0].households == 86
    due = land.survey_deadline(workdays.working_calendar(db_session), notice, D(2026, 10, 8))
    assert due.deadline == D(2026, 11, 5) and due.working_days_left == 21 and not due.overdue
    assert [name for _d, name in due.holidays_inside][:1] == ["中秋节"]
    assert "国庆节" in {name for _d, name in due.holidays_inside}

    # another county's commissioner neither sees the notice nor the names
    other = make_user("commissioner", region_code="371311")
    assert notice not in land.visible_notices(db_session, other)
    with pytest.raises(PermissionDenied):
        land.get_notice(db_session, notice.id, other)
    assert notice in land.visible_notices(db_session, county)


def test_notice_dated_on_a_holiday(db_session, make_user, project):
    county = make_user("commissioner", region_code="371302")
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-10-01", "villages": VILLAGES})
    due = land.survey_deadline(workdays.working_calendar(db_session), notice, D(2026, 10, 1))
    assert due.deadline == D(2026, 11, 17) and due.notice_on_day_off == "国庆节"


def test_overdue_survey_escalated_once_to_the_villages_commissioners(db_session, make_user, project):
    county = make_user("commissioner", region_code="371302")
    city = make_user("commissioner", region_code="371300")
    elsewhere = make_user("commissioner", region_code="440100")
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18", "villages": VILLAGES})
    assert land.escalate_overdue_surveys(db_session, D(2026, 11, 5)) == []     # due that day: not yet overdue
    assert land.escalate_overdue_surveys(db_session, D(2026, 11, 6)) == [notice.id]
    assert land.escalate_overdue_surveys(db_session, D(2026, 11, 9)) == []     # once
    notes = db_session.scalars(select(Notification).where(Notification.kind == "task")).all()
    assert {n.user_id for n in notes} == {county.id, city.id, project.commissioner_user_id}
    assert elsewhere.id not in {n.user_id for n in notes}
    assert "2026年11月05日" in notes[0].body and notes[0].link == f"/projects/land/{notice.id}"


def test_completed_survey_is_not_escalated(db_session, make_user, project):
    county = make_user("commissioner", region_code="371302")
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18", "villages": VILLAGES})
    land.complete_survey(db_session, county, notice.id)
    assert land.escalate_overdue_surveys(db_session, D(2026, 12, 1)) == []


def test_the_scheduler_runs_the_escalation_daily(db_session, make_user, project):
    from webapp.scheduler import JOBS

    job = next(j for j in JOBS if j.name == "land surveys escalate")
    county = make_user("commissioner", region_code="371302")
    land.record_notice(db_session, county, project.id, {"notice_date": "2026-01-05", "villages": VILLAGES})
    assert job.period == "daily"
    assert job.run(db_session) == "征地调查超期提醒 1 个公告"      # long overdue by now
    assert job.run(db_session) == "征地调查超期提醒 0 个公告"
