"""Saving a search from the search page, managing alerts, the runner as the scheduler runs it, and
the one-tap unsubscribe link that works signed out."""
from __future__ import annotations

from sqlalchemy import select

from core.alerts.models import SavedSearch
from core.notifications.models import NotificationDelivery
from core.notifications.services import inbox


def _save(client, **fields):
    data = {"q": "电焊", "region": "371302", "page": "2", "sort": "pay", **fields}
    return client.post("/me/alerts", data=data)


def test_the_search_page_offers_one_button_carrying_the_filters(client, login_as):
    page = client.get("/search?q=电焊&region=371302&type=full_time&page=1").get_data(as_text=True)
    assert "登录</a>后可保存这个搜索" in page  # signed out: told how
    login_as("jobseeker")
    page = client.get("/search?q=电焊&region=371302&type=full_time&page=1").get_data(as_text=True)
    assert "保存搜索，有新岗位提醒我" in page
    form = page[page.index('class="save-search"'):page.index("保存搜索，有新岗位提醒我")]
    assert 'name="q" value="电焊"' in form and 'name="type" value="full_time"' in form
    assert 'name="page"' not in form
    assert "保存搜索" not in client.get("/search").get_data(as_text=True)  # nothing chosen: nothing to save


def test_saving_keeps_the_filters_and_names_the_alert_in_words(client, login_as, db_session):
    user = login_as("jobseeker")
    resp = _save(client)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/me/alerts")
    ss = db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id))
    assert ss.query == {"q": ["电焊"], "region": ["371302"]} and ss.frequency == "daily" and ss.active
    assert "电焊" in ss.name and "兰山区" in ss.name and "371302" not in ss.name
    page = client.get("/me/alerts").get_data(as_text=True)
    assert ss.name in page and "每天一次" in page


def test_a_bad_search_is_not_saved(client, login_as, db_session):
    user = login_as("jobseeker")
    resp = _save(client, pay_unit="year")
    assert resp.status_code == 302 and "/search?" in resp.headers["Location"]
    assert db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id)) is None


def test_frequency_sms_pause_and_delete_only_on_my_own(client, login_as, make_user, sign_in, db_session):
    owner = login_as("jobseeker")
    _save(client)
    ss = db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == owner.id))
    resp = client.post(f"/me/alerts/{ss.id}", data={"name": "焊工", "frequency": "weekly", "by_sms": "1", "active": "1"})
    assert resp.status_code == 302
    db_session.refresh(ss)
    assert (ss.name, ss.frequency, ss.by_sms, ss.active) == ("焊工", "weekly", True, True)
    client.post(f"/me/alerts/{ss.id}", data={"name": "焊工", "frequency": "weekly"})
    db_session.refresh(ss)
    assert ss.active is False  # unticked: paused

    sign_in(make_user("jobseeker"))
    client.post(f"/me/alerts/{ss.id}", data={"name": "改名", "frequency": "daily", "active": "1"})
    client.post(f"/me/alerts/{ss.id}/delete")
    db_session.refresh(ss)
    assert ss.name == "焊工" and ss.active is False

    sign_in(owner)
    client.post(f"/me/alerts/{ss.id}/delete")
    assert db_session.get(SavedSearch, ss.id) is None


def test_runner_puts_new_postings_in_the_inbox_and_the_text_carries_the_unsubscribe_link(
    app, client, login_as, make_posting, db_session, seeker_with_profile,
):
    from webapp.alerts.runner import deliver, run_due_alerts

    user, _ = seeker_with_profile(phone="13955556666")
    _save(client, frequency="immediately")
    ss = db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id))
    client.post(f"/me/alerts/{ss.id}", data={"name": ss.name, "frequency": "immediately", "by_sms": "1", "active": "1"})
    posting = make_posting(title="电焊工（白班）", region_code="371302")
    make_posting(title="电焊工", region_code="440106")  # elsewhere

    app.config["PUBLIC_BASE_URL"] = "https://jobs.example.gov.cn"
    try:
        run = run_due_alerts(db_session, app)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert (run.notified, run.postings, run.texts) == (1, 1, 1)
    [note] = inbox(db_session, user.id)
    assert note.link == f"/postings/{posting.id}" and "电焊工（白班）" in note.body
    page = client.get("/me/inbox").get_data(as_text=True)
    assert "电焊工（白班）" in page

    [row] = db_session.scalars(select(NotificationDelivery).where(NotificationDelivery.user_id == user.id)).all()
    link = f"https://jobs.example.gov.cn/alerts/unsubscribe/{ss.unsubscribe_token}"
    assert link in row.body and row.address == "13955556666"
    assert deliver(db_session, app).sent == 1
    from core.notifications.delivery import LogAdapter
    from pathlib import Path

    sent = LogAdapter(Path(app.instance_path) / "outbox" / "messages.jsonl").sent()
    assert any(m["to"] == "13955556666" and link in m["body"] for m in sent)


def test_unsubscribe_in_one_tap_signed_out_and_undo(client, login_as, db_session):
    user = login_as("jobseeker")
    _save(client)
    ss = db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id))
    client.post("/logout")

    resp = client.get(f"/alerts/unsubscribe/{ss.unsubscribe_token}")
    assert resp.status_code == 200 and "已退订" in resp.get_data(as_text=True)
    db_session.refresh(ss)
    assert ss.active is False
    assert client.get(f"/alerts/unsubscribe/{ss.unsubscribe_token}").status_code == 200  # again: still fine
    assert client.post(f"/alerts/unsubscribe/{ss.unsubscribe_token}/resume").status_code == 200
    db_session.refresh(ss)
    assert ss.active is True
    assert client.get("/alerts/unsubscribe/not-a-token").status_code == 404
    assert client.post("/alerts/unsubscribe/not-a-token/resume").status_code == 404


def test_the_scheduler_runs_alerts_and_delivery_every_ten_minutes():
    import datetime as dt

    from webapp.scheduler import JOBS, Scheduler

    names = {job.name for job in JOBS if job.period == "frequent"}
    assert names == {"alerts run", "notifications deliver"}
    now = {"t": dt.datetime(2026, 12, 7, 9, 3, 30)}
    ran = []

    class Session:
        def rollback(self): ...

        def close(self): ...

    jobs = tuple(j.__class__(j.name, j.period, lambda s, n=j.name: ran.append(n) or "ok") for j in JOBS
                 if j.period == "frequent")
    s = Scheduler(Session, jobs=jobs, clock=lambda: now["t"])
    s.tick()
    s.tick()
    assert sorted(ran) == sorted(names)  # once per ten-minute slot
    assert s.seconds_to_wait([]) <= 6.5 * 60 + 1
    now["t"] = dt.datetime(2026, 12, 7, 9, 10, 1)
    s.tick()
    assert len(ran) == 4


def test_the_commands_run_the_alerts_and_the_outbox_once(app, runner, client, seeker_with_profile, make_posting,
                                                        db_session):
    import json

    user, _ = seeker_with_profile(phone="13955557777")
    _save(client, frequency="immediately")
    ss = db_session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id))
    client.post(f"/me/alerts/{ss.id}", data={"name": ss.name, "frequency": "immediately", "by_sms": "1", "active": "1"})
    make_posting(title="电焊工（夜班）", region_code="371302")

    result = runner.invoke(args=["alerts", "run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["texts"] == 1
    result = runner.invoke(args=["alerts", "deliver"])
    assert result.exit_code == 0 and "发出 1 条" in result.output
