"""The one object-by-id-in-my-jurisdiction lookup (core.accounts.services.get_in_jurisdiction) that
live sessions, land notices and major projects share: 404 for none, 403 outside, and the same answer
from each of the three paths for the same people."""
from __future__ import annotations

import pytest

from core.accounts.services import get_in_jurisdiction, in_jurisdiction
from core.errors import NotFound, PermissionDenied
from core.livestreams import services as live_svc
from core.livestreams.models import LiveSession
from core.projects import land
from core.projects import services as project_svc
from core.projects.models import MajorProject


@pytest.fixture()
def objects(db_session, make_user):
    county = make_user("commissioner", region_code="371302")
    project = MajorProject(name="沂河新区安置区道路工程", region_code="371302")
    live = LiveSession(title="兰山区直播带岗", region_code="371302")
    db_session.add_all([project, live])
    db_session.flush()
    notice = land.record_notice(db_session, county, project.id, {"notice_date": "2026-09-18",
                                                                "villages": "371302101201 东岭村 86"})
    db_session.flush()
    return {"project": project, "live": live, "notice": notice}


def _answer(call) -> int:
    try:
        call()
    except NotFound:
        return 404
    except PermissionDenied:
        return 403
    return 200


def test_the_three_lookups_agree_for_every_role(db_session, make_user, objects):
    people = {"county": make_user("commissioner", region_code="371302"),
              "city": make_user("commissioner", region_code="371300"),
              "other county": make_user("commissioner", region_code="371311"),
              "admin": make_user("admin"), "enterprise": make_user("enterprise"),
              "reviewer": make_user("reviewer"), "jobseeker": make_user("jobseeker")}
    expected = {"county": 200, "city": 200, "admin": 200, "other county": 403, "enterprise": 403,
                "reviewer": 403, "jobseeker": 403}
    for who, user in people.items():
        answers = {_answer(lambda: live_svc.get_session(db_session, objects["live"].id, user)),
                   _answer(lambda: land.get_notice(db_session, objects["notice"].id, user)),
                   _answer(lambda: project_svc.get_project(db_session, objects["project"].id, user))}
        assert answers == {expected[who]}, who
        assert in_jurisdiction(user, "371302101201") == (expected[who] == 200), who


def test_none_is_not_found_and_outside_names_the_object(db_session, make_user):
    user = make_user("commissioner", region_code="371311")
    with pytest.raises(NotFound):
        get_in_jurisdiction(db_session, LiveSession, 987654, user, "该场直播")
    live = LiveSession(title="兰山区直播带岗", region_code="371302")
    db_session.add(live)
    db_session.flush()
    with pytest.raises(PermissionDenied) as refused:
        get_in_jurisdiction(db_session, LiveSession, live.id, user, "该场直播")
    assert refused.value.message == "该场直播不在您的管辖范围内"
