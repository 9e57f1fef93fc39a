"""``joblink ingest file``'s side of reading a channel's file: which format a file is in, and how a
file or channel it refuses is reported (to people and with ``--json``), with exit code 2."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from webapp.cli.common import EXIT_BAD_INPUT
from webapp.cli.ingest import file_drafts, sniff_format

FIX = Path(__file__).resolve().parents[3] / "fixtures" / "ingest"
SAMPLES = Path(__file__).resolve().parents[4] / "data" / "samples"


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


def test_refused_files_exit_2_for_people_and_machines(runner, db_session, tmp_path):
    from core.channels.services import create_channel

    create_channel(db_session, "agency", "某县公共就业服务中心", "public_agency")
    db_session.commit()
    broken = tmp_path / "broken.json"
    broken.write_text("{不是 JSON", encoding="utf-8")
    as_json = runner.invoke(args=["ingest", "file", str(broken), "--channel", "agency", "--json"])
    assert as_json.exit_code == EXIT_BAD_INPUT
    assert json.loads(as_json.stdout)["error"] == {"code": "malformed_json", "field": "file",
                                                    "message": "文件不是有效的 UTF-8 JSON：JSONDecodeError"}
    for_people = runner.invoke(args=["ingest", "file", str(broken), "--channel", "agency"])
    assert for_people.exit_code == EXIT_BAD_INPUT and "文件不是有效的 UTF-8 JSON" in for_people.stderr
    big = tmp_path / "big.csv"
    shutil.copy(FIX / "agency_postings_gb18030.csv", big)
    too_big = runner.invoke(args=["ingest", "file", str(big), "--channel", "agency", "--max-mb", "0.001", "--json"])
    assert too_big.exit_code == EXIT_BAD_INPUT and json.loads(too_big.stdout)["error"]["code"] == "file_too_large"
    unknown = runner.invoke(args=["channel", "key", "no-such-channel", "--json"])
    assert unknown.exit_code == EXIT_BAD_INPUT and json.loads(unknown.stdout)["error"]["code"] == "not_found"
