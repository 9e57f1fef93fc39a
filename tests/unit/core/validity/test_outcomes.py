"""Call-back outcomes: dead postings are withdrawn (with outbox events), and the validity rates."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.enums import PostingStatus
from core.errors import DomainError, PermissionDenied
from core.outbox.models import OutboxEvent
from core.validity import services as validity
from core.validity.models import CallbackTask

TODAY = dt.date(2026, 11, 22)


def _events(db_session, posting_id):
    return list(db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "posting",
                                                            OutboxEvent.entity_id == posting_id)))


@pytest.fixture
def sampled(db_session, make_channel, make_postings, make_user, isolate_live_postings):
    """Four live postings in 广州, all sampled, and the 广州 commissioner."""
    commissioner = make_user("commissioner", region_code="440100")
    postings = make_postings(make_channel("天河人力资源市场"), 4, region_code="440106")
    run = validity.draw_monthly_sample(db_session, "2026-11", per_channel=10, seed=1, today=TODAY).run
    tasks = {t.posting_id: t for t in db_session.scalars(select(CallbackTask).where(CallbackTask.run_id == run.id))}
    return commissioner, postings, [tasks[p.id] for p in postings]


def test_filled_and_fake_take_the_posting_down_with_an_outbox_event(db_session, sampled):
    commissioner, (open_p, filled_p, fake_p, _), (t_open, t_filled, t_fake, _) = sampled
    r = validity.record_outcome(db_session, t_open.id, "still_open", commissioner, "人事王女士确认仍在招")
    assert r.final and r.posting_status is None
    r = validity.record_outcome(db_session, t_filled.id, "filled", commissioner, "上周已招满")
    assert r.posting_status == PostingStatus.FILLED
    r = validity.record_outcome(db_session, t_fake.id, "fake", commissioner, "企业称从未发布")
    assert r.posting_status == PostingStatus.WITHDRAWN
    db_session.commit()
    for p, status, events in ((open_p, PostingStatus.PUBLISHED, 0), (filled_p, PostingStatus.FILLED, 1),
                              (fake_p, PostingStatus.WITHDRAWN, 1)):
        db_session.refresh(p)
        assert p.status == status
        assert p.version == 1 + events
        assert len(_events(db_session, p.id)) == events
    assert t_filled.done_by_user_id == commissioner.id and t_filled.done_at is not None
    assert "上周已招满" in t_filled.note and t_filled.posting_action == "filled"
    assert db_session.scalar(select(AuditEvent.purpose).where(AuditEvent.subject_type == "callback_task",
                                                             AuditEvent.subject_id == t_fake.id)) == "岗位有效性回访：虚假岗位"


def test_unreachable_is_retried_then_withdrawn(db_session, sampled):
    commissioner, postings, tasks = sampled
    p, task = postings[3], tasks[3]
    for attempt in range(1, validity.UNREACHABLE_LIMIT):
        r = validity.record_outcome(db_session, task.id, "unreachable", commissioner, f"第{attempt}次无人接听")
        assert not r.final and task.outcome is None and task.attempts == attempt
        db_session.refresh(p)
        assert p.status == PostingStatus.PUBLISHED and _events(db_session, p.id) == []
    r = validity.record_outcome(db_session, task.id, "unreachable", commissioner, "空号")
    assert r.final and task.outcome == "unreachable" and task.attempts == validity.UNREACHABLE_LIMIT
    db_session.refresh(p)
    assert p.status == PostingStatus.WITHDRAWN and len(_events(db_session, p.id)) == 1
    assert task.note.count("联系不上") == validity.UNREACHABLE_LIMIT


def test_a_task_is_recorded_once_and_only_in_jurisdiction(db_session, sampled, make_user):
    commissioner, _postings, tasks = sampled
    with pytest.raises(PermissionDenied):
        validity.record_outcome(db_session, tasks[0].id, "filled", make_user("commissioner", region_code="371300"))
    with pytest.raises(PermissionDenied):
        validity.record_outcome(db_session, tasks[0].id, "filled", make_user("reviewer"))
    with pytest.raises(DomainError) as info:
        validity.record_outcome(db_session, tasks[0].id, "maybe", commissioner)
    assert info.value.code == "invalid_outcome"
    validity.record_outcome(db_session, tasks[0].id, "still_open", commissioner)
    with pytest.raises(DomainError) as info:
        validity.record_outcome(db_session, tasks[0].id, "filled", make_user("admin"))
    assert info.value.code == "task_done"


def test_a_posting_already_taken_down_is_left_alone(db_session, sampled):
    commissioner, postings, tasks = sampled
    postings[1].status = PostingStatus.REJECTED
    db_session.flush()
    r = validity.record_outcome(db_session, tasks[1].id, "fake", commissioner)
    assert r.final and r.posting_status is None and tasks[1].posting_action is None
    assert postings[1].status == PostingStatus.REJECTED and _events(db_session, postings[1].id) == []


def test_validity_rates_per_channel_overall_and_weighted(db_session, make_channel, make_postings, make_user,
                                                         isolate_live_postings):
    admin = make_user("admin")
    a, b = make_channel("甲：省级网站"), make_channel("乙：零工平台")
    make_postings(a, 90, region_code="440103")
    make_postings(b, 10, region_code="371302")
    run = validity.draw_monthly_sample(db_session, "2026-08", per_channel=5, seed=5, today=TODAY).run
    tasks = list(db_session.scalars(select(CallbackTask).where(CallbackTask.run_id == run.id).order_by(CallbackTask.id)))
    ta = [t for t in tasks if t.channel_id == a.id]
    tb = [t for t in tasks if t.channel_id == b.id]
    # 甲: 4 checked, 3 still open, 1 filled, 1 pending -> 75%.  乙: 5 checked, 1 still open -> 20%.
    for t, o in zip(ta[:4], ["still_open", "still_open", "still_open", "filled"]):
        validity.record_outcome(db_session, t.id, o, admin)
    for t, o in zip(tb, ["still_open", "fake", "filled", "filled", "unreachable"]):
        for _ in range(validity.UNREACHABLE_LIMIT if o == "unreachable" else 1):
            validity.record_outcome(db_session, t.id, o, admin)
    report = validity.validity_report(db_session, "2026-08")
    by = {s.channel_id: s for s in report.channels}
    assert (by[a.id].checked, by[a.id].valid, by[a.id].pending, by[a.id].rate) == (4, 3, 1, 0.75)
    assert (by[b.id].checked, by[b.id].valid, by[b.id].pending, by[b.id].rate) == (5, 1, 0, 0.2)
    assert by[b.id].counts == {"still_open": 1, "filled": 2, "unreachable": 1, "fake": 1}
    assert (by[a.id].population, by[a.id].sampled) == (90, 5)
    # Overall: 4 valid of 9 checked, not the mean of the two rates.
    assert report.overall.checked == 9 and report.overall.rate == pytest.approx(4 / 9)
    # Weighted by live postings: 0.9 * 0.75 + 0.1 * 0.2.
    assert report.weighted_rate == pytest.approx(0.695)
    d = report.as_dict()
    assert d["overall"]["rate"] == round(4 / 9, 4) and d["weighted_rate"] == 0.695

    # A jurisdiction's view counts only its own tasks.
    gz = validity.validity_report(db_session, "2026-08", region_prefix="4401")
    assert [s.channel_id for s in gz.channels] == [a.id] and gz.overall.checked == 4 and gz.weighted_rate is None
    # No run that month.
    with pytest.raises(DomainError):
        validity.validity_report(db_session, "2001-01")
