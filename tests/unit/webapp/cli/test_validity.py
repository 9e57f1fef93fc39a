"""``joblink validity sample|report``: the monthly spot-check sample (drawn once a month) and the
validity rates."""
from __future__ import annotations

import json

from sqlalchemy import update

from core.enums import PostingStatus
from core.postings.models import Posting


def test_validity_sample_and_report_commands(runner, db_session, make_held, make_channel, make_user):
    db_session.execute(update(Posting).where(Posting.status == PostingStatus.PUBLISHED).values(status=PostingStatus.DRAFT))
    admin = make_user("admin")
    ch = make_channel(name="甲渠道")
    ps = [make_held(ch, status=PostingStatus.PUBLISHED, reasons=[]) for _ in range(3)]
    result = runner.invoke(args=["validity", "sample", "--month", "2031-02", "--per-channel", "2", "--seed", "4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["created"] and data["tasks"] == 2 and data["population"] == {str(ch.id): 3}
    again = json.loads(runner.invoke(args=["validity", "sample", "--month", "2031-02", "--json"]).output)
    assert again["created"] is False and again["tasks"] == 2

    from core.validity.models import CallbackTask
    from core.validity.services import record_outcome
    from sqlalchemy import select

    tasks = db_session.scalars(select(CallbackTask).where(CallbackTask.channel_id == ch.id)).all()
    record_outcome(db_session, tasks[0].id, "still_open", admin)
    db_session.commit()
    report = json.loads(runner.invoke(args=["validity", "report", "--month", "2031-02", "--json"]).output)
    assert report["overall"]["checked"] == 1 and report["overall"]["rate"] == 1.0 and report["overall"]["pending"] == 1
    text = runner.invoke(args=["validity", "report", "--month", "2031-02"]).output
    assert "甲渠道" in text and "100.0%" in text
    bad = runner.invoke(args=["validity", "sample", "--month", "2031-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    assert {p.id for p in ps} >= {t.posting_id for t in tasks}
