"""Saved searches and job alerts: what the runner announces (new, matching, not applied to, once), how
often, and the SMS copy through the delivery outbox (the local log adapter, no network)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from core.alerts.models import SavedSearch
from core.alerts.services import (
    MAX_PER_PERSON,
    alert_params,
    create_saved_search,
    delete_saved_search,
    run_alerts,
    saved_searches,
    sql_matches,
    unsubscribe,
    update_saved_search,
)
from core.applications.services import apply_to_posting
from core.db import utcnow
from core.enums import NotificationKind, PostingStatus
from core.errors import DomainError, NotFound
from core.notifications.delivery import (
    MAX_ATTEMPTS,
    DeliveryFailed,
    LogAdapter,
    deliver_pending,
    make_adapter,
    requeue_stuck,
)
from core.notifications.models import NotificationDelivery
from core.notifications.services import inbox

_seq = itertools.count(1)


@pytest.fixture
def posting(db_session):
    from core.channels.models import Channel
    from core.enums import ChannelKind
    from core.postings.models import Posting

    def _make(title, region_code="371302", published_at=None, status=PostingStatus.PUBLISHED, **kw):
        n = next(_seq)
        ch = Channel(code=f"alert-ch-{n}", name="测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
        db_session.add(ch)
        db_session.flush()
        p = Posting(title=title, description=kw.pop("description", f"{title}，长期招聘"), channel_id=ch.id,
                    region_code=region_code, pay_min=5000, pay_max=7000, pay_unit="month", status=status,
                    published_at=published_at or utcnow(), **kw)
        db_session.add(p)
        db_session.commit()
        return p

    return _make


@pytest.fixture
def seeker(db_session, make_user):
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher

    def _make(phone="13800001111"):
        user = make_user("jobseeker")
        s = create_jobseeker(db_session, cipher(), user_id=user.id, name="王五", phone=phone, region_code="371302")
        db_session.commit()
        return user, s

    return _make


def by_sql(session):
    return lambda ss: sql_matches(session, ss.query, since=ss.created_at)


def test_only_the_filters_are_kept_and_the_same_search_is_saved_once(db_session, make_user):
    user = make_user("jobseeker")
    params = {"q": ["焊工"], "region": ["371302"], "page": ["3"], "sort": ["pay"], "posted_within": ["7"]}
    assert alert_params(params) == {"q": ["焊工"], "region": ["371302"]}
    first = create_saved_search(db_session, user_id=user.id, name="兰山焊工", params=params)
    again = create_saved_search(db_session, user_id=user.id, name="又一次", params={"q": ["焊工"], "region": ["371302"]},
                                frequency="weekly")
    assert again.id == first.id and again.frequency == "weekly"
    assert [s.name for s in saved_searches(db_session, user.id)] == ["兰山焊工"]
    with pytest.raises(DomainError) as bad:
        create_saved_search(db_session, user_id=user.id, name="x", params={"q": ["电工"]}, frequency="hourly")
    assert bad.value.field == "frequency"


def test_a_person_keeps_at_most_the_limit_and_only_touches_their_own(db_session, make_user):
    user, other = make_user("jobseeker"), make_user("jobseeker")
    for n in range(MAX_PER_PERSON):
        create_saved_search(db_session, user_id=user.id, name=f"订阅{n}", params={"q": [f"岗位{n}"]})
    with pytest.raises(DomainError):
        create_saved_search(db_session, user_id=user.id, name="再多一个", params={"q": ["再多"]})
    mine = saved_searches(db_session, user.id)[0]
    with pytest.raises(NotFound):
        update_saved_search(db_session, user_id=other.id, saved_search_id=mine.id, frequency="weekly")
    with pytest.raises(NotFound):
        delete_saved_search(db_session, user_id=other.id, saved_search_id=mine.id)
    delete_saved_search(db_session, user_id=user.id, saved_search_id=mine.id)
    assert len(saved_searches(db_session, user.id)) == MAX_PER_PERSON - 1


def test_the_runner_announces_new_matching_postings_once_and_never_one_applied_to(db_session, seeker, posting):
    user, person = seeker()
    old = posting("电焊工", published_at=utcnow() - dt.timedelta(days=3))  # before the search was saved
    ss = create_saved_search(db_session, user_id=user.id, name="电焊", params={"q": ["电焊"], "region": ["371300"]},
                             frequency="immediately")
    db_session.commit()
    new = posting("电焊工（夜班）")
    applied = posting("电焊学徒")
    posting("电焊工", region_code="440106")  # elsewhere
    posting("保洁员")  # another job
    posting("电焊组长", status=PostingStatus.PENDING_REVIEW)  # not published
    apply_to_posting(db_session, jobseeker_id=person.id, posting_id=applied.id)
    db_session.commit()

    run = run_alerts(db_session, by_sql(db_session))
    assert (run.checked, run.notified, run.postings) == (1, 1, 1)
    [note] = inbox(db_session, user.id)
    assert note.kind == NotificationKind.ALERT and "电焊" in note.title and note.link == f"/postings/{new.id}"
    assert note.body == new.title  # not the older posting, nor the one applied to

    again = run_alerts(db_session, by_sql(db_session))
    assert again.notified == 0 and len(inbox(db_session, user.id)) == 1  # nothing announced twice
    assert ss.last_run_at is not None


def test_a_daily_alert_runs_once_a_day_and_an_unsubscribed_one_never(db_session, seeker, posting):
    user, _ = seeker()
    now = utcnow()
    daily = create_saved_search(db_session, user_id=user.id, name="保洁", params={"q": ["保洁"]}, frequency="daily",
                                now=now - dt.timedelta(hours=1))
    db_session.commit()
    posting("保洁员")
    assert run_alerts(db_session, by_sql(db_session), now=now).notified == 1
    posting("保洁主管")
    assert run_alerts(db_session, by_sql(db_session), now=now + dt.timedelta(hours=2)).checked == 0
    assert run_alerts(db_session, by_sql(db_session), now=now + dt.timedelta(days=1)).notified == 1

    assert unsubscribe(db_session, daily.unsubscribe_token).active is False
    assert unsubscribe(db_session, "no-such-token") is None
    db_session.commit()
    posting("保洁员（商场）")
    assert run_alerts(db_session, by_sql(db_session), now=now + dt.timedelta(days=3)).checked == 0


def test_an_sms_copy_goes_through_the_outbox_with_a_one_tap_unsubscribe_link(db_session, seeker, posting, tmp_path):
    user, _ = seeker(phone="13800002222")
    ss = create_saved_search(db_session, user_id=user.id, name="叉车", params={"q": ["叉车"]}, frequency="immediately",
                             by_sms=True)
    db_session.commit()
    posting("叉车司机")
    run = run_alerts(db_session, by_sql(db_session), unsubscribe_url=lambda t: f"https://jobs.example.gov.cn/a/{t}")
    assert run.texts == 1
    [row] = db_session.scalars(select(NotificationDelivery)).all()
    assert (row.channel, row.address, row.state) == ("sms", "13800002222", "pending")

    adapter = LogAdapter(tmp_path / "messages.jsonl")
    done = deliver_pending(db_session, adapter)
    assert (done.sent, done.failed) == (1, 0)
    [sent] = adapter.sent()
    assert sent["to"] == "13800002222" and "叉车司机" in sent["body"]
    assert f"https://jobs.example.gov.cn/a/{ss.unsubscribe_token}" in sent["body"]
    db_session.refresh(row)
    assert row.state == "sent" and row.sent_at is not None
    assert deliver_pending(db_session, adapter).sent == 0  # sent once


class FlakyGateway:
    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise DeliveryFailed("gateway timed out")


def test_a_failed_send_is_tried_again_on_later_runs_then_given_up(db_session, seeker):
    from core.notifications.delivery import queue_delivery
    from core.notifications.services import notify

    user, _ = seeker()
    note = notify(db_session, user_id=user.id, kind="alert", title="新岗位")
    row = queue_delivery(db_session, note, channel="sms", address="13800003333")
    assert queue_delivery(db_session, note, channel="sms", address=None) is None  # no phone, no copy
    db_session.commit()
    gateway = FlakyGateway()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run = deliver_pending(db_session, gateway)
        assert gateway.calls == attempt  # one try per run, not a loop within one
        db_session.refresh(row)
        assert row.attempts == attempt
    assert run.given_up == 1 and row.state == "failed" and "timed out" in row.last_error
    assert deliver_pending(db_session, gateway).sent == 0 and gateway.calls == MAX_ATTEMPTS

    row.state = "sending"  # a process stopped mid-send
    db_session.commit()
    assert requeue_stuck(db_session) == 1


def test_the_adapter_is_chosen_by_the_setting(tmp_path):
    assert isinstance(make_adapter({}, tmp_path), LogAdapter)
    assert make_adapter({"NOTIFY_ADAPTER": "gateway"}, tmp_path).__class__.__name__ == "GatewayAdapter"
    own = make_adapter({"NOTIFY_ADAPTER": "tests.unit.core.test_alerts:own_adapter"}, tmp_path)
    assert isinstance(own, FlakyGateway)
    with pytest.raises(ValueError):
        make_adapter({"NOTIFY_ADAPTER": "carrier-pigeon"}, tmp_path)
    gateway = make_adapter({"NOTIFY_ADAPTER": "gateway"}, tmp_path)
    from core.notifications.delivery import OutgoingMessage

    with pytest.raises(DeliveryFailed):  # nothing configured: refused, not sent anywhere
        gateway.send(OutgoingMessage(1, "sms", "13800004444", "s", "b"))


def own_adapter(config):
    return FlakyGateway()



def test_nothing_is_sent_while_a_transaction_is_open(db_session, seeker):
    from core.notifications.delivery import queue_delivery
    from core.notifications.services import notify

    user, _ = seeker()
    for n in range(3):
        queue_delivery(db_session, notify(db_session, user_id=user.id, kind="alert", title=f"新岗位{n}"),
                       channel="sms", address="13800005555")
    db_session.commit()
    seen = []

    class Watching:
        def send(self, message):
            seen.append(db_session().in_transaction())

    assert deliver_pending(db_session, Watching(), batch=2).sent == 3
    assert seen == [False, False, False]
