"""``joblink ingest file|pull|retry|rejected|runs``: which format a channel's file is in, the run's
summary (for people and as JSON), files refused with a named error and exit code 2, kept rejected
records retried, and a feed pull that is interrupted and resumes from its cursor."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.channels.models import Channel
from core.postings.models import PostingSource
from webapp.cli.common import EXIT_BAD_INPUT, EXIT_FAILED
from webapp.cli.ingest import file_drafts, sniff_format

FIX = Path(__file__).resolve().parents[3] / "fixtures" / "ingest"
SAMPLES = Path(__file__).resolve().parents[4] / "data" / "samples"


def _json(result):
    assert result.output.strip(), result.output
    return json.loads(result.output)


def _channel(runner, code: str, kind: str = "public_agency", trust: str = "standard", *more: str) -> None:
    r = runner.invoke(args=["channel", "create", code, "--name", code, "--kind", kind, "--trust", trust, *more])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(("path", "fmt"), [
    (FIX / "hr_market_postings.xlsx", "spreadsheet"),
    (FIX / "agency_postings_gb18030.csv", "spreadsheet"),
    (FIX / "raw_51job_gb18030.csv", "job51_raw"),
    (FIX / "jobhunting_lines.jsonl", "jobhunting"),
    (SAMPLES / "jobhunting-2024-2025.jsonl.gz", "jobhunting"),
    (SAMPLES / "zhilian-30cities-2022.jsonl.gz", "zhilian30"),
    (FIX / "partner_batch.json", "partner"),
])
def test_sniff_format_of_the_channels_real_files(path, fmt):
    assert sniff_format(path) == fmt


def test_partner_records_one_a_line_keep_a_broken_line_as_a_rejected_record(tmp_path):
    records = json.loads((FIX / "partner_batch.json").read_text(encoding="utf-8"))["postings"][:2]
    path = tmp_path / "partner.jsonl"
    path.write_text(json.dumps(records[0], ensure_ascii=False) + "\n{broken\n\n"
                    + json.dumps(records[1], ensure_ascii=False) + "\n", encoding="utf-8")
    assert sniff_format(path) == "partner_lines"
    _fmt, drafts, _info = file_drafts(path, "agency", 10 * 1024 * 1024)
    drafts = list(drafts)
    assert [d.external_id for d in drafts if not d.issues] == [records[0]["external_id"], records[1]["external_id"]]
    (broken,) = [d for d in drafts if d.issues]
    assert [(i.code, i.severity) for i in broken.issues] == [("malformed_json", "reject")]
    assert broken.record_number == 2 and "第 2 行" in broken.issues[0].message


def test_a_gzipped_zhilian_file_is_read_whole(tmp_path):
    path = tmp_path / "z.jsonl.gz"
    with gzip.open(SAMPLES / "zhilian-30cities-2022.jsonl.gz", "rt", encoding="utf-8") as src, \
            gzip.open(path, "wt", encoding="utf-8") as out:
        for _ in range(3):
            out.write(src.readline())
    fmt, drafts, _info = file_drafts(path, "agency", 1024)
    assert fmt == "zhilian30" and len(list(drafts)) == 3


def test_ingest_file_json_summary_and_for_people(runner, db_session):
    _channel(runner, "hrm", "hr_market", "trusted")
    r = runner.invoke(args=["ingest", "file", str(FIX / "hr_market_postings.xlsx"), "--channel", "hrm", "--json"])
    assert r.exit_code == 0, r.output
    d = _json(r)
    assert d["received"] == 26 and d["format"] == "spreadsheet"
    rejected = {x["record"]: x for x in d["rejected_records"]}
    assert rejected[23]["reasons"][0]["code"] == "missing_title" and rejected[23]["reasons"][0]["message"]
    assert d["held_records"] and all(x["reasons"] for x in d["held_records"])
    human = runner.invoke(args=["ingest", "file", str(FIX / "hr_market_postings.xlsx"), "--channel", "hrm"])
    assert human.exit_code == 0 and "收到 26 条" in human.output and "未变化" in human.output
    assert "第 23 条：" in human.output and "[missing_title]" in human.output


def test_refused_files_are_named_and_exit_2(runner, db_session, tmp_path):
    _channel(runner, "agency")
    r = runner.invoke(args=["ingest", "file", str(FIX / "missing_company_column.csv"), "--channel", "agency", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert _json(r)["error"]["code"] == "missing_columns" and "企业名称" in _json(r)["error"]["message"]
    big = tmp_path / "big.csv"
    shutil.copy(FIX / "agency_postings_gb18030.csv", big)
    r = runner.invoke(args=["ingest", "file", str(big), "--channel", "agency", "--max-mb", "0.001", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT and _json(r)["error"]["code"] == "file_too_large"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("岗位名称,企业名称\n".encode("utf-8") + b"\xff\xfe\xfd\x80,\x81\xff\n")
    assert _json(runner.invoke(args=["ingest", "file", str(latin), "--channel", "agency", "--json"]))["error"]["code"] \
        == "bad_encoding"
    broken = tmp_path / "batch.json"
    broken.write_text('{"postings": [', encoding="utf-8")
    r = runner.invoke(args=["ingest", "file", str(broken), "--channel", "agency", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert _json(r)["error"] == {"code": "malformed_json", "field": "file",
                                 "message": "文件不是有效的 UTF-8 JSON：JSONDecodeError"}
    for_people = runner.invoke(args=["ingest", "file", str(broken), "--channel", "agency"])
    assert for_people.exit_code == EXIT_BAD_INPUT and "文件不是有效的 UTF-8 JSON" in for_people.stderr
    r = runner.invoke(args=["ingest", "file", str(FIX / "partner_batch.json"), "--channel", "nope", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT and _json(r)["error"]["code"] == "not_found"
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0


def test_rejected_records_are_kept_listed_and_retried(runner, db_session):
    _channel(runner, "agency", "public_agency", "trusted")
    ch = db_session.scalar(select(Channel).where(Channel.code == "agency"))
    ch.active = False
    db_session.commit()
    d = _json(runner.invoke(args=["ingest", "file", str(FIX / "training_postings_utf8bom.csv"), "--channel", "agency",
                                  "--json"]))
    assert d["rejected"] == 10
    listed = _json(runner.invoke(args=["ingest", "rejected", "--json"]))
    assert listed["counts"] == {"unknown_channel": 10} and len(listed["records"]) == 10
    assert runner.invoke(args=["ingest", "rejected"]).output.startswith("unknown_channel: 10")
    ch.active = True
    db_session.commit()
    out = _json(runner.invoke(args=["ingest", "retry", "--channel", "agency", "--json"]))
    assert out["resolved"] == 10 and out["still_rejected"] == 0
    assert _json(runner.invoke(args=["ingest", "rejected", "--json"]))["counts"] == {}


def test_pull_reports_interruption_and_resumes(runner, db_session, feed_server):
    from tests.integration.ingest.conftest import load_items

    items = load_items("gig_feed_items.json")
    server = feed_server(items)
    server.fail_requests = {2: "http500"}
    _channel(runner, "gig", "gig_platform", "trusted", "--feed-url", server.url)
    first = runner.invoke(args=["ingest", "pull", "gig", "--page-size", "5", "--json"])
    assert first.exit_code == EXIT_FAILED
    d1 = _json(first)
    assert d1["error"]["code"] == "feed_http_error" and d1["pages"] == 1 and not d1["complete"]
    second = _json(runner.invoke(args=["ingest", "pull", "gig", "--page-size", "5", "--json"]))
    assert second["complete"]
    ids = sorted(db_session.scalars(select(PostingSource.external_id)))
    assert ids == sorted(it["task_id"] for it in items)
    runs = _json(runner.invoke(args=["ingest", "runs", "--json"]))
    assert [r["status"] for r in runs[:2]] == ["done", "interrupted"]
    assert "interrupted" in runner.invoke(args=["ingest", "runs"]).output
