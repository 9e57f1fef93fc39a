"""The validity rate per channel, month by month, from the spot-checks (core.validity)."""
from __future__ import annotations

import datetime as dt

from core.statistics.outcomes import validity_trend


def test_validity_rate_per_channel_by_month(stats_world, db_session):
    from sqlalchemy import delete

    from core.validity.models import CallbackTask, ValidityCheckRun

    db_session.execute(delete(ValidityCheckRun))
    w = stats_world
    far = w.posting(region="632221")
    runs = {m: ValidityCheckRun(month=m, per_channel=20, seed=1) for m in ("2026-10", "2026-11")}
    db_session.add_all(runs.values())
    db_session.flush()

    def task(month, outcome, p=None):
        p = p or w.posting()  # one task per posting and run
        db_session.add(CallbackTask(run_id=runs[month].id, posting_id=p.id, channel_id=w.channel.id,
                                    region_code=p.region_code, due=dt.date(2026, 12, 1), outcome=outcome))

    for outcome in ("still_open", "still_open", "fake", "filled"):
        task("2026-10", outcome)
    task("2026-11", "still_open")
    task("2026-11", None)  # not called yet: not in the rate
    task("2026-11", "fake", far)
    db_session.flush()
    trend = validity_trend(db_session, None)
    assert trend.months == ["2026-10", "2026-11"]
    assert dict(trend.channels)["统计测试渠道"] == [0.5, 0.5] and trend.overall == [0.5, 0.5]
    mine = validity_trend(db_session, "6301")  # a 西宁 commissioner: 632221's fake posting is not theirs
    assert dict(mine.channels)["统计测试渠道"] == [0.5, 1.0]
