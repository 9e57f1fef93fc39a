"""Roster import (人员名单导入): a commissioner's spreadsheet of jobseekers — a land-lost farmers list,
a graduates list — into jobseeker profiles, with a rejected-row report.

Reads XLSX or CSV (UTF-8 or GB18030) through ``core.tabular`` with the column names offices use.
A row whose ID number is already registered is reported as existing and left unchanged — except that
a roster imported with the people's consent (``--consent``) records that consent on them, reported
as updated; a bad row is rejected with its reasons and never stops the good ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.crypto import PersonalDataCipher
from core.enums import Education, PriorityGroup, VerificationStatus
from core.errors import DomainError, ValidationErrors
from core.tabular import ColumnSpec, read_table

COLUMNS = [
    ColumnSpec("name", ("姓名", "名字"), required=True),
    ColumnSpec("id_number", ("身份证号码", "身份证号", "公民身份号码", "证件号码"), required=True),
    ColumnSpec("phone", ("联系电话", "手机号码", "手机号", "电话", "联系方式")),
    ColumnSpec("residence", ("现居住地", "居住地址", "现住址", "家庭住址", "户籍地址", "地址")),
    ColumnSpec("education", ("学历", "文化程度", "最高学历")),
    ColumnSpec("experience_years", ("工作年限", "工作经验", "从业年限")),
    ColumnSpec("desired", ("求职意向", "求职意向/期望岗位", "期望岗位", "意向岗位", "期望职位", "意向工种")),
    ColumnSpec("pay", ("期望月薪", "期望薪资", "期望工资", "期望收入")),
    ColumnSpec("skills", ("技能特长", "技能特长/证书", "证书", "技能", "职业资格证书", "技能证书", "特长")),
    ColumnSpec("summary", ("个人简介", "备注", "简介", "自我介绍")),
    ColumnSpec("groups", ("人员类别", "人员类别/重点群体", "重点群体", "人员身份", "群体类别")),
    ColumnSpec("graduation_year", ("毕业年份", "毕业时间", "毕业年月")),
]

GROUP_NAMES = {
    "高校毕业生": PriorityGroup.GRADUATE, "毕业生": PriorityGroup.GRADUATE, "应届毕业生": PriorityGroup.GRADUATE,
    "离校未就业高校毕业生": PriorityGroup.GRADUATE,
    "退役军人": PriorityGroup.VETERAN, "退伍军人": PriorityGroup.VETERAN,
    "农民工": PriorityGroup.MIGRANT_WORKER, "农村转移劳动力": PriorityGroup.MIGRANT_WORKER,
    "被征地农民": PriorityGroup.LAND_LOST_FARMER, "失地农民": PriorityGroup.LAND_LOST_FARMER,
    "去产能安置职工": PriorityGroup.LAID_OFF, "失业人员": PriorityGroup.LAID_OFF, "下岗职工": PriorityGroup.LAID_OFF,
    "就业困难人员": PriorityGroup.HARD_TO_EMPLOY, "残疾人": PriorityGroup.DISABLED,
    "脱贫劳动力": PriorityGroup.POVERTY_ALLEVIATED, "脱贫人口": PriorityGroup.POVERTY_ALLEVIATED,
    "零就业家庭": PriorityGroup.ZERO_EMPLOYMENT_HOUSEHOLD, "零就业家庭成员": PriorityGroup.ZERO_EMPLOYMENT_HOUSEHOLD,
}

_EDU = [
    (("博士",), Education.DOCTOR), (("硕士", "研究生"), Education.MASTER), (("本科", "学士", "大学"), Education.BACHELOR),
    (("大专", "专科", "高职"), Education.ASSOCIATE), (("高中", "中专", "中技", "技校", "职高", "中职"), Education.SENIOR),
    (("初中",), Education.JUNIOR), (("小学",), Education.PRIMARY), (("不限", "无", "文盲"), Education.NONE),
]


# Offices separate several values in one cell with any of these.
_LIST_SEP = re.compile(r"[、,，;；/\s]+")


@dataclass
class RosterReport:
    rows: int = 0
    created: list[dict] = field(default_factory=list)  # {"row", "id", "name_masked"}
    existing: list[dict] = field(default_factory=list)  # already registered, left unchanged
    updated: list[dict] = field(default_factory=list)  # already registered; consent now recorded (--consent)
    rejected: list[dict] = field(default_factory=list)  # {"row", "errors": [{"code","message","field"}]}
    unknown_columns: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str | None = None

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "created": len(self.created), "existing": len(self.existing),
            "updated": len(self.updated),
            "rejected": len(self.rejected), "format": self.file_format, "encoding": self.encoding,
            "unknown_columns": self.unknown_columns,
            "results": sorted(
                [{"row": r["row"], "status": "created", "jobseeker_id": r["id"]} for r in self.created]
                + [{"row": r["row"], "status": "existing", "jobseeker_id": r["id"]} for r in self.existing]
                + [{"row": r["row"], "status": "updated", "jobseeker_id": r["id"]} for r in self.updated]
                + [{"row": r["row"], "status": "rejected", "errors": r["errors"]} for r in self.rejected],
                key=lambda d: d["row"],
            ),
        }


def parse_education(text: str) -> Education | None:
    text = (text or "").strip()
    if not text:
        return None
    for words, level in _EDU:
        if any(w in text for w in words):
            return level
    raise DomainError("invalid_education", f"无法识别的学历：{text}", "education")


def parse_years(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text in ("无", "应届", "应届生", "无经验", "0"):
        return 0
    m = re.search(r"(\d+(?:\.\d+)?)", text)
    if not m:
        raise DomainError("invalid_experience_years", f"无法识别的工作年限：{text}", "experience_years")
    return int(float(m.group(1)))


def parse_pay(text: str) -> float | None:
    """'5000', '5000-7000', '5千', '0.6万', '6k' -> the lower bound in yuan/month; '面议' -> None."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text or text in ("面议", "不限", "无"):
        return None
    m = re.search(r"(\d+(?:\.\d+)?)\s*([万千kK]?)", text)
    if not m:
        raise DomainError("invalid_expected_pay", f"无法识别的期望月薪：{text}", "expected_pay_min")
    value = float(m.group(1)) * {"万": 10000, "千": 1000, "k": 1000, "K": 1000, "": 1}[m.group(2)]
    return value


