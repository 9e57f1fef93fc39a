"""``joblink screen FILE``: what screening decides for each record of a file, in file order, without
ingesting anything."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from core.postings.models import PostingSource

FIX = Path(__file__).resolve().parents[3] / "fixtures" / "ingest"


def test_screen_reports_each_record_in_file_order_without_ingesting(runner, db_session):
    r = runner.invoke(args=["screen", str(FIX / "agency_postings_gb18030.csv"), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [x["row"] for x in rows] == list(range(2, 19))
    assert {x["outcome"] for x in rows} <= {"publish", "hold", "reject"}
    deposit = rows[-1]
    assert deposit["title"] == "搬运工" and deposit["outcome"] in {"hold", "reject"} and deposit["reasons"]
    human = runner.invoke(args=["screen", str(FIX / "agency_postings_gb18030.csv")]).output.splitlines()
    assert len(human) == 17 and human[-1].startswith("第 18 行 ") and "搬运工" in human[-1]
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0
