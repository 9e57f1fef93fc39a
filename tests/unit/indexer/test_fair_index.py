"""Job fairs kept in step with the search index the way postings are, on both databases: every change
of a fair goes through the outbox, the relay writes (or removes) the ``fairs`` document, rebuild and
reconcile agree with the database, and a failing backend leaves the outbox's events to retry."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.enums import OutboxState
from core.fairs import services as svc
from core.fairs.models import JobFair
from core.fairs.search import fair_query, fair_version, find_fairs, split_fair_words
from core.outbox.models import OutboxEvent
from core.search import SearchError, SearchQuery
from indexer.search.embedded import EmbeddedBackend
from indexer.worker import Relay, rebuild, reconcile

TODAY = dt.date.today()


def _fair_data(**kw) -> dict:
    data = {"title": "兰山区春风行动专场招聘会", "theme": "veterans", "kind": "onsite", "venue": "兰山区人力资源市场",
            "region_code": "371302", "date": (TODAY + dt.timedelta(days=10)).isoformat(), "start_time": "09:00",
            "end_time": "12:00", "booth_capacity": "5", "visitor_capacity": "30", "organiser": "兰山区人社局",
            "target_groups": ["veteran"], "lat": "35.05", "lon": "118.34"}
    data.update(kw)
    return data


@pytest.fixture
def index(tmp_path):
    return EmbeddedBackend(tmp_path / "search")


@pytest.fixture
def staff(make_user):
    return make_user("commissioner", region_code="371300")


def found(index, text=""):
    return index.search("fairs", SearchQuery(text=text, sort="soonest", size=100)).ids


def _commit(db_session, fair):
    db_session.commit()
    return fair


def test_a_fair_is_found_from_the_time_it_is_public_until_it_is_cancelled(db_session, index, staff):
    fair = _commit(db_session, svc.create_fair(db_session, staff, _fair_data()))
    Relay(index).drain(db_session)
    assert found(index, "春风行动") == []  # a draft is nobody's business yet
    svc.advance_fair(db_session, staff, fair.id)  # booths open: the public list shows it
    svc.advance_fair(db_session, staff, fair.id)  # open for visitors
    db_session.commit()
    assert Relay(index).drain(db_session).done >= 2
    assert found(index, "春风行动") == [fair.id]
    assert found(index, "退役军人") == [fair.id]  # the theme and the target group are searchable words
    assert index.versions("fairs") == {fair.id: fair_version(fair)}
    svc.cancel_fair(db_session, staff, fair.id, "场地检修")
    db_session.commit()
    Relay(index).drain(db_session)
    assert found(index, "春风行动") == []
    assert {e.state for e in db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "fair"))} \
        == {OutboxState.DONE}


def test_an_edit_reaches_the_index(db_session, index, staff):
    fair = svc.create_fair(db_session, staff, _fair_data())
    svc.advance_fair(db_session, staff, fair.id)
    db_session.commit()
    Relay(index).drain(db_session)
    svc.update_fair(db_session, staff, fair.id, _fair_data(title="兰山区退役军人就业专场"))
    db_session.commit()
    Relay(index).drain(db_session)
    assert found(index, "春风行动") == [] and found(index, "就业专场") == [fair.id]


def test_a_failing_backend_leaves_the_events_to_retry(db_session, index, staff):
    class Down(EmbeddedBackend):
        def upsert(self, collection, docs):
            raise SearchError("unreachable")

    fair = svc.create_fair(db_session, staff, _fair_data())
    svc.advance_fair(db_session, staff, fair.id)
    db_session.commit()
    stats = Relay(Down(index.root), base_delay=0).drain(db_session, max_batches=1)
    assert stats.claimed >= 1 and stats.done == 0 and stats.retried == stats.claimed
    events = db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "fair",
                                                          OutboxEvent.entity_id == fair.id)).all()
    assert any(e.state == OutboxState.PENDING and "unreachable" in (e.last_error or "") for e in events)
    Relay(index).drain(db_session)
    assert found(index, "春风行动") == [fair.id]


def _direct_fair(db_session, staff, days: int, status: str, title: str) -> JobFair:
    fair = JobFair(title=title, theme="general", kind="onsite", venue="", region_code="371302",
                   date=TODAY + dt.timedelta(days=days), status=status, created_by=staff.id)
    db_session.add(fair)
    db_session.commit()
    return fair


def test_rebuild_and_reconcile_hold_the_public_upcoming_fairs_only(db_session, index, staff):
    soon = _direct_fair(db_session, staff, 3, "open_visitors", "近期招聘会甲")
    running = _direct_fair(db_session, staff, 0, "running", "今日招聘会乙")
    _direct_fair(db_session, staff, -1, "open_visitors", "昨日招聘会丙")
    _direct_fair(db_session, staff, 5, "draft", "草稿招聘会丁")
    _direct_fair(db_session, staff, 5, "cancelled", "取消招聘会戊")
    assert rebuild(db_session, index, "fairs") == 2
    assert sorted(index.versions("fairs")) == sorted([soon.id, running.id])
    assert found(index) == [running.id, soon.id]  # soonest first
    soon.date = TODAY - dt.timedelta(days=2)  # the day went by (a date moved back by hand here)
    db_session.commit()
    report = reconcile(db_session, index, "fairs")
    assert report.orphans == [soon.id]
    assert found(index) == [running.id]
    assert reconcile(db_session, index, "fairs", fix=False).clean


def test_found_fairs_agree_with_the_public_list(db_session, index, staff):
    """The search's fairs and the public fair list are the same fairs, the soonest first."""
    for days, status in ((1, "open_booths"), (2, "open_visitors"), (4, "running"), (3, "draft"), (-2, "running")):
        _direct_fair(db_session, staff, days, status, f"招聘会{days}{status}")
    rebuild(db_session, index, "fairs")
    listed = [f.id for f in svc.upcoming_fairs(db_session, region_prefix="3713")]
    hits = find_fairs(db_session, index, fair_query(region_code="371300", size=100)).items
    assert [h.fair.id for h in hits] == listed and len(listed) == 3


def test_words_that_ask_for_fairs_are_taken_out():
    assert split_fair_words("毕业生招聘会") == (True, "毕业生")
    assert split_fair_words("兰山区 现场招聘会") == (True, "兰山区")
    assert split_fair_words("电焊工") == (False, "电焊工")


def test_the_index_commands_cover_fairs(app, runner, db_session, staff, index, monkeypatch):
    monkeypatch.setitem(app.extensions, "search", index)
    fair = _direct_fair(db_session, staff, 2, "open_visitors", "命令重建招聘会")
    result = runner.invoke(args=["index", "rebuild", "--collection", "fairs"])
    assert result.exit_code == 0, result.output
    assert "fairs" in result.output and list(index.versions("fairs")) == [fair.id]
    result = runner.invoke(args=["index", "reconcile", "--collection", "fairs", "--dry-run", "--json"])
    assert result.exit_code == 0 and '"missing": []' in result.output