def parse_groups(text: str) -> list[str]:
    out = []
    for part in _LIST_SEP.split((text or "").strip()):
        if not part:
            continue
        g = GROUP_NAMES.get(part)
        if g is None:
            try:
                g = PriorityGroup(part)
            except ValueError:
                raise DomainError("invalid_priority_group", f"无法识别的人员类别：{part}（可填：高校毕业生、退役军人、"
                                  "农民工、被征地农民、失业人员、就业困难人员、残疾人、脱贫劳动力、零就业家庭）", "groups") from None
        out.append(g.value)
    return list(dict.fromkeys(out))


def parse_graduation_year(text: str) -> int | None:
    m = re.search(r"(19|20)\d{2}", text or "")
    return int(m.group(0)) if m else None


class _Places:
    """Finds the administrative division an address names (the deepest level whose name it contains)."""

    def __init__(self, session: Session):
        from core.reference.services import region_directory

        self.regions = region_directory(session)
        self.levels = {lvl: sorted(self.regions.all(lvl), key=lambda r: -len(r.name)) for lvl in (1, 2, 3)}

    def find(self, text: str):
        text = (text or "").strip()
        if not text:
            return None
        for level in (3, 2, 1):
            hits = []
            for r in self.levels[level]:
                if r.name in text or (len(r.short_name) >= 2 and r.short_name in text and level < 3):
                    # prefer a match whose ancestors are also named (鼓楼区 exists in several cities)
                    support = sum(1 for a in self.regions.ancestors(r.code)[:-1]
                                  if a.name in text or a.short_name in text)
                    hits.append((support, len(r.name), r))
            if hits:
                hits.sort(key=lambda t: (-t[0], -t[1], t[2].code))
                best = hits[0]
                if level == 3 and len(hits) > 1 and hits[1][0] == best[0] and best[0] == 0:
                    continue  # ambiguous county name with no city named: try the city level
                return best[2]
        return None


