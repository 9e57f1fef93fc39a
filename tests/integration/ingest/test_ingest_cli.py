"""The intake commands: ingest file (summary and JSON), screen without ingesting, channels and keys,
file-level errors said plainly."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from core.channels.models import Channel
from core.postings.models import PostingSource

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def _json(result):
    assert result.output.strip(), result.output
    return json.loads(result.output)


def test_channel_create_list_and_key(runner, db_session):
    r = runner.invoke(args=["channel", "create", "linyi-agency", "--name", "临沂市公共就业服务中心", "--kind",
                            "public_agency", "--region", "371300", "--json"])
    assert r.exit_code == 0, r.output
    listed = _json(runner.invoke(args=["channel", "list", "--json"]))
    assert any(c["code"] == "linyi-agency" and c["region_code"] == "371300" for c in listed)
    k = _json(runner.invoke(args=["channel", "key", "linyi-agency", "--json"]))
    assert k["api_key"].startswith("jl_")
    ch = db_session.scalar(select(Channel).where(Channel.code == "linyi-agency"))
    assert ch.api_key_hash and k["api_key"] not in ch.api_key_hash
    bad = runner.invoke(args=["channel", "create", "x y", "--name", "n", "--kind", "public_agency", "--json"])
    assert bad.exit_code != 0 and _json(bad)["error"]["code"] == "invalid_channel_code"


def test_ingest_file_json_summary(runner, db_session, make_channel):
    make_channel("hrm", "hr_market", "trusted")
    r = runner.invoke(args=["ingest", "file", str(FIX / "hr_market_postings.xlsx"), "--channel", "hrm", "--json"])
    assert r.exit_code == 0, r.output
    d = _json(r)
    assert d["received"] == 26 and d["format"] == "spreadsheet"
    rejected = {x["record"]: x for x in d["rejected_records"]}
    assert rejected[23]["reasons"][0]["code"] == "missing_title" and rejected[23]["reasons"][0]["message"]
    assert d["held_records"] and all(x["reasons"] for x in d["held_records"])
    human = runner.invoke(args=["ingest", "file", str(FIX / "hr_market_postings.xlsx"), "--channel", "hrm"])
    assert "未变化" in human.output


def test_ingest_file_errors_are_named(runner, db_session, make_channel, tmp_path):
    make_channel("agency", "public_agency")
    r = runner.invoke(args=["ingest", "file", str(FIX / "missing_company_column.csv"), "--channel", "agency", "--json"])
    assert r.exit_code != 0 and _json(r)["error"]["code"] == "missing_columns" and "企业名称" in _json(r)["error"]["message"]
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    r = runner.invoke(args=["ingest", "file", str(big), "--channel", "agency", "--max-mb", "1", "--json"])
    assert _json(r)["error"]["code"] == "file_too_large"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("岗位名称,企业名称\n".encode("utf-8") + b"\xff\xfe\xfd\x80,\x81\xff\n")
    r = runner.invoke(args=["ingest", "file", str(latin), "--channel", "agency", "--json"])
    assert _json(r)["error"]["code"] == "bad_encoding"
    broken = tmp_path / "batch.json"
    broken.write_text('{"postings": [', encoding="utf-8")
    r = runner.invoke(args=["ingest", "file", str(broken), "--channel", "agency", "--json"])
    assert _json(r)["error"]["code"] == "malformed_json"
    r = runner.invoke(args=["ingest", "file", str(FIX / "partner_batch.json"), "--channel", "nope", "--json"])
    assert _json(r)["error"]["code"] == "not_found"
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0


def test_screen_reports_each_record_in_file_order_without_ingesting(runner, db_session):
    r = runner.invoke(args=["screen", str(FIX / "agency_postings_gb18030.csv"), "--json"])
    assert r.exit_code == 0, r.output
    rows = _json(r)
    assert [x["row"] for x in rows] == list(range(2, 19))
    assert {x["outcome"] for x in rows} <= {"publish", "hold", "reject"}
    deposit = rows[-1]
    assert deposit["title"] == "搬运工" and deposit["outcome"] in {"hold", "reject"} and deposit["reasons"]
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0


def test_retry_command(runner, db_session, make_channel):
    ch = make_channel("agency", "public_agency", "trusted")
    ch.active = False
    db_session.commit()
    d = _json(runner.invoke(args=["ingest", "file", str(FIX / "training_postings_utf8bom.csv"), "--channel", "agency",
                                  "--json"]))
    assert d["rejected"] == 10
    listed = _json(runner.invoke(args=["ingest", "rejected", "--json"]))
    assert listed["counts"] == {"unknown_channel": 10}
    ch.active = True
    db_session.commit()
    out = _json(runner.invoke(args=["ingest", "retry", "--channel", "agency", "--json"]))
    assert out["resolved"] == 10 and out["still_rejected"] == 0
    assert _json(runner.invoke(args=["ingest", "rejected", "--json"]))["counts"] == {}


def test_pull_command_reports_interruption_and_resumes(runner, db_session, feed_server):
    from .conftest import load_items

    items = load_items("gig_feed_items.json")
    server = feed_server(items)
    server.fail_requests = {2: "http500"}
    r = runner.invoke(args=["channel", "create", "gig", "--name", "零工平台", "--kind", "gig_platform", "--trust",
                            "trusted", "--feed-url", server.url, "--json"])
    assert r.exit_code == 0, r.output
    first = runner.invoke(args=["ingest", "pull", "gig", "--page-size", "5", "--json"])
    assert first.exit_code == 1
    d1 = _json(first)
    assert d1["error"]["code"] == "feed_http_error" and d1["pages"] == 1 and not d1["complete"]
    second = _json(runner.invoke(args=["ingest", "pull", "gig", "--page-size", "5", "--json"]))
    assert second["complete"]
    ids = sorted(db_session.scalars(select(PostingSource.external_id)))
    assert ids == sorted(it["task_id"] for it in items)
    runs = _json(runner.invoke(args=["ingest", "runs", "--json"]))
    assert [r["status"] for r in runs[:2]] == ["done", "interrupted"]
