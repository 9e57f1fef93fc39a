"""The commissioner home over HTTP: call-back tasks of my jurisdiction, recording outcomes, rates."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.enums import PostingStatus
from core.postings.models import Posting
from core.validity.models import CallbackTask
from core.validity.services import draw_monthly_sample


@pytest.fixture
def sampled_tasks(db_session, make_held, make_channel, make_user):
    """Only our postings live; one in 广州 (荔湾), one in 临沂; this month's sample drawn."""
    db_session.execute(update(Posting).where(Posting.status == PostingStatus.PUBLISHED).values(status=PostingStatus.DRAFT))
    gz = make_held(make_channel(name="荔湾区公共就业服务中心"), title="仓库理货员", status=PostingStatus.PUBLISHED,
                   description="负责仓库理货，月休4天", reasons=[])
    ly = make_held(make_channel(name="兰山区人力资源市场", region_code="371302"), title="电焊工",
                   region_code="371302", status=PostingStatus.PUBLISHED, reasons=[])
    draw_monthly_sample(db_session, "2030-01", per_channel=5, seed=1)
    db_session.commit()
    tasks = {t.posting_id: t for t in db_session.scalars(select(CallbackTask).where(CallbackTask.posting_id.in_([gz.id, ly.id])))}
    return gz, ly, tasks[gz.id], tasks[ly.id]


def test_home_lists_tasks_of_my_jurisdiction_with_contacts(client, login_as, sampled_tasks):
    login_as("commissioner", region_code="440100")
    gz, ly, t_gz, t_ly = sampled_tasks
    html = client.get("/commissioner/").get_data(as_text=True)
    assert f'id="task-{t_gz.id}"' in html and "仓库理货员" in html and "020-12345678" in html
    assert f'id="task-{t_ly.id}"' not in html
    assert "岗位有效率" in html and "荔湾区公共就业服务中心" in html


def test_recording_filled_through_the_form_takes_the_posting_down(client, login_as, sampled_tasks, db_session):
    login_as("commissioner", region_code="440100")
    gz, _ly, t_gz, _t_ly = sampled_tasks
    resp = client.post(f"/commissioner/tasks/{t_gz.id}/outcome", data={"outcome": "filled", "note": "已招满"},
                       follow_redirects=True)
    assert "已登记「已招满」，岗位已下线（已招满）" in resp.get_data(as_text=True)
    db_session.refresh(gz)
    db_session.refresh(t_gz)
    assert gz.status == PostingStatus.FILLED and t_gz.outcome == "filled"
    # The rates table counts it.
    page = client.get("/commissioner/validity?month=2030-01").get_data(as_text=True)
    assert "2030-01" in page and "0.0%" in page


def test_a_task_outside_my_jurisdiction_cannot_be_recorded(client, login_as, sampled_tasks, db_session):
    login_as("commissioner", region_code="440100")
    _gz, ly, _t_gz, t_ly = sampled_tasks
    html = client.post(f"/commissioner/tasks/{t_ly.id}/outcome", data={"outcome": "fake"},
                       follow_redirects=True).get_data(as_text=True)
    assert "不在您的管辖范围内" in html
    db_session.refresh(ly)
    db_session.refresh(t_ly)
    assert ly.status == PostingStatus.PUBLISHED and t_ly.outcome is None


@pytest.mark.parametrize("role", ["jobseeker", "enterprise", "reviewer"])
def test_commissioner_home_refuses_other_roles(client, login_as, role):
    login_as(role)
    assert client.get("/commissioner/").status_code == 403
    assert client.post("/commissioner/tasks/1/outcome", data={"outcome": "filled"}).status_code == 403


def test_admin_sees_every_jurisdiction(client, login_as, sampled_tasks):
    login_as("admin")
    _gz, _ly, t_gz, t_ly = sampled_tasks
    html = client.get("/commissioner/").get_data(as_text=True)
    assert f'id="task-{t_gz.id}"' in html and f'id="task-{t_ly.id}"' in html


def test_admin_draws_this_months_sample_from_the_page(client, login_as, make_held, make_channel, db_session):
    from core.validity.models import ValidityCheckRun

    db_session.execute(update(Posting).where(Posting.status == PostingStatus.PUBLISHED).values(status=PostingStatus.DRAFT))
    ch = make_channel(name="越秀区公共就业服务中心")
    for _ in range(3):
        make_held(ch, status=PostingStatus.PUBLISHED, reasons=[])
    login_as("admin")
    html = client.post("/commissioner/validity/sample", data={"per_channel": "2"}, follow_redirects=True).get_data(as_text=True)
    assert "2 个回访任务" in html
    run = db_session.scalar(select(ValidityCheckRun).order_by(ValidityCheckRun.id.desc()))
    assert run.sampled == {str(ch.id): 2}
    again = client.post("/commissioner/validity/sample", data={"per_channel": "2"}, follow_redirects=True).get_data(as_text=True)
    assert "未重复抽取" in again


def test_only_admins_draw_samples_from_the_page(client, login_as):
    login_as("commissioner")
    assert client.post("/commissioner/validity/sample", data={}).status_code == 403


def test_overdue_tasks_are_marked(client, login_as, sampled_tasks, db_session):
    import datetime as dt

    login_as("commissioner", region_code="440100")
    _gz, _ly, t_gz, _t_ly = sampled_tasks
    assert "已逾期" not in client.get("/commissioner/").get_data(as_text=True)
    t_gz.due = dt.date(2020, 1, 1)
    db_session.commit()
    assert "截止 2020-01-01（已逾期）" in client.get("/commissioner/").get_data(as_text=True)