def import_roster(
    session: Session, cipher: PersonalDataCipher, source, *, filename: str | None = None,
    verify_groups_by: int | None = None, consent_recommendation: bool = False,
) -> RosterReport:
    """Import every row; commits nothing (the caller commits). ``verify_groups_by``: the commissioner
    who attests the groups (an official list), else they stay pending verification."""
    from core.reference.services import occupation_directory

    table = read_table(source, COLUMNS, filename=filename)
    report = RosterReport(rows=len(table.rows), unknown_columns=table.unknown_headers, file_format=table.format,
                          encoding=table.encoding)
    places = _Places(session)
    occupations = occupation_directory(session)
    for row in table.rows:
        v = row.values
        data, groups, errors = _read_row(v, places, occupations)
        data["consent_recommendation"] = consent_recommendation
        id_number = (v.get("id_number") or "").strip()
        if not id_number:
            errors.append(DomainError("missing_id_number", "缺少身份证号码", "id_number"))
        if errors:
            report.rejected.append({"row": row.number, "errors": [e.as_dict()["error"] for e in errors]})
            continue
        _store_row(session, cipher, report, row.number, id_number, groups, data, verify_groups_by)
    return report


def _read_row(v: dict, places: _Places, occupations) -> tuple[dict, list[str], list[DomainError]]:
    """One row's values as jobseeker fields, its priority groups, and every problem found in it."""
    errors: list[DomainError] = []
    data: dict = {"name": v.get("name", ""), "phone": v.get("phone") or None, "summary": v.get("summary", "")}
    for key, parser, target in (("education", parse_education, "education"),
                                ("experience_years", parse_years, "experience_years"),
                                ("pay", parse_pay, "expected_pay_min")):
        try:
            value = parser(v.get(key, ""))
            if value is not None:
                data[target] = value.value if hasattr(value, "value") else value
        except DomainError as e:
            errors.append(e)
    groups: list[str] = []
    try:
        groups = parse_groups(v.get("groups", ""))
    except DomainError as e:
        errors.append(e)
    if v.get("graduation_year"):
        data["graduation_year"] = parse_graduation_year(v["graduation_year"])
    if v.get("residence"):
        data["address"] = v["residence"]
        place = places.find(v["residence"])
        if place is None:
            errors.append(DomainError("unknown_region", f"无法从现居住地识别行政区划：{v['residence']}", "residence"))
        else:
            data["region_code"] = place.code
    data.update(_wishes_and_skills(v, occupations))
    return data, groups, errors


def _wishes_and_skills(v: dict, occupations) -> dict:
    """Desired titles with the occupation codes they name, and skills apart from certificates (…证)."""
    titles = [t for t in _LIST_SEP.split(v.get("desired", "")) if t]
    codes = []
    for t in titles:
        hit = occupations.by_name(t) or [o for o in occupations.search(t, 5) if o.level == 4]
        if hit:
            codes.append(hit[0].code)
    skills = [s for s in _LIST_SEP.split(v.get("skills", "")) if s]
    return {"desired_titles": titles, "desired_occupations": list(dict.fromkeys(codes)),
            "certificates": [s for s in skills if "证" in s], "skills": [s for s in skills if "证" not in s]}


def _store_row(session: Session, cipher: PersonalDataCipher, report: RosterReport, row_number: int, id_number: str,
               groups: list[str], data: dict, verify_groups_by: int | None) -> None:
    """A new jobseeker for the row, or the row reported as existing (same ID number) or rejected."""
    from core.seekers.services import create_jobseeker, find_by_id_number

    try:
        existing = find_by_id_number(session, cipher, id_number.upper())
    except Exception:  # noqa: BLE001 - malformed numbers are reported by validation below
        existing = None
    if existing is not None:
        if data.get("consent_recommendation") and not existing.consent_recommendation:
            # the roster now records the person's consent: the one thing a re-import changes
            existing.consent_recommendation = True
            existing.version = (existing.version or 1) + 1
            report.updated.append({"row": row_number, "id": existing.id})
        else:
            report.existing.append({"row": row_number, "id": existing.id})
        return
    try:
        with session.begin_nested():
            seeker = create_jobseeker(session, cipher, id_number=id_number, groups=groups, origin="roster", **data)
            if verify_groups_by is not None:
                _attest_groups(seeker, verify_groups_by)
    except ValidationErrors as e:
        report.rejected.append({"row": row_number, "errors": [x.as_dict()["error"] for x in e.errors]})
        return
    except DomainError as e:
        report.rejected.append({"row": row_number, "errors": [e.as_dict()["error"]]})
        return
    report.created.append({"row": row_number, "id": seeker.id})


def _attest_groups(seeker, commissioner_id: int) -> None:
    """The groups come from an official list the commissioner vouches for: verified by them, now."""
    from core.db import utcnow

    for g in seeker.groups:
        g.verification = VerificationStatus.VERIFIED
        g.verified_by_id = commissioner_id
        g.verified_at = utcnow()
