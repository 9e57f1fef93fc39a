"""The commissioner's spreadsheet of monthly reports (XLSX or CSV, through ``core.tabular``): one row
per enterprise and month; each good row goes through ``submit_report`` like the enterprise's form
(so it raises the same alerts), a bad row is rejected with its reasons and never stops the others."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, ValidationErrors
from core.tabular import ColumnSpec, read_table

from .models import MonitoredEnterprise
from .services import submit_report

COLUMNS = [
    ColumnSpec("credit_code", ("统一社会信用代码", "信用代码", "社会信用代码")),
    ColumnSpec("name", ("企业名称", "单位名称", "企业")),
    ColumnSpec("month", ("月份", "报表月份", "所属月份"), required=True),
    ColumnSpec("headcount", ("月末职工人数", "职工人数", "期末人数", "在岗职工人数"), required=True),
    ColumnSpec("hires", ("本月新招用人数", "新招用人数", "招用人数", "新增人数")),
    ColumnSpec("separations", ("本月减少人数", "减少人数", "减员人数", "离职人数")),
    ColumnSpec("production_state", ("生产经营状况", "生产状况", "经营状况")),
    ColumnSpec("pay_change", ("工资变化", "工资变化情况", "薪酬变化")),
]


@dataclass
class ReportImport:
    rows: int = 0
    added: list[dict] = field(default_factory=list)      # {"row", "name", "month"}
    alerts: list[dict] = field(default_factory=list)     # {"row", "name", "reduction"}
    rejected: list[dict] = field(default_factory=list)   # {"row", "reasons": [..]}
    unknown_columns: list[str] = field(default_factory=list)


def _find_monitored(session: Session, values: dict) -> MonitoredEnterprise:
    from core.enterprises.models import Enterprise

    code = (values.get("credit_code") or "").strip().upper()
    name = (values.get("name") or "").strip()
    if not code and not name:
        raise DomainError("missing_enterprise", "缺少统一社会信用代码或企业名称", "credit_code")
    stmt = select(MonitoredEnterprise).join(Enterprise).where(MonitoredEnterprise.active.is_(True))
    stmt = stmt.where(Enterprise.credit_code == code) if code else stmt.where(Enterprise.name == name)
    found = list(session.scalars(stmt.limit(2)))
    if not found:
        raise DomainError("not_monitored", f"{code or name}不是监测企业，请先将其列入监测", "credit_code")
    if len(found) > 1:
        raise DomainError("ambiguous_enterprise", f"有多家监测企业名为{name}，请填写统一社会信用代码", "credit_code")
    return found[0]


def import_reports(session: Session, actor, source, *, filename: str | None = None) -> ReportImport:
    """Import every row; commits nothing (the caller commits)."""
    table = read_table(source, COLUMNS, filename=filename)
    out = ReportImport(rows=len(table.rows), unknown_columns=table.unknown_headers)
    for row in table.rows:
        if row.problem:
            out.rejected.append({"row": row.number, "reasons": [row.problem]})
            continue
        try:
            with session.begin_nested():
                monitored = _find_monitored(session, row.values)
                report, alert = submit_report(session, actor, monitored.id, row.values, source="import")
        except ValidationErrors as e:
            out.rejected.append({"row": row.number, "reasons": [x.message for x in e.errors]})
            continue
        except DomainError as e:
            out.rejected.append({"row": row.number, "reasons": [e.message]})
            continue
        name = monitored.enterprise.name
        out.added.append({"row": row.number, "name": name, "month": report.month})
        if alert is not None:
            out.alerts.append({"row": row.number, "name": name, "reduction": alert.reduction})
    return out
