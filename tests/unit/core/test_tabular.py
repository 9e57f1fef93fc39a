"""core.tabular: reading office spreadsheets (aliases, encodings, size limit, missing columns) and
neutralising formula injection on export."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.tabular import (
    ColumnSpec, TabularError, csv_bytes, decode_text, neutralise_cell, read_table, xlsx_bytes,
)

COLUMNS = [
    ColumnSpec("title", ("职位名称", "岗位名称", "职位"), required=True),
    ColumnSpec("company", ("企业名称", "单位名称", "公司名称"), required=True),
    ColumnSpec("pay", ("薪资", "薪酬", "工资待遇")),
    ColumnSpec("count", ("招聘人数", "人数")),
]


def _csv(rows, encoding):
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_office_encoding_reads_the_same(encoding):
    data = _csv([["岗位名称", "单位名称", "工资待遇"], ["仓管员", "临沂市兰山区物流有限公司", "5000-6000元/月"]], encoding)
    table = read_table(data, COLUMNS, filename="x.csv")
    assert table.rows[0].values == {"title": "仓管员", "company": "临沂市兰山区物流有限公司", "pay": "5000-6000元/月"}
    assert table.rows[0].number == 2
    assert table.mapping == {"title": "岗位名称", "company": "单位名称", "pay": "工资待遇"}
    assert table.encoding == encoding


def test_gb18030_is_detected_not_mangled():
    text, enc = decode_text("职位,公司名称\n保洁员,广州市示例物业管理有限公司\n".encode("gb18030"))
    assert enc == "gb18030" and "保洁员" in text


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused_with_a_reason():
    with pytest.raises(TabularError) as err:
        read_table(b"\x84\x31\xa4\x39\xff\xff\xff" * 3, COLUMNS, filename="x.csv")
    assert err.value.code == "bad_encoding"


def test_header_below_a_title_line_and_units_in_brackets_are_recognised():
    data = _csv([["某某人力资源市场岗位汇总表", "", ""], ["职位*", "公司名称（全称）", "薪资（元/月）"], ["电工", "示例公司", "7000"]],
                "utf-8")
    table = read_table(data, COLUMNS, filename="x.csv")
    assert table.rows[0].values["title"] == "电工" and table.rows[0].values["pay"] == "7000"
    assert table.rows[0].number == 3


def test_missing_required_column_is_named():
    data = _csv([["岗位名称", "薪资"], ["普工", "5000"]], "utf-8")
    with pytest.raises(TabularError) as err:
        read_table(data, COLUMNS, filename="x.csv")
    assert err.value.code == "missing_columns"
    assert "企业名称" in err.value.message and "岗位名称" not in err.value.message.split("：")[1].split("（")[0]
    assert err.value.missing == ["company"]


class _Stream(io.BytesIO):
    """A stream that records whether its content was read."""

    def __init__(self, data):
        super().__init__(data)
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)


def test_oversize_file_is_refused_before_its_content_is_read():
    stream = _Stream(b"a,b\n" * 1000)
    with pytest.raises(TabularError) as err:
        read_table(stream, COLUMNS, filename="x.csv", max_bytes=1000)
    assert err.value.code == "file_too_large"
    assert "超过上限" in err.value.message
    assert stream.reads == 0


def test_oversize_path_is_refused(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"x" * 5000)
    with pytest.raises(TabularError) as err:
        read_table(p, COLUMNS, max_bytes=4096)
    assert err.value.code == "file_too_large"


def test_old_xls_and_fake_xlsx_are_refused_with_advice():
    with pytest.raises(TabularError) as err:
        read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, COLUMNS, filename="a.xls")
    assert err.value.code == "unsupported_format" and ".xlsx" in err.value.message
    with pytest.raises(TabularError) as err:
        read_table(b"not a zip", COLUMNS, filename="a.xlsx")
    assert err.value.code == "unreadable_xlsx"


def test_xlsx_numbers_and_empty_rows():
    data = xlsx_bytes(["岗位名称", "公司名称", "人数"], [["焊工", "示例公司", 3], ["", "", ""], ["叉车司机", "示例公司", 2.0]])
    table = read_table(data, COLUMNS, filename="x.xlsx")
    assert [(r.number, r.values["title"], r.values["count"]) for r in table.rows] == [(2, "焊工", "3"), (4, "叉车司机", "2")]


@pytest.mark.parametrize("value", ["=1+2", "+86 123", "-2+3", "@SUM(A1)", "\t=x"])
def test_formula_like_text_is_neutralised(value):
    assert neutralise_cell(value) == "'" + value


def test_numbers_and_plain_text_pass_unchanged():
    assert neutralise_cell(-5) == -5 and neutralise_cell("普工") == "普工"


def test_exports_neutralise_every_cell():
    rows = [["=HYPERLINK(\"http://evil.example\")", "@cmd", 3]]
    text = csv_bytes(["职位", "备注", "人数"], rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@cmd" in text
    wb = load_workbook(io.BytesIO(xlsx_bytes(["职位", "备注", "人数"], rows)))
    ws = wb.active
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["C2"].value == 3


# --- bounds: unpacked size, rows, columns, long cells --------------------------------------------

def _rezip(book: bytes, sheet_edit=None, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with its first sheet's XML edited and extra parts added."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and sheet_edit:
                data = sheet_edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def test_xlsx_unpacking_beyond_ten_times_the_limit_is_refused_before_parsing():
    book = xlsx_bytes(["职位名称", "企业名称"], [["焊工", "某公司"]])
    bomb = _rezip(book, extra={"xl/media/pad.bin": b"\0" * 2_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(TabularError) as e:
        read_table(bomb, COLUMNS, filename="a.xlsx", max_bytes=150_000)
    assert e.value.code == "file_too_large_unpacked" and "解压后" in e.value.message
    assert len(read_table(bomb, COLUMNS, filename="a.xlsx", max_bytes=250_000).rows) == 1


def test_reading_stops_at_the_row_cap_and_names_the_last_row_with_content():
    rows = [["职位名称", "企业名称"], ["焊工", "某公司"], ["电工", "某公司"]] + [[""] * 2] * 50
    with pytest.raises(TabularError) as e:
        read_table(_csv(rows, "utf-8"), COLUMNS, filename="a.csv", max_rows=40)
    assert e.value.code == "too_many_rows"
    assert "第 41 行停止读取" in e.value.message and "第 3 行" in e.value.message
    assert len(read_table(_csv(rows, "utf-8"), COLUMNS, filename="a.csv", max_rows=60).rows) == 2


def test_a_sheet_claiming_every_column_is_read_at_most_256_wide():
    import re

    def claim_all(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD30"/>', xml)
        return xml.replace("</sheetData>", '<row r="30"><c r="A30" t="inlineStr"><is><t>钳工</t></is></c>'
                                           '<c r="B30" t="inlineStr"><is><t>某公司</t></is></c></row></sheetData>')

    table = read_table(_rezip(xlsx_bytes(["职位名称", "企业名称"], [["焊工", "某公司"]]), claim_all), COLUMNS,
                       filename="a.xlsx")
    assert [r.values["title"] for r in table.rows] == ["焊工", "钳工"]
    assert [r.number for r in table.rows] == [2, 30]


def test_a_cell_longer_than_the_csv_module_default_is_read_whole():
    long_cell = "岗位职责" * 50_000
    table = read_table(_csv([["职位名称", "企业名称", "薪资"], ["焊工", "某公司", long_cell], ["电工", "某公司", ""]],
                            "utf-8"), COLUMNS, filename="a.csv")
    assert [len(r.values["pay"]) for r in table.rows] == [len(long_cell), 0]


def test_a_record_the_csv_parser_refuses_is_one_unreadable_row_and_the_next_rows_follow(monkeypatch):
    """The parser's own limit stands in for any record it cannot read."""
    real_limit = csv.field_size_limit
    previous = real_limit(1000)
    monkeypatch.setattr(csv, "field_size_limit", lambda *new: 10**9 if not new else None)
    try:
        table = read_table(_csv([["职位名称", "企业名称"], ["焊工", "某公司"], ["电工" * 600, "某公司"],
                                 ["钳工", "某公司"]], "utf-8"), COLUMNS, filename="a.csv")
    finally:
        real_limit(previous)
    assert [(r.number, r.values["title"], bool(r.problem)) for r in table.rows] == [
        (2, "焊工", False), (3, "", True), (4, "钳工", False)]
    assert "CSV" in table.rows[1].problem


def test_a_stray_nul_byte_is_left_to_the_edge_check_but_a_binary_file_is_refused():
    table = read_table(_csv([["职位名称", "企业名称"], ["焊\x00工", "某公司"]], "utf-8"), COLUMNS, filename="a.csv")
    assert table.rows[0].values["title"] == "焊\x00工"
    with pytest.raises(TabularError) as e:
        read_table("title,company\nwelder,acme\n".encode("utf-16-le"), COLUMNS, filename="a.csv")
    assert e.value.code == "bad_encoding"
