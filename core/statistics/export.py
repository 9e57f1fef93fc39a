"""Spreadsheet (XLSX) and Word (DOCX) files of statistics tables: one sheet or section per table,
the heading row first, figures as numbers (a bureau sums and charts them again)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .queries import Table

FIGURE_HEADERS = ["需求人数", "岗位数", "期末在招人数", "求职人数", "求人倍率", "供求差（需求−求职）"]


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    note: str = ""


def figure_sheet(title: str, table: Table, first_header: str, note: str = "") -> Sheet:
    """A supply-and-demand table as a sheet: one row per breakdown value, the total last."""
    rows = [[r.label or r.key, *figure_values(r)] for r in table.rows]
    rows.append(["合计", *figure_values(table.total)])
    return Sheet(title, [first_header, *FIGURE_HEADERS], rows, note)


def figure_values(row) -> list:
    return [row.demand, row.postings, row.open_demand, row.supply, row.ratio, row.gap]


def shown(value: Any) -> Any:
    """A figure as a file shows it: a missing one (it does not apply) as 不适用."""
    return "不适用" if value is None else value


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        name = _sheet_name(sheet.title, used)
        ws = wb.create_sheet(name)
        row0 = 1
        if sheet.note:
            ws.cell(row=1, column=1, value=sheet.note)
            row0 = 3
        for col, text in enumerate(sheet.headers, 1):
            ws.cell(row=row0, column=col, value=text).font = Font(bold=True)
            ws.column_dimensions[get_column_letter(col)].width = max(12, len(text) * 2 + 2)
        for i, values in enumerate(sheet.rows, row0 + 1):
            for col, value in enumerate(values, 1):
                ws.cell(row=i, column=col, value=shown(value))
        ws.freeze_panes = ws.cell(row=row0 + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "表"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]}{n}", n + 1
    used.add(name)
    return name


def docx_bytes(title: str, intro: list[str], sheets: list[Sheet]) -> bytes:
    """A Word document: the title, the summary paragraphs, then each table under its heading."""
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=0)
    for para in intro:
        doc.add_paragraph(para)
    for sheet in sheets:
        doc.add_heading(sheet.title, level=1)
        if sheet.note:
            doc.add_paragraph(sheet.note)
        table = doc.add_table(rows=1, cols=len(sheet.headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, sheet.headers):
            cell.text = text
        for values in sheet.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values):
                cell.text = str(shown(value))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
