"""Reading and writing the spreadsheets offices really exchange: XLSX and CSV (UTF-8, UTF-8 with BOM
or GB18030, which is what Chinese office software exports), with column-alias recognition.

Generic: the caller passes the columns it wants (each with the header names offices use for it);
the reader checks the file size BEFORE reading the content (and an XLSX's unpacked size before
parsing it), stops at a row cap, names every required column that is missing, and yields rows keyed
by the caller's column keys with their spreadsheet row number. A row the CSV parser cannot read is
kept as a row with its ``problem``, so the rows around it still go in.
Exports neutralise formula injection (cells starting with ``=``, ``+``, ``-``, ``@``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from core.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a few tens of thousands of rows
# An XLSX is a zip: its parts may unpack to at most this many times the file size limit (real
# workbooks unpack 5-10 times; a "zip bomb" of a few hundred KB unpacks to gigabytes).
UNPACKED_RATIO = 10
# Rows read (empty ones count: an XLSX of 0.14 MB can hold a million of them, 39 s of parsing).
DEFAULT_MAX_ROWS = 100_000
MAX_COLUMNS = 256  # columns read per row; office templates have a few dozen

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class TabularError(DomainError):
    """The file as a whole cannot be read (size, format, encoding, header). Nothing was imported."""


@dataclass(frozen=True)
class ColumnSpec:
    key: str                      # the caller's field name
    aliases: tuple[str, ...]      # header texts offices use, first = the template's header
    required: bool = False

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass
class Row:
    number: int                   # spreadsheet row number (header = row 1)
    values: dict[str, str]        # column key -> text ("" when empty)
    raw: dict[str, str]           # header as written -> text
    problem: str | None = None    # why the row could not be read (its values are then empty)


class UnreadableRow(list):
    """In place of a row's cells: the CSV parser could not read this record (``reason`` says why)."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


@dataclass
class Table:
    format: str                   # "xlsx" | "csv"
    encoding: str | None          # CSV only
    headers: list[str]
    mapping: dict[str, str]       # column key -> header found in the file
    unknown_headers: list[str]
    rows: list[Row] = field(default_factory=list)


def normalise_header(text: Any) -> str:
    """'  薪资（元/月）*' -> '薪资'; full-width letters and spaces are folded, marks of required removed."""
    s = str(text or "")
    s = s.replace("\ufeff", "").replace("\u3000", " ")
    s = re.sub(r"[（(【\[].*?[)）】\]]", "", s)  # drop units/remarks in brackets
    s = re.sub(r"[\s*＊:：]", "", s)
    s = s.replace("必填", "").replace("选填", "")
    return s.lower()


def _size_of(source: Any) -> int | None:
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    if isinstance(source, (str, Path)):
        return os.path.getsize(source)
    if hasattr(source, "seek") and hasattr(source, "tell"):
        pos = source.tell()
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(pos)
        return size - pos
    return None


def _read_bytes(source: Any, max_bytes: int) -> bytes:
    size = _size_of(source)
    if size is not None and size > max_bytes:
        raise TabularError(
            "file_too_large",
            f"文件大小 {size / 1048576:.1f} MB 超过上限 {max_bytes / 1048576:.1f} MB，未读取。请拆分后分批上传。",
            "file",
        )
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:  # a stream whose size could not be known beforehand
        raise TabularError("file_too_large", f"文件超过上限 {max_bytes / 1048576:.1f} MB，已停止读取。", "file")
    return data


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-16 with BOM, UTF-8, then GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TabularError(
            "bad_encoding",
            f"无法识别文件编码（第 {exc.start} 字节处无效）。请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 XLSX。",
            "file",
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def csv_records(text: str, delimiter: str = ",") -> Iterator[list[str]]:
    """The records of CSV text. One cell may be as long as the text (a description of a few hundred
    thousand characters is the edge check's to refuse, not a reason to stop the file); a record the
    parser still cannot read comes as an ``UnreadableRow`` and the records after it follow."""
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)  # (process-wide; the text is within the file size limit)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield UnreadableRow(f"第 {reader.line_num} 行附近的 CSV 格式无法读取（{exc}）")


