"""Bad input at the edge, through ``joblink ingest file`` with real files in the channels' formats:
a bad row never stops the others (it is reported, kept for ``ingest retry``, and the rest go in),
text is cleaned and bounded once, files are bounded by their unpacked size and row count, and a
database failure prints its reason and the row, never the posting's data."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from sqlalchemy import func, select, text

from core.enterprises.models import Enterprise
from core.identity import credit_code_check_char
from core.ingest.models import IngestRun, RejectedRecord
from core.postings.models import Posting, PostingSource
from core.tabular import xlsx_bytes

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"
HEADER = ["职位名称", "企业名称", "统一社会信用代码", "工作地点", "薪资", "职位描述", "岗位编号", "有效期至"]


def _credit(body: str) -> str:
    return body + credit_code_check_char(body)


def _row(title: str, company: str = "临沂市兰山区示范机械制造有限公司", credit: str = "", desc: str = "负责产线装配",
         ext: str = "", valid_until: str = "") -> list[str]:
    return [title, company, credit, "山东省临沂市兰山区", "5000-7000元/月", desc, ext, valid_until]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([HEADER, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _ingest(runner, path: Path, channel: str = "agency", *extra: str) -> tuple[int, dict]:
    r = runner.invoke(args=["ingest", "file", str(path), "--channel", channel, "--json", *extra])
    assert r.output.strip(), repr(r.exception)
    return r.exit_code, json.loads(r.output)


def _count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_one_huge_cell_is_a_rejected_row_and_the_good_rows_go_in(runner, db_session, make_channel, tmp_path):
    make_channel("agency")
    path = _csv(tmp_path / "postings.csv", [_row("焊工"), _row("电工", desc="很长的描述" * 60_000), _row("普工")])
    code, d = _ingest(runner, path)
    assert code == 0 and d["received"] == 3
    assert [(x["record"], x["reasons"][0]["code"]) for x in d["rejected_records"]] == [(3, "description_too_long")]
    assert "职位描述" in d["rejected_records"][0]["reasons"][0]["message"]
    assert sorted(db_session.scalars(select(Posting.title))) == ["普工", "焊工"]
    kept = db_session.scalar(select(RejectedRecord))
    assert kept.record_number == 3 and kept.state == "open" and kept.code == "description_too_long"


def test_a_huge_cell_in_the_raw_51job_export_is_one_rejected_row(runner, db_session, make_channel, tmp_path):
    make_channel("job51", "hr_firm")
    original = (FIX / "raw_51job_gb18030.csv").read_bytes().decode("gb18030")
    lines = original.rstrip("\r\n").split("\n")
    huge = list(csv.reader([lines[1]]))[0]
    huge[-1] = "岗位职责" * 100_000
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerow(huge)
    path = tmp_path / "51job.csv"
    path.write_bytes((original.rstrip("\r\n") + "\n" + buf.getvalue()).encode("gb18030"))
    records = len([x for x in lines[1:] if x.strip()])
    code, d = _ingest(runner, path, "job51")
    assert code == 0 and d["format"] == "job51_raw" and d["received"] == records + 1
    too_long = [x["record"] for x in d["rejected_records"] if x["reasons"][0]["code"] == "description_too_long"]
    assert too_long == [records + 2]
    # every other record went in (the export repeats some rows: those are refused as repeats)
    assert d["accepted"] + d["held"] + d["merged"] == records - (d["rejected"] - 1) > 0


def test_one_credit_code_under_two_names_in_one_file_is_one_enterprise(runner, db_session, make_channel, tmp_path):
    make_channel("agency")
    code_a = _credit("91371300MA3C4XY0A")
    path = _csv(tmp_path / "dup.csv", [
        _row("焊工", "临沂甲机械有限公司", code_a), _row("电工", "临沂乙机械有限公司", code_a), _row("普工"),
    ])
    code, d = _ingest(runner, path)
    assert code == 0, d
    assert d["received"] == 3 and d["rejected"] == 0
    assert _count(db_session, Enterprise, Enterprise.credit_code == code_a) == 1
    assert _count(db_session, Posting) == 3
    run = db_session.scalar(select(IngestRun).order_by(IngestRun.id.desc()))
    assert run.status == "done" and run.received == 3


def test_invisible_controls_and_out_of_range_values_are_refused_per_row(runner, db_session, make_channel, tmp_path):
    make_channel("agency")
    path = _csv(tmp_path / "odd.csv", [
        _row("\u200b\u200c\u2060"),                           # only zero-width characters
        _row("焊\u202e工\x00", desc="月薪\u2066五千\u2069"),     # RTL override, isolates and a NUL byte
        _row("电工", valid_until="9999-12-31"),
        _row("钳工", ext="E" * 300),                          # the column holds 128
        _row("普工", ext="E" * 128),
    ])
    code, d = _ingest(runner, path)
    assert code == 0 and d["received"] == 5
    reasons = {x["record"]: x["reasons"][0] for x in d["rejected_records"]}
    assert reasons[2]["code"] == "missing_title"
    assert reasons[4]["code"] == "invalid_valid_until" and "有效期" in reasons[4]["message"]
    assert reasons[5]["code"] == "external_id_too_long" and "128" in reasons[5]["message"]
    assert set(reasons) == {2, 4, 5}
    titles = set(db_session.scalars(select(Posting.title)))
    assert titles == {"焊工", "普工"}
    welder = db_session.scalar(select(Posting).where(Posting.title == "焊工"))
    assert welder.description == "月薪五千"
    assert db_session.scalar(select(PostingSource.external_id).join(Posting).where(Posting.title == "普工")) == "E" * 128


def _zip_entries(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, extra.pop(item.filename, None) or src.read(item.filename))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_an_xlsx_of_a_million_empty_rows_is_stopped_at_the_row_cap(runner, db_session, make_channel, tmp_path):
    make_channel("agency")
    book = xlsx_bytes(HEADER, [_row("焊工")])
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    # the sheet says it spans every row Excel has; 999,997 empty rows before the last one
    sheet = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:H1048576"/>', sheet)
    assert "A1:H1048576" in sheet
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", far + "</sheetData>")
    path = tmp_path / "empty-rows.xlsx"
    path.write_bytes(_zip_entries(book, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")}))
    assert path.stat().st_size < 200 * 1024
    code, d = _ingest(runner, path)
    assert code == 2 and d["error"]["code"] == "too_many_rows" and "行" in d["error"]["message"]
    assert _count(db_session, PostingSource) == 0


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_parsing(runner, db_session, make_channel, tmp_path):
    make_channel("agency")
    book = xlsx_bytes(HEADER, [_row("焊工")])
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_zip_entries(book, {"xl/media/padding.bin": b"\0" * (12 * 1024 * 1024)}))
    assert path.stat().st_size < 1024 * 1024
    code, d = _ingest(runner, path, "agency", "--max-mb", "1")
    assert code == 2 and d["error"]["code"] == "file_too_large_unpacked"
    assert _count(db_session, PostingSource) == 0


def test_a_database_failure_prints_the_reason_and_row_not_the_posting(runner, db_session, make_channel, tmp_path):
    """A refusal by the database (here a trigger) ends the command with its reason and where it
    stopped; the posting's data (description, contact phone) never reaches the output."""
    make_channel("agency")
    secret = "联系人张秀英 13912345678"
    path = _csv(tmp_path / "postings.csv", [_row("焊工", desc=secret)])
    if db_session.bind.dialect.name == "sqlite":  # fails as it runs: the table it writes to is missing
        db_session.execute(text("CREATE TRIGGER refuse_postings BEFORE INSERT ON postings "
                                "BEGIN INSERT INTO postings_readonly_guard VALUES (NEW.description); END"))
    else:
        db_session.execute(text("CREATE FUNCTION refuse_postings() RETURNS trigger AS $$ BEGIN "
                                "RAISE EXCEPTION 'postings_readonly_guard'; END $$ LANGUAGE plpgsql"))
        db_session.execute(text("CREATE TRIGGER refuse_postings BEFORE INSERT ON postings "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_postings()"))
    db_session.commit()
    r = runner.invoke(args=["ingest", "file", str(path), "--channel", "agency"])
    assert r.exit_code == 1, r.output
    assert "postings_readonly_guard" in r.output and "第 2 " in r.output
    assert "13912345678" not in r.output and "张秀英" not in r.output and "Traceback" not in r.output
    r = runner.invoke(args=["ingest", "file", str(path), "--channel", "agency", "--json"])
    err = json.loads(r.output)["error"]
    assert r.exit_code == 1 and err["code"] == "database_error" and "13912345678" not in r.output


def test_a_batch_the_database_refuses_keeps_the_run_record(runner, db_session, make_channel, tmp_path):
    """A conflict in the first batch is rolled back and retried record by record; the run's own
    record survives it, finished with the counts."""
    make_channel("agency")
    path = _csv(tmp_path / "postings.csv", [_row("焊工"), _row("电工")])
    if db_session.bind.dialect.name == "sqlite":
        db_session.execute(text("CREATE TRIGGER refuse_welders BEFORE INSERT ON postings WHEN NEW.title = '焊工' "
                                "BEGIN SELECT RAISE(ABORT, 'welders_conflict'); END"))
    else:
        db_session.execute(text("CREATE FUNCTION refuse_welders() RETURNS trigger AS $$ BEGIN "
                                "IF NEW.title = '焊工' THEN RAISE unique_violation USING MESSAGE = 'welders_conflict'; "
                                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
        db_session.execute(text("CREATE TRIGGER refuse_welders BEFORE INSERT ON postings "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_welders()"))
    db_session.commit()
    code, d = _ingest(runner, path)
    assert code == 0 and d["rejected"] == 1 and d["rejected_records"][0]["reasons"][0]["code"] == "persist_conflict"
    assert list(db_session.scalars(select(Posting.title))) == ["电工"]
    run = db_session.get(IngestRun, d["run_id"])
    assert run is not None and run.status == "done" and (run.received, run.rejected) == (2, 1)


def test_numbers_beyond_the_columns_are_read_as_unknown_not_a_failed_batch(runner, db_session, make_channel, tmp_path):
    """招聘人数 99999999999 overflowed PostgreSQL's integer column and failed the whole batch."""
    make_channel("agency")
    path = tmp_path / "numbers.csv"
    path.write_text("职位名称,企业名称,工作地点,薪资,招聘人数,工作经验\n"
                    "焊工,临沂甲机械有限公司,山东省临沂市兰山区,5000元/月,99999999999,99999999999年\n"
                    "电工,临沂甲机械有限公司,山东省临沂市兰山区,5000元/月,3,2年\n", encoding="utf-8")
    code, d = _ingest(runner, path)
    assert code == 0 and d["rejected"] == 0, d
    rows = dict(db_session.execute(select(Posting.title, Posting.headcount)).all())
    assert rows == {"焊工": None, "电工": 3}
    welder = db_session.scalar(select(Posting).where(Posting.title == "焊工"))
    assert welder.experience_years is None
    assert {"headcount_unparsable", "experience_unparsable"} <= {r["code"] for r in welder.review_reasons}
