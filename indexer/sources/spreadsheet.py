"""Adapter for spreadsheet uploads (XLSX, CSV in UTF-8 or GB18030) from public employment agencies,
HR markets, licensed HR firms and training institutions; and the downloadable template.

The column names offices really use are recognised (职位名称/岗位名称/职位, 薪资/薪酬/工资待遇, ...);
a missing required column is named; each row keeps its spreadsheet row number.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO, Iterator

from core.tabular import DEFAULT_MAX_BYTES, ColumnSpec, Table, csv_bytes, map_headers, read_table, xlsx_bytes
from indexer.drafts import Issue, PostingDraft

from .base import edge_checked, number, parse_date, rejected_draft, split_list, stable_id, text

FORMAT = "spreadsheet"

# The first alias is the template's header. Order = template column order.
COLUMNS: list[ColumnSpec] = [
    ColumnSpec("external_id", ("岗位编号", "职位编号", "外部编号", "编号", "岗位ID", "职位ID", "ID")),
    ColumnSpec("title", ("职位名称", "岗位名称", "职位", "岗位", "招聘岗位", "招聘职位", "工种"), required=True),
    ColumnSpec("company_name", ("企业名称", "单位名称", "公司名称", "用人单位", "招聘单位", "企业", "公司"), required=True),
    ColumnSpec("credit_code", ("统一社会信用代码", "社会信用代码", "信用代码", "企业信用代码")),
    ColumnSpec("region_text", ("工作地点", "工作地区", "工作城市", "地区", "所在地区", "工作区域")),
    ColumnSpec("address", ("详细地址", "工作地址", "单位地址", "地址")),
    ColumnSpec("pay_text", ("薪资", "薪酬", "工资待遇", "薪资待遇", "薪资范围", "月薪", "工资", "待遇", "薪酬待遇")),
    ColumnSpec("pay_min", ("最低薪资", "薪资下限", "最低工资")),
    ColumnSpec("pay_max", ("最高薪资", "薪资上限", "最高工资")),
    ColumnSpec("headcount", ("招聘人数", "人数", "需求人数", "招聘数量", "用工人数")),
    ColumnSpec("description", ("职位描述", "岗位职责", "工作内容", "岗位描述", "职位介绍", "工作职责")),
    ColumnSpec("requirements", ("任职要求", "岗位要求", "职位要求", "招聘条件", "任职资格")),
    ColumnSpec("education", ("学历要求", "学历", "最低学历", "文化程度")),
    ColumnSpec("experience", ("工作经验", "经验要求", "工作年限", "经验")),
    ColumnSpec("employment_type", ("用工形式", "工作性质", "招聘类型", "岗位类型", "用工类型")),
    ColumnSpec("occupation", ("职业类别", "岗位类别", "职业", "职业工种", "职位类别")),
    ColumnSpec("welfare", ("福利待遇", "福利", "岗位福利")),
    ColumnSpec("contact", ("联系方式", "联系电话", "联系人及电话", "联系人")),
    ColumnSpec("valid_until", ("有效期至", "截止日期", "有效期", "截止时间")),
    ColumnSpec("start_date", ("到岗日期", "开工日期", "上岗时间")),
    ColumnSpec("duration", ("用工时长", "工期", "用工期限")),
    ColumnSpec("licence_number", ("许可证编号", "人力资源服务许可证编号", "许可证号")),
]

TEMPLATE_EXAMPLE = [
    "A2025-001", "普工", "临沂市某某制造有限公司", "91371300MA3C4XXXXX", "山东省临沂市兰山区",
    "兰山区金雀山路1号", "5000-7000元/月", "", "", "10",
    "负责产线装配、包装，服从班组长安排。", "身体健康，能适应两班倒，男女不限。", "初中", "不限", "全职",
    "", "五险一金,包吃住", "0539-1234567（人事部）", "2026-12-31", "", "", "",
]
TEMPLATE_NOTES = [
    "岗位信息导入模板填写说明",
    "1. 带 * 的列为必填：职位名称、企业名称。其余列可留空。",
    "2. 第一行为表头，请勿修改；也可使用常见列名，例如 岗位名称/职位、单位名称/公司名称、工资待遇/薪酬、工作地区。",
    "3. 薪资可写成“5000-7000元/月”“8千-1.2万/月”“150元/天”“25元/小时”“面议”，或填写最低/最高薪资列（元/月）。",
    "4. 招聘人数填数字，或“若干”。统一社会信用代码为18位。",
    "5. 岗位编号用于再次上传时更新同一岗位；不填时按职位名称+企业名称+工作地点识别。",
    "6. 支持 .xlsx 以及 UTF-8 或 GB18030（Excel“CSV”默认）编码的 .csv 文件，单个文件不超过 10 MB、10 万行。",
    "7. 岗位信息不得含有性别、民族、地域、婚育等歧视性内容，不得向求职者收取任何费用或押金。",
]


def template_headers() -> list[str]:
    return [c.label + ("*" if c.required else "") for c in COLUMNS]


def template_xlsx() -> bytes:
    return xlsx_bytes(template_headers(), [TEMPLATE_EXAMPLE], sheet_title="岗位信息", notes=TEMPLATE_NOTES)


def template_csv(encoding: str = "utf-8-sig") -> bytes:
    return csv_bytes(template_headers(), [TEMPLATE_EXAMPLE], encoding=encoding)


def _values_from_raw(raw: dict) -> dict[str, str]:
    headers = list(raw.keys())
    mapping, _ = map_headers(headers, COLUMNS)
    return {k: (raw.get(headers[i]) or "") for k, i in mapping.items()}


def values_to_draft(v: dict[str, str], raw: dict, channel_code: str, record_number: int | None) -> PostingDraft:
    issues: list[Issue] = []
    title, company = text(v.get("title")), text(v.get("company_name"))
    desc_parts = [p for p in (text(v.get("description")), text(v.get("requirements"))) if p]
    if text(v.get("requirements")) and text(v.get("description")):
        desc = f"{desc_parts[0]}\n任职要求：{desc_parts[1]}"
    else:
        desc = "\n".join(desc_parts)
    pay_min, pay_max = number(v.get("pay_min")), number(v.get("pay_max"))
    ext = text(v.get("external_id")) or stable_id(title, company, text(v.get("region_text")))
    valid_until = parse_date(v.get("valid_until"))
    if text(v.get("valid_until")) and valid_until is None:
        issues.append(Issue("invalid_date", f"有效期“{v.get('valid_until')}”不是有效日期（例如 2026-12-31）",
                            "valid_until", "hold"))
    draft = edge_checked(PostingDraft(
        channel_code=channel_code,
        external_id=ext,
        raw=raw,
        record_number=record_number,
        title=title,
        description=desc,
        company_name=company,
        credit_code=text(v.get("credit_code")),
        region_text=text(v.get("region_text")),
        address=text(v.get("address")),
        pay_text=text(v.get("pay_text")),
        pay_min=pay_min,
        pay_max=pay_max,
        pay_unit="month" if (pay_min or pay_max) and not text(v.get("pay_text")) else None,
        headcount_text=text(v.get("headcount")),
        education_text=text(v.get("education")),
        experience_text=text(v.get("experience")),
        employment_type=text(v.get("employment_type")),
        occupation_text=text(v.get("occupation")),
        welfare=split_list(v.get("welfare")),
        contact=text(v.get("contact")),
        valid_until=valid_until,
        start_date=parse_date(v.get("start_date")),
        duration_text=text(v.get("duration")),
        licence_number=text(v.get("licence_number")),
        issues=issues,
    ))
    # (after the edge check: a title of nothing but invisible characters is no title)
    missing = [Issue("missing_title", "职位名称为空", "title", "reject")] if not draft.title else []
    if not draft.company_name:
        missing.append(Issue("missing_company", "企业名称为空", "company_name", "reject"))
    draft.issues[:0] = missing
    return draft


def record_to_draft(raw: dict, channel_code: str, record_number: int | None = None) -> PostingDraft:
    """A row as received (header -> text) back to a draft (used by retry)."""
    return values_to_draft(_values_from_raw(raw), raw, channel_code, record_number)


def read(source: str | Path | bytes | IO[bytes], channel_code: str, *, filename: str | None = None,
         max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Table, Iterator[PostingDraft]]:
    """Read the file (raises ``core.tabular.TabularError`` for file-level problems) and return the
    table plus its drafts in row order."""
    table = read_table(source, COLUMNS, filename=filename, max_bytes=max_bytes)

    def drafts() -> Iterator[PostingDraft]:
        for row in table.rows:
            if row.problem:
                yield rejected_draft(channel_code, row.number, "unreadable_row", row.problem)
            else:
                yield values_to_draft(row.values, row.raw, channel_code, row.number)

    return table, drafts()
