"""Viewer figures (观看数据) of a session: typed in by a commissioner, or imported from the platform's
export, whose column names differ per platform (抖音 "观看人次", 快手 "观看人数", 视频号 "观看次数" …).
A bad row is reported with its row number and reason; the good rows around it are kept."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.tabular import ColumnSpec, read_table

from .models import ViewerFigures
from .services import _audit, session_for_change

COLUMNS = (
    ColumnSpec("posting", ("岗位", "岗位名称", "讲解岗位", "商品名称", "商品", "讲解商品", "标题", "职位", "职位名称")),
    ColumnSpec("views", ("观看人次", "观看人数", "观看次数", "累计观看人数", "累计观看", "播放量", "浏览量", "曝光人数", "观看量")),
    ColumnSpec("link_opens", ("链接点击", "点击人数", "点击次数", "商品点击", "商品点击次数", "链接打开", "小黄车点击", "组件点击")),
    ColumnSpec("sign_ups", ("报名人数", "报名数", "留资人数", "线索数", "报名", "意向登记")),
)
_WHOLE_SESSION = re.compile(r"^(合计|总计|整场|全场|汇总|本场)$")
_NUMBER = re.compile(r"^\d{1,9}$")


@dataclass
class FiguresImport:
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    mapping: dict[str, str] = field(default_factory=dict)          # our column -> the file's header


def _count(text: str, label: str) -> int:
    t = (text or "").replace(",", "").replace("，", "").strip()
    if t == "":
        return 0
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(万|w|W)", t)
    if m:
        return int(round(float(m.group(1)) * 10000))
    if not _NUMBER.match(t):
        raise DomainError("invalid_number", f"{label}“{text}”不是整数", label)
    return int(t)


def save_figures(session: Session, live, posting_id: int | None, *, views: int, link_opens: int, sign_ups: int,
                 source: str, actor) -> ViewerFigures:
    """One row per session and posting (None: the whole session); saving again replaces it."""
    key = str(posting_id or "")
    row = session.scalar(select(ViewerFigures).where(ViewerFigures.session_id == live.id,
                                                     ViewerFigures.posting_key == key))
    if row is None:
        row = ViewerFigures(session_id=live.id, posting_id=posting_id, posting_key=key)
        session.add(row)
    row.views, row.link_opens, row.sign_ups, row.source, row.recorded_by_id = views, link_opens, sign_ups, source, actor.id
    session.flush()
    return row


def record_figures(session: Session, actor, session_id: int, posting_id: int | None, data: dict) -> ViewerFigures:
    """Figures typed in on the form."""
    live = session_for_change(session, session_id, actor)
    if posting_id is not None and posting_id not in {i.posting_id for i in live.items}:
        raise DomainError("not_in_run_sheet", "该岗位不在讲解单中", "posting_id")
    values = {}
    for key, label in (("views", "观看人次"), ("link_opens", "链接点击"), ("sign_ups", "报名人数")):
        try:
            values[key] = _count(str(data.get(key) or ""), label)
        except DomainError as e:
            raise DomainError(e.code, e.message, key) from None
    row = save_figures(session, live, posting_id, source="typed", actor=actor, **values)
    _audit(session, actor, "update", live.id, "录入观看数据", list(values))
    return row


def _match_posting(live, text: str) -> int | None | str:
    """The posting a row names: by run-sheet number or title; None for the whole session; "" unknown."""
    t = (text or "").strip()
    if not t or _WHOLE_SESSION.match(t):
        return None
    if t.isdigit() and 1 <= int(t) <= len(live.items):
        return live.items[int(t) - 1].posting_id
    exact = [i.posting_id for i in live.items if i.posting.title == t]
    loose = [i.posting_id for i in live.items if t in i.posting.title or i.posting.title in t]
    found = exact or loose
    return found[0] if len(found) == 1 else ""


def import_figures(session: Session, actor, session_id: int, data: bytes, filename: str | None) -> FiguresImport:
    """Import a platform export (CSV or XLSX). File-level problems raise ``TabularError``."""
    live = session_for_change(session, session_id, actor)
    table = read_table(data, COLUMNS, filename=filename, max_rows=5000)
    report = FiguresImport(mapping=dict(table.mapping))
    if "views" not in table.mapping and "link_opens" not in table.mapping and "sign_ups" not in table.mapping:
        raise DomainError("no_figures_columns", "文件里没有找到观看人次、点击或报名的列，请检查表头", "file")
    seen: set = set()
    for row in table.rows:
        if row.problem:
            report.rejected.append((row.number, row.problem))
            continue
        posting_id = _match_posting(live, row.values.get("posting", ""))
        if posting_id == "":
            report.rejected.append((row.number, f"讲解单中没有找到岗位“{row.values.get('posting', '')}”"))
            continue
        if posting_id in seen:
            report.rejected.append((row.number, "与前面的行是同一岗位，已跳过"))
            continue
        try:
            counts = {k: _count(row.values.get(k, ""), c.label) for k, c in zip(("views", "link_opens", "sign_ups"), COLUMNS[1:])}
        except DomainError as e:
            report.rejected.append((row.number, e.message))
            continue
        seen.add(posting_id)
        save_figures(session, live, posting_id, source="import", actor=actor, **counts)
        report.accepted += 1
    _audit(session, actor, "update", live.id, f"导入观看数据 {report.accepted} 行", ["views", "link_opens", "sign_ups"])
    return report
