"""``joblink postings expire``: the daily job that takes postings past their valid-until day off."""
from __future__ import annotations

import datetime as dt
import json

from core.db import utcnow
from core.enums import PostingStatus


def test_postings_expire_command(runner, db_session, make_held):
    old = make_held(status=PostingStatus.PUBLISHED, reasons=[], valid_until=utcnow().date() - dt.timedelta(days=1))
    fresh = make_held(status=PostingStatus.PUBLISHED, reasons=[])
    result = runner.invoke(args=["postings", "expire", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert old.id in data["posting_ids"] and fresh.id not in data["posting_ids"]
    db_session.refresh(old)
    db_session.refresh(fresh)
    assert old.status == PostingStatus.EXPIRED and fresh.status == PostingStatus.PUBLISHED
