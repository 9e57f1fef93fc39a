"""The placement plan (安置分流方案) as the document the local government approves: XLSX (figures by
village and outcome, then the people of the villages the exporter may see, ID numbers masked) and
Word (the same, as a report)."""
from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.crypto import PersonalDataCipher

from .land import sees_names, survey_deadline
from .models import LandNotice, SurveyRecord
from .placement import OUTCOMES, plan_figures
from .survey import EMPLOYMENT, WANTS, masked_id
from .workdays import working_calendar

_FIGURE_HEAD = ["村（乡镇）", "调查人数", "待安置", *OUTCOMES.values()]
_PEOPLE_HEAD = ["村（乡镇）", "姓名", "身份证号码", "年龄", "目前就业情况", "意愿", "培训意愿", "安置结果", "岗位或原因"]


def _people(session: Session, cipher: PersonalDataCipher, actor, notice: LandNotice) -> list[list]:
    visible = {v.id: v for v in notice.villages if sees_names(actor, v)}
    rows = session.scalars(select(SurveyRecord).where(SurveyRecord.notice_id == notice.id,
                                                      SurveyRecord.village_id.in_(list(visible)))
                           .order_by(SurveyRecord.village_id, SurveyRecord.id))
    return [[visible[r.village_id].name, r.name, masked_id(cipher, r) or (r.id_problem or ""), r.age or "",
             EMPLOYMENT.get(r.employment_now, ""), WANTS.get(r.wants, ""), r.training_wishes,
             OUTCOMES.get(r.outcome, "待安置"), r.outcome_reason] for r in rows]


def _figure_rows(session: Session, notice: LandNotice) -> list[list]:
    fig = plan_figures(session, notice)
    rows = [[v["name"], v["people"], v["open"], *(v[k] for k in OUTCOMES)] for v in fig.villages]
    rows.append(["合计", fig.totals["people"], fig.totals["open"], *(fig.totals[k] for k in OUTCOMES)])
    return rows


def _title(session: Session, notice: LandNotice) -> tuple[str, str]:
    import datetime as dt

    due = survey_deadline(working_calendar(session), notice, dt.date.today())
    return (f"{notice.project.name} 被征地人员安置分流方案",
            f"征地公告 {notice.reference or ''} {notice.notice_date:%Y年%m月%d日}，调查期限 {due.deadline:%Y年%m月%d日}"
            f"（公告后30个工作日）")


def plan_xlsx(session: Session, cipher: PersonalDataCipher, actor, notice: LandNotice) -> bytes:
    from openpyxl import Workbook

    title, subtitle = _title(session, notice)
    wb = Workbook()
    ws = wb.active
    ws.title = "安置情况汇总"
    ws.append([title])
    ws.append([subtitle])
    ws.append(_FIGURE_HEAD)
    for row in _figure_rows(session, notice):
        ws.append(row)
    trainees = plan_figures(session, notice).wants.get("training", 0)
    ws.append([])
    ws.append([f"想参加培训 {trainees} 人，纳入农村劳动力转移就业培训计划"])
    people = wb.create_sheet("人员名单")
    people.append(_PEOPLE_HEAD)
    for row in _people(session, cipher, actor, notice):
        people.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_docx(session: Session, cipher: PersonalDataCipher, actor, notice: LandNotice) -> bytes:
    from docx import Document

    title, subtitle = _title(session, notice)
    doc = Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(subtitle)
    doc.add_heading("一、安置情况汇总", level=2)
    _table(doc, _FIGURE_HEAD, _figure_rows(session, notice))
    trainees = plan_figures(session, notice).wants.get("training", 0)
    doc.add_paragraph(f"想参加培训 {trainees} 人，纳入农村劳动力转移就业培训计划。")
    doc.add_heading("二、人员名单", level=2)
    _table(doc, _PEOPLE_HEAD, _people(session, cipher, actor, notice))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, head: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = str(value)