def _csv_rows(text: str) -> Iterator[list[str]]:
    sample = text[:4096]
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = max([",", "\t", ";"], key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    yield from csv_records(text, delimiter)


def check_unpacked_size(data: bytes, max_bytes: int) -> None:
    """Refuse an XLSX whose parts unpack beyond ``UNPACKED_RATIO`` times the file size limit, before
    anything is parsed (the sizes are read from the zip's directory; a part longer than its declared
    size fails its check when read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise TabularError("unreadable_xlsx", "无法打开该 Excel 文件，文件可能已损坏。", "file") from None
    limit = max_bytes * UNPACKED_RATIO
    if unpacked > limit:
        raise TabularError(
            "file_too_large_unpacked",
            f"该 Excel 文件解压后有 {unpacked / 1048576:.0f} MB，超过上限 {limit / 1048576:.0f} MB，未读取。"
            "请删除多余的工作表、图片或格式后另存，或拆分后分批上传。",
            "file",
        )


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise TabularError("unreadable_xlsx", "无法打开该 Excel 文件，文件可能已损坏。", "file") from None
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        # a sheet claiming all 16,384 columns would make every row that wide
        width = min(ws.max_column or MAX_COLUMNS, MAX_COLUMNS)
        for values in ws.iter_rows(values_only=True, max_col=width):
            yield list(values)
    finally:
        wb.close()


def _capped(rows: Iterator[list[Any]], max_rows: int) -> Iterator[list[Any]]:
    """The rows, stopping with a ``too_many_rows`` refusal at the first row past ``max_rows``."""
    last_filled = 0
    for n, values in enumerate(rows, start=1):
        if n > max_rows:
            raise TabularError(
                "too_many_rows",
                f"文件超过 {max_rows} 行（空行也计入），已在第 {n} 行停止读取，未导入。"
                f"最后一行有内容的是第 {last_filled} 行：如其后都是空行，请删除空行后重新上传；否则请拆分后分批上传。",
                "file",
            )
        if len(values) > MAX_COLUMNS:
            values = values[:MAX_COLUMNS]
        if isinstance(values, UnreadableRow) or any(v is not None and v != "" for v in values):
            last_filled = n
        yield values


def detect_format(data: bytes, filename: str | None = None) -> str:
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        raise TabularError(
            "unsupported_format", "不支持旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV 后上传。", "file"
        )
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        raise TabularError("unreadable_xlsx", "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件。", "file")
    return "csv"


def map_headers(headers: Sequence[Any], columns: Sequence[ColumnSpec]) -> tuple[dict[str, int], list[str]]:
    """Column key -> index of the first header matching one of its aliases; and unknown headers."""
    norm = [normalise_header(h) for h in headers]
    found: dict[str, int] = {}
    claimed: set[int] = set()
    for col in columns:
        for alias in col.aliases:
            a = normalise_header(alias)
            for i, h in enumerate(norm):
                if h == a and i not in claimed:
                    found[col.key] = i
                    claimed.add(i)
                    break
            if col.key in found:
                break
    unknown = [str(headers[i]).strip() for i in range(len(headers)) if i not in claimed and norm[i]]
    return found, unknown


def read_table(
    source: str | Path | bytes | IO[bytes],
    columns: Sequence[ColumnSpec],
    *,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    sheet: str | None = None,
    header_search_rows: int = 5,
) -> Table:
    """Read a whole table (after checking its size). Raises ``TabularError`` for file-level problems:
    then nothing of the file is imported.

    The header is the first of the first ``header_search_rows`` rows that matches any known column
    (templates often carry a title line above the header). Reading stops with ``too_many_rows`` past
    ``max_rows`` rows, empty ones included.
    """
    if filename is None and isinstance(source, (str, Path)):
        filename = str(source)
    data = _read_bytes(source, max_bytes)
    if not data.strip():
        raise TabularError("empty_file", "文件为空。", "file")
    fmt = detect_format(data, filename)
    encoding = None
    if fmt == "xlsx":
        check_unpacked_size(data, max_bytes)
        row_iter: Iterator[list[Any]] = _xlsx_rows(data, sheet)
    else:
        text, encoding = decode_text(data)
        _refuse_binary(text)
        row_iter = _csv_rows(text)
    row_iter = _capped(row_iter, max_rows)
    header, header_row, mapping, unknown = _find_header(row_iter, columns, header_search_rows)
    headers_text = [_cell_text(h) for h in header]
    table = Table(fmt, encoding, headers_text, {k: headers_text[i] for k, i in mapping.items()}, unknown)
    number = header_row
    for values in row_iter:
        number += 1
        if isinstance(values, UnreadableRow):
            table.rows.append(Row(number, {k: "" for k in mapping}, {}, values.reason))
            continue
        texts = [_cell_text(v) for v in values]
        if not any(texts):
            continue
        keyed = {k: (texts[i] if i < len(texts) else "") for k, i in mapping.items()}
        raw = {headers_text[i]: texts[i] for i in range(min(len(headers_text), len(texts))) if headers_text[i]}
        table.rows.append(Row(number, keyed, raw))
    return table


def _refuse_binary(text: str) -> None:
    """A file full of NUL bytes is not a CSV (UTF-16 without its mark, a binary file); a stray NUL in a
    cell is the edge check's to remove."""
    if text.count("\x00") > max(2, len(text) // 100):
        raise TabularError("bad_encoding", "文件含有二进制内容，不是文本格式的 CSV。", "file")


def _find_header(row_iter: Iterator[list[Any]], columns: Sequence[ColumnSpec],
                 header_search_rows: int) -> tuple[list[Any], int, dict[str, int], list[str]]:
    """(header cells, its row number, column key -> index, unknown headers), or a ``TabularError``
    naming the required columns that are missing."""
    header: list[Any] | None = None
    header_row = 0
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    consumed = 0
    for values in row_iter:
        consumed += 1
        if not any(_cell_text(v) for v in values):
            if consumed > header_search_rows:
                break
            continue
        mapping, unknown = map_headers(values, columns)
        if mapping or consumed >= header_search_rows:
            header, header_row = list(values), consumed
            break
    if header is None or not mapping:
        raise TabularError(
            "missing_columns",
            "未找到表头。必需的列：" + "、".join(c.label for c in columns if c.required),
            "file",
        )
    missing = [c for c in columns if c.required and c.key not in mapping]
    if missing:
        err = TabularError(
            "missing_columns",
            "缺少必需的列：" + "、".join(f"{c.label}（可用列名：{'/'.join(c.aliases)}）" for c in missing),
            "file",
        )
        err.missing = [c.key for c in missing]  # type: ignore[attr-defined]
        raise err
    return header, header_row, mapping, unknown


# --- export -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Stop spreadsheet programs from evaluating a cell as a formula (CSV/formula injection).

    Text beginning with ``= + - @`` (or a tab/CR) is prefixed with an apostrophe; numbers pass as they
    are, so a negative amount stored as a number stays a number.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(fh: IO[str], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    w = csv.writer(fh)
    w.writerow([neutralise_cell(h) for h in headers])
    for row in rows:
        w.writerow([neutralise_cell("" if v is None else v) for v in row])


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    """CSV bytes; UTF-8 with BOM by default so Excel on Windows opens the Chinese correctly."""
    buf = io.StringIO(newline="")
    write_csv(buf, headers, rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1",
    notes: Sequence[str] | None = None,
) -> bytes:
    """An XLSX workbook with one sheet (header row bold and frozen); optional notes on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append([neutralise_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([neutralise_cell("" if v is None else v) for v in row])
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(40, len(str(h)) * 3))
    if notes:
        ns = wb.create_sheet("填写说明")
        for line in notes:
            ns.append([neutralise_cell(line)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = [
    "ColumnSpec", "Row", "Table", "TabularError", "read_table", "map_headers", "normalise_header",
    "decode_text", "detect_format", "neutralise_cell", "write_csv", "csv_bytes", "xlsx_bytes",
    "DEFAULT_MAX_BYTES", "DEFAULT_MAX_ROWS", "csv_records", "check_unpacked_size", "UnreadableRow",
]
